"""Lists a coordinator sees, as files Excel opens: .csv (UTF-8 with BOM) and .xlsx.

Every list is read through the service that shows it on the page (`pipeline.list_matches`,
`dashboard.listed_companies`, `audit.list_events`), so an export sees exactly what its page may
show: the same hub scope and permission checks (a member gets Forbidden, another hub NotFound),
the same filters and the same order. The companies export uses the profile-format columns (without the confidential
notes, which staff never see), so it is also a template for `dxmatch import`.

Formula injection: a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some
read a leading tab or carriage return the same way), so a company named `=HYPERLINK(...)` would
become a live link in the coordinator's Excel. Every such cell is written with a single quote
`'` in front: the text stays readable and is never evaluated (OWASP's advice for CSV injection).
"""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models import User, utcnow
from services import access, audit, clock, dashboard, pipeline
from services.i18n import N_, translator
from services.profile_schema import ALL_FIELDS

FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LISTS: tuple[str, ...] = ("pairs", "companies", "pipeline", "audit")
MAX_EXPORT_ROWS = 50_000  # far above any hub's lists; bounds one request's memory
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COMPANY_COLUMNS: tuple[str, ...] = tuple(f for f in ALL_FIELDS if f != "confidential_notes")
STATUS_NAMES: dict[str, str] = {
    "proposed": N_("Proposed"), "introduced": N_("Introduced"), "meeting": N_("Meeting"),
    "contract": N_("Contract"), "declined": N_("Declined"),
}


@dataclass(frozen=True)
class Export:
    """A file to send: its name, media type and bytes."""

    filename: str
    mimetype: str
    content: bytes


