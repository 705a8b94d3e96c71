"""Coordinator tools around one pair: propose it by hand, or ask why the engine did not.

A coordinator knows things the engine does not (a phone call, a trade fair). They pick a
manufacturer of their hub and any active supplier (suppliers come from every hub, as in the
engine's own proposals), see the engine's score and explanation of exactly that pair, and
confirm: the pair enters the pipeline as "proposed" (a declined one is reopened), audited, and a
recompute keeps it (services.matching keeps pairs someone acted on). The same review answers
"why was X not proposed?": each rule that kept the pair out is named, with its numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.engine import Matcher
from matcher.types import Explanation
from models import Company, Match, PipelineTransition, User
from services import access, audit, capacity, matching, pipeline
from services.errors import Conflict, NotFound

# Why the engine would not propose a pair now, in the order the engine applies them.
OBSTACLES: tuple[str, ...] = ("inactive", "not_indexed", "certification", "declined", "below_minimum", "at_capacity",
                              "outranked")


@dataclass(frozen=True)
class Choice:
    """A company in the pickers: enough to name it."""

    id: int
    name: str
    hub_key: str


@dataclass(frozen=True)
class Obstacle:
    """One rule that keeps a pair out of the proposals: its code (OBSTACLES) and the numbers it names."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PairReview:
    """The engine's view of one pair, whether or not it was ever proposed."""

    manufacturer: Company
    supplier: Company
    score: float | None  # the engine's shown score (0..1); None when a side is not in the index
    explanation: Explanation | None
    existing: Match | None  # the pair's row when it is (or was) in the pipeline
    obstacles: tuple[Obstacle, ...]

    @property
    def proposable(self) -> bool:
        """Whether a coordinator may propose it now: both active and indexed, not already an open pair."""
        blocking = {"inactive", "not_indexed"}
        open_pair = self.existing is not None and self.existing.status != "declined"
        return not open_pair and not any(o.code in blocking for o in self.obstacles)


def choices(session: Session, actor: User, hub_key: str) -> tuple[list[Choice], list[Choice]]:
    """The pickers: the hub's active manufacturers, and active suppliers of every hub, by name (two queries)."""
    access.require_hub(actor, hub_key)
    columns = (Company.id, Company.name, Company.hub_key)
    makers = session.execute(select(*columns).where(
        Company.kind == "manufacturer", Company.hub_key == hub_key, Company.status == "active").order_by(Company.name))
    suppliers = session.execute(select(*columns).where(
        Company.kind == "supplier", Company.status == "active").order_by(Company.name, Company.id))
    return [Choice(*row) for row in makers], [Choice(*row) for row in suppliers]


def manufacturer_of(session: Session, actor: User, hub_key: str, company_id: int) -> Company:
    """A manufacturer of the hub the actor runs (NotFound for any other company)."""
    access.require_hub(actor, hub_key)
    manufacturer = session.get(Company, company_id)
    if manufacturer is None or manufacturer.kind != "manufacturer" or manufacturer.hub_key != hub_key:
        raise NotFound("company.not_found")
    return manufacturer


def _pair_companies(session: Session, actor: User, hub_key: str, manufacturer_id: int,
                    supplier_id: int) -> tuple[Company, Company]:
    """The manufacturer (of this hub) and the supplier (active, or of this hub); NotFound otherwise."""
    manufacturer, supplier = manufacturer_of(session, actor, hub_key, manufacturer_id), session.get(Company, supplier_id)
    if supplier is None or supplier.kind != "supplier" or (supplier.status != "active" and supplier.hub_key != hub_key):
        raise NotFound("company.not_found")  # another hub's registrations stay that hub's business
    return manufacturer, supplier


