"""Companies out as profile-format JSONL: what an import reads back to exactly the same export."""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Company
from services.profile_schema import (COMMON_FIELDS, MANUFACTURER_FIELDS, SUPPLIER_EXTRA_FIELDS, SUPPLIER_FIELDS,
                                     compact_record)


def company_to_record(company: Company) -> dict[str, Any]:
    """The profile-format dict of a company; empty optional fields (an unstated capacity too) are left out."""
    own = MANUFACTURER_FIELDS if company.kind == "manufacturer" else SUPPLIER_FIELDS + SUPPLIER_EXTRA_FIELDS
    record: dict[str, Any] = {}
    for name in COMMON_FIELDS + own:
        if name == "id":
            record[name] = company.external_id
        elif name == "hub":
            record[name] = company.hub_key
        else:
            record[name] = getattr(company, name)
    return compact_record(record)


def export_jsonl(session: Session, stream_or_path: str | os.PathLike[str] | IO[str]) -> int:
    """Write every company as profile-format JSONL, in the order they were created; returns the count.

    The output re-imports to exactly the same export (the round trip is exact).
    """
    companies = session.scalars(select(Company).order_by(Company.id))
    if isinstance(stream_or_path, (str, os.PathLike)):
        with open(stream_or_path, "w", encoding="utf-8", newline="\n") as handle:
            return _write_jsonl(companies, handle)
    return _write_jsonl(companies, stream_or_path)


def _write_jsonl(companies: Iterable[Company], handle: IO[str]) -> int:
    count = 0
    for company in companies:
        handle.write(json.dumps(company_to_record(company), ensure_ascii=False) + "\n")
        count += 1
    return count
