"""Weekly digest subscriptions: the pages' side (subscribe, unsubscribe); sending lives in services.digest."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import DigestSubscription, User, utcnow
from services import audit, auth
from services.errors import NotFound, ValidationFailed


def subscription_for(session: Session, user: User) -> DigestSubscription | None:
    """The user's subscription row, active or not."""
    return session.scalar(select(DigestSubscription).where(DigestSubscription.user_id == user.id))


def subscribe(session: Session, user: User) -> DigestSubscription:
    """Turn the weekly digest on (re-activates an old row); only for an account with one valid address."""
    problem = auth.email_problem(user.email)
    if problem:
        raise ValidationFailed("subscription.invalid", errors=[{"field": "email", "reason": problem}])
    sub = subscription_for(session, user)
    if sub is None:
        sub = DigestSubscription(user_id=user.id, active=True)
        session.add(sub)
    else:
        sub.active = True
        sub.unsubscribed_at = None
    audit.record(session, user, "digest.subscribe", hub_key=user.hub_key, company_id=user.company_id)
    session.commit()
    return sub


def unsubscribe(session: Session, subscription_id: int, *, actor: User | None = None) -> DigestSubscription:
    """Turn the digest off (idempotent); a signed link needs no login, so actor may be None."""
    sub = session.get(DigestSubscription, subscription_id)
    if sub is None:
        raise NotFound("subscription.not_found")
    if sub.active:
        sub.active = False
        sub.unsubscribed_at = utcnow()
        audit.record(
            session, actor or sub.user, "digest.unsubscribe", hub_key=sub.user.hub_key, company_id=sub.user.company_id
        )
        session.commit()
    return sub


def subscription_by_id(session: Session, subscription_id: int) -> DigestSubscription:
    """The row a signed unsubscribe link points to."""
    sub = session.get(DigestSubscription, subscription_id)
    if sub is None:
        raise NotFound("subscription.not_found")
    return sub


def masked_email(address: str) -> str:
    """k***@example.com: enough for the owner to recognise, too little for whoever else holds a mailed link."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"
