"""Accounts: password checks, user creation, API tokens and the saved language."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models import ROLES, Hub, User
from services import audit
from services.errors import ValidationFailed

LANGUAGES: tuple[str, ...] = ("ko", "en")
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    """A werkzeug (scrypt) hash; the plain password is never stored."""
    return generate_password_hash(password)


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively."""
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    """The account registered under an e-mail address, if any."""
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (never says which part was wrong)."""
    user = find_user_by_email(session, email)
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def load_user(session: Session, user_id: int | str) -> User | None:
    """The active user behind a session id."""
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


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
) -> User:
    """Add a user to the session (the caller commits); validates role binding and e-mail uniqueness."""
    errors = []
    if role not in ROLES:
        errors.append({"field": "role", "reason": "unknown role"})
    if role == "coordinator" and not hub_key:
        errors.append({"field": "hub", "reason": "a coordinator needs a hub"})
    elif role == "coordinator" and session.get(Hub, hub_key) is None:
        errors.append({"field": "hub", "reason": f"unknown hub {hub_key!r}"})
    if role == "member" and company_id is None:
        errors.append({"field": "company", "reason": "a member needs a company"})
    if "@" not in email or len(email) > 254:
        errors.append({"field": "email", "reason": "not a valid e-mail address"})
    elif find_user_by_email(session, email) is not None:
        errors.append({"field": "email", "reason": "already registered"})
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append({"field": "password", "reason": f"at least {MIN_PASSWORD_LENGTH} characters"})
    if errors:
        raise ValidationFailed("invalid account", errors=errors)
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
    """Replace a password (same length rule as sign-up); the change is audited, the caller commits."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed("invalid password", errors=[
            {"field": "password", "reason": f"at least {MIN_PASSWORD_LENGTH} characters"}])
    user.password_hash = hash_password(password)
    audit.record(session, actor, "user.password", hub_key=user.hub_key, company_id=user.company_id, user=user.email)


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
        raise ValidationFailed("unsupported language", errors=[{"field": "language", "reason": "ko or en"}])
    user.language = language
    session.commit()
