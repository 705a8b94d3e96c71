"""Locale choice and the translated labels of keys (hubs, industries, pipeline states, messages)."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from flask import current_app, g, request, session
import flask_babel
from flask_babel import get_locale, get_translations, gettext, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from config.reference import HUBS, INDUSTRIES, reference_name
from matcher.scoring import NEED_COVERED
from services import clock
from services.i18n import N_
from services.improvements import recently_improved

STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "introduced": _l("Introduced"),
    "meeting": _l("Meeting"),
    "contract": _l("Contract"),
    "declined": _l("Declined"),
    "pending": _l("Pending"),
    "accepted": _l("Accepted"),
    "active": _l("Active"),
    "rejected": _l("Rejected"),
}
KIND_LABELS = {"manufacturer": _l("Manufacturer"), "supplier": _l("Supplier")}
ROLE_LABELS = {"admin": _l("Administrator"), "coordinator": _l("Hub coordinator"), "member": _l("Company member")}
ACTION_LABELS = {
    "confidential.view": _l("Viewed confidential details"),
    "pipeline.move": _l("Moved in the pipeline"),
    "pair.note": _l("Wrote an internal note"),
    "pair.propose": _l("Proposed a pair by hand"),
    "introduction.accept": _l("Accepted an introduction"),
    "introduction.decline": _l("Declined an introduction"),
    "company.register": _l("Registered a company"),
    "company.approve": _l("Approved a company"),
    "company.reject": _l("Rejected a company"),
    "company.update": _l("Edited a profile"),
    "companies.import": _l("Imported companies"),
    "export": _l("Downloaded a list"),
    "matches.recompute": _l("Recomputed matches"),
    "api_token.issue": _l("Created an API token"),
    "api_token.revoke": _l("Revoked an API token"),
    "digest.subscribe": _l("Subscribed to the digest"),
    "digest.unsubscribe": _l("Unsubscribed from the digest"),
    "notifications.settings": _l("Changed the mail notification settings"),
    "notifications.unsubscribe": _l("Turned off a mail notification"),
    "user.create": _l("Created an account"),
    "user.password": _l("Changed a password"),
    "user.activate": _l("Reactivated an account"),
    "user.deactivate": _l("Deactivated an account"),
    "user.sign_in": _l("Signed in"),
    "user.sign_out": _l("Signed out"),
    "user.password_reset_request": _l("Asked for a password reset"),
}
LANGUAGE_LABELS = {"ko": "한국어", "en": "English"}
REJECT_REASON_LABELS = {  # services.companies.REJECT_REASONS
    "incomplete": _l("The registration is incomplete"),
    "outside_region": _l("The company is outside this hub's region"),
    "duplicate": _l("The company is already registered"),
    "not_eligible": _l("Not a manufacturer or an SW/AI supplier"),
    "other": _l("Other reason"),
}
DECLINE_REASON_LABELS = {  # services.transitions.DECLINE_REASONS
    "not_a_fit": _l("Not a fit for the need"),
    "no_capacity": _l("The supplier cannot take it on now"),
    "security": _l("Security requirements not met"),
    "withdrew": _l("A company withdrew"),
    "other": _l("Other reason"),
}

# The reasons of field errors (a form's, the import page's rows'), shown to users. The English reason is a stable
# key (the JSON API and the CLI print it as it is); a page shows the msgid it maps to, from the catalog. The errors
# themselves have codes, translated by web.errors (services.errors.MESSAGES).
REASONS: dict[str, str] = {
    "required": N_("required"),
    "already registered": N_("already registered"),
    "not your hub": N_("not your hub"),
    "belongs to another hub": N_("belongs to another hub"),
    "use a .jsonl or .csv file": N_("use a .jsonl or .csv file"),
    "not UTF-8 text": N_("not UTF-8 text (save the file as UTF-8)"),
    "nested too deeply": N_("nested too deeply"),
    "this row cannot be read as CSV": N_("this row cannot be read as CSV"),
    "a cell is longer than the CSV limit": N_("a cell is longer than the CSV limit (131,072 characters)"),
    "must not contain control characters (such as NUL)": N_("must not contain control characters (such as NUL)"),
    "must contain visible characters, not only blank or invisible ones":
        N_("must contain visible characters, not only blank or invisible ones"),
    "not a valid e-mail address": N_("Not a valid e-mail address (one address, like name@example.com)."),
    "at least 12 characters": N_("At least 12 characters."),
    "at most 128 characters": N_("At most 128 characters."),
    "too common": N_("This password is too common; choose a less guessable one."),
    "must not contain your e-mail address": N_("The password must not contain your e-mail address."),
    "wrong password": N_("The current password is wrong."),
    "passwords do not match": N_("The two passwords do not match."),
    # field checks of the profile format (services.profile_schema), seen on the profile form and the import page
    "must be a string": N_("must be a string"),
    "must be an integer": N_("must be an integer"),
    "must be true or false": N_("must be true or false"),
    "must be a list of strings": N_("must be a list of strings"),
    "must not be empty": N_("must not be empty"),
    "not a valid http(s) URL": N_("not a valid http(s) URL"),
    "unknown field": N_("unknown field"),
    "only the characters A-Z a-z 0-9 . _ - (1-64 of them)": N_("only the characters A-Z a-z 0-9 . _ - (1-64 of them)"),
    # field checks of the services' own requests (a crafted form or API call)
    "unknown": N_("unknown value"),
    "accepted or declined": N_("must be accepted or declined"),
    "approve or reject": N_("must be approve or reject"),
    "unknown role": N_("unknown role"),
    "a coordinator needs a hub": N_("a coordinator needs a hub"),
    "a member needs a company": N_("a member needs a company"),
    "invalid reset link": N_("invalid or expired reset link"),
    "unknown state": N_("unknown pipeline stage"),
    "ko or en": N_("must be ko or en"),
    "length": N_("between 1 and 4,000 characters"),
    "supplier or manufacturer": N_("must be supplier or manufacturer"),
}

# Service messages with a value in them: the pattern of the English message and the msgid of its
# Korean, whose %(name)s are the pattern's groups. English pages keep the message exactly as written.
REASON_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"item (?P<n>\d+): (?P<reason>.+)"), N_("item %(n)s: %(reason)s")),
    (re.compile(r"at most (?P<n>[\d,]+) characters"), N_("at most %(n)s characters")),
    (re.compile(r"at most (?P<n>[\d,]+) items"), N_("at most %(n)s items")),
    (re.compile(r"at least (?P<n>\d+) items?"), N_("at least %(n)s items")),
    (re.compile(r"must be at least (?P<n>[\d,.]+)"), N_("must be at least %(n)s")),
    (re.compile(r"must be at most (?P<n>[\d,.]+)"), N_("must be at most %(n)s")),
    (re.compile(r"unknown industry '(?P<value>.*)'; one of: (?P<keys>.*)"),
     N_("unknown industry '%(value)s'; one of: %(keys)s")),
    (re.compile(r"unknown hub '(?P<value>.*)'; one of: (?P<keys>.*)"), N_("unknown hub '%(value)s'; one of: %(keys)s")),
    (re.compile(r"'(?P<value>.*)' is listed twice"), N_("'%(value)s' is listed twice")),
    (re.compile(r"not a valid e-mail address: (?P<why>.+)"), N_("not a valid e-mail address: %(why)s")),
    (re.compile(r"must be a whole number, not '(?P<value>.*)'"), N_("must be a whole number, not '%(value)s'")),
)


def translate_reason(message: str) -> str:
    """A service message in the user's language (the request's), from the catalog."""
    return localize_reason(message, gettext)


def localize_reason(message: str, translate: Callable[..., str]) -> str:
    """A service message through `translate` (a gettext): the msgid of its code, of its pattern (values kept),
    or the message itself, which the catalog translates when it is a msgid and leaves as written when not."""
    if not message:
        return message  # gettext("") is the catalog's header
    if message in REASONS:
        return translate(REASONS[message])
    for pattern, msgid in REASON_PATTERNS:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        if translate(msgid) == msgid:  # no translation (English): the message as the service wrote it
            return message
        values = found.groupdict()
        if "reason" in values:
            values["reason"] = localize_reason(values["reason"], translate)
        return translate(msgid, **values)
    return translate(message)


def select_locale() -> str:
    """Session choice, then the user's saved language, then Accept-Language, then Korean."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and getattr(current_user, "language", None) in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def lang() -> str:
    """The page's language code, resolved once per request (a list page asks for it a hundred times)."""
    if not g:
        return str(get_locale() or "ko")
    found = g.get("_dxmatch_lang")
    if found is None:
        found = g._dxmatch_lang = str(get_locale() or "ko")
    return found


