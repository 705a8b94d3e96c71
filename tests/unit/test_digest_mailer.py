"""Mail transports: SMTP URLs, and a file outbox that writes each message once, atomically."""
from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from config.settings import Settings
from services.mailer import FileOutboxMailer, SmtpMailer, mailer_from_settings


def message(message_id: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@x.test", "b@x.test", "주간 소식"
    msg["Message-ID"] = message_id
    msg.set_content(body)
    return msg


def test_an_smtp_url_carries_host_port_credentials_and_starttls():
    mailer = SmtpMailer.from_url("smtp://digest%40hub:p%40ss@mail.example:587?starttls=1")

    assert (mailer.host, mailer.port, mailer.username, mailer.password, mailer.starttls) == (
        "mail.example", 587, "digest@hub", "p@ss", True,
    )
    assert SmtpMailer.from_url("smtp://localhost").port == 25


def test_a_non_smtp_url_is_refused():
    with pytest.raises(ValueError):
        SmtpMailer.from_url("http://mail.example")


def test_without_an_smtp_url_mail_goes_to_the_outbox_folder(tmp_path):
    assert isinstance(mailer_from_settings(Settings(outbox_dir=tmp_path)), FileOutboxMailer)
    assert isinstance(mailer_from_settings(Settings(smtp_url="smtp://127.0.0.1:2525")), SmtpMailer)


def test_the_outbox_writes_one_readable_eml_per_message_id_without_temp_files(tmp_path):
    outbox = FileOutboxMailer(tmp_path / "outbox")

    outbox.send(message("<digest-2026-W49-1@dxmatch>", "첫 번째"))
    outbox.send(message("<digest-2026-W49-2@dxmatch>", "두 번째"))
    outbox.send(message("<digest-2026-W49-1@dxmatch>", "첫 번째"))  # a resend replaces, never duplicates

    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == ["digest-2026-W49-1@dxmatch.eml", "digest-2026-W49-2@dxmatch.eml"]
    parsed = message_from_bytes((tmp_path / "outbox" / files[1]).read_bytes(), policy=policy.default)
    assert parsed.get_content().strip() == "두 번째"
    assert parsed["Subject"] == "주간 소식"
