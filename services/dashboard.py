"""What a hub coordinator sees first: counts, registrations to review, companies, best pairs."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.orm import Session, load_only

from models import Company, Hub, Match, User
from services import access, companies, pipeline
from services.paging import Page, clamp


PAIRS_PAGE = 15  # pairs per dashboard page
COMPANIES_PAGE = 25  # companies per dashboard page
COMPANY_SORTS: tuple[str, ...] = ("kind", "name", "newest")  # by kind then name, A-Z, last registered first


def company_sort(value: str | None) -> str:
    """A `?companies_sort=` value as a known order; anything else is the default (kind, then name)."""
    return value if value in COMPANY_SORTS else COMPANY_SORTS[0]


def listed_companies(actor: User, hub_key: str, sort: str = "kind") -> Select:
    """A hub's companies past review (active or rejected) in one of COMPANY_SORTS: the page and its export."""
    access.require_hub(actor, hub_key)
    order = {"name": (Company.name, Company.id), "newest": (Company.created_at.desc(), Company.id.desc())}.get(
        sort, (Company.kind, Company.name, Company.id))
    return select(Company).where(Company.hub_key == hub_key, Company.status != "pending").order_by(*order)


def page_companies(session: Session, actor: User, hub_key: str, page: int = 1, size: int = COMPANIES_PAGE,
                   sort: str = "kind", *, total: int | None = None) -> Page[Company]:
    """One page of `listed_companies`, only the listed columns; `total` when the caller has counted already."""
    query = listed_companies(actor, hub_key, sort)
    if total is None:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = clamp(page, size, total)
    rows = session.scalars(query.options(load_only(*companies.LISTED_COLUMNS)).limit(size).offset((number - 1) * size))
    return Page(list(rows), number, size, total)


def held_certifications(session: Session, hub_key: str) -> list[str]:
    """Filter options: the certifications held by suppliers of a hub's pairs (not every supplier in the database).

    Distinct lists come back as text, so a few rows are decoded rather than one per supplier.
    """
    held = session.scalars(select(cast(Company.certifications, Text)).distinct().where(
        Company.id.in_(select(Match.supplier_id).where(Match.hub_key == hub_key).scalar_subquery())))
    return sorted({c for row in held for c in (json.loads(row) if row else None) or []})


class FilterOptions:
    """Each hub's certification options for a short while; thread-safe, one per process.

    Computing them reads every supplier of the hub's pairs, on every dashboard view; they change
    only when pairs do, so a list up to `ttl` seconds old serves as well as a fresh one.
    """

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, list[str]]] = {}

    def certifications(self, session: Session, hub_key: str) -> list[str]:
        now = self._clock()
        with self._lock:
            entry = self._entries.get(hub_key)
        if entry is not None and now - entry[0] < self.ttl:
            return entry[1]
        options = held_certifications(session, hub_key)
        with self._lock:
            self._entries[hub_key] = (now, options)
        return options


@dataclass
class HubOverview:
    hub_key: str
    counts: dict[str, int] = field(default_factory=dict)
    status_counts: dict[str, int] = field(default_factory=dict)
    pending: list[Company] = field(default_factory=list)
    companies: Page[Company] = field(default_factory=lambda: Page([], 1, COMPANIES_PAGE, 0))
    matches: Page[Match] = field(default_factory=lambda: Page([], 1, PAIRS_PAGE, 0))
    certifications: list[str] = field(default_factory=list)


def hub_overview(
    session: Session, actor: User, hub_key: str, filters: pipeline.PairFilters | None = None, *,
    page: int = 1, companies_page: int = 1, options: FilterOptions | None = None, companies_sort: str = "kind",
) -> HubOverview:
    """Counts, pending registrations, a page of companies and a page of the best open pairs (filtered) of one hub.

    `options`: the process's recent filter options (computed afresh without).
    """
    access.require_hub(actor, hub_key)
    counts = companies.hub_counts(session, actor, hub_key)
    status_counts = dict(
        session.execute(select(Match.status, func.count()).where(Match.hub_key == hub_key).group_by(Match.status)).all()
    )
    filters = filters or pipeline.PairFilters(status="proposed")
    # filtered by state alone (the default view), the list's length is among the counts just made
    counted = status_counts.get(filters.status, 0) if filters.status and \
        filters == pipeline.PairFilters(status=filters.status, sort=filters.sort) else None
    matches = pipeline.page_matches(session, actor, hub_key=hub_key, filters=filters, page=page, size=PAIRS_PAGE,
                                    total=counted)
    certs = options.certifications(session, hub_key) if options else held_certifications(session, hub_key)
    return HubOverview(
        hub_key=hub_key,
        counts={
            "manufacturers": counts.get(("manufacturer", "active"), 0),
            "suppliers": counts.get(("supplier", "active"), 0),
            "pending": sum(n for (_kind, status), n in counts.items() if status == "pending"),
            "matches": sum(status_counts.values()),
        },
        status_counts=status_counts,
        pending=companies.pending_companies(session, actor, hub_key),
        companies=page_companies(
            session, actor, hub_key, companies_page, COMPANIES_PAGE, companies_sort,
            total=sum(n for (_kind, status), n in counts.items() if status != "pending")),
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
