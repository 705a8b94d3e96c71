"""Mail transports: real SMTP, or a folder of .eml files when no SMTP server is configured.

Both take a finished `EmailMessage` and either deliver it or raise `MailError`, whose
`transient` flag tells the caller whether trying again later can help (SMTP 4xx, a dropped
connection) or not (SMTP 5xx, a refused address).
"""
from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from config.settings import Settings


class MailError(Exception):
    """Delivery failed; `transient` is True when a later attempt may succeed."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Mailer(Protocol):
    """Anything that can deliver one message (or raise MailError)."""

    def send(self, message: EmailMessage) -> None: ...


def _is_transient(code: int) -> bool:
    return 400 <= code < 500


class SmtpMailer:
    """Deliver over SMTP, one connection per message (simple, and a failure never poisons the next)."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    @classmethod
    def from_url(cls, url: str) -> "SmtpMailer":
        """Parse smtp://[user:pass@]host[:port][?starttls=1]."""
        parts = urlsplit(url)
        if parts.scheme != "smtp" or not parts.hostname:
            raise ValueError(f"expected smtp://[user:pass@]host[:port][?starttls=1], got {url!r}")
        query = parse_qs(parts.query)
        starttls = query.get("starttls", ["0"])[0].lower() in {"1", "true", "yes", "on"}
        return cls(
            parts.hostname,
            parts.port or 25,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=starttls,
        )

    def send(self, message: EmailMessage) -> None:
        smtp: smtplib.SMTP | None = None
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise MailError(f"recipient refused: {exc.recipients}", transient=all(map(_is_transient, codes))) from exc
        except smtplib.SMTPResponseException as exc:
            transient = _is_transient(exc.smtp_code)
            raise MailError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", transient=transient) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"SMTP connection failed: {exc}", transient=True) from exc
        finally:
            if smtp is not None:
                _quit_quietly(smtp)


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    """Say goodbye; once the server has accepted the message a failing QUIT must not look like a failed send."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


def eml_filename(message_id: str) -> str:
    """A file name derived from the Message-ID alone, so resending the same message overwrites it."""
    return _UNSAFE.sub("_", message_id.strip().strip("<>")) + ".eml"


class FileOutboxMailer:
    """Write each message to `<outbox>/<message-id>.eml`, atomically (temp file, then rename)."""

    def __init__(self, outbox_dir: Path) -> None:
        self.outbox_dir = Path(outbox_dir)

    def send(self, message: EmailMessage) -> None:
        message_id = message["Message-ID"]
        if not message_id:
            raise MailError("message has no Message-ID", transient=False)
        try:
            self.outbox_dir.mkdir(parents=True, exist_ok=True)
            target = self.outbox_dir / eml_filename(message_id)
            fd, tmp = tempfile.mkstemp(dir=self.outbox_dir, prefix=".tmp-", suffix=".eml")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(message.as_bytes())
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise MailError(f"cannot write outbox file: {exc}", transient=True) from exc


def mailer_from_settings(settings: Settings) -> Mailer:
    """SMTP when DXMATCH_SMTP_URL is set, else the file outbox under settings.outbox_dir."""
    if settings.smtp_url:
        return SmtpMailer.from_url(settings.smtp_url)
    return FileOutboxMailer(settings.outbox_dir or settings.instance_dir / "outbox")
