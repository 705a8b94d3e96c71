"""What a hub coordinator sees first: counts, registrations to review, companies, best pairs."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Company, Hub, Match, User
from services import access, companies, pipeline


@dataclass
class HubOverview:
    hub_key: str
    counts: dict[str, int] = field(default_factory=dict)
    status_counts: dict[str, int] = field(default_factory=dict)
    pending: list[Company] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)


def hub_overview(
    session: Session, actor: User, hub_key: str, filters: pipeline.MatchFilters | None = None, *, limit: int = 50
) -> HubOverview:
    """Counts, pending registrations, the company list and the best open pairs (filtered) of one hub."""
    access.require_hub(actor, hub_key)
    all_companies = companies.list_companies(session, actor, hub_key=hub_key)
    kinds = Counter(c.kind for c in all_companies if c.status == "active")
    status_counts = dict(
        session.execute(select(Match.status, func.count()).where(Match.hub_key == hub_key).group_by(Match.status)).all()
    )
    filters = filters or pipeline.MatchFilters(status="proposed")
    matches = pipeline.list_matches(session, actor, hub_key=hub_key, filters=filters, limit=limit)
    # filter options: the certifications held by suppliers of this hub's pairs (not every supplier in the database)
    held = session.scalars(select(Company.certifications).join(Match, Match.supplier_id == Company.id)
                           .where(Match.hub_key == hub_key))
    certs = sorted({c for row in held for c in (row or [])})
    return HubOverview(
        hub_key=hub_key,
        counts={
            "manufacturers": kinds.get("manufacturer", 0),
            "suppliers": kinds.get("supplier", 0),
            "pending": sum(1 for c in all_companies if c.status == "pending"),
            "matches": sum(status_counts.values()),
        },
        status_counts=status_counts,
        pending=[c for c in all_companies if c.status == "pending"],
        companies=[c for c in all_companies if c.status != "pending"],
        matches=matches,
        certifications=certs,
    )


@dataclass
class HubSummary:
    hub: Hub
    companies: int
    matches: int


def hubs_summary(session: Session, actor: User) -> list[HubSummary]:
    """Every hub with its company and pair counts (admins)."""
    access.require_admin(actor)
    company_counts = dict(session.execute(select(Company.hub_key, func.count()).group_by(Company.hub_key)).all())
    match_counts = dict(session.execute(select(Match.hub_key, func.count()).group_by(Match.hub_key)).all())
    return [
        HubSummary(hub, company_counts.get(hub.key, 0), match_counts.get(hub.key, 0))
        for hub in session.scalars(select(Hub).order_by(Hub.key))
    ]
