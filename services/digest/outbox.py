"""Sending the weekly digest exactly once in effect, through a DigestOutbox row per (subscription, ISO week).

The row is committed before the message leaves, moved to `sending` with an attempt count just
before the SMTP conversation and to `sent` right after the server accepted it. A rerun skips
`sent` and `failed` rows, retries `pending` ones and resends a row a crash left in `sending`
(the server may or may not have it) with the same Message-ID, so the copy can be recognised as
the same mail; `max_attempts` bounds the resends. A second run that meets the same row loses on
its unique key or on the compare-and-set of its attempt count and skips it.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config.settings import Settings
from models import DigestOutbox, DigestSubscription, utcnow
from services import auth
from services.digest.content import DigestContent, collect_digest
from services.digest.rendering import build_message, digest_message_id, render_digest
from services.digest.tokens import unsubscribe_url
from services.digest.weeks import current_week, period_start, week_start
from services.mailer import Mailer, MailError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # deliveries tried per (subscription, week), across runs, before it is reported failed
IN_RUN_RETRIES = 2  # quick extra tries inside one run for a transient SMTP error
_FINISHED = {"sent": "already sent this week", "failed": "failed in an earlier run"}  # row status -> reason to skip


@dataclass
class DigestRunSummary:
    """What one run did; `line()` is the summary the CLI prints."""

    week: str
    dry_run: bool = False
    sent: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # reason -> recipients
    failed: list[tuple[str, str]] = field(default_factory=list)  # (recipient, error), given up for good
    retry_later: list[tuple[str, str]] = field(default_factory=list)  # failed this run, retried next run
    would_send: list[tuple[str, str]] = field(default_factory=list)  # dry run: (recipient, subject)

    def skip(self, reason: str, recipient: str) -> None:
        self.skipped.setdefault(reason, []).append(recipient)

    @property
    def skipped_count(self) -> int:
        return sum(len(v) for v in self.skipped.values())

    def skip_lines(self) -> list[str]:
        """One line per skipped subscriber and why, for the operator (`dxmatch digest send`)."""
        return [f"skipped {recipient}: {reason}" for reason, recipients in sorted(self.skipped.items())
                for recipient in sorted(recipients)]

    def line(self) -> str:
        text = f"sent {len(self.sent)}, skipped {self.skipped_count}, failed {len(self.failed) + len(self.retry_later)}"
        if self.retry_later:
            text += f" ({len(self.retry_later)} will be retried on the next run)"
        if self.dry_run:
            text += f" (dry run: would send {len(self.would_send)})"
        return text


@dataclass(frozen=True)
class DigestRun:
    """What every subscription of one run shares: the database, the mail transport, the week and the policy."""

    session: Session
    mailer: Mailer
    settings: Settings
    week: str
    summary: DigestRunSummary
    dry_run: bool = False
    sleep: Callable[[float], None] = time.sleep
    max_attempts: int = MAX_ATTEMPTS
    in_run_retries: int = IN_RUN_RETRIES


def ineligibility(sub: DigestSubscription) -> str | None:
    """Why a subscription gets no mail at all (the operator reads it in `digest send`), or None when it may."""
    if not sub.active or sub.unsubscribed_at is not None:
        return "unsubscribed"
    if sub.user is None:
        return "no account"
    if not sub.user.active:
        return "account deactivated"
    return None


def is_eligible(sub: DigestSubscription) -> bool:
    """Only active subscriptions of active users get mail."""
    return ineligibility(sub) is None


def send_weekly_digest(
    session: Session,
    mailer: Mailer,
    settings: Settings,
    *,
    week: str | None = None,
    dry_run: bool = False,
    progress: Callable[[Sequence[DigestSubscription]], Iterable[DigestSubscription]] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_attempts: int = MAX_ATTEMPTS,
    in_run_retries: int = IN_RUN_RETRIES,
) -> DigestRunSummary:
    """Send the digest of `week` to every eligible subscriber who has not had it yet.

    Per subscription: commit an outbox row (stable Message-ID), commit `sending` with
    attempts+1, send, commit `sent`. A rerun skips `sent` rows, retries `pending` rows and
    resends rows left in `sending` by a crash, all bounded by `max_attempts`.
    Run one sender at a time (the scheduler is one process; cron uses flock).
    """
    week = week or current_week()
    week_start(week)  # validate early
    run = DigestRun(session, mailer, settings, week, DigestRunSummary(week=week, dry_run=dry_run), dry_run=dry_run,
                    sleep=sleep, max_attempts=max_attempts, in_run_retries=in_run_retries)
    subs = session.scalars(select(DigestSubscription).order_by(DigestSubscription.id)).all()
    for sub in progress(subs) if progress else subs:
        _send_one(run, sub)
    return run.summary


def _send_one(run: DigestRun, sub: DigestSubscription) -> None:
    """One subscription's mail of the run's week; each step commits before the next one can fail."""
    summary = run.summary
    why_not = ineligibility(sub)
    if why_not is not None:
        summary.skip(why_not, sub.user.email if sub.user else f"subscription {sub.id}")
        return
    if auth.email_problem(sub.user.email):  # one valid address per mail: never a list smuggled in as one
        summary.skip("not a valid e-mail address", sub.user.email)
        return
    row = run.session.scalar(
        select(DigestOutbox).where(DigestOutbox.subscription_id == sub.id, DigestOutbox.week == run.week)
    )
    if row is not None and row.status in _FINISHED:
        summary.skip(_FINISHED[row.status], row.recipient)
        return
    # A row kept from an earlier run fixes the Message-ID and the address: a resent copy is the same mail.
    message_id = row.message_id if row else digest_message_id(run.week, sub.id)
    recipient = row.recipient if row else sub.user.email
    try:
        content, message = _prepare(run, sub, message_id, recipient)
    except Exception as exc:  # a bug for one subscriber must not stop the others
        _render_failed(run, row, recipient, exc)
        return
    if row is None and content.is_empty:
        summary.skip("nothing new since the last digest", recipient)
        return
    if run.dry_run:
        summary.would_send.append((recipient, str(message["Subject"])))
        return
    if row is None:
        row = _new_outbox_row(run, sub, message_id, recipient)
        if row is None:  # another run committed it first
            return
    if _claim(run, row):
        _deliver_and_record(run, sub, row, message)


def _prepare(
    run: DigestRun, sub: DigestSubscription, message_id: str, recipient: str
) -> tuple[DigestContent, EmailMessage]:
    """The subscriber's content since their last digest, rendered into the message to send."""
    since = period_start(run.week, sub.last_sent_week)
    content = collect_digest(run.session, sub.user, run.week, since, run.settings.base_url)
    link = unsubscribe_url(run.settings, sub.id)
    message = build_message(
        render_digest(content, link),
        settings=run.settings,
        recipient=recipient,
        message_id=message_id,
        unsubscribe_link=link,
        language=content.language,
    )
    return content, message