def neutralise(value: Any) -> str:
    """A cell's text that no spreadsheet evaluates: a leading = + - @ tab or CR gets a `'` in front."""
    text = "" if value is None else " | ".join(map(str, value)) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with a BOM (without it Korean Excel reads the file as CP949 and garbles Hangul)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    """One sheet: numbers as numbers (a score or a head count sorts and sums in Excel), everything else
    as neutralised text (nothing becomes a formula)."""
    from openpyxl import Workbook  # imported on export only: every other page starts without it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([neutralise(cell) for cell in header])
    for row in rows:
        sheet.append([cell if _is_number(cell) else _illegal_free(neutralise(cell)) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _is_number(cell: Any) -> bool:
    return isinstance(cell, (int, float)) and not isinstance(cell, bool) and math.isfinite(cell)  # NaN stays text


def _illegal_free(text: str) -> str:
    """Control characters an .xlsx cannot hold (openpyxl refuses them) are dropped; tab and newlines stay."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def export_list(
    session: Session, actor: User, hub_key: str, name: str, fmt: str, *, language: str,
    filters: pipeline.PairFilters | None = None, audit_filters: audit.AuditFilters | None = None,
    companies_sort: str = "kind",
) -> Export:
    """One of a hub's lists as a file, with its page's filters and order; audited.

    `pairs` (the dashboard's or a pipeline column's filters and sort), `companies` (`companies_sort`),
    `pipeline` (every pair by state), `audit` (`audit_filters`: action, person, days, order).

    Raises:
        NotFound: an unknown list, or a hub the actor does not run; Forbidden: not staff;
        InvalidInput: a format other than csv or xlsx.
    """
    from services.errors import InvalidInput, NotFound

    if name not in LISTS:
        raise NotFound("export.unknown_list")
    if fmt not in FORMATS:
        raise InvalidInput("export.bad_format")
    tr = translator(language)
    header, rows = _table(session, actor, hub_key, name, tr, filters, audit_filters or audit.AuditFilters(),
                          companies_sort)
    content = to_csv(header, rows) if fmt == "csv" else to_xlsx(header, rows, name)
    audit.record(session, actor, "export", hub_key=hub_key, list=name, format=fmt, rows=len(rows))
    session.commit()
    stamp = clock.to_local(utcnow()).strftime("%Y%m%d-%H%M")
    return Export(f"dxmatch-{hub_key}-{name}-{stamp}.{fmt}", FORMATS[fmt], content)


def _table(session: Session, actor: User, hub_key: str, name: str, tr: Any, filters: pipeline.PairFilters | None,
           audit_filters: audit.AuditFilters, companies_sort: str) -> tuple[list[str], list[list[Any]]]:
    if name == "companies":
        listed = session.scalars(dashboard.listed_companies(actor, hub_key, companies_sort).limit(MAX_EXPORT_ROWS))
        return list(COMPANY_COLUMNS), [_company_row(c) for c in listed]
    if name == "audit":
        events = audit.list_events(session, actor, hub_key=hub_key, filters=audit_filters, limit=MAX_EXPORT_ROWS)
        names, pairs = audit.company_names(session, events), audit.pair_names(session, events)
        header = [tr.gettext("Time"), tr.gettext("Who"), tr.gettext("Action"), tr.gettext("Company"), tr.gettext("Pair"),
                  tr.gettext("Details")]
        return header, [[_local(e.at), e.actor.email if e.actor else "", e.action,
                         names.get(e.company_id, "") if e.company_id else "", pairs.get(e.match_id, ""),
                         ", ".join(f"{k}={v}" for k, v in sorted((e.detail or {}).items()))] for e in events]
    if name == "pipeline":  # every pair, whatever its state, in the board's order within each state
        filters = pipeline.PairFilters(sort=filters.sort if filters else pipeline.PAIR_SORTS[0])
    matches = pipeline.list_matches(session, actor, hub_key=hub_key, filters=filters, limit=MAX_EXPORT_ROWS)
    header = [tr.gettext("Manufacturer"), tr.gettext("Supplier"), tr.gettext("Score"), tr.gettext("Status"),
              tr.gettext("Industry"), tr.gettext("Updated")]
    if name == "pipeline":
        order = {state: i for i, state in enumerate(STATUS_NAMES)}
        matches.sort(key=lambda m: order.get(m.status, len(order)))  # stable: the board's order within a state
    return header, [[m.manufacturer.name, m.supplier.name, round(m.score * 100),
                     tr.gettext(STATUS_NAMES[m.status]) if m.status in STATUS_NAMES else m.status,
                     m.manufacturer.industry or "", _local(m.updated_at)] for m in matches]


def _company_row(company: Any) -> list[Any]:
    """The profile-format cells of a company, booleans as the CSV contract writes them."""
    from services.profiles import company_to_record

    record = company_to_record(company)
    return [("true" if record[c] else "false") if isinstance(record.get(c), bool) else record.get(c)
            for c in COMPANY_COLUMNS]


def _local(moment: Any) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


# The import template's one example row, in the page's language; the headers are the contract's field names.
TEMPLATE_EXAMPLES: dict[str, dict[str, str]] = {
    "ko": {"id": "m-example-1", "kind": "manufacturer", "name": "예시정밀", "language": "ko", "employees": "85",
           "summary": "이차전지 셀 케이스 정밀 가공", "industry": "battery",
           "needs": "셀 케이스 외관 불량 자동 검출 | CNC 설비 예지보전", "requires_security_certification": "예"},
    "en": {"id": "m-example-1", "kind": "manufacturer", "name": "Example Precision", "language": "en",
           "employees": "85", "summary": "Precision machining of battery cell cases", "industry": "battery",
           "needs": "Automatic visual inspection of cell cases | Predictive maintenance of CNC machines",
           "requires_security_certification": "true"},
}


def import_template(actor: User, hub_key: str, fmt: str, *, language: str) -> Export:
    """An empty import sheet for the hub: the contract's columns and one example row (in `language`) to overwrite.

    Raises:
        NotFound / Forbidden: a hub the actor does not run; InvalidInput: a format other than csv or xlsx.
    """
    from services.errors import InvalidInput

    access.require_hub(actor, hub_key)
    if fmt not in FORMATS:
        raise InvalidInput("export.bad_format")
    example = {**TEMPLATE_EXAMPLES.get(language, TEMPLATE_EXAMPLES["en"]), "hub": hub_key}
    header, rows = list(ALL_FIELDS), [[example.get(field, "") for field in ALL_FIELDS]]
    content = to_csv(header, rows) if fmt == "csv" else to_xlsx(header, rows, "companies")
    return Export(f"dxmatch-import-template-{hub_key}.{fmt}", FORMATS[fmt], content)
