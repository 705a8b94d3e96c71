"""Supplier capacity: a supplier that stated how many new introductions it can take per month, and had
that many this month (Korean calendar month), is at capacity until the month ends.

One grouped count over this month's moves to `introduced` answers for every supplier at once, so the
matching job asks once per run and a page once per request, never once per pair.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Select, bindparam, distinct, func, select
from sqlalchemy.orm import Session

from models import Company, Match, PipelineTransition
from models.base import utcnow
from services import clock


def month_start(now: datetime | None = None) -> datetime:
    """The first moment (UTC) of the current month in Korea: 1 December 00:00 KST is 30 November 15:00 UTC."""
    local = clock.to_local(now or utcnow())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)


def _at_capacity_statement() -> Select:
    introduced = (
        select(Match.supplier_id.label("supplier_id"), func.count(distinct(PipelineTransition.match_id)).label("n"))
        .join(Match, Match.id == PipelineTransition.match_id)
        .where(PipelineTransition.to_status == "introduced", PipelineTransition.at >= bindparam("since"))
        .group_by(Match.supplier_id)
        .subquery()
    )
    return (select(Company.id, Company.external_id)
            .outerjoin(introduced, introduced.c.supplier_id == Company.id)
            .where(Company.kind == "supplier", Company.monthly_capacity.is_not(None),
                   func.coalesce(introduced.c.n, 0) >= Company.monthly_capacity))


# Built once (statements are immutable): SQLAlchemy remembers a statement object's cache key, where
# building this join anew on every page cost more CPU than PostgreSQL spends answering it.
_AT_CAPACITY = _at_capacity_statement()


def suppliers_at_capacity(session: Session, now: datetime | None = None) -> dict[int, str]:
    """Suppliers whose introductions this month reached their stated capacity: {company id: external id}.

    A pair introduced twice in a month (declined, reopened) counts once; a capacity of 0 means full.
    """
    return dict(session.execute(_AT_CAPACITY, {"since": month_start(now)}).all())


def reached_capacity(session: Session, supplier_id: int, now: datetime | None = None) -> bool:
    """Whether a supplier that stated a capacity is at it now (after an introduction: its proposals are redone)."""
    stated = session.scalar(select(Company.monthly_capacity).where(Company.id == supplier_id))
    return stated is not None and supplier_id in suppliers_at_capacity(session, now)