def _render_failed(run: DigestRun, row: DigestOutbox | None, recipient: str, exc: Exception) -> None:
    """Report a mail that could not be built; a row of an earlier run is failed for good."""
    log.exception("cannot build the digest for %s", recipient)
    if row is not None and not run.dry_run:
        row.status, row.last_error = "failed", f"render: {exc}"
        run.session.commit()
    run.summary.failed.append((recipient, f"render: {exc}"))


def _new_outbox_row(run: DigestRun, sub: DigestSubscription, message_id: str, recipient: str) -> DigestOutbox | None:
    """Commit the outbox row before anything leaves; None when another run committed it first."""
    row = DigestOutbox(subscription_id=sub.id, week=run.week, message_id=message_id, recipient=recipient)
    run.session.add(row)
    try:
        run.session.commit()
    except IntegrityError:
        run.session.rollback()
        run.summary.skip("claimed by another run", recipient)
        return None
    return row


def _claim(run: DigestRun, row: DigestOutbox) -> bool:
    """Commit `sending` with one more attempt, unless the attempts are used up or another run moved first."""
    if row.attempts >= run.max_attempts:
        # A row still `sending` after max_attempts: the server may have it; stop rather than loop.
        row.status = "failed"
        row.last_error = (row.last_error or "") + f" [gave up after {row.attempts} attempts]"
        run.session.commit()
        run.summary.failed.append((row.recipient, row.last_error))
        return False
    claimed = run.session.execute(
        update(DigestOutbox)
        .where(
            DigestOutbox.id == row.id,
            DigestOutbox.attempts == row.attempts,
            DigestOutbox.status.in_(("pending", "sending")),
        )
        .values(status="sending", attempts=row.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    run.session.commit()
    if claimed != 1:
        run.summary.skip("claimed by another run", row.recipient)
        return False
    run.session.refresh(row)
    return True


def _deliver_and_record(run: DigestRun, sub: DigestSubscription, row: DigestOutbox, message: EmailMessage) -> None:
    """Send the claimed row's message and commit the outcome: `sent`, `pending` (retry next run) or `failed`."""
    recipient = row.recipient
    try:
        deliver_with_retries(run.mailer, message, run.in_run_retries, run.sleep)
    except MailError as exc:
        give_up = not exc.transient or row.attempts >= run.max_attempts
        row.status = "failed" if give_up else "pending"
        row.last_error = str(exc)[:2000]
        run.session.commit()
        (run.summary.failed if give_up else run.summary.retry_later).append((recipient, str(exc)))
        return
    row.status, row.sent_at, row.last_error = "sent", utcnow(), None
    if not sub.last_sent_week or sub.last_sent_week < run.week:
        sub.last_sent_week = run.week
    run.session.commit()
    run.summary.sent.append(recipient)


def deliver_with_retries(mailer: Mailer, message: EmailMessage, retries: int, sleep: Callable[[float], None]) -> None:
    """Send once, retrying a transient error a few times with a short back-off (the digest and the notifications)."""
    for attempt in range(retries + 1):
        try:
            mailer.send(message)
            return
        except MailError as exc:
            if not exc.transient or attempt == retries:
                raise
            log.warning("transient error for %s, retrying: %s", message["To"], exc)
            sleep(0.5 * 2**attempt)
