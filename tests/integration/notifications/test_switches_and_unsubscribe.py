"""Each user decides which notification mails they get: switches on the account page, and a link in every
mail that turns its kind off without signing in and says what was turned off."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from models import NotificationOutbox
from services import notifications, pipeline
from services.mailer import SmtpMailer
from tests.integration.notifications.conftest import text_of

PROPOSED, ANSWERED, ACCEPTED, REGISTRATION = notifications.KINDS


def test_a_kind_switched_off_on_the_account_page_is_not_mailed_and_the_others_still_are(client, auth, pair, mailbox):
    auth.login(pair.jane)
    page = client.get("/account").get_data(as_text=True)
    assert page.count('type="checkbox" name="kind"') == 4 and page.count("checked") == 4
    assert "An introduction is proposed to my company" in page

    response = client.post("/notifications/settings", data={"kind": [ANSWERED, ACCEPTED, REGISTRATION]})

    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert f'value="{PROPOSED}" >' in page and page.count("checked") == 3  # the one switched off is unticked
    auth.logout()
    auth.login(pair.coordinator)
    client.post(f"/hub/ochang/matches/{pair.match.id}/move", data={"to": "introduced"})
    assert sorted(m["X-Envelope-To"] for m in mailbox.delivered()) == sorted([pair.kim.email, pair.lee.email])
    auth.logout()
    auth.login(pair.lee)
    client.post(f"/company/matches/{pair.match.id}/respond", data={"answer": "accepted"})
    assert pair.jane.email in [m["X-Envelope-To"] for m in mailbox.delivered()]  # her other kinds are still on


def test_an_unknown_kind_on_the_settings_form_is_refused_without_a_500(client, auth, pair):
    auth.login(pair.kim)
    assert client.post("/notifications/settings", data={"kind": ["everything"]}).status_code == 422


def test_a_switch_turned_off_after_the_event_still_stops_the_mail(session, settings, pair, smtp_server):
    pipeline.move(session, pair.coordinator, pair.match.id, "introduced")  # recorded, not sent yet
    notifications.turn_off(session, pair.kim.id, PROPOSED)

    summary = notifications.send_pending(session, SmtpMailer.from_url(settings.smtp_url), settings)

    assert summary.skipped == {"turned off": [pair.kim.email]}
    assert sorted(m["X-Envelope-To"] for m in smtp_server.handler.messages) == sorted([pair.jane.email, pair.lee.email])


def test_the_mails_link_turns_its_kind_off_without_signing_in_and_says_what(app, client, auth, pair, mailbox, session):
    auth.login(pair.coordinator)
    client.post(f"/hub/ochang/matches/{pair.match.id}/move", data={"to": "introduced"})
    auth.logout()
    [mail] = mailbox.to(pair.lee.email)
    link = str(mail["List-Unsubscribe"]).strip("<> ")
    assert link in text_of(mail)
    visitor = app.test_client()  # not signed in; an English browser, as the mail was English
    english = {"Accept-Language": "en"}

    question = visitor.get(urlsplit(link).path, headers=english).get_data(as_text=True)
    answer = visitor.post(urlsplit(link).path, headers=english)

    assert "An introduction is proposed to my company" in question and "l***@supplier.example" in question
    assert answer.status_code == 200
    assert "Turned off for l***@supplier.example: An introduction is proposed to my company." in answer.get_data(
        as_text=True)
    assert notifications.switches(session, pair.lee.id) == {PROPOSED: False, ANSWERED: True, ACCEPTED: True,
                                                            REGISTRATION: True}
    again = visitor.get(urlsplit(link).path, headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "메일 알림을 껐습니다: 우리 기업에 소개가 제안될 때" in again  # a second visit says it is off, in Korean
    auth.login(pair.coordinator)  # the pair is declined and reopened: both companies are asked again
    client.post(f"/hub/ochang/matches/{pair.match.id}/move", data={"to": "declined", "reason": "other"})
    client.post(f"/hub/ochang/matches/{pair.match.id}/move", data={"to": "reopen"})
    assert [m["X-Envelope-To"] for m in mailbox.delivered()].count(pair.kim.email) == 2
    assert len(mailbox.to(pair.lee.email)) == 1  # turned off: not asked by mail again


def test_a_one_click_unsubscribe_answers_204_and_a_forged_link_404(app, pair, session, settings):
    link = notifications.unsubscribe_url(settings, pair.kim.id, ACCEPTED)
    visitor = app.test_client()

    one_click = visitor.post(urlsplit(link).path, data={"List-Unsubscribe": "One-Click"})
    forged = visitor.get(urlsplit(link).path[:-3] + "xyz")

    assert one_click.status_code == 204 and forged.status_code == 404
    assert notifications.switches(session, pair.kim.id)[ACCEPTED] is False
    assert session.scalars(select(NotificationOutbox)).all() == []
