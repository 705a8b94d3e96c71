"""Mails about an account (password reset, registration), in the account's language, Korean and English side by side.

Sent from a request through the same transport as the digest (services.mailer): SMTP, or the
outbox folder. Like services.digest_i18n, the strings live here, not in the Flask-Babel catalog,
because a mail goes out in the recipient's language, not the requesting browser's.
"""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from config.settings import Settings
from models import utcnow

STRINGS: dict[str, dict[str, str]] = {
    "reset_subject": {"ko": "[dxmatch] 비밀번호 재설정", "en": "[dxmatch] Reset your password"},
    "reset_body": {
        "ko": "안녕하세요.\n\ndxmatch 계정({email})의 비밀번호 재설정이 요청되었습니다. 아래 링크에서 1시간 안에 새 "
              "비밀번호를 정해 주세요. 링크는 한 번만 쓸 수 있습니다.\n\n{url}\n\n직접 요청하지 않으셨다면 이 메일을 "
              "무시하셔도 됩니다. 비밀번호는 바뀌지 않습니다.\n",
        "en": "Hello,\n\nSomeone asked to reset the password of the dxmatch account {email}. Choose a new password "
              "within one hour at the link below; it works once.\n\n{url}\n\nIf it was not you, ignore this mail: "
              "your password stays as it is.\n",
    },
    "registered_subject": {"ko": "[dxmatch] 등록 신청이 접수되었습니다", "en": "[dxmatch] Your registration was received"},
    "registered_body": {
        "ko": "안녕하세요.\n\n{email} 주소로 dxmatch 기업 등록 신청이 접수되었습니다. 거점 코디네이터가 검토한 뒤 "
              "승인합니다. 그동안에도 로그인할 수 있습니다.\n\n{login_url}\n",
        "en": "Hello,\n\nA company registration with the address {email} was received. Your hub coordinator will "
              "review it; you can sign in meanwhile.\n\n{login_url}\n",
    },
    "existing_subject": {"ko": "[dxmatch] 이미 가입된 주소로 등록 시도", "en": "[dxmatch] A sign-up with your address"},
    "existing_body": {
        "ko": "안녕하세요.\n\n누군가 이미 dxmatch 계정이 있는 주소({email})로 새 기업 등록을 시도했습니다. 새 계정은 "
              "만들어지지 않았습니다. 본인이었다면 기존 계정으로 로그인하거나 비밀번호를 재설정하세요.\n\n"
              "로그인: {login_url}\n비밀번호 재설정: {reset_url}\n\n본인이 아니라면 이 메일을 무시하셔도 됩니다.\n",
        "en": "Hello,\n\nSomeone tried to register a new company with {email}, which already has a dxmatch account. "
              "No new account was created. If it was you, sign in with your account or reset its password.\n\n"
              "Sign in: {login_url}\nReset the password: {reset_url}\n\nIf it was not you, ignore this mail.\n",
    },
}


def _tr(key: str, language: str, **values: str) -> str:
    texts = STRINGS[key]
    return texts.get(language, texts["ko"]).format(**values)


def _message(settings: Settings, recipient: str, language: str, subject_key: str, body_key: str,
             **values: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = _tr(subject_key, language)
    msg["From"] = settings.mail_from
    msg["To"] = recipient
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid("account", domain="dxmatch")
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(_tr(body_key, language, email=recipient, **values), subtype="plain", charset="utf-8")
    msg["Content-Language"] = language if language in ("ko", "en") else "ko"
    return msg


def _link(settings: Settings, path: str) -> str:
    return f"{settings.base_url.rstrip('/')}{path}"


def password_reset_message(settings: Settings, recipient: str, language: str, token: str) -> EmailMessage:
    """The reset link (the token is in the mail only, never stored or logged)."""
    return _message(settings, recipient, language, "reset_subject", "reset_body",
                    url=_link(settings, f"/reset-password/{token}"))


def registration_received_message(settings: Settings, recipient: str, language: str) -> EmailMessage:
    """A new registration: what happens next."""
    return _message(settings, recipient, language, "registered_subject", "registered_body",
                    login_url=_link(settings, "/login"))


def already_registered_message(settings: Settings, recipient: str, language: str) -> EmailMessage:
    """A sign-up with an address that has an account: told to its holder, never to the page."""
    return _message(settings, recipient, language, "existing_subject", "existing_body",
                    login_url=_link(settings, "/login"), reset_url=_link(settings, "/reset-password"))