def review_pair(session: Session, actor: User, hub_key: str, manufacturer_id: int, supplier_id: int, *,
                matcher: Callable[[], Matcher]) -> PairReview:
    """The engine's score and explanation of one pair, and every rule that keeps it out of the proposals.

    `matcher` gives the current engine; it is asked for only after the access check.
    """
    manufacturer, supplier = _pair_companies(session, actor, hub_key, manufacturer_id, supplier_id)
    existing = session.scalar(select(Match).where(Match.manufacturer_id == manufacturer.id,
                                                  Match.supplier_id == supplier.id))
    obstacles: list[Obstacle] = []
    inactive = [c for c in (manufacturer, supplier) if c.status != "active"]
    if inactive:
        obstacles.append(Obstacle("inactive", {"names": ", ".join(c.name for c in inactive)}))
    engine = matcher()
    m_profile, s_profile = engine.profiles.get(manufacturer.external_id), engine.profiles.get(supplier.external_id)
    score = explanation = None
    if m_profile is None or s_profile is None:
        if not inactive:
            obstacles.append(Obstacle("not_indexed"))
    else:
        score, explanation = matching.explain_pair(engine, m_profile.id, s_profile.id)
        if m_profile.requires_security_certification and not s_profile.is_security_certified:
            obstacles.append(Obstacle("certification"))
    if existing is not None and existing.status == "declined":
        obstacles.append(Obstacle("declined", {"reason": _last_decline_reason(session, existing)}))
    if score is not None and m_profile is not None and not obstacles:
        minimum = matching.minimum_score(engine)
        if score < minimum:
            obstacles.append(Obstacle("below_minimum", {"score": _pct(score), "minimum": _pct(minimum)}))
        elif supplier.id in capacity.suppliers_at_capacity(session):  # proposed below suppliers with room
            obstacles.append(Obstacle("at_capacity", {"capacity": supplier.monthly_capacity or 0}))
        else:
            proposed = engine.match(m_profile.id, top=matching.PROPOSALS_PER_MANUFACTURER,
                                    filters=matching.proposal_filters(engine, m_profile))
            if proposed and supplier.external_id not in {p.partner_id for p in proposed}:
                obstacles.append(Obstacle("outranked", {"top": len(proposed), "last": _pct(proposed[-1].score),
                                                        "score": _pct(score)}))
    return PairReview(manufacturer, supplier, score, explanation, existing, tuple(obstacles))


def _pct(value: float) -> int:
    return round(value * 100)


def _last_decline_reason(session: Session, match: Match) -> str | None:
    return session.scalar(select(PipelineTransition.reason).where(
        PipelineTransition.match_id == match.id, PipelineTransition.to_status == "declined",
    ).order_by(PipelineTransition.at.desc(), PipelineTransition.id.desc()).limit(1))


def propose_pair(session: Session, actor: User, hub_key: str, manufacturer_id: int, supplier_id: int, *,
                 matcher: Callable[[], Matcher], note: str | None = None) -> tuple[Match, bool]:
    """Put a pair into the pipeline by hand: a new pair as "proposed", a declined one reopened; audited.

    Returns the pair and whether it changed (False: it was already an open pair, left as it is).
    Raises Conflict when a company is not active or not in the engine's index yet (the page offers no
    button then; the review it shows names the reason).
    """
    review = review_pair(session, actor, hub_key, manufacturer_id, supplier_id, matcher=matcher)
    if {"inactive", "not_indexed"} & {o.code for o in review.obstacles} or review.score is None \
            or review.explanation is None:
        raise Conflict("pipeline.move_not_allowed")
    note = (note or "").strip()[:2000] or None
    match = review.existing
    if match is not None and match.status != "declined":
        return match, False
    if match is None:
        match = Match(manufacturer_id=review.manufacturer.id, supplier_id=review.supplier.id, hub_key=hub_key,
                      status="proposed", rank=0, score=review.score, explanation=review.explanation.to_dict())
        session.add(match)
        session.flush()
        session.add(PipelineTransition(match_id=match.id, from_status=None, to_status="proposed", actor_id=actor.id,
                                       note=note))
    else:
        match.score, match.explanation = review.score, review.explanation.to_dict()
        pipeline.reopen(session, actor, match, note)
    audit.record(session, actor, "pair.propose", hub_key=hub_key, company_id=review.manufacturer.id,
                 match_id=match.id, from_status=None if review.existing is None else "declined", to_status=match.status,
                 score=_pct(review.score))
    session.commit()
    return match, True