def hub_name(key: str | None) -> str:
    """The hub's name in the page's language."""
    return reference_name(HUBS, key, lang())


def industry_name(key: str | None) -> str:
    """The industry's name in the page's language."""
    return reference_name(INDUSTRIES, key, lang())


_PLAIN_GETTEXT = (flask_babel.gettext,)  # what `_l` defers to: a catalog lookup, nothing else


def translated(label: object) -> str:
    """A label made with `_l` in this request's language, through the catalog looked up once per request.

    `str()` of a lazy label resolves Flask-Babel's locale and catalog on every call (a pipeline board
    shows a few dozen status labels, each was ~70 µs); anything else is just made a string.
    """
    if isinstance(label, LazyString) and label._func in _PLAIN_GETTEXT and len(label._args) == 1 \
            and not label._kwargs:
        return _request_translations().ugettext(label._args[0])
    return str(label)


def status_label(key: str | None) -> str:
    return translated(STATUS_LABELS.get(key or "", key or ""))


def rule_label(rule: str) -> str:
    """A matcher rule (e.g. `industry_served:battery`) as a sentence in the user's language."""
    name, _sep, value = rule.partition(":")
    if name == "security_certification_met":
        return gettext("Security certification: %(certs)s", certs=value.replace(",", ", "))
    if name == "security_certification_missing":
        return gettext("No security certification")
    if name == "industry_served":
        return gettext("Serves %(industry)s", industry=industry_name(value))
    if name.startswith("decisions_"):
        return decision_label(name, value)
    return rule


