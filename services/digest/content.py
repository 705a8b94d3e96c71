"""What each subscriber reads in the digest, as plain data: nothing confidential ever goes into a mail.

A company member reads its new or improved partner proposals (with the one-line reason) and the
state of its introductions; a coordinator reads the hub's new best pairs, its pipeline moves and
its top unmet needs (the rule of `services.gaps.unmet_needs`, the same as the gaps page).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from config.reference import HUBS
from matcher.types import Explanation
from models import Company, Hub, Introduction, Match, PipelineTransition, User, as_utc
from services.clock import to_local
from services.digest.weeks import week_start
from services.gaps import UNMET_NEED_THRESHOLD, in_hub, unmet_needs
from services.i18n import translator

LIST_LIMIT = 10


@dataclass(frozen=True)
class PartnerItem:
    """A proposed partner of the subscriber's company: public profile data only."""

    match_id: int
    partner_name: str
    partner_summary: str
    hub_name: str
    score: float
    reason: str
    is_new: bool
    url: str
    previous_score: float | None = None  # set when the pair is reported as improved


@dataclass(frozen=True)
class IntroductionItem:
    """Where a double opt-in introduction stands, seen from the subscriber's side."""

    match_id: int
    partner_name: str
    own_response: str
    partner_response: str
    status: str
    both_accepted: bool
    url: str


@dataclass(frozen=True)
class PairItem:
    """A strong new (manufacturer, supplier) pair of a hub."""

    match_id: int
    manufacturer_name: str
    supplier_name: str
    score: float
    reason: str
    is_new: bool
    url: str
    previous_score: float | None = None  # set when the pair is reported as improved


@dataclass(frozen=True)
class TransitionItem:
    """One pipeline move of a pair."""

    match_id: int
    manufacturer_name: str
    supplier_name: str
    from_status: str | None
    to_status: str
    day: date
    url: str


@dataclass(frozen=True)
class UnmetNeedItem:
    """A manufacturer need no supplier answers well yet."""

    company_name: str
    need: str
    best_score: float
    best_match_url: str | None


@dataclass(frozen=True)
class DigestContent:
    """Everything one mail says, as plain data; empty sections are simply not rendered."""

    audience: Literal["member", "coordinator"]
    language: str
    recipient_name: str
    week: str
    period_start: date
    period_end: date
    company_name: str = ""
    hub_name: str = ""
    partners: tuple[PartnerItem, ...] = ()
    introductions: tuple[IntroductionItem, ...] = ()
    best_pairs: tuple[PairItem, ...] = ()
    transitions: tuple[TransitionItem, ...] = ()
    unmet_needs: tuple[UnmetNeedItem, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.partners or self.introductions or self.best_pairs or self.transitions or self.unmet_needs)


def match_url(base_url: str, match_id: int) -> str:
    """The web page of one match (the web layer serves /matches/<id>)."""
    return f"{base_url.rstrip('/')}/matches/{match_id}"


def _reason(match: Match) -> str:
    return Explanation.from_dict(match.explanation or {}).headline()


def _hub_name(session: Session, hub_key: str | None, language: str) -> str:
    if hub_key is None:
        return translator(language).gettext("all hubs")  # an admin's digest covers every hub
    hub = session.get(Hub, hub_key)
    names = (hub.name_ko, hub.name_en) if hub else HUBS.get(hub_key, (hub_key, hub_key))
    return names[0] if language == "ko" else names[1]


def _changed_in(since: datetime, until: datetime, *columns: Any) -> Any:
    return or_(*[(col >= since) & (col < until) for col in columns])


def _member_sections(
    session: Session, company: Company, since: datetime, until: datetime, base_url: str, language: str
) -> tuple[tuple[PartnerItem, ...], tuple[IntroductionItem, ...]]:
    is_manufacturer = company.kind == "manufacturer"
    own_col = Match.manufacturer_id if is_manufacturer else Match.supplier_id
    changed = session.scalars(
        select(Match)
        .where(own_col == company.id, Match.status != "declined")
        .where(_changed_in(since, until, Match.created_at, Match.improved_at))
        .order_by(Match.score.desc(), Match.id)
        .limit(LIST_LIMIT)
    ).all()
    partners = []
    for m in changed:
        other = m.supplier if is_manufacturer else m.manufacturer
        if other.status != "active":  # a pending or rejected company is not proposed to anyone
            continue
        partners.append(
            PartnerItem(
                match_id=m.id,
                partner_name=other.name,
                partner_summary=other.summary or "",
                hub_name=_hub_name(session, other.hub_key, language),
                score=m.score,
                reason=_reason(m),
                is_new=as_utc(m.created_at) >= since,
                url=match_url(base_url, m.id),
                previous_score=None if as_utc(m.created_at) >= since else m.previous_score,
            )
        )
    # Introductions: anything that moved in the period, plus every one still waiting for an answer.
    intros = session.scalars(
        select(Introduction)
        .join(Match, Introduction.match_id == Match.id)
        .where(own_col == company.id)
        .where(
            or_(
                _changed_in(
                    since,
                    until,
                    Introduction.created_at,
                    Introduction.manufacturer_responded_at,
                    Introduction.supplier_responded_at,
                ),
                (Introduction.manufacturer_response == "pending") | (Introduction.supplier_response == "pending"),
            )
        )
        .where(Introduction.manufacturer_response != "declined", Introduction.supplier_response != "declined")
        .order_by(Introduction.created_at.desc(), Introduction.id)
        .limit(LIST_LIMIT)
    ).all()
    introductions = []
    for intro in intros:
        m = intro.match
        other = m.supplier if is_manufacturer else m.manufacturer
        own, theirs = (
            (intro.manufacturer_response, intro.supplier_response)
            if is_manufacturer
            else (intro.supplier_response, intro.manufacturer_response)
        )
        introductions.append(
            IntroductionItem(
                match_id=m.id,
                partner_name=other.name,
                own_response=own,
                partner_response=theirs,
                status=m.status,
                both_accepted=intro.both_accepted,
                url=match_url(base_url, m.id),
            )
        )
    return tuple(partners), tuple(introductions)


