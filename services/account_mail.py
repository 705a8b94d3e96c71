"""Mails about an account (password reset, registration), in the account's language.

Sent from a request through the same transport as the digest (services.mailer): SMTP, or the
outbox folder. The texts are msgids of the site's Babel catalog, translated through services.i18n
for the recipient's language (not the requesting browser's, which Flask-Babel would use).
"""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from config.settings import Settings
from models import utcnow
from services.i18n import LANGUAGES, translator

DEFAULT_LANGUAGE = "ko"  # an account without a known language reads Korean, as the site does


def _message(settings: Settings, recipient: str, language: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.mail_from
    msg["To"] = recipient
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid("account", domain="dxmatch")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body, subtype="plain", charset="utf-8")
    msg["Content-Language"] = language
    return msg


def _language(language: str) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _link(settings: Settings, path: str) -> str:
    return f"{settings.base_url.rstrip('/')}{path}"


def password_reset_message(settings: Settings, recipient: str, language: str, token: str) -> EmailMessage:
    """The reset link (the token is in the mail only, never stored or logged)."""
    language = _language(language)
    tr = translator(language)
    body = tr.gettext(
        "Hello,\n\n"
        "Someone asked to reset the password of the dxmatch account %(email)s. Choose a new "
        "password within one hour at the link below; it works once.\n\n"
        "%(url)s\n\n"
        "If it was not you, ignore this mail: your password stays as it is.\n",
        email=recipient, url=_link(settings, f"/reset-password/{token}"),
    )
    return _message(settings, recipient, language, tr.gettext("[dxmatch] Reset your password"), body)


def registration_received_message(settings: Settings, recipient: str, language: str) -> EmailMessage:
    """A new registration: what happens next."""
    language = _language(language)
    tr = translator(language)
    body = tr.gettext(
        "Hello,\n\n"
        "A company registration with the address %(email)s was received. Your hub coordinator will "
        "review it; you can sign in meanwhile.\n\n"
        "%(login_url)s\n",
        email=recipient, login_url=_link(settings, "/login"),
    )
    return _message(settings, recipient, language, tr.gettext("[dxmatch] Your registration was received"), body)


def already_registered_message(settings: Settings, recipient: str, language: str) -> EmailMessage:
    """A sign-up with an address that has an account: told to its holder, never to the page."""
    language = _language(language)
    tr = translator(language)
    body = tr.gettext(
        "Hello,\n\n"
        "Someone tried to register a new company with %(email)s, which already has a dxmatch "
        "account. No new account was created. If it was you, sign in with your account or reset "
        "its password.\n\n"
        "Sign in: %(login_url)s\nReset the password: %(reset_url)s\n\n"
        "If it was not you, ignore this mail.\n",
        email=recipient, login_url=_link(settings, "/login"), reset_url=_link(settings, "/reset-password"),
    )
    return _message(settings, recipient, language, tr.gettext("[dxmatch] A sign-up with your address"), body)
