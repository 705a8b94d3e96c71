"""Sending the weekly digest through a real SMTP server on 127.0.0.1: exactly once in effect."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from models import DigestOutbox
from services.digest import send_weekly_digest, unsubscribe, verify_unsubscribe_token
from services.mailer import MailError, SmtpMailer


class SimulatedCrash(BaseException):
    """Stands in for the process being killed: not an Exception, so nothing catches it."""


class CrashBeforeSend:
    """A transport that dies (before talking to the server) on send number `crash_at`."""

    def __init__(self, inner: SmtpMailer, crash_at: int) -> None:
        self.inner, self.crash_at, self.calls = inner, crash_at, 0

    def send(self, message) -> None:  # noqa: ANN001
        self.calls += 1
        if self.calls == self.crash_at:
            raise SimulatedCrash
        self.inner.send(message)


class CrashAfterAccept(CrashBeforeSend):
    """A transport that dies right after the server accepted send number `crash_at`."""

    def send(self, message) -> None:  # noqa: ANN001
        self.calls += 1
        self.inner.send(message)
        if self.calls == self.crash_at:
            raise SimulatedCrash


def no_sleep(_: float) -> None:
    pass


def send(session, mailer, settings, week, **kw):  # noqa: ANN001, ANN201
    return send_weekly_digest(session, mailer, settings, week=week, sleep=no_sleep, **kw)


def test_every_eligible_subscriber_receives_exactly_one_digest(session, settings, world, smtp_server):
    summary = send(session, SmtpMailer.from_url(smtp_server.url), settings, world.week)

    assert smtp_server.handler.received() == Counter({address: 1 for address in world.eligible})
    assert summary.line() == "sent 5, skipped 2, failed 0"


def test_a_rerun_for_the_same_week_sends_nothing_new(session, settings, world, smtp_server):
    mailer = SmtpMailer.from_url(smtp_server.url)
    send(session, mailer, settings, world.week)

    summary = send(session, mailer, settings, world.week)

    assert len(smtp_server.handler.messages) == 5
    assert summary.line() == "sent 0, skipped 7, failed 0"
    assert sorted(summary.skipped["already sent this week"]) == sorted(world.eligible)


def test_a_crash_before_message_k_then_a_rerun_gives_everyone_exactly_one_mail(session, settings, world, smtp_server):
    smtp = SmtpMailer.from_url(smtp_server.url)
    with pytest.raises(SimulatedCrash):
        send(session, CrashBeforeSend(smtp, crash_at=3), settings, world.week)
    assert len(smtp_server.handler.messages) == 2
    session.rollback()  # what a new process would see: only what was committed

    summary = send(session, smtp, settings, world.week)

    assert smtp_server.handler.received() == Counter({address: 1 for address in world.eligible})
    assert summary.line() == "sent 3, skipped 4, failed 0"


def test_a_transient_smtp_error_at_message_k_is_retried_within_the_run(session, settings, world, smtp_server):
    smtp_server.handler.reply = lambda n, rcpt: "451 4.3.0 Try again later" if n == 3 else None

    summary = send(session, SmtpMailer.from_url(smtp_server.url), settings, world.week)

    assert smtp_server.handler.data_commands == 6
    assert smtp_server.handler.received() == Counter({address: 1 for address in world.eligible})
    assert summary.line() == "sent 5, skipped 2, failed 0"


def test_an_address_deferred_all_run_gets_its_single_mail_on_the_next_run(session, settings, world, smtp_server):
    deferred = world.users["jane"].email
    smtp_server.handler.reply = lambda n, rcpt: "451 4.7.1 Greylisted" if rcpt == deferred else None
    mailer = SmtpMailer.from_url(smtp_server.url)

    first = send(session, mailer, settings, world.week)
    assert first.line() == "sent 4, skipped 2, failed 1 (1 will be retried on the next run)"
    assert deferred not in smtp_server.handler.received()

    smtp_server.handler.reply = lambda n, rcpt: None
    second = send(session, mailer, settings, world.week)

    assert second.sent == [deferred]
    assert smtp_server.handler.received() == Counter({address: 1 for address in world.eligible})


def test_a_permanently_rejected_address_is_reported_failed_and_never_retried(session, settings, world, smtp_server):
    rejected = world.users["lee"].email
    smtp_server.handler.reply = lambda n, rcpt: "550 5.1.1 No such user" if rcpt == rejected else None
    mailer = SmtpMailer.from_url(smtp_server.url)

    first = send(session, mailer, settings, world.week)
    attempts_after_first_run = smtp_server.handler.data_commands
    second = send(session, mailer, settings, world.week)

    assert [r for r, _ in first.failed] == [rejected]
    assert "550" in first.failed[0][1]
    assert smtp_server.handler.data_commands == attempts_after_first_run == 5
    assert second.skipped["failed in an earlier run"] == [rejected]
    row = session.scalar(select(DigestOutbox).where(DigestOutbox.recipient == rejected))
    assert (row.status, row.attempts) == ("failed", 1)


def test_an_address_that_keeps_failing_is_given_up_after_three_runs(session, settings, world, smtp_server):
    deferred = world.users["park"].email
    smtp_server.handler.reply = lambda n, rcpt: "451 4.3.0 Mailbox busy" if rcpt == deferred else None
    mailer = SmtpMailer.from_url(smtp_server.url)

    runs = [send(session, mailer, settings, world.week, in_run_retries=0) for _ in range(5)]

    tries_at_server = smtp_server.handler.data_commands - len(smtp_server.handler.messages)
    assert tries_at_server == 3
    assert [len(r.retry_later) for r in runs] == [1, 1, 0, 0, 0]
    assert [r for r, _ in runs[2].failed] == [deferred]
    assert runs[4].skipped["failed in an earlier run"] == [deferred]


def test_a_crash_after_the_server_accepted_resends_the_same_message_id_at_most_to_the_bound(
    session, settings, world, smtp_server
):
    """The residual risk, documented: the one mail in flight at a crash may arrive twice, same Message-ID."""
    smtp = SmtpMailer.from_url(smtp_server.url)
    with pytest.raises(SimulatedCrash):
        send(session, CrashAfterAccept(smtp, crash_at=2), settings, world.week)
    session.rollback()

    send(session, smtp, settings, world.week)

    received = smtp_server.handler.received()
    (twice,) = [address for address, n in received.items() if n == 2]
    assert all(n == 1 for address, n in received.items() if address != twice)
    ids = {m["Message-ID"] for m in smtp_server.handler.messages if m["X-Envelope-To"] == twice}
    assert len(ids) == 1


def test_a_row_left_sending_by_repeated_crashes_is_given_up_not_resent_forever(session, settings, world, smtp_server):
    smtp = SmtpMailer.from_url(smtp_server.url)
    for _ in range(3):
        with pytest.raises(SimulatedCrash):
            send(session, CrashBeforeSend(smtp, crash_at=1), settings, world.week)
        session.rollback()

    summary = send(session, smtp, settings, world.week)

    first_subscriber = world.users["kim"].email
    assert [r for r, _ in summary.failed] == [first_subscriber]
    assert first_subscriber not in smtp_server.handler.received()
    assert len(smtp_server.handler.messages) == 4


def test_unsubscribed_and_inactive_users_receive_nothing(session, settings, world, smtp_server):
    unsubscribe(session, world.subs["jane"].id)

    summary = send(session, SmtpMailer.from_url(smtp_server.url), settings, world.week)

    received = smtp_server.handler.received()
    for key in ("jane", "gone", "inactive", "nosub"):
        assert received[world.users[key].email] == 0
    assert sorted(summary.skipped["unsubscribed"]) == sorted([world.users["jane"].email, world.users["gone"].email])
    assert summary.skipped["account deactivated"] == [world.users["inactive"].email]


def test_the_one_click_unsubscribe_link_stops_the_next_digest(session, settings, world, smtp_server):
    mailer = SmtpMailer.from_url(smtp_server.url)
    send(session, mailer, settings, world.week)
    mail = next(m for m in smtp_server.handler.messages if m["X-Envelope-To"] == world.users["kim"].email)

    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert link.startswith("https://dxmatch.test/digest/unsubscribe/")
    token = link.rsplit("/", 1)[1]
    assert link in mail.get_body(("plain",)).get_content()
    assert verify_unsubscribe_token(token, settings) == world.subs["kim"].id

    unsubscribe(session, verify_unsubscribe_token(token, settings))
    year, week = world.week.split("-W")
    next_week = f"{year}-W{int(week) + 1:02d}" if int(week) < 52 else f"{int(year) + 1}-W01"
    send(session, mailer, settings, next_week)

    assert smtp_server.handler.received()[world.users["kim"].email] == 1


def test_no_mail_contains_confidential_notes_or_contact_details(session, settings, world, smtp_server):
    send(session, SmtpMailer.from_url(smtp_server.url), settings, world.week)

    assert len(smtp_server.handler.messages) == 5
    for mail in smtp_server.handler.messages:
        decoded = str(mail) + mail.get_body(("plain",)).get_content() + mail.get_body(("html",)).get_content()
        for secret in world.secrets:
            assert secret not in decoded, (mail["To"], secret)


def test_an_error_after_the_server_accepted_the_message_is_not_a_failed_send(session, settings, world, smtp_server):
    smtp_server.handler.quit_reply = "421 4.3.2 Shutting down"

    summary = send(session, SmtpMailer.from_url(smtp_server.url), settings, world.week)

    assert summary.line() == "sent 5, skipped 2, failed 0"
    assert smtp_server.handler.received() == Counter({address: 1 for address in world.eligible})


def test_an_unreachable_server_is_a_transient_error():
    with pytest.raises(MailError) as caught:
        SmtpMailer("127.0.0.1", 1, timeout=2).send(_minimal_message())
    assert caught.value.transient


def _minimal_message():
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = "a@x.test", "b@x.test", "hi", "<m@x>"
    msg.set_content("hi")
    return msg
