"""Company profiles in and out: validation, upsert, bulk JSONL/CSV import and JSONL export.

The format is the contract in shared/profile-format.md; its rules live in
`services.profile_schema` and are re-exported here (`validate_profile`, `ProfileIn`).

Transactions of a bulk import: each row is written inside its own SAVEPOINT
(`session.begin_nested()`), so a row the database refuses is rolled back alone and can never
leave half a company behind, while the valid rows before and after it still load. All loaded
rows are committed together once at the end of the file: an import that crashes half way
(a killed process, a lost connection) leaves the database as it was.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from tqdm import tqdm

from config.reference import HUBS
from models import Company, Hub
from services import index_builder
from services.errors import ValidationFailed
from services.profile_schema import (
    ALL_FIELDS,
    BOOL_FIELDS,
    COMMON_FIELDS,
    INT_FIELDS,
    LIST_FIELDS,
    MANUFACTURER_FIELDS,
    SUPPLIER_FIELDS,
    ManufacturerIn,
    ProfileIn,
    SupplierIn,
    compact_record,
    detect_language,
    validate_profile,
    whole_number,
)

Source = str | os.PathLike[str] | IO[str] | IO[bytes]
RowCheck = Callable[[ProfileIn], list[tuple[str, str]]]
"""A caller's own rule on a valid profile (e.g. the uploader's hub): (field, reason) pairs, empty when fine."""

CSV_TRUE = frozenset({"true", "예", "y", "yes"})
CSV_FALSE = frozenset({"false", "아니오", "n", "no"})
CSV_LIST_SEPARATOR = " | "


@dataclass(frozen=True)
class ImportError:  # noqa: A001 - the public name of the import API; shadows the builtin in this module only
    """One broken rule of one row: `line 3: hub: unknown hub 'mars'` (CSV: `row 3: hub: ...`)."""

    line: int
    field: str
    reason: str
    unit: str = "line"

    def __str__(self) -> str:
        return f"{self.unit} {self.line}: {self.field}: {self.reason}"


@dataclass
class ImportReport:
    """What a bulk import did: counts, every error in file order, and the ids it loaded."""

    loaded: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[ImportError] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # external ids loaded, in file order
    changed_ids: list[str] = field(default_factory=list)  # created, or updated with a real change

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def summary(self) -> str:
        return f"loaded {self.loaded}, rejected {self.rejected}"

    def __str__(self) -> str:
        return self.summary()


# --- one company ---------------------------------------------------------------------------


def upsert_company(session: Session, profile: ProfileIn, *, status: str = "active") -> tuple[Company, bool]:
    """Create the company of `profile`, or update the one with its id; flush, no commit.

    An update replaces the whole profile (fields absent from `profile` are cleared) and keeps the
    company's platform status; `status` applies to a new company only.

    Returns:
        The company row and True when it was created.
    """
    company, created, _ = _upsert(session, profile, status=status)
    return company, created


def _upsert(session: Session, profile: ProfileIn, *, status: str) -> tuple[Company, bool, bool]:
    _ensure_hub(session, profile.hub)
    company = session.scalar(select(Company).where(Company.external_id == profile.id))
    created = company is None
    if company is None:
        company = Company(external_id=profile.id, status=status)
        session.add(company)
    changed = False
    for attribute, value in _columns_of(profile).items():
        if created or getattr(company, attribute) != value:
            setattr(company, attribute, value)
            changed = True
    session.flush()
    return company, created, changed


def _columns_of(profile: ProfileIn) -> dict[str, Any]:
    """The Company column values of a profile; the other kind's fields are emptied."""
    return {
        "kind": profile.kind,
        "name": profile.name,
        "hub_key": profile.hub,
        "language": profile.language,
        "employees": profile.employees,
        "summary": profile.summary or None,
        "description": profile.description or None,
        "contact_email": profile.contact_email or None,
        "website": profile.website or None,
        "industry": getattr(profile, "industry", None),
        "needs": list(getattr(profile, "needs", [])),
        "requires_security_certification": bool(getattr(profile, "requires_security_certification", False)),
        "confidential_notes": getattr(profile, "confidential_notes", None) or None,
        "capabilities": list(getattr(profile, "capabilities", [])),
        "industries_served": list(getattr(profile, "industries_served", [])),
        "certifications": list(getattr(profile, "certifications", [])),
        "references": list(getattr(profile, "references", [])),
    }


def _ensure_hub(session: Session, key: str) -> None:
    """Companies reference hubs by key; a fresh database may not have the reference rows yet."""
    if session.get(Hub, key) is None:
        name_ko, name_en = HUBS[key]
        session.add(Hub(key=key, name_ko=name_ko, name_en=name_en))
        session.flush()