def _best_pairs(
    session: Session, hub_key: str | None, since: datetime, until: datetime, base_url: str
) -> tuple[PairItem, ...]:
    rows = session.scalars(
        select(Match)
        .where(in_hub(Match.hub_key, hub_key), Match.status != "declined")
        .where(_changed_in(since, until, Match.created_at, Match.improved_at))
        .order_by(Match.score.desc(), Match.id)
        .limit(5)
    ).all()
    return tuple(
        PairItem(
            match_id=m.id,
            manufacturer_name=m.manufacturer.name,
            supplier_name=m.supplier.name,
            score=m.score,
            reason=_reason(m),
            is_new=as_utc(m.created_at) >= since,
            url=match_url(base_url, m.id),
            previous_score=None if as_utc(m.created_at) >= since else m.previous_score,
        )
        for m in rows
        if m.manufacturer.status == "active" and m.supplier.status == "active"
    )


def _transitions(
    session: Session, hub_key: str | None, since: datetime, until: datetime, base_url: str
) -> tuple[TransitionItem, ...]:
    rows = session.scalars(
        select(PipelineTransition)
        .join(Match, PipelineTransition.match_id == Match.id)
        .where(in_hub(Match.hub_key, hub_key))
        .where(_changed_in(since, until, PipelineTransition.at))
        .order_by(PipelineTransition.at, PipelineTransition.id)
        .limit(20)
    ).all()
    return tuple(
        TransitionItem(
            match_id=tr.match_id,
            manufacturer_name=tr.match.manufacturer.name,
            supplier_name=tr.match.supplier.name,
            from_status=tr.from_status,
            to_status=tr.to_status,
            day=to_local(tr.at).date(),
            url=match_url(base_url, tr.match_id),
        )
        for tr in rows
    )


def top_unmet_needs(
    session: Session, hub_key: str | None, base_url: str, *, threshold: float = UNMET_NEED_THRESHOLD, limit: int = 5
) -> tuple[UnmetNeedItem, ...]:
    """The hub's worst-answered unmet needs (the gaps page's rule), lowest best score first."""
    needs = sorted(
        unmet_needs(session, hub_key, threshold),
        key=lambda n: (n.best_score or 0.0, n.company_name, n.need_index),
    )[:limit]
    return tuple(
        UnmetNeedItem(
            company_name=n.company_name,
            need=n.need,
            best_score=n.best_score or 0.0,
            best_match_url=match_url(base_url, n.best_match_id) if n.best_match_id is not None else None,
        )
        for n in needs
    )


def collect_digest(session: Session, user: User, week: str, since: datetime, base_url: str) -> DigestContent:
    """What `user` should read in the digest of `week`, covering changes from `since` to the week's start."""
    until = as_utc(week_start(week))
    since = as_utc(since)
    language = user.language if user.language in ("ko", "en") else "ko"
    common: dict[str, Any] = dict(
        language=language,
        recipient_name=user.name or user.email.split("@")[0],
        week=week,
        period_start=to_local(since).date(),
        period_end=to_local(until - timedelta(seconds=1)).date(),
    )
    if user.role in ("coordinator", "admin"):
        hub_key = user.hub_key if user.role == "coordinator" else None
        return DigestContent(
            audience="coordinator",
            hub_name=_hub_name(session, hub_key, language),
            best_pairs=_best_pairs(session, hub_key, since, until, base_url),
            transitions=_transitions(session, hub_key, since, until, base_url),
            unmet_needs=top_unmet_needs(session, hub_key, base_url),
            **common,
        )
    company = user.company
    if company is None:
        return DigestContent(audience="member", **common)
    partners, introductions = _member_sections(session, company, since, until, base_url, language)
    return DigestContent(
        audience="member", company_name=company.name, partners=partners, introductions=introductions, **common
    )
