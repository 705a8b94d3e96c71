"""Sign-up and password-reset requests as the public pages see them: one answer whether an account exists or not.

The page never says "already registered" or "no such account" (ASVS V6.3 enumeration); the
holder of an existing address gets a mail instead, through the digest's transport (services.mailer).
"""
from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session

from config.settings import Settings
from models import Company, User
from services import account_mail, auth, companies, profiles, subscriptions
from services.errors import ValidationFailed
from services.mailer import Mailer, MailError

log = logging.getLogger(__name__)
ALREADY_REGISTERED = {"field": "email", "reason": "already registered"}


def _send(mailer: Mailer, message: EmailMessage) -> None:
    """Deliver or log that it failed (without the body: it may carry a reset link); the page answers the same."""
    try:
        mailer.send(message)
    except MailError as exc:
        log.warning("account mail %s not sent (transient=%s)", message["Message-ID"], exc.transient)


def _profile_errors(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile's own field errors, as register_company would find them."""
    try:
        profiles.validate_profile({**{k: v for k, v in data.items() if v not in (None, "", [])}, "id": "reg-check"})
    except ValidationFailed as exc:
        return list(exc.detail.get("errors", []))
    return []


def register(
    session: Session, data: dict[str, Any], *, email: str, password: str, name: str, language: str,
    mailer: Mailer, settings: Settings, digest: bool = False,
) -> tuple[Company, User] | None:
    """A pending company and its member, or None when the address is taken (its holder is mailed); ValidationFailed
    for field errors, which never mention whether the address has an account.

    With `digest` the new member is subscribed to the weekly digest at once (the form offers it ticked; every
    digest mail has a one-click unsubscribe link), so the first digest after approval reaches them.
    """
    problems = auth.account_problems(email, password)
    if problems:
        raise ValidationFailed("registration.invalid", errors=_profile_errors(data) + problems)
    try:
        company, user = companies.register_company(session, data, email=email, password=password, name=name,
                                                   language=language)
    except ValidationFailed as exc:
        errors = [e for e in exc.detail.get("errors", []) if e != ALREADY_REGISTERED]
        if errors:
            raise ValidationFailed("registration.invalid", errors=errors) from exc
        session.rollback()
        holder = auth.find_user_by_email(session, email)
        auth.hash_password(password)  # as slow as creating the account: timing tells nothing either
        if holder is not None and holder.active:
            _send(mailer, account_mail.already_registered_message(settings, holder.email, holder.language))
        return None
    if digest:
        subscriptions.subscribe(session, user)
    _send(mailer, account_mail.registration_received_message(settings, user.email, user.language))
    return company, user


def request_password_reset(session: Session, email: str, *, mailer: Mailer, settings: Settings) -> None:
    """Mail a single-use, one-hour reset link to an active account; nothing at all for an unknown address."""
    started = auth.start_password_reset(session, email)
    if started is None:
        return
    user, token = started
    _send(mailer, account_mail.password_reset_message(settings, user.email, user.language, token))
