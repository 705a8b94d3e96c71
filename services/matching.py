"""Matching use cases: Company rows as engine Profiles, and proposals stored as Match rows.

The engine (`matcher`) knows nothing of storage. Which engine is current is the business of
`services.index_store` (published snapshots) and `services.index_builder` (the one write path);
this module turns Company rows into Profiles and writes each manufacturer's best suppliers as
Match rows that the web pages and the digest read.
"""
from __future__ import annotations

import logging
from typing import Callable, Collection, Sequence

import numpy as np

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import Settings
from matcher.encoder import load_encoder
from matcher.engine import Matcher
from matcher.exposure import capacity_order
from matcher.types import Explanation, MatchFilters, Profile
from models import Company, Match, PipelineTransition
from models.base import utcnow
from services import capacity
from services.improvements import IMPROVEMENT_MARGIN

log = logging.getLogger(__name__)

PROPOSALS_PER_MANUFACTURER = 10
MIN_PROPOSAL_SCORE = 0.02  # uncalibrated engine: below this nothing the manufacturer asked for is plausibly solved
MIN_PROPOSAL_PROBABILITY = 0.15  # calibrated engine: a pair less likely than this to be a good partner is not
# proposed at all ("no good supplier yet"); the need stays open for the supply-gap page


def profile_from_company(company: Company) -> Profile:
    """The engine's view of a Company row (public fields only: confidential notes never reach the engine)."""
    return Profile(
        id=company.external_id, kind=company.kind, name=company.name, hub=company.hub_key,
        language=company.language or "ko", industry=company.industry,
        needs=tuple(company.needs or ()), capabilities=tuple(company.capabilities or ()),
        references=tuple(company.references or ()), industries_served=tuple(company.industries_served or ()),
        certifications=tuple(company.certifications or ()),
        requires_security_certification=bool(company.requires_security_certification),
        summary=company.summary or "", description=company.description or "",
    )


def propose_for(session: Session, matcher: Matcher, manufacturer: Company,
                top: int = PROPOSALS_PER_MANUFACTURER, *, at_capacity: Collection[str] | None = None) -> int:
    """Store a manufacturer's best suppliers as Match rows; pairs already in the pipeline keep their state.

    The security rule is a filter here: a manufacturer that requires certification is never
    proposed an uncertified supplier (the engine itself ranks them in a lower tier). Below the
    minimum (`minimum_score`) nothing is proposed: the need stays open on the supply-gap page.
    Suppliers at capacity this month (`at_capacity`, their profile ids; looked up when not given)
    are moved below the best `top` that have room, not dropped.
    """
    profile = matcher.profiles.get(manufacturer.external_id)
    if profile is None:
        return 0
    full = set(capacity.suppliers_at_capacity(session).values() if at_capacity is None else at_capacity)
    wider = top + min(len(full), 2 * top)  # room for the available suppliers that take the full ones' places
    results = capacity_order(matcher.match(profile.id, top=wider, filters=proposal_filters(matcher, profile)),
                             full, top, key=lambda r: r.partner_id)
    suppliers = {c.external_id: c for c in session.scalars(
        select(Company).where(Company.external_id.in_([r.partner_id for r in results])))}
    existing = {m.supplier_id: m for m in session.scalars(select(Match).where(Match.manufacturer_id == manufacturer.id))}
    kept: set[int] = set()
    for rank, result in enumerate(results, start=1):
        supplier = suppliers.get(result.partner_id)
        if supplier is None:
            continue
        row = existing.get(supplier.id)
        if row is None:
            row = Match(manufacturer_id=manufacturer.id, supplier_id=supplier.id, status="proposed")
            session.add(row)
        elif result.score >= row.score + IMPROVEMENT_MARGIN:
            row.previous_score, row.improved_at = row.score, utcnow()
        row.hub_key = manufacturer.hub_key
        row.score = result.score
        row.rank = rank
        row.explanation = result.explanation.to_dict()
        kept.add(supplier.id)
    acted_on = set(session.scalars(select(PipelineTransition.match_id).distinct().where(
        PipelineTransition.match_id.in_([row.id for row in existing.values() if row.status == "proposed"]))))
    for supplier_id, row in existing.items():
        if supplier_id not in kept and row.status == "proposed" and row.id not in acted_on:
            session.delete(row)  # dropped out of the proposals and never acted on (a pair proposed by hand stays)
    return len(kept)


def minimum_score(matcher: Matcher) -> float:
    """The lowest shown score a pair is proposed with (a probability once the engine is calibrated)."""
    return MIN_PROPOSAL_PROBABILITY if matcher.calibrator is not None else MIN_PROPOSAL_SCORE


def proposal_filters(matcher: Matcher, manufacturer: Profile) -> MatchFilters:
    """The rules every proposal passes: certified suppliers only where required, at least `minimum_score`."""
    return MatchFilters(certified_only=manufacturer.requires_security_certification, min_score=minimum_score(matcher))


def explain_pair(matcher: Matcher, manufacturer_id: str, supplier_id: str) -> tuple[float, Explanation]:
    """The engine's shown score and explanation of any one pair (profile ids), proposed or not."""
    raw = matcher.pair_score(manufacturer_id, supplier_id)
    return float(matcher.shown_scores(np.asarray([raw]))[0]), matcher.explain(manufacturer_id, supplier_id)


def explanation_of(match: Match) -> Explanation:
    """The stored explanation of a Match row as the engine's Explanation."""
    return Explanation.from_dict(match.explanation or {})


def partners_for(session: Session, matcher: Matcher, company: Company, top: int = 10,
                 filters: MatchFilters | None = None) -> list[dict]:
    """Live ranked partners of any company (both directions), for the CLI and the API."""
    if company.external_id not in matcher.profiles:
        return []
    matches = matcher.match(company.external_id, top=top, filters=filters)
    names = names_by_profile_id(session, [m.partner_id for m in matches])
    return [
        {"partner_id": m.partner_id, "partner_name": names.get(m.partner_id, ""), "score": m.score,
         "reason": m.explanation.headline(), "explanation": m.explanation.to_dict()}
        for m in matches
    ]


def names_by_profile_id(session: Session, external_ids: Sequence[str]) -> dict[str, str]:
    """Names of the companies behind engine results (their profile ids)."""
    query = select(Company.external_id, Company.name).where(Company.external_id.in_(external_ids))
    return dict(session.execute(query).all())


def text_embedder(settings: Settings) -> Callable[[Sequence[str]], np.ndarray]:
    """The engine's encoder as a plain function, for grouping texts by meaning (supply gaps)."""
    return load_encoder(settings.model, offline=settings.model_offline).encode
