"""Loading profiles into the database: one company's upsert, and the row loop of a bulk import.

Transactions of a bulk import: each row is written inside its own SAVEPOINT
(`session.begin_nested()`), so a row the database refuses is rolled back alone and can never
leave half a company behind, while the valid rows before and after it still load. All loaded
rows are committed together once at the end of the file: an import that crashes half way
(a killed process, a lost connection) leaves the database as it was.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from tqdm import tqdm

from config.reference import HUBS
from models import Company, Hub
from services import index_builder
from services.errors import ValidationFailed
from services.profile_schema import ProfileIn, validate_profile
from services.profiles.readers import READERS, Problems, Row, Source, format_of

RowCheck = Callable[[ProfileIn], list[tuple[str, str]]]
"""A caller's own rule on a valid profile (e.g. the uploader's hub): (field, reason) pairs, empty when fine."""

RowWriter = Callable[..., tuple[Company, bool, bool]]
"""Writes one valid row: (session, profile, *, status) -> (company, created, changed); tests pass a fake."""


@dataclass(frozen=True)
class RowProblem:
    """One broken rule of one row: `line 3: hub: unknown hub 'mars'` (CSV: `row 3: hub: ...`); line 0: the file."""

    line: int
    field: str
    reason: str
    unit: str = "line"

    def __str__(self) -> str:
        return f"{self.unit} {self.line}: {self.field}: {self.reason}"


@dataclass
class ImportReport:
    """What a bulk import did: counts, every problem in file order, and the ids it loaded."""

    loaded: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[RowProblem] = field(default_factory=list)
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
        "monthly_capacity": getattr(profile, "monthly_capacity", None),
    }


def _ensure_hub(session: Session, key: str) -> None:
    """Companies reference hubs by key; a fresh database may not have the reference rows yet."""
    if session.get(Hub, key) is None:
        name_ko, name_en = HUBS[key]
        session.add(Hub(key=key, name_ko=name_ko, name_en=name_en))
        session.flush()


# --- bulk import ---------------------------------------------------------------------------


class _Import:
    """The row loop of every format: duplicate ids, validation, the caller's check, a savepoint per row."""

    def __init__(self, session: Session, unit: str, status: str, check: RowCheck | None = None,
                 write: RowWriter | None = None) -> None:
        self.session = session
        self.unit = unit
        self.status = status
        self.check = check
        self.write = write or _upsert
        self.report = ImportReport()
        self.first_seen: dict[str, int] = {}

    def reject(self, number: int, errors: Iterable[tuple[str, str]]) -> None:
        self.report.rejected += 1
        self.report.errors.extend(RowProblem(number, f, r, self.unit) for f, r in errors)

    def row(self, number: int, data: Any, problems: Problems | None = None) -> None:
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
                _, created, changed = self.write(self.session, profile, status=self.status)
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


def import_file(
    session: Session,
    path: Source,
    fmt: str | None = None,
    *,
    progress: bool = False,
    status: str = "active",
    notify: bool = True,
    check: RowCheck | None = None,
    write: RowWriter | None = None,
) -> ImportReport:
    """Import a JSONL or CSV file (a path, or an open stream with `fmt`), chosen by `fmt` ("jsonl"/"csv") or else by the file extension.

    Bad rows are reported and the good ones upserted, all committed at the end. With `notify`, the
    matching work of the companies created or changed is recorded in the same transaction. `check`
    adds the caller's own rule on each valid profile (a row it objects to is rejected); `write`
    replaces the upsert of one row (tests: a database that refuses a row half way). A CSV file
    that is not UTF-8 raises UnicodeDecodeError (JSONL reports each such line).
    """
    if fmt is None and isinstance(path, (str, os.PathLike)):
        fmt = format_of(path)
    reader = READERS.get(fmt or "")
    if reader is None:
        where = os.fspath(path) if isinstance(path, (str, os.PathLike)) else "the stream"
        raise ValueError(f"cannot tell the format of {where!r}: use .jsonl or .csv (or give the format)")
    job = _Import(session, reader.unit, status, check, write)
    _begin_outer_transaction(session)
    rows: Iterable[Row] = tqdm(reader.read(path), desc="import", unit=f" {reader.unit}s", file=sys.stderr,
                               disable=not progress, leave=False)
    for number, record, problems in rows:
        if record is None:
            job.reject(number, problems)
        else:
            job.row(number, record, problems)
    return job.finish(notify)


def import_jsonl(
    session: Session,
    stream_or_path: Source,
    *,
    progress: bool = False,
    status: str = "active",
    notify: bool = True,
    check: RowCheck | None = None,
) -> ImportReport:
    """Load a profile-format JSONL file (blank lines skipped); options as in `import_file`."""
    return import_file(session, stream_or_path, "jsonl", progress=progress, status=status, notify=notify, check=check)


def import_csv(
    session: Session,
    stream_or_path: Source,
    *,
    progress: bool = False,
    status: str = "active",
    notify: bool = True,
    check: RowCheck | None = None,
) -> ImportReport:
    """Load a spreadsheet export (`readers.read_csv`), errors naming the row as a spreadsheet shows it."""
    return import_file(session, stream_or_path, "csv", progress=progress, status=status, notify=notify, check=check)