def decision_label(name: str, value: str) -> str:
    """What coordinators' decisions say about a pair (matcher.learning's `decisions_*` rules), in words."""
    count, _sep, detail = value.partition(":")
    if name == "decisions_accepted" and detail:
        return gettext("%(count)s manufacturers in %(industry)s with a need like this signed or accepted this supplier",
                       count=count, industry=industry_name(detail))
    if name == "decisions_accepted":
        return gettext("%(count)s manufacturers with a need like this signed or accepted this supplier", count=count)
    if name == "decisions_similar":
        return gettext("%(count)s manufacturers with a need like this signed or accepted a supplier with such a "
                       "capability", count=count)
    if name == "decisions_declined":
        return gettext("%(count)s manufacturers with a need like this declined this supplier or one like it",
                       count=count)
    if detail == "no_gain":
        return gettext("Engine score only: learning from %(count)s decisions did not improve the ranking", count=count)
    return gettext("Engine score only: %(count)s decisions are too few to learn from", count=count)


def local_datetime(moment: datetime | None) -> str:
    """A stored UTC time as the page's reader reads it: Korean time, the one format of their language."""
    return clock.format_datetime(moment, lang()) if moment is not None else ""


def local_date(moment: date | datetime | None) -> str:
    """A stored time or day as the calendar day in Korea, in the page's language."""
    return clock.format_date(moment, lang()) if moment is not None else ""


def template_helpers() -> dict[str, object]:
    """Functions every template can call."""
    return {
        "hub_name": hub_name,
        "industry_name": industry_name,
        "status_label": status_label,
        "kind_label": lambda k: translated(KIND_LABELS.get(k, k)),
        "role_label": lambda r: translated(ROLE_LABELS.get(r, r)),
        "reason": translate_reason,
        "rule_label": rule_label,
        "action_label": lambda a: translated(ACTION_LABELS.get(a, a)),
        "ACTION_LABELS": ACTION_LABELS,
        "current_lang": lang,
        "LANGUAGE_LABELS": LANGUAGE_LABELS,
        "recently_improved": recently_improved,
        "NEED_COVERED": NEED_COVERED,
        "decline_reason_label": lambda r: translated(DECLINE_REASON_LABELS.get(r, r)),
        "DECLINE_REASON_LABELS": DECLINE_REASON_LABELS,
        "reject_reason_label": lambda r: translated(REJECT_REASON_LABELS.get(r, r)),
        "local_datetime": local_datetime,
        "local_date": local_date,
        "iso_datetime": clock.iso_datetime,
        "HUBS": HUBS,
        "INDUSTRIES": INDUSTRIES,
    }


def _request_translations():
    """This request's catalog, looked up once (Flask-Babel resolves the locale and domain on every call)."""
    if not g:
        return get_translations()
    found = g.get("_dxmatch_translations")
    if found is None:
        found = g._dxmatch_translations = get_translations()
    return found


def install_template_gettext(app) -> None:
    """Templates translate through the request's catalog, looked up once per request, not once per string.

    A page calls `_()` a few hundred times. Flask-Babel's callables resolve the locale on each call and
    Jinja's newstyle wrappers add two nested `context.call`s per string; the globals installed here do
    the same work (the catalog lookup, Markup under autoescape, then `%` with the keyword arguments, as
    newstyle gettext does) in one call. The locale is fixed for a request (`select_locale`), so a
    language switch takes effect at the next request, as before.
    """
    app.jinja_env.install_gettext_callables(  # registers pgettext & co. and newstyle `{% trans %}` blocks
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables: object) -> str:
    text = _request_translations().ugettext(string)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@pass_eval_context
def _template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: object) -> str:
    variables.setdefault("num", num)
    text = _request_translations().ungettext(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables
