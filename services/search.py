"""Free-text search for coordinators: which suppliers can do X, which of my manufacturers need Y.

A broker on the phone with a manufacturer needs suppliers for a need nobody has typed into a
profile yet; the engine answers it like a need (Korean or English, across languages). Suppliers
come from every cluster, as in proposals; manufacturers from the coordinator's own hub only.
Only public profile fields are returned.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from matcher.engine import Matcher
from matcher.types import MatchFilters
from models import Company, User
from services import access
from services.errors import ValidationFailed
from services.paging import Page, clamp

KINDS: tuple[str, ...] = ("supplier", "manufacturer")
MAX_QUERY_LENGTH = 500
MAX_RESULTS = 100  # the engine's best hits a search keeps: enough to page through, bounded per request
SEARCH_PAGE = 20  # results per page
SEARCH_SORTS: tuple[str, ...] = ("score", "name")  # best first, company name A-Z
# What a result shows of a company: name, hub, summary and badges (long texts stay in the database).
HIT_COLUMNS = (Company.id, Company.external_id, Company.kind, Company.name, Company.hub_key, Company.summary,
               Company.certifications, Company.status)


def search_sort(value: str | None) -> str:
    """A `?sort=` value as a known result order; anything else is the default (best first)."""
    return value if value in SEARCH_SORTS else SEARCH_SORTS[0]


@dataclass(frozen=True)
class CompanyHit:
    company: Company
    score: float  # 0..1: how well the company's best capability (or need) answers the query
    text: str  # that capability or need
    viewable: bool  # the searcher may open the company's page


def search_companies(session: Session, actor: User, hub_key: str, query: str, kind: str = "supplier",
                     top: int = 20, *, matcher: Callable[[], Matcher]) -> list[CompanyHit]:
    """Best companies for a free text, best first (empty for an empty query).

    `matcher` gives the current engine; it is asked for only after the access check.
    """
    access.require_hub(actor, hub_key)
    if kind not in KINDS:
        raise ValidationFailed("search.invalid", errors=[{"field": "kind", "reason": "supplier or manufacturer"}])
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    filters = MatchFilters(hubs=frozenset({hub_key})) if kind == "manufacturer" else None
    hits = matcher().search(query, kind=kind, top=top, filters=filters)
    rows = {c.external_id: c for c in session.scalars(
        select(Company).options(load_only(*HIT_COLUMNS)).where(Company.external_id.in_([h.company_id for h in hits]), Company.status == "active"))}
    return [CompanyHit(rows[h.company_id], h.score, h.text, access.can_view_company(actor, rows[h.company_id]))
            for h in hits if h.company_id in rows]


def page_search(session: Session, actor: User, hub_key: str, query: str, kind: str = "supplier", *, page: int = 1,
                size: int = SEARCH_PAGE, sort: str = "score", matcher: Callable[[], Matcher]) -> Page[CompanyHit]:
    """One page of the best MAX_RESULTS hits (the engine ranks once, one query reads their companies).

    `total` is the number of hits kept, so the page can say how many companies answered.
    """
    hits = search_companies(session, actor, hub_key, query, kind, MAX_RESULTS, matcher=matcher)
    if sort == "name":
        hits.sort(key=lambda h: (h.company.name.casefold(), -h.score))
    number = clamp(page, size, len(hits))
    return Page(hits[(number - 1) * size:number * size], number, size, len(hits))
