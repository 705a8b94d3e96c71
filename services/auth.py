"""Accounts: password checks, user creation, sessions, password change and reset, API tokens, language."""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import NO_VALUE
from werkzeug.security import check_password_hash, generate_password_hash

from models import ROLES, Hub, User, as_utc, utcnow
from services import audit
from services.errors import ValidationFailed
from services.passwords import MAX_LENGTH as MAX_PASSWORD_LENGTH
from services.passwords import MIN_LENGTH as MIN_PASSWORD_LENGTH
from services.passwords import password_problems

LANGUAGES: tuple[str, ...] = ("ko", "en")
RESET_LINK_LIFETIME = timedelta(hours=1)
INVALID_EMAIL = "not a valid e-mail address"


def hash_password(password: str) -> str:
    """A werkzeug (scrypt) hash; the plain password is never stored."""
    return generate_password_hash(password)


@functools.cache
def _dummy_hash() -> str:
    """Checked for unknown addresses so a failed sign-in takes as long whether the account exists or not."""
    return hash_password(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why an address cannot be an account's (one address, valid syntax; no DNS look-up), or None."""
    if len(email) > 254:
        return INVALID_EMAIL
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        return INVALID_EMAIL
    return None


def account_problems(email: str, password: str) -> list[dict[str, str]]:
    """Field errors of a new account's e-mail address and password (the one policy of every path)."""
    problem = email_problem(email)
    errors = [{"field": "email", "reason": problem}] if problem else []
    errors += [{"field": "password", "reason": reason} for reason in password_problems(password, email)]
    return errors


def find_user_by_email(session: Session, email: str) -> User | None:
    """The account registered under an e-mail address, if any."""
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _password_matches(password_hash: str, candidate: str) -> bool:
    """Compared exactly as typed (never truncated); a candidate longer than any allowed password is hashed but fails."""
    fits = len(candidate) <= 4 * MAX_PASSWORD_LENGTH  # bounds the hashing work an anonymous request can ask for
    return check_password_hash(password_hash, candidate if fits else "") and fits


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (never says which part was wrong)."""
    user = find_user_by_email(session, email) if len(email) <= 254 else None
    # an unknown address still costs one hash check: the answer's timing does not tell who has an account
    matches = _password_matches(user.password_hash if user else _dummy_hash(), password)
    if user is None or not user.active or not matches:
        return None
    return user


def load_user(session: Session, user_id: int | str, session_version: Any = None) -> User | None:
    """The active user behind a session id; when a version is given, only if no sign-out or password change followed."""
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active:
        return None
    if session_version is not None and session_version != user.session_version:
        return None
    return user


def record_sign_in(session: Session, user: User) -> None:
    """A successful sign-in goes to the audit log (who, when); the caller has already checked the password."""
    audit.record(session, user, "user.sign_in", hub_key=user.hub_key, company_id=user.company_id)
    session.commit()


def end_sessions(user: User) -> None:
    """Every session cookie issued to the user so far stops working (the caller commits)."""
    user.session_version = (user.session_version or 0) + 1


def sign_out(session: Session, user: User) -> None:
    """Sign-out ends this and every other session of the user: a copied cookie cannot be replayed."""
    end_sessions(user)
    audit.record(session, user, "user.sign_out", hub_key=user.hub_key, company_id=user.company_id)
    session.commit()


def _ends_sessions(target: User, value: Any, oldvalue: Any, _initiator: Any) -> None:
    """A changed password, role or scope of a stored user ends its sessions, whichever code path changed it."""
    if target.id is not None and oldvalue is not NO_VALUE and value != oldvalue:
        end_sessions(target)


def _deactivation_ends_sessions(target: User, value: Any, oldvalue: Any, _initiator: Any) -> None:
    if target.id is not None and oldvalue is True and not value:
        end_sessions(target)


for _attribute in (User.password_hash, User.role, User.hub_key, User.company_id):
    event.listen(_attribute, "set", _ends_sessions, active_history=True)
event.listen(User.active, "set", _deactivation_ends_sessions, active_history=True)


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    name: str = "",
    hub_key: str | None = None,
    company_id: int | None = None,
    language: str = "ko",
    password_policy: bool = True,
) -> User:
    """Add a user to the session (the caller commits); validates role binding and e-mail uniqueness.

    `password_policy=False` is for the demo loader only: its published shared password is one
    the policy refuses for every real account.
    """
    errors = []
    if role not in ROLES:
        errors.append({"field": "role", "reason": "unknown role"})
    if role == "coordinator" and not hub_key:
        errors.append({"field": "hub", "reason": "a coordinator needs a hub"})
    elif role == "coordinator" and session.get(Hub, hub_key) is None:
        errors.append({"field": "hub", "reason": f"unknown hub {hub_key!r}"})
    if role == "member" and company_id is None:
        errors.append({"field": "company", "reason": "a member needs a company"})
    problems = account_problems(email, password)
    if not password_policy:
        problems = [p for p in problems if p["field"] != "password"]
    errors += problems
    if not any(p["field"] == "email" for p in problems) and find_user_by_email(session, email) is not None:
        errors.append({"field": "email", "reason": "already registered"})
    if errors:
        raise ValidationFailed("account.invalid", errors=errors)
    user = User(
        email=normalise_email(email),
        name=name.strip()[:100],
        password_hash=hash_password(password),
        role=role,
        hub_key=hub_key if role == "coordinator" else None,
        company_id=company_id if role == "member" else None,
        language=language if language in LANGUAGES else "ko",
    )
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: User, password: str, actor: User | None = None) -> None:
    """Replace a password (the sign-up policy); ends the user's sessions and reset link; audited, the caller commits."""
    reasons = password_problems(password, user.email)
    if reasons:
        raise ValidationFailed("password.invalid", errors=[{"field": "password", "reason": r} for r in reasons])
    user.password_hash = hash_password(password)  # a listener bumps session_version
    user.password_reset_hash = None
    user.password_reset_expires_at = None
    audit.record(session, actor, "user.password", hub_key=user.hub_key, company_id=user.company_id, user=user.email)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """The signed-in user's own change: the current password first; other sessions end. Commits."""
    if not _password_matches(user.password_hash, current):
        raise ValidationFailed("password.wrong", errors=[{"field": "current_password", "reason": "wrong password"}])
    set_password(session, user, new, actor=user)
    session.commit()


def _reset_hash(token: str) -> str:
    return hashlib.sha256(("password-reset:" + token).encode("utf-8")).hexdigest()


def start_password_reset(session: Session, email: str) -> tuple[User, str] | None:
    """A new single-use reset token for an active account (only its hash is stored, 1 h), or None. Commits."""
    if email_problem(email):
        return None
    user = find_user_by_email(session, email)
    if user is None or not user.active:
        return None
    token = secrets.token_urlsafe(32)
    user.password_reset_hash = _reset_hash(token)
    user.password_reset_expires_at = utcnow() + RESET_LINK_LIFETIME
    audit.record(session, None, "user.password_reset_request", hub_key=user.hub_key, company_id=user.company_id,
                 user=user.email)
    session.commit()
    return user, token


def user_for_reset_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user a reset link is for, while it is unused and unexpired."""
    if not token or len(token) > 128:
        return None
    user = session.scalar(select(User).where(User.password_reset_hash == _reset_hash(token)))
    if user is None or not user.active or user.password_reset_expires_at is None:
        return None
    return user if as_utc(user.password_reset_expires_at) > (now or utcnow()) else None


def reset_password(session: Session, token: str, password: str) -> User:
    """Set a new password through a reset link; the link then stops working, as do all sessions. Commits."""
    user = user_for_reset_token(session, token)
    if user is None:
        raise ValidationFailed("password.reset_link_invalid", errors=[{"field": "token", "reason": "invalid reset link"}])
    set_password(session, user, password, actor=user)
    session.commit()
    return user


def set_active(session: Session, user: User, active: bool, actor: User | None = None) -> None:
    """Let a user sign in again, or stop them (their API token stops working too); audited, the caller commits."""
    user.active = active
    if not active:
        user.api_token_hash = None
    audit.record(session, actor, "user.activate" if active else "user.deactivate",
                 hub_key=user.hub_key, company_id=user.company_id, user=user.email)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_api_token(session: Session, user: User) -> str:
    """Create a new bearer token (shown once); only its sha256 is stored, replacing any older one."""
    token = secrets.token_urlsafe(32)
    user.api_token_hash = _token_hash(token)
    audit.record(session, user, "api_token.issue", hub_key=user.hub_key, company_id=user.company_id)
    session.commit()
    return token


def revoke_api_token(session: Session, user: User) -> None:
    """Forget the user's bearer token."""
    user.api_token_hash = None
    audit.record(session, user, "api_token.revoke", hub_key=user.hub_key, company_id=user.company_id)
    session.commit()


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning a bearer token, or None."""
    if not token:
        return None
    user = session.scalar(select(User).where(User.api_token_hash == _token_hash(token)))
    return user if user is not None and user.active else None


def set_language(session: Session, user: User, language: str) -> None:
    """Save a user's UI language (ko or en)."""
    if language not in LANGUAGES:
        raise ValidationFailed("account.unsupported_language", errors=[{"field": "language", "reason": "ko or en"}])
    user.language = language
    session.commit()
