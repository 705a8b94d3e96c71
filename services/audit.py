"""The append-only audit trail: who saw or changed what, when (UTC)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent, Company, User
from services import access


def record(
    session: Session,
    actor: User | None,
    action: str,
    *,
    hub_key: str | None = None,
    company_id: int | None = None,
    match_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add one audit row to the current transaction (the caller commits with its own change)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        hub_key=hub_key,
        company_id=company_id,
        match_id=match_id,
        detail=detail,
    )
    session.add(event)
    return event


def list_events(
    session: Session, actor: User, *, hub_key: str | None = None, action: str | None = None, limit: int = 200
) -> list[AuditEvent]:
    """Newest first; a coordinator sees their hub only, an admin any hub or all of them."""
    if hub_key is None:
        access.require_admin(actor)
    else:
        access.require_hub(actor, hub_key)
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if hub_key is not None:
        query = query.where(AuditEvent.hub_key == hub_key)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))


def company_names(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    """Names of the companies a page of audit rows refers to."""
    ids = {e.company_id for e in events if e.company_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Company.id, Company.name).where(Company.id.in_(ids))).all())
