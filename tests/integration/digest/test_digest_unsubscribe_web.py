"""The unsubscribe link of a real mail, clicked the RFC 8058 way, through the web app."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

from models import DigestSubscription
from services.digest import send_weekly_digest, week_start
from services.mailer import FileOutboxMailer
from web import create_app


def test_a_one_click_post_to_the_mails_unsubscribe_link_stops_the_next_digest(session, settings, world):
    outbox = FileOutboxMailer(settings.outbox_dir)
    send_weekly_digest(session, outbox, settings, week=world.week)
    mails = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in settings.outbox_dir.glob("*.eml")]
    kim_mail = next(m for m in mails if m["To"] == world.users["kim"].email)
    link = str(kim_mail["List-Unsubscribe"]).strip().strip("<>")
    app = create_app({"TESTING": True, "DXMATCH_SETTINGS": settings, "RATELIMIT_ENABLED": False})

    response = app.test_client().post(urlsplit(link).path, data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 204
    session.expire_all()
    assert session.get(DigestSubscription, world.subs["kim"].id).active is False
    next_week = (week_start(world.week) + timedelta(days=7)).strftime("%G-W%V")
    summary = send_weekly_digest(session, outbox, settings, week=next_week)
    assert world.users["kim"].email in summary.skipped["unsubscribed"]
    assert world.users["lee"].email in summary.sent  # the others still get theirs
