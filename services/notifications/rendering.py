"""A notification as a mail: what it says, in the recipient's language, from the site's Babel catalog.

The words are msgids of web/translations (through services.i18n, in the recipient's language, since the
sender runs outside any request); times are Korean time (services.clock). A mail names the companies and
the hub and links to the site; it never carries contact details or confidential notes, which only the
site shows, and only after both companies accepted.
"""
from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from config.settings import Settings
from models import Company, Hub, Match, NotificationOutbox, utcnow
from services.clock import format_datetime
from services.i18n import N_, Translator, translator
from services.notifications.preferences import ACCEPTED, ANSWERED, KIND_LABELS, PROPOSED, REGISTRATION
from services.notifications.tokens import unsubscribe_url

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "notifications"
DEFAULT_LANGUAGE = "ko"  # as account mails: an account without a known language reads Korean
REJECT_REASON_LABELS = {  # services.companies.REJECT_REASONS, in the words of the rejection page
    "incomplete": N_("The registration is incomplete"),
    "outside_region": N_("The company is outside this hub's region"),
    "duplicate": N_("The company is already registered"),
    "not_eligible": N_("Not a manufacturer or an SW/AI supplier"),
    "other": N_("Other reason"),
}
KIND_NAMES = {"manufacturer": N_("Manufacturer"), "supplier": N_("Supplier")}

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Notice:
    """What one notification says: subject, heading, paragraphs and the one link to act on."""

    subject: str
    heading: str
    paragraphs: tuple[str, ...]
    action_label: str
    action_url: str


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    text: str
    html: str
    language: str


def _hub_name(session: Session, hub_key: str, language: str) -> str:
    hub = session.get(Hub, hub_key)
    if hub is None:
        return hub_key
    return hub.name_ko if language == "ko" else hub.name_en


def _link(settings: Settings, path: str) -> str:
    return f"{settings.base_url.rstrip('/')}{path}"


def _pair_notice(session: Session, row: NotificationOutbox, tr: Translator, settings: Settings) -> Notice:
    """The three introduction mails, told from the recipient's company's side of the pair."""
    match = session.get(Match, row.match_id)
    own, partner = ((match.manufacturer, match.supplier) if row.user.company_id == match.manufacturer_id
                    else (match.supplier, match.manufacturer))
    names = dict(company=own.name, partner=partner.name, partner_kind=tr.gettext(KIND_NAMES[partner.kind]),
                 hub=_hub_name(session, match.hub_key, tr.language), when=format_datetime(row.created_at, tr.language))
    url, open_pair = _link(settings, f"/matches/{match.id}"), tr.gettext("Open the pair on dxmatch")
    if row.kind == PROPOSED:
        return Notice(
            tr.gettext("[dxmatch] Introduction proposed: %(partner)s", **names),
            tr.gettext("An introduction to %(partner)s", **names),
            (tr.gettext("The %(hub)s hub proposes to introduce %(company)s to %(partner)s (%(partner_kind)s) "
                        "on %(when)s.", **names),
             tr.gettext("Open the pair to read why the two companies fit, then accept or decline the introduction. "
                        "Contact details are shared on the site only after both companies accept.")),
            open_pair, url)
    if row.kind == ANSWERED and row.detail.get("answer") == "accepted":
        return Notice(
            tr.gettext("[dxmatch] %(partner)s accepted the introduction", **names),
            tr.gettext("%(partner)s accepted", **names),
            (tr.gettext("%(partner)s accepted the introduction to %(company)s on %(when)s.", **names),
             tr.gettext("It is your turn: accept or decline the introduction on the pair's page.")),
            open_pair, url)
    if row.kind == ANSWERED:
        return Notice(
            tr.gettext("[dxmatch] %(partner)s declined the introduction", **names),
            tr.gettext("%(partner)s declined", **names),
            (tr.gettext("%(partner)s declined the introduction to %(company)s on %(when)s.", **names),
             tr.gettext("The pair is declined. Your hub coordinator can reopen it if things change.")),
            open_pair, url)
    return Notice(
        tr.gettext("[dxmatch] Both companies accepted: %(partner)s", **names),
        tr.gettext("Both companies accepted"),
        (tr.gettext("%(company)s and %(partner)s both accepted the introduction (%(when)s).", **names),
         tr.gettext("Open the site to see the other company's contact details and plan a meeting. "
                    "For your security they are never sent by e-mail.")),
        open_pair, url)


def _registration_notice(session: Session, row: NotificationOutbox, tr: Translator, settings: Settings) -> Notice:
    company = session.get(Company, row.company_id)
    names = dict(company=company.name, hub=_hub_name(session, company.hub_key, tr.language),
                 when=format_datetime(row.created_at, tr.language))
    if row.detail.get("status") == "active":
        return Notice(
            tr.gettext("[dxmatch] Your registration was approved"),
            tr.gettext("Welcome to dxmatch"),
            (tr.gettext("The registration of %(company)s with the %(hub)s hub was approved on %(when)s.", **names),
             tr.gettext("Sign in to see the partners dxmatch proposes to your company.")),
            tr.gettext("Sign in to dxmatch"), _link(settings, "/login"))
    reason = REJECT_REASON_LABELS.get(row.detail.get("reason") or "other", REJECT_REASON_LABELS["other"])
    return Notice(
        tr.gettext("[dxmatch] Your registration was rejected"),
        tr.gettext("Your registration was rejected"),
        (tr.gettext("The %(hub)s hub rejected the registration of %(company)s on %(when)s.", **names),
         tr.gettext("Reason: %(reason)s", reason=tr.gettext(reason)),
         tr.gettext("If you think this is a mistake, contact your hub.")),
        tr.gettext("Open dxmatch"), _link(settings, "/"))


def render_notification(session: Session, row: NotificationOutbox, settings: Settings) -> RenderedNotice:
    """Subject, plain-text and HTML bodies of one outbox row, in its recipient's language."""
    language = row.user.language if row.user.language in ("ko", "en") else DEFAULT_LANGUAGE
    tr = translator(language)
    notice = (_registration_notice if row.kind == REGISTRATION else _pair_notice)(session, row, tr, settings)
    context = dict(
        **tr.template_functions(), lang=language, n=notice,
        recipient_name=row.user.name or row.user.email.split("@")[0],
        kind_label=tr.gettext(KIND_LABELS[row.kind]),
        unsubscribe_url=unsubscribe_url(settings, row.user_id, row.kind),
        settings_url=_link(settings, "/account"),
    )
    return RenderedNotice(notice.subject, _ENV.get_template("notification.txt").render(**context),
                          _ENV.get_template("notification.html").render(**context), language)


def build_message(rendered: RenderedNotice, row: NotificationOutbox, settings: Settings) -> EmailMessage:
    """A multipart/alternative mail with the row's fixed Message-ID and one-click unsubscribe headers (RFC 8058)."""
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = settings.mail_from
    msg["To"] = row.recipient
    msg["Date"] = rfc2822_date(utcnow())
    msg["Message-ID"] = row.message_id
    msg["List-Id"] = f"dxmatch notifications <{row.kind.replace('_', '-')}.notifications.dxmatch>"
    msg["List-Unsubscribe"] = f"<{unsubscribe_url(settings, row.user_id, row.kind)}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    msg["Content-Language"] = rendered.language  # after the body: set_content() drops Content-* headers
    return msg
