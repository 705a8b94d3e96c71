"""The append-only audit trail: who saw or changed what, when (UTC)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from models import AuditEvent, Company, Match, User
from services import access, clock
from services.paging import Page, clamp

AUDIT_PAGE = 50  # rows per audit page


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


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page narrows the trail by: an action, who did it, and days (inclusive, Korean time)."""

    action: str | None = None
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None
    order: str = "newest"  # one of AUDIT_ORDERS


AUDIT_ORDERS: tuple[str, ...] = ("newest", "oldest")


def audit_order(value: str | None) -> str:
    """A `?order=` value as a known order; anything else is the default (newest first)."""
    return value if value in AUDIT_ORDERS else AUDIT_ORDERS[0]


def _in_order(query: Select, filters: AuditFilters) -> Select:
    if filters.order == "oldest":
        return query.order_by(AuditEvent.at, AuditEvent.id)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def _scoped(actor: User, hub_key: str | None, filters: AuditFilters) -> Select:
    """The events an actor may read (a coordinator their hub, an admin any), narrowed by the filters."""
    if hub_key is None:
        access.require_admin(actor)
    else:
        access.require_hub(actor, hub_key)
    query = select(AuditEvent)
    if hub_key is not None:
        query = query.where(AuditEvent.hub_key == hub_key)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.since is not None:
        query = query.where(AuditEvent.at >= _start_of(filters.since))
    if filters.until is not None:
        query = query.where(AuditEvent.at < _start_of(filters.until + timedelta(days=1)))
    return query


def _start_of(day: date) -> datetime:
    """Midnight of a Korean day, in UTC (the trail is stored in UTC)."""
    return datetime.combine(day, time.min, tzinfo=clock.LOCAL_ZONE).astimezone(timezone.utc)


def list_events(
    session: Session, actor: User, *, hub_key: str | None = None, action: str | None = None, limit: int = 200,
    filters: AuditFilters | None = None,
) -> list[AuditEvent]:
    """In the filters' order (newest first by default); a coordinator sees their hub only, an admin any or all."""
    filters = filters or AuditFilters(action=action)
    query = _in_order(_scoped(actor, hub_key, filters), filters).limit(limit)
    return list(session.scalars(query.options(selectinload(AuditEvent.actor))))


def page_events(session: Session, actor: User, *, hub_key: str | None = None, filters: AuditFilters | None = None,
                page: int = 1, size: int = AUDIT_PAGE) -> Page[AuditEvent]:
    """One page of the trail in the filters' order, with the total for the page's count."""
    filters = filters or AuditFilters()
    query = _scoped(actor, hub_key, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    number = clamp(page, size, total)
    rows = session.scalars(_in_order(query.options(selectinload(AuditEvent.actor)), filters)
                           .offset((number - 1) * size).limit(size))
    return Page(list(rows), number, size, total)


def actors(session: Session, actor: User, *, hub_key: str | None = None) -> list[User]:
    """Everyone who appears in the trail the actor may read (the page's "who" filter)."""
    ids = _scoped(actor, hub_key, AuditFilters()).with_only_columns(AuditEvent.actor_id).distinct()
    return list(session.scalars(select(User).where(User.id.in_(ids.scalar_subquery())).order_by(User.name, User.email)))


def pair_names(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    """"Manufacturer ↔ Supplier" for the pairs a page of audit rows refers to."""
    ids = {e.match_id for e in events if e.match_id is not None}
    if not ids:
        return {}
    maker, supplier = aliased(Company), aliased(Company)
    rows = session.execute(select(Match.id, maker.name, supplier.name)
                           .join(maker, maker.id == Match.manufacturer_id).join(supplier, supplier.id == Match.supplier_id)
                           .where(Match.id.in_(ids)))
    return {match_id: f"{a} ↔ {b}" for match_id, a, b in rows}


def company_names(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    """Names of the companies a page of audit rows refers to."""
    ids = {e.company_id for e in events if e.company_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Company.id, Company.name).where(Company.id.in_(ids))).all())
