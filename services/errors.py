"""Domain errors raised by services; the web layer maps each to one HTTP status in one handler.

Every error carries a stable `code` (`pair.not_found`, `introduction.already_answered`): API clients
branch on it, and pages translate by it. MESSAGES gives each code its English text, which is also the
msgid of its translation in the Babel catalog; the JSON API and the CLI show the English, a page shows
the reader's language (`DomainError.text(gettext)`). A `%(name)s` in a message is filled from the
keyword of the same name given when the error is raised.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from services.i18n import N_

MESSAGES: dict[str, str] = {
    # who may do what (services.access, services.companies)
    "access.admin_only": N_("Only administrators can do this."),
    "access.coordinators_only": N_("Only hub coordinators can do this."),
    "access.members_only": N_("Only company members can do this."),
    "hub.not_found": N_("Not found"),
    "company.not_found": N_("Not found"),
    "pair.not_found": N_("Not found"),
    # the pipeline of a pair (services.pipeline, services.pair_notes)
    "pipeline.unknown_state": N_("There is no such pipeline stage."),
    "pipeline.move_not_allowed": N_("This move is not allowed."),
    "pipeline.needs_both_accepts": N_("Both companies must accept the introduction first."),
    "pipeline.reason_required": N_("Choose why the pair is declined."),
    "note.bad_length": N_("A note needs between 1 and 4,000 characters."),
    # a company's answer to an introduction (services.introductions)
    "introduction.not_a_party": N_("Only the two companies of a pair can do this."),
    "introduction.bad_answer": N_("The answer must be accepted or declined."),
    "introduction.reason_required": N_("Choose why the pair is declined."),
    "introduction.not_found": N_("There is no introduction for this pair yet."),
    "introduction.pair_closed": N_("This pair is closed."),
    "introduction.already_answered": N_("You have already answered."),
    # registrations and profiles (services.registration, services.companies, services.profile_schema)
    "registration.invalid": N_("The registration has errors; see the fields below."),
    "registration.bad_decision": N_("The decision must be approve or reject."),
    "registration.reason_required": N_("Choose why the registration is rejected."),
    "registration.not_pending": N_("This registration has already been decided."),
    "registration.rejected": N_("This registration was rejected."),
    "profile.not_yours": N_("Only the company itself can edit its profile."),
    "profile.not_an_object": N_("A profile must be a JSON object."),
    "profile.invalid": N_("The profile has errors; see the fields below."),
    # accounts (services.auth)
    "account.invalid": N_("The account has errors; see the fields below."),
    "account.unsupported_language": N_("The language must be Korean (ko) or English (en)."),
    "password.invalid": N_("The password was not accepted; see the reasons below."),
    "password.wrong": N_("The current password is wrong."),
    "password.reset_link_invalid": N_("This password reset link is invalid or has expired."),
    # search, exports, the digest
    "search.invalid": N_("The search has errors; see the fields below."),
    "export.unknown_list": N_("There is no such list to download."),
    "export.bad_format": N_("The format must be csv or xlsx."),
    "subscription.invalid": N_("The digest cannot be sent to this account's e-mail address."),
    "subscription.not_found": N_("Not found"),
    "unsubscribe.link_invalid": N_("This unsubscribe link is invalid."),
    "digest.bad_week": N_("The week must look like 2025-W02."),
    "digest.no_such_week": N_("There is no ISO week %(week)s."),
    # an uploaded file that cannot be read as a whole (services.imports: the import page's line 0)
    "import.wrong_extension": N_("use a .xlsx, .csv or .jsonl file"),
    "import.bad_encoding": N_("neither UTF-8 nor CP949 (EUC-KR) text (save the file as UTF-8 CSV or as .xlsx)"),
    "import.not_a_workbook": N_("not an Excel .xlsx workbook"),
    "import.workbook_too_big": N_("the workbook unpacks to more than 100 MB"),
    "import.preview_expired": N_("the previewed file is gone (previews last 30 minutes); upload it again"),
    # a request that cannot be read (web.inputs, web.api.spec)
    "request.invalid": N_("Bad request"),
    "request.nul": N_("The request contains a character that is not allowed (NUL)."),
    "request.bad_json": N_("The request body is not valid JSON."),
    "request.too_deep": N_("The JSON body is nested too deeply."),
    "request.bad_unicode": N_("The request contains text that is not valid Unicode."),
    # parts of the service that are busy or down
    "matching.not_ready": N_("Matching is being computed. Please try again in a moment."),
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def placeholders(code: str) -> set[str]:
    """The `%(name)s` values the message of `code` needs."""
    return set(_PLACEHOLDER.findall(MESSAGES[code]))


class DomainError(Exception):
    """Base class; `status` is the HTTP status the web layer should use, `code` one key of MESSAGES."""

    status = 400

    def __init__(self, code: str, **detail: object) -> None:
        if code not in MESSAGES:
            raise KeyError(f"unknown error code {code!r}: add it to services.errors.MESSAGES")
        self.code = code
        self.detail = detail  # `errors` (field, reason) and the message's values
        self.params = {name: detail.get(name, "") for name in placeholders(code)}
        self.message = self.text(lambda msgid, **values: msgid % values if values else msgid)  # English
        super().__init__(self.message)

    def text(self, gettext: Callable[..., str]) -> str:
        """The message through `gettext` (Flask-Babel's or a services.i18n translator's)."""
        return gettext(MESSAGES[self.code], **self.params)


class ValidationFailed(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Unavailable(DomainError):
    """A part the request needs is busy or down (the index being built, the database restarting)."""

    status = 503


class InvalidInput(DomainError):
    """A request that cannot be read at all (a NUL character, malformed or too deeply nested JSON)."""

    status = 400