def company_to_record(company: Company) -> dict[str, Any]:
    """The profile-format dict of a company; empty optional fields are left out."""
    own = MANUFACTURER_FIELDS if company.kind == "manufacturer" else SUPPLIER_FIELDS
    record: dict[str, Any] = {}
    for name in COMMON_FIELDS + own:
        if name == "id":
            record[name] = company.external_id
        elif name == "hub":
            record[name] = company.hub_key
        else:
            record[name] = getattr(company, name)
    return compact_record(record)


# --- bulk import ---------------------------------------------------------------------------


class _Import:
    """The row loop shared by JSONL and CSV: duplicate ids, validation, a savepoint per row."""

    def __init__(self, session: Session, unit: str, status: str, check: RowCheck | None = None) -> None:
        self.session = session
        self.unit = unit
        self.status = status
        self.check = check
        self.report = ImportReport()
        self.first_seen: dict[str, int] = {}

    def reject(self, number: int, errors: Iterable[tuple[str, str]]) -> None:
        self.report.rejected += 1
        self.report.errors.extend(ImportError(number, f, r, self.unit) for f, r in errors)

    def row(self, number: int, data: Any, problems: list[tuple[str, str]] | None = None) -> None:
        problems = list(problems or [])
        raw_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(raw_id, str) and raw_id.strip():
            key = raw_id.strip()
            if key in self.first_seen:
                where = f"{self.unit} {self.first_seen[key]}"
                self.reject(number, [("id", f"repeated id '{key}' (first on {where})")])
                return
            self.first_seen[key] = number
        try:
            profile = validate_profile(data)
        except ValidationFailed as exc:
            self.reject(number, problems + [(e["field"], e["reason"]) for e in exc.detail["errors"]])
            return
        if self.check is not None:
            problems += self.check(profile)
        if problems:
            self.reject(number, problems)
            return
        try:
            with self.session.begin_nested():
                _, created, changed = _upsert(self.session, profile, status=self.status)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            self.reject(number, [("-", f"database refused the row: {reason}")])
            return
        report = self.report
        report.loaded += 1
        report.created += created
        report.updated += not created
        report.ids.append(profile.id)
        if changed:
            report.changed_ids.append(profile.id)

    def finish(self, notify: bool) -> ImportReport:
        if notify and self.report.changed_ids:  # committed with the rows: a crash cannot lose the matching
            index_builder.record_change(self.session, self.report.changed_ids, "imported")
        self.session.commit()
        return self.report


def _begin_outer_transaction(session: Session) -> None:
    """Make sure the database transaction really started before the first SAVEPOINT.

    Python's sqlite3 driver only opens a transaction before an INSERT/UPDATE/DELETE; a SAVEPOINT
    issued first becomes the outermost transaction, and releasing it commits at once. An explicit
    BEGIN keeps every row's savepoint nested inside one transaction on SQLite too.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock now: no busy upgrade later


def _binary_lines(source: Source) -> Iterator[bytes | str]:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            yield from handle
    else:
        yield from source  # type: ignore[misc]


def _pairs_no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"field '{key}' appears twice")
        seen[key] = value
    return seen


def _parse_json_line(raw: bytes | str, number: int) -> tuple[Any, list[tuple[str, str]]]:
    """One JSONL line → (object or None, problems). None and no problems means a blank line."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [("json", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    else:
        text = raw
    if number == 1:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        return None, []
    try:
        data = json.loads(text, object_pairs_hook=_pairs_no_repeats)
    except json.JSONDecodeError as exc:
        return None, [("json", f"invalid JSON: {exc.msg} (column {exc.colno})")]
    except RecursionError:
        return None, [("json", "nested too deeply")]
    except ValueError as exc:
        return None, [("json", str(exc))]
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "null"
        return None, [("json", f"a line must hold one JSON object, not {_JSON_NAMES.get(kind, kind)}")]
    return data, []


_JSON_NAMES = {"list": "an array", "str": "a string", "int": "a number", "float": "a number", "bool": "a boolean"}


def import_jsonl(
    session: Session,
    stream_or_path: Source,
    *,
    progress: bool = False,
    status: str = "active",
    notify: bool = True,
    check: RowCheck | None = None,
) -> ImportReport:
    """Load a profile-format JSONL file; bad lines are reported, good lines upserted and committed.

    Blank lines are skipped. With `notify`, `services.matching.on_companies_changed(session, ids)`
    (when it exists) is told which companies were created or changed, after the commit. `check`
    adds the caller's own rule on each valid profile (a row it objects to is rejected).
    """
    job = _Import(session, "line", status, check)
    _begin_outer_transaction(session)
    lines = tqdm(_binary_lines(stream_or_path), desc="import", unit=" lines", file=sys.stderr,
                 disable=not progress, leave=False)
    for number, raw in enumerate(lines, start=1):
        data, problems = _parse_json_line(raw, number)
        if problems:
            job.reject(number, problems)
        elif data is not None:
            job.row(number, data)
    return job.finish(notify)


def _read_text(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).read_bytes().decode("utf-8-sig")
    content = source.read()
    if isinstance(content, bytes):
        return content.decode("utf-8-sig")
    return content.removeprefix("\ufeff")


def _csv_rows(text: str) -> Iterator[tuple[int, list[str] | str]]:
    """(row number, cells) of a CSV text, header = row 1; a row the csv module refuses comes as (number, reason)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        number += 1
        try:
            yield number, next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            too_long = "field larger than field limit" in str(exc)
            yield number, "a cell is longer than the CSV limit" if too_long else "this row cannot be read as CSV"


def _csv_cell(column: str, cell: str) -> tuple[Any, str | None]:
    """A spreadsheet cell → the JSON value of its field, or a reason it cannot be one."""
    if column in LIST_FIELDS:
        return [item.strip() for item in cell.split("|")], None
    if column in BOOL_FIELDS:
        word = cell.lower()
        if word in CSV_TRUE or word in CSV_FALSE:
            return word in CSV_TRUE, None
        return None, f"expected true/false, 예/아니오 or Y/N, not '{cell}'"
    if column in INT_FIELDS:
        number = whole_number(cell)
        if number is not None:
            return number, None
        return None, f"must be a whole number, not '{cell[:50]}'"
    return cell, None


def import_csv(
    session: Session,
    stream_or_path: Source,
    *,
    progress: bool = False,
    status: str = "active",
    notify: bool = True,
    check: RowCheck | None = None,
) -> ImportReport:
    """Load a spreadsheet export (CSV, UTF-8 with or without BOM, header row first).

    List cells hold items separated by ` | `; booleans are true/false, 예/아니오 or Y/N; an empty
    cell means the field is absent. Errors name the row as a spreadsheet shows it (header = row 1)
    and the column. Transactions, notification and `check` as in `import_jsonl`. A file that is
    not UTF-8 raises UnicodeDecodeError; a row the csv module cannot read is reported.
    """
    job = _Import(session, "row", status, check)
    _begin_outer_transaction(session)
    rows = _csv_rows(_read_text(stream_or_path))
    _number, header_cells = next(rows, (1, []))
    if isinstance(header_cells, str):
        job.reject(1, [("-", header_cells)])
        return job.finish(notify)
    header = [cell.strip() for cell in header_cells]
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        job.reject(1, [(c, "column appears twice in the header") for c in repeated])
        return job.finish(notify)
    for number, cells in tqdm(rows, desc="import", unit=" rows", file=sys.stderr, disable=not progress, leave=False):
        if isinstance(cells, str):
            job.reject(number, [("-", cells)])
            continue
        if not any(cell.strip() for cell in cells):
            continue
        data: dict[str, Any] = {}
        problems: list[tuple[str, str]] = []
        if len(cells) > len(header):
            problems.append(("-", f"{len(cells)} cells but only {len(header)} columns in the header"))
        for column, cell in zip(header, cells):
            cell = cell.strip()
            if not cell:
                continue
            if not column:
                problems.append(("-", "a cell under a column without a name"))
                continue
            value, problem = _csv_cell(column, cell)
            if problem:
                problems.append((column, problem))
            else:
                data[column] = value
        job.row(number, data, problems)
    return job.finish(notify)


FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv"}


def format_of(filename: str | os.PathLike[str]) -> str | None:
    """"jsonl" or "csv" from a file name's extension, None when it is neither."""
    return FORMATS.get(Path(filename).suffix.lower())


def import_file(
    session: Session,
    path: Source,
    fmt: str | None = None,
    *,
    progress: bool = False,
    status: str = "active",
    notify: bool = True,
    check: RowCheck | None = None,
) -> ImportReport:
    """Import a JSONL or CSV file (a path, or an open stream with `fmt`), chosen by `fmt` ("jsonl"/"csv") or else by the file extension."""
    if fmt is None and isinstance(path, (str, os.PathLike)):
        fmt = format_of(path)
    if fmt == "jsonl":
        return import_jsonl(session, path, progress=progress, status=status, notify=notify, check=check)
    if fmt == "csv":
        return import_csv(session, path, progress=progress, status=status, notify=notify, check=check)
    where = os.fspath(path) if isinstance(path, (str, os.PathLike)) else "the stream"
    raise ValueError(f"cannot tell the format of {where!r}: use .jsonl or .csv (or give the format)")


# --- export --------------------------------------------------------------------------------


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


__all__ = [
    "ALL_FIELDS", "CSV_LIST_SEPARATOR", "ImportError", "ImportReport", "ManufacturerIn", "ProfileIn", "SupplierIn",
    "company_to_record", "detect_language", "export_jsonl", "format_of", "import_csv", "import_file", "import_jsonl",
    "upsert_company", "validate_profile",
]
