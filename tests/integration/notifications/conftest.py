"""Fixtures of the notification tests: the web app on a real SMTP server on loopback, and a pair with members
in both languages on each side.

The database (`session`) and `settings` come from tests/conftest.py, the SMTP server from the digest's tests.
The app runs its jobs on the in-process worker thread (as `make run` does), so a test sees what the
background worker sends after the request has answered; `delivered()` waits for it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from email.message import EmailMessage

import pytest
from flask import Flask

from config.settings import Settings
from models import Company, Match, User
from tests.factories import gen_company, gen_match, gen_user
from tests.integration.digest.conftest import RecordingHandler, SmtpServer, smtp_server  # noqa: F401 - a fixture
from tests.integration.web.conftest import AuthActions
from web import create_app
from web.database import runtime_of

SECRETS = ("기밀-증설계획-5521", "CONFIDENTIAL-BUDGET-8830", "ceo@hanbit-secret.example", "https://vision-secret.example",
           "sales@vision-secret.example")


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpServer) -> Settings:  # noqa: F811 - the suite's, on the SMTP server
    return replace(settings, secret_key="notification-test-secret-0123456789abcdef", base_url="https://dxmatch.test",
                   mail_from="dxmatch <notify@dxmatch.test>", smtp_url=smtp_server.url)


@pytest.fixture
def app(settings: Settings, session, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app with its worker thread; the matching work an approval records stays pending (these tests are
    about mail, and an index build running on after the test would write into the next one)."""
    app = create_app({"TESTING": True, "DXMATCH_SETTINGS": settings, "SECRET_KEY": settings.secret_key,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "DXMATCH_JOBS": "thread"})
    monkeypatch.setattr(runtime_of(app), "kick", lambda: "left pending")
    return app


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@dataclass
class Pair:
    """An Ochang manufacturer (a Korean and an English member), a supplier (an English member), their pair."""

    match: Match
    maker: Company
    supplier: Company
    kim: User  # manufacturer, Korean
    jane: User  # manufacturer, English
    lee: User  # supplier, English
    coordinator: User


@pytest.fixture
def pair(session) -> Pair:
    maker = gen_company(session, "manufacturer", hub="ochang", contact_email=SECRETS[2],
                        confidential_notes=f"{SECRETS[0]} {SECRETS[1]}")
    supplier = gen_company(session, "supplier", language="en", website=SECRETS[3], contact_email=SECRETS[4])
    return Pair(
        match=gen_match(session, maker, supplier), maker=maker, supplier=supplier,
        kim=gen_user(session, company=maker, language="ko", email="kim@maker.example"),
        jane=gen_user(session, company=maker, language="en", email="jane@maker.example"),
        lee=gen_user(session, company=supplier, language="en", email="lee@supplier.example"),
        coordinator=gen_user(session, "coordinator", hub="ochang", language="ko", email="park@hub.example"),
    )


class Mailbox:
    """What the SMTP server received, after the app's background worker has finished."""

    def __init__(self, app: Flask, handler: RecordingHandler) -> None:
        self.app, self.handler = app, handler

    def delivered(self) -> list[EmailMessage]:
        assert runtime_of(self.app).mail_jobs.wait_idle(60), "the background worker did not finish"
        return list(self.handler.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.delivered() if m["X-Envelope-To"] == address]


@pytest.fixture
def mailbox(app: Flask, smtp_server: SmtpServer) -> Mailbox:  # noqa: F811
    return Mailbox(app, smtp_server.handler)


def text_of(message: EmailMessage) -> str:
    """Both bodies of a mail, for checks that must hold in either."""
    return "\n".join(part.get_content() for part in message.walk() if part.get_content_type() in ("text/plain", "text/html"))
