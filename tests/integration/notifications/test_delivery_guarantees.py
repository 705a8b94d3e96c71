"""The digest's guarantees, for notification mails: a send that failed for now is retried later by the
worker, a permanent failure is not, and a sender that dies mid-run sends nobody a mail twice."""
from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from models import NotificationOutbox, utcnow
from services import notifications, pipeline
from services.mailer import SmtpMailer
from services.notifications.sender import STALE_CLAIM
from tests.factories import gen_company, gen_user
from web.database import runtime_of


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def _pending_registration(session):
    company = gen_company(session, "manufacturer", hub="ochang", status="pending")
    return company, gen_user(session, company=company, email="applicant@maker.example", language="en")


def test_a_send_refused_for_now_is_retried_later_by_the_worker(app, client, auth, pair, mailbox, smtp_server, session):
    runtime_of(app).mail_retry_after = 0.3
    smtp_server.handler.reply = lambda n, rcpt: "451 4.3.0 Try again later" if n <= 3 else None  # one run's 3 tries
    company, applicant = _pending_registration(session)
    auth.login(pair.coordinator)

    client.post(f"/hub/ochang/companies/{company.id}/review", data={"decision": "approve"})

    assert _wait_for(lambda: smtp_server.handler.messages), "the worker did not retry"
    assert [m["X-Envelope-To"] for m in mailbox.delivered()] == [applicant.email]
    assert smtp_server.handler.data_commands == 4  # three refusals in the first run, accepted in the next
    session.expire_all()
    row = session.scalars(select(NotificationOutbox)).one()
    assert (row.status, row.attempts) == ("sent", 2)  # two runs claimed it


def test_a_permanent_refusal_is_not_retried(session, settings, pair, smtp_server):
    smtp_server.handler.reply = lambda n, rcpt: "550 5.1.1 No such user"
    pipeline.move(session, pair.coordinator, pair.match.id, "introduced")  # three rows, no worker attached
    mailer = SmtpMailer.from_url(settings.smtp_url)

    first = notifications.send_pending(session, mailer, settings, sleep=lambda _s: None)
    again = notifications.send_pending(session, mailer, settings, sleep=lambda _s: None)

    assert len(first.failed) == 3 and first.retry_later == []
    assert again.sent == again.failed == [] and smtp_server.handler.data_commands == 3


class ProcessDied(BaseException):
    """Stands for the sender's process being killed: nothing after it runs, no handler catches it."""


class DyingMailer:
    """Delivers through SMTP until the `die_at`-th message, where the process dies before sending it."""

    def __init__(self, smtp: SmtpMailer, die_at: int) -> None:
        self.smtp, self.die_at, self.calls = smtp, die_at, 0

    def send(self, message) -> None:  # noqa: ANN001
        self.calls += 1
        if self.calls == self.die_at:
            raise ProcessDied()
        self.smtp.send(message)


def test_a_sender_that_dies_mid_run_sends_nobody_a_mail_twice(session, settings, pair, smtp_server):
    pipeline.move(session, pair.coordinator, pair.match.id, "introduced")
    smtp = SmtpMailer.from_url(settings.smtp_url)

    with pytest.raises(ProcessDied):
        notifications.send_pending(session, DyingMailer(smtp, die_at=2), settings)
    session.rollback()
    statuses = Counter(session.scalars(select(NotificationOutbox.status)))
    assert statuses == {"sent": 1, "sending": 1, "pending": 1}  # what the dead process left behind

    dying_row = session.scalars(select(NotificationOutbox).where(NotificationOutbox.status == "sending")).one()

    # another sender right away may not tell a dead claim from a live one: it leaves the `sending` row alone
    concurrent = notifications.send_pending(session, smtp, settings)
    later = notifications.send_pending(session, smtp, settings, now=utcnow() + STALE_CLAIM + timedelta(seconds=1))

    assert len(concurrent.sent) == 1 and dying_row.recipient not in concurrent.sent
    assert later.sent == [dying_row.recipient]  # once the claim is stale, the crashed row is sent
    received = Counter(m["X-Envelope-To"] for m in smtp_server.handler.messages)
    assert received == {pair.kim.email: 1, pair.jane.email: 1, pair.lee.email: 1}
    ids = {row.recipient: row.message_id for row in session.scalars(select(NotificationOutbox))}
    assert {m["X-Envelope-To"]: m["Message-ID"] for m in smtp_server.handler.messages} == ids
    assert notifications.send_pending(session, smtp, settings).sent == []
