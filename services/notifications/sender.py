"""Sending recorded notifications with the digest's guarantees (services.digest.outbox explains them).

Each outbox row moves pending → sending (attempts+1, committed before the SMTP conversation) → sent.
A transient failure puts it back to pending for the next run; a permanent one, or `max_attempts`
used up, fails it for good. A row a crash left in `sending` is resent with the same Message-ID;
`sent` rows are never sent again, and two runs that meet the same row lose on the compare-and-set
of its attempt count. Unlike the digest's one scheduled sender, several senders may run at once
(a worker thread per web process, an RQ worker), so a `sending` row counts as left by a crash
only once its claim is `STALE_CLAIM` old: a sender still talking to the server is never doubled.
The background worker runs this (services.runtime), never a request.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from config.settings import Settings
from models import NotificationOutbox, utcnow
from services.digest.outbox import IN_RUN_RETRIES, MAX_ATTEMPTS, deliver_with_retries
from services.mailer import Mailer, MailError
from services.notifications.preferences import wants
from services.notifications.rendering import build_message, render_notification

log = logging.getLogger(__name__)

BATCH = 500  # rows per run; a longer queue is finished by the runs that follow
RETRY_AFTER = 60.0  # seconds before the worker runs again when a send failed for now
STALE_CLAIM = timedelta(minutes=10)  # a `sending` row older than this was left by a crash (SMTP times out in 30 s)


@dataclass
class NotificationRunSummary:
    """What one run did; `line()` is what the job records."""

    sent: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> recipients
    failed: list[tuple[str, str]] = field(default_factory=list)  # given up for good
    retry_later: list[tuple[str, str]] = field(default_factory=list)  # pending again, for the next run
    in_flight: int = 0  # `sending` rows of another sender, alive or dead: a later run looks again

    def skip(self, reason: str, recipient: str) -> None:
        self.skipped.setdefault(reason, []).append(recipient)

    def line(self) -> str:
        skipped = sum(len(v) for v in self.skipped.values())
        text = f"sent {len(self.sent)}, skipped {skipped}, failed {len(self.failed) + len(self.retry_later)}"
        return text + (f" ({len(self.retry_later)} will be retried)" if self.retry_later else "")


def _skip_reason(session: Session, row: NotificationOutbox) -> str | None:
    """Why a recorded mail is no longer wanted: the account was deactivated or the switch turned off since."""
    if not row.user.active:
        return "account deactivated"
    if not wants(session, row.user_id, row.kind):
        return "turned off"
    return None


def send_pending(
    session: Session, mailer: Mailer, settings: Settings, *, sleep: Callable[[float], None] = time.sleep,
    max_attempts: int = MAX_ATTEMPTS, in_run_retries: int = IN_RUN_RETRIES, now: datetime | None = None,
) -> NotificationRunSummary:
    """Send every pending notification (and resend those a crash left in `sending`), oldest first."""
    summary = NotificationRunSummary()
    due = _due((now or utcnow()) - STALE_CLAIM)
    ids = session.scalars(select(NotificationOutbox.id).where(due).order_by(NotificationOutbox.id).limit(BATCH)).all()
    for row_id in ids:
        row = session.scalar(select(NotificationOutbox).where(NotificationOutbox.id == row_id, due)
                             .execution_options(populate_existing=True))
        if row is None:  # sent or claimed by another run meanwhile
            continue
        reason = _skip_reason(session, row)
        if reason is not None:
            row.status, row.last_error = "skipped", reason
            session.commit()
            summary.skip(reason, row.recipient)
            continue
        try:
            message = build_message(render_notification(session, row, settings), row, settings)
        except Exception as exc:  # noqa: BLE001 - a bug in one mail must not stop the others
            log.exception("cannot build notification %s", row.message_id)
            row.status, row.last_error = "failed", f"render: {exc}"[:2000]
            session.commit()
            summary.failed.append((row.recipient, f"render: {exc}"))
            continue
        if _claim(session, row, max_attempts, summary):
            _deliver_and_record(session, mailer, row, message, (max_attempts, in_run_retries, sleep), summary)
    summary.in_flight = session.scalar(select(func.count(NotificationOutbox.id)).where(
        NotificationOutbox.status == "sending")) or 0
    return summary


def _due(stale_before: datetime) -> ColumnElement[bool]:
    """Rows to send: pending ones, and `sending` ones whose sender died (claimed before `stale_before`)."""
    return or_(NotificationOutbox.status == "pending",
               and_(NotificationOutbox.status == "sending", NotificationOutbox.claimed_at < stale_before))


def _claim(session: Session, row: NotificationOutbox, max_attempts: int, summary: NotificationRunSummary) -> bool:
    """Commit `sending` with one more attempt, unless the attempts are used up or another run moved first."""
    if row.attempts >= max_attempts:
        row.status = "failed"
        row.last_error = (row.last_error or "") + f" [gave up after {row.attempts} attempts]"
        session.commit()
        summary.failed.append((row.recipient, row.last_error))
        return False
    claimed = session.execute(
        update(NotificationOutbox)
        .where(NotificationOutbox.id == row.id, NotificationOutbox.attempts == row.attempts,
               NotificationOutbox.status.in_(("pending", "sending")))
        .values(status="sending", attempts=row.attempts + 1, claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    if claimed != 1:
        summary.skip("claimed by another run", row.recipient)
        return False
    session.refresh(row)
    return True


def _deliver_and_record(session: Session, mailer: Mailer, row: NotificationOutbox, message: EmailMessage,
                        policy: tuple[int, int, Callable[[float], None]], summary: NotificationRunSummary) -> None:
    """Send the claimed row and commit the outcome: `sent`, `pending` (next run) or `failed`."""
    max_attempts, in_run_retries, sleep = policy
    try:
        deliver_with_retries(mailer, message, in_run_retries, sleep)
    except MailError as exc:
        give_up = not exc.transient or row.attempts >= max_attempts
        row.status, row.last_error = ("failed" if give_up else "pending"), str(exc)[:2000]
        session.commit()
        (summary.failed if give_up else summary.retry_later).append((row.recipient, str(exc)))
        return
    row.status, row.sent_at, row.last_error = "sent", utcnow(), None
    session.commit()
    summary.sent.append(row.recipient)


def pending_notifications(session: Session) -> int:
    """How many mails wait to be sent (the worker's start finishes them)."""
    return session.scalar(select(func.count(NotificationOutbox.id)).where(
        NotificationOutbox.status.in_(("pending", "sending")))) or 0
