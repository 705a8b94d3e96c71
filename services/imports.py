"""Bulk import from the coordinator's upload page, limited to the coordinator's own hub.

The upload is read by the same parser as `dxmatch import` (services.profiles); the hub scope is
one more rule on each validated row, so what is checked is exactly what gets loaded.
"""
from __future__ import annotations

import io
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Company, User
from services import access, audit, profiles
from services.errors import MESSAGES
from services.profile_schema import ProfileIn
from services.profiles import readers

# One request must not hold a worker for minutes: a valid row costs a few milliseconds (validation,
# scope check, a savepoint and an upsert), so 5,000 rows take seconds; `dxmatch import` has no cap.
MAX_UPLOAD_LINES = 5_000
MAX_SHOWN_ERRORS = 100  # the page lists this many errors, then "and N more"

# Reasons about the file as a whole (line 0): the messages of their error codes, msgids the import page translates.
WRONG_EXTENSION = MESSAGES["import.wrong_extension"]
NOT_TEXT = MESSAGES["import.bad_encoding"]
NOT_WORKBOOK = MESSAGES["import.not_a_workbook"]
WORKBOOK_TOO_BIG = MESSAGES["import.workbook_too_big"]
PREVIEW_EXPIRED = MESSAGES["import.preview_expired"]
PREVIEW_TTL_SECONDS = 30 * 60  # a previewed upload waits this long for the coordinator's confirmation


@dataclass
class UploadReport:
    """What the page shows: loaded count, the first line-level errors and how many more there were."""

    loaded: int = 0  # a preview: the rows that would load
    rejected: int = 0
    created: int = 0
    updated: int = 0
    errors: list[profiles.RowProblem] = field(default_factory=list)  # line 0: the file as a whole
    more_errors: int = 0
    too_many_lines: int = 0  # the line cap when the file was refused for exceeding it
    encoding: str | None = None  # how a CSV file was read ("CP949 (EUC-KR)"), for the page to name
    preview: bool = False  # nothing was written: this is what confirming would do
    token: str | None = None  # a preview with rows to load: the kept file to confirm

    @property
    def unreadable(self) -> bool:
        """The file as a whole could not be read (nothing loaded): the page answers 400."""
        return any(error.line == 0 for error in self.errors)


def _hub_scope(session: Session, hub_key: str) -> profiles.RowCheck:
    """A coordinator may only load companies of their hub and never overwrite another hub's company."""

    def check(profile: ProfileIn) -> list[tuple[str, str]]:
        problems = []
        if profile.hub != hub_key:
            problems.append(("hub", "not your hub"))
        existing = session.scalar(select(Company.hub_key).where(Company.external_id == profile.id))
        if existing is not None and existing != hub_key:
            problems.append(("id", "belongs to another hub"))
        return problems

    return check


def _line_count(data: bytes, fmt: str) -> int:
    """Lines of a text file, rows of a workbook's first sheet (counted up to just past the cap)."""
    if fmt == "xlsx":
        return sum(1 for _ in zip(range(MAX_UPLOAD_LINES + 1), readers.read_xlsx(io.BytesIO(data))))
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _file_error(reason: str) -> UploadReport:
    return UploadReport(errors=[profiles.RowProblem(0, "file", reason)])


def _shown(errors: list[profiles.RowProblem]) -> tuple[list[profiles.RowProblem], int]:
    return errors[:MAX_SHOWN_ERRORS], max(0, len(errors) - MAX_SHOWN_ERRORS)


def import_upload(session: Session, actor: User, hub_key: str, filename: str, data: bytes) -> UploadReport:
    """Load an uploaded .xlsx, CSV (UTF-8 or CP949) or JSONL file; rows outside the coordinator's hub are rejected, the rest load."""
    return _run(session, actor, hub_key, filename, data, preview=False)


def preview_upload(session: Session, actor: User, hub_key: str, filename: str, data: bytes, folder: Path) -> UploadReport:
    """What importing the file would create, update and reject (row, column, reason), with nothing written.

    When rows would load, the file is kept in `folder` under the report's `token` for `confirm_preview`.
    """
    report = _run(session, actor, hub_key, filename, data, preview=True)
    if report.loaded and not report.unreadable:
        report.token = _keep(folder, data)
    return report


def _dry_write(session: Session, profile: ProfileIn, *, status: str) -> tuple[None, bool, bool]:
    """The row writer of a preview: says whether the row would create a company, writes nothing."""
    exists = session.scalar(select(Company.id).where(Company.external_id == profile.id)) is not None
    return None, not exists, True


def _run(session: Session, actor: User, hub_key: str, filename: str, data: bytes, *, preview: bool) -> UploadReport:
    access.require_hub(actor, hub_key)
    fmt = profiles.format_of(filename or "")
    if fmt is None:
        return _file_error(WRONG_EXTENSION)
    encoding = None
    try:
        if fmt == "csv":
            encoding = readers.ENCODING_LABELS[readers.detect_encoding(data)]
        if _line_count(data, fmt) > MAX_UPLOAD_LINES:
            return UploadReport(too_many_lines=MAX_UPLOAD_LINES)
        check = None if access.is_admin(actor) else _hub_scope(session, hub_key)
        report = profiles.import_file(session, io.BytesIO(data), fmt, check=check, notify=not preview,
                                      write=_dry_write if preview else None)
    except UnicodeDecodeError:
        session.rollback()
        return _file_error(NOT_TEXT)
    except readers.UnreadableFile as exc:
        session.rollback()
        return _file_error(WORKBOOK_TOO_BIG if str(exc) == readers.XLSX_TOO_BIG else NOT_WORKBOOK)
    if not preview:
        audit.record(session, actor, "companies.import", hub_key=hub_key, loaded=report.loaded, rejected=report.rejected,
                     file=filename[:200])
        session.commit()
    errors, more = _shown(list(report.errors))
    return UploadReport(loaded=report.loaded, rejected=report.rejected, created=report.created, updated=report.updated,
                        errors=errors, more_errors=more, encoding=encoding, preview=preview)


# --- a previewed file, kept until the coordinator confirms ------------------------------------------


def _keep(folder: Path, data: bytes) -> str:
    """Keep a previewed upload under a random token (the caller signs it into the session); expired ones are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - PREVIEW_TTL_SECONDS
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.upload").write_bytes(data)
    return token


def confirm_preview(session: Session, actor: User, hub_key: str, filename: str, folder: Path, token: str) -> UploadReport:
    """Import the file a preview kept (the same bytes the coordinator saw previewed), then forget it."""
    access.require_hub(actor, hub_key)
    path = folder / f"{token}.upload"
    if not token.replace("-", "").replace("_", "").isalnum() or not path.is_file() \
            or path.stat().st_mtime < time.time() - PREVIEW_TTL_SECONDS:
        return _file_error(PREVIEW_EXPIRED)
    data = path.read_bytes()
    path.unlink(missing_ok=True)
    return import_upload(session, actor, hub_key, filename, data)
