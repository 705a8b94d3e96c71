"""Bulk import from the coordinator's upload page, limited to the coordinator's own hub."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Company, User
from services import access, audit, profiles

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


@dataclass
class UploadReport:
    """What the page shows: loaded count and line-level errors."""

    loaded: int = 0
    rejected: int = 0
    errors: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class ScopeError:
    line: int
    field: str
    reason: str


def _rows(data: bytes, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) pairs, best effort: rows that do not parse are left to the importer to report."""
    text = data.decode("utf-8-sig", errors="replace")
    rows: list[tuple[int, dict[str, Any]]] = []
    if fmt == "csv":
        for index, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            rows.append((index, row))
        return rows
    for index, line in enumerate(text.splitlines(), start=1):
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append((index, row))
    return rows


def _scope_errors(session: Session, actor: User, hub_key: str, rows: list[tuple[int, dict[str, Any]]]) -> list[ScopeError]:
    """A coordinator may only load companies of their hub and never overwrite another hub's company."""
    if access.is_admin(actor):
        return []
    errors = [ScopeError(n, "hub", "not your hub") for n, row in rows if str(row.get("hub", "")).strip() not in ("", hub_key)]
    ids = {str(row.get("id", "")).strip(): n for n, row in rows if row.get("id")}
    if ids:
        for company in session.scalars(select(Company).where(Company.external_id.in_(list(ids)))):
            if company.hub_key != hub_key:
                errors.append(ScopeError(ids[company.external_id], "id", "belongs to another hub"))
    return sorted(errors, key=lambda e: e.line)


def import_upload(session: Session, actor: User, hub_key: str, filename: str, data: bytes) -> UploadReport:
    """Check hub scope, then hand the file to services.profiles.import_file; nothing loads if scope fails."""
    access.require_hub(actor, hub_key)
    suffix = os.path.splitext(filename or "")[1].lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        return UploadReport(errors=[ScopeError(0, "file", "use a .jsonl or .csv file")])
    scope = _scope_errors(session, actor, hub_key, _rows(data, fmt))
    if scope:
        return UploadReport(rejected=len({e.line for e in scope}), errors=list(scope))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"upload{suffix}")
        with open(path, "wb") as fh:
            fh.write(data)
        report = profiles.import_file(session, path, fmt)
    audit.record(session, actor, "companies.import", hub_key=hub_key, loaded=report.loaded, rejected=report.rejected, file=filename[:200])
    session.commit()
    return UploadReport(loaded=report.loaded, rejected=report.rejected, errors=list(report.errors))
