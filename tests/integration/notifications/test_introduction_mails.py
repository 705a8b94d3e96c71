"""Introduction mails through the real routes: the coordinator introduces a pair, the members answer, and the
background worker delivers to a real SMTP server, each mail in its reader's language and without secrets."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from models import NotificationOutbox
from services import notifications
from services.clock import format_datetime
from services.mailer import SmtpMailer
from tests.integration.notifications.conftest import SECRETS, text_of


def _introduce(client, auth, pair) -> None:
    auth.login(pair.coordinator)
    response = client.post(f"/hub/ochang/matches/{pair.match.id}/move", data={"to": "introduced"})
    assert response.status_code == 302
    auth.logout()


def _answer(client, auth, user, pair, answer: str, **form: str) -> None:
    auth.login(user)
    response = client.post(f"/company/matches/{pair.match.id}/respond", data={"answer": answer, **form})
    assert response.status_code == 302
    auth.logout()


def test_an_introduction_and_both_answers_mail_each_member_once_in_their_language(client, auth, pair, mailbox,
                                                                                  session, settings):
    _introduce(client, auth, pair)
    proposed = mailbox.delivered()
    assert Counter(m["X-Envelope-To"] for m in proposed) == {pair.kim.email: 1, pair.jane.email: 1, pair.lee.email: 1}
    assert "소개 제안" in mailbox.to(pair.kim.email)[0]["Subject"]
    assert pair.supplier.name in mailbox.to(pair.kim.email)[0]["Subject"]
    assert "Introduction proposed" in mailbox.to(pair.jane.email)[0]["Subject"]
    assert pair.maker.name in mailbox.to(pair.lee.email)[0]["Subject"]  # each side is told about the other

    _answer(client, auth, pair.lee, pair, "accepted")
    after_lee = mailbox.delivered()[len(proposed):]
    assert sorted(m["X-Envelope-To"] for m in after_lee) == sorted([pair.kim.email, pair.jane.email])
    assert "수락했습니다" in mailbox.to(pair.kim.email)[-1]["Subject"]
    assert "It is your turn" in text_of(mailbox.to(pair.jane.email)[-1])

    _answer(client, auth, pair.kim, pair, "accepted")
    both = mailbox.delivered()[len(proposed) + len(after_lee):]
    assert sorted(m["X-Envelope-To"] for m in both) == sorted([pair.kim.email, pair.jane.email, pair.lee.email])
    assert "양측 모두 수락" in mailbox.to(pair.kim.email)[-1]["Subject"]
    assert "Open the site to see the other company's contact details" in text_of(mailbox.to(pair.lee.email)[-1])

    every = mailbox.delivered()
    assert len({m["Message-ID"] for m in every}) == len(every) == 8
    for message in every:  # a mail never carries contact details or confidential notes, in either body
        assert not [secret for secret in SECRETS if secret in text_of(message)], message["Subject"]
        assert message["List-Unsubscribe"] and message["Content-Language"] in ("ko", "en")

    rerun = notifications.send_pending(session, SmtpMailer.from_url(settings.smtp_url), settings)
    assert rerun.sent == [] and len(mailbox.delivered()) == 8  # re-running the sender sends nothing twice


def test_a_declined_introduction_tells_the_other_side_without_the_note_for_the_coordinator(client, auth, pair,
                                                                                           mailbox):
    _introduce(client, auth, pair)
    before = len(mailbox.delivered())
    _answer(client, auth, pair.kim, pair, "declined", reason="no_capacity", note="내부 사정 메모-7731")

    told = mailbox.delivered()[before:]
    assert [m["X-Envelope-To"] for m in told] == [pair.lee.email]  # the other side only: kim's colleague is not told
    assert "declined the introduction" in told[0]["Subject"]
    assert "메모-7731" not in text_of(told[0]) and "no_capacity" not in text_of(told[0])


def test_mail_times_are_korean_time(client, auth, pair, mailbox, session):
    _introduce(client, auth, pair)
    row = session.scalars(select(NotificationOutbox).where(NotificationOutbox.user_id == pair.kim.id)).one()
    assert format_datetime(row.created_at, "ko") in text_of(mailbox.to(pair.kim.email)[0])
    assert format_datetime(row.created_at, "en") in text_of(mailbox.to(pair.lee.email)[0])
