"""The digest as a mail: subject and bodies from the templates in the subscriber's language, then the message.

Strings come from the Babel catalog through `services.i18n`, in the subscriber's language (the digest
is rendered outside any request, so not through Flask-Babel's request locale).
"""
from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from config.settings import Settings
from models import utcnow
from services.digest.content import DigestContent
from services.clock import format_period
from services.i18n import Translator, format_day, format_score, translator

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "digest"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = format_score
    return env


_ENV = _environment()


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


def render_digest(content: DigestContent, unsubscribe_url: str) -> RenderedDigest:
    """Subject, plain-text and HTML bodies in the subscriber's language; both name the covered days, not the ISO week."""
    lang = content.language
    tr = translator(lang)
    period = format_period(content.period_start, content.period_end, lang)
    heading = tr.gettext("Matches for %(period)s", period=period)
    if content.audience == "member" and content.partners:
        subject = tr.ngettext("[dxmatch] Matches for %(period)s · %(num)d new or improved partner proposal",
                              "[dxmatch] Matches for %(period)s · %(num)d new or improved partner proposals",
                              len(content.partners), period=period)
    elif content.audience != "member" and content.best_pairs:
        subject = tr.ngettext("[dxmatch] Hub matches for %(period)s · %(num)d new best pair",
                              "[dxmatch] Hub matches for %(period)s · %(num)d new best pairs",
                              len(content.best_pairs), period=period)
    else:
        subject = f"[dxmatch] {heading}"
    context = dict(
        c=content,
        **tr.template_functions(),
        lang=lang,
        day=lambda d: format_day(d, lang),
        status=lambda s: _pipeline_status(tr, s),
        response=lambda r: _introduction_response(tr, r),
        unsubscribe_url=unsubscribe_url,
        subject=subject,
        heading=heading,
    )
    return RenderedDigest(
        subject=subject,
        text=_ENV.get_template("digest.txt").render(**context),
        html=_ENV.get_template("digest.html").render(**context),
    )


def _pipeline_status(tr: Translator, status: str | None) -> str:
    """A pair's stage in the digest's words ("new" before its first move); "declined" here means 중단."""
    words = {
        None: tr.pgettext("pipeline status", "new"),
        "proposed": tr.pgettext("pipeline status", "proposed"),
        "introduced": tr.pgettext("pipeline status", "introduced"),
        "meeting": tr.pgettext("pipeline status", "meeting"),
        "contract": tr.pgettext("pipeline status", "contract"),
        "declined": tr.pgettext("pipeline status", "declined"),
    }
    return words[status or None]


def _introduction_response(tr: Translator, response: str) -> str:
    """One side's answer to an introduction; "declined" here means 거절."""
    words = {
        "pending": tr.pgettext("introduction response", "pending"),
        "accepted": tr.pgettext("introduction response", "accepted"),
        "declined": tr.pgettext("introduction response", "declined"),
    }
    return words[response]


def digest_message_id(week: str, subscription_id: int) -> str:
    """Stable per (week, subscription), so a resent copy can be recognised as the same mail."""
    return f"<digest-{week}-{subscription_id}@dxmatch>"


def build_message(
    rendered: RenderedDigest,
    *,
    settings: Settings,
    recipient: str,
    message_id: str,
    unsubscribe_link: str,
    language: str,
) -> EmailMessage:
    """A multipart/alternative mail with one-click unsubscribe headers (RFC 8058)."""
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = settings.mail_from
    msg["To"] = recipient
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id
    msg["List-Id"] = "dxmatch weekly digest <digest.dxmatch>"
    msg["List-Unsubscribe"] = f"<{unsubscribe_link}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    msg["Content-Language"] = language  # after the body: set_content() drops Content-* headers
    return msg
