"""The pipeline of a proposed pair: proposed → introduced → meeting → contract, or declined.

Every move is stored as a PipelineTransition (from, to, actor, UTC time) and audited.
Moving a pair to `introduced` opens its double opt-in Introduction.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from models import PIPELINE_STATES, Company, Match, PipelineTransition, User
from services import access, audit, index_builder, introductions
from services.transitions import DECLINE_REASONS, record_transition
from services.errors import Conflict, NotFound, ValidationFailed
from services.paging import Page, clamp

OPEN_STATES: tuple[str, ...] = ("proposed", "introduced", "meeting")
NEXT_STATE: dict[str, str] = {"proposed": "introduced", "introduced": "meeting", "meeting": "contract"}
REOPEN = "reopen"  # not a state: a declined pair goes back to where it was declined from


def allowed_moves(pair: Match | str) -> tuple[str, ...]:
    """The moves a pair may make now: the next state and declined from an open state, reopen from declined.

    Given the pair (not only its state), a move to meeting or contract is offered only once both
    companies accepted the introduction, so the pages never offer a move the service refuses.
    """
    status = pair if isinstance(pair, str) else pair.status
    if status == "declined":
        return (REOPEN,)
    if status not in OPEN_STATES:
        return ()
    following = NEXT_STATE[status]
    if not isinstance(pair, str) and following in ("meeting", "contract") and not (
            pair.introduction and pair.introduction.both_accepted):
        return ("declined",)
    return (following, "declined")


@dataclass(frozen=True)
class PairFilters:
    """What a coordinator narrows the stored pairs (Match rows) by; the engine's own are matcher.types.MatchFilters."""

    industry: str | None = None  # the manufacturer's industry key
    certification: str | None = None  # held by the supplier
    language: str | None = None  # the supplier's working language
    min_score: float | None = None  # 0..1
    status: str | None = None
    company_id: int | None = None  # either side of the pair (a company's page)
    sort: str = "score"  # one of PAIR_SORTS: the list's order, shared by the page and its export


PAIR_SORTS: tuple[str, ...] = ("score", "date", "company")  # best first, last changed first, manufacturer A-Z


def pair_sort(value: str | None) -> str:
    """A `?sort=` value as a known pair order; anything else is the default (best first)."""
    return value if value in PAIR_SORTS else PAIR_SORTS[0]


# Both companies and the introduction are to-one: joined into the pairs' own query, one round trip where
# three more SELECT ... IN queries each cost a statement to build, send and load (the API's page: 37% less CPU).
def _matches_query():
    return select(Match).options(
        joinedload(Match.manufacturer), joinedload(Match.supplier), joinedload(Match.introduction)
    )


# What lists show of each side (names, badges, the API's party): long texts and profile lists stay in the database.
PARTY_COLUMNS = (Company.id, Company.external_id, Company.kind, Company.name, Company.hub_key, Company.language,
                 Company.industry, Company.summary, Company.certifications, Company.status)


def _list_query():
    return select(Match).options(
        joinedload(Match.manufacturer).load_only(*PARTY_COLUMNS),
        joinedload(Match.supplier).load_only(*PARTY_COLUMNS),
        joinedload(Match.introduction),
    )


def _held(certifications: list[str] | None, wanted: str) -> bool:
    """Whether a supplier holds a certification (spaces and case ignored)."""
    wanted = wanted.strip().casefold()
    return wanted in {c.strip().casefold() for c in (certifications or [])}


def _conditions(session: Session, actor: User, hub_key: str | None, filters: PairFilters | None) -> list | None:
    """WHERE clauses on Match for the pairs the actor may see that pass the filters (None: nothing to see).

    Every filter runs in the database; certifications, a JSON list compared without case, are
    matched in Python over the distinct suppliers of the scope (far fewer than pairs).
    """
    if hub_key is not None:
        access.require_hub(actor, hub_key)
        conditions = [Match.hub_key == hub_key]
    elif access.is_admin(actor):
        conditions = []
    elif access.is_staff(actor):
        conditions = [Match.hub_key == actor.hub_key]
    else:
        company_id = access.member_company_id(actor)
        if company_id is None:
            return None
        conditions = [or_(Match.manufacturer_id == company_id, Match.supplier_id == company_id)]
    filters = filters or PairFilters()
    if filters.status:
        conditions.append(Match.status == filters.status)
    if filters.company_id is not None:
        conditions.append(or_(Match.manufacturer_id == filters.company_id, Match.supplier_id == filters.company_id))
    if filters.min_score is not None:
        conditions.append(Match.score >= filters.min_score)
    if filters.industry:
        conditions.append(Match.manufacturer.has(Company.industry == filters.industry))
    if filters.language:
        conditions.append(Match.supplier.has(Company.language == filters.language))
    if filters.certification:
        suppliers = session.execute(select(Company.id, Company.certifications).where(
            Company.id.in_(select(Match.supplier_id).where(*conditions).distinct().scalar_subquery())))
        holders = [cid for cid, certs in suppliers if _held(certs, filters.certification)]
        conditions.append(Match.supplier_id.in_(holders))
    return conditions


def _sorted(query: Select, sort: str) -> tuple[Select, list]:
    """`query` with the joins one of PAIR_SORTS needs, and its ORDER BY columns (names sorted by the database)."""
    if sort == "date":
        return query, [Match.updated_at.desc(), Match.id.desc()]
    if sort == "company":
        maker, supplier = aliased(Company), aliased(Company)
        query = query.join(maker, maker.id == Match.manufacturer_id).join(supplier, supplier.id == Match.supplier_id)
        return query, [maker.name, supplier.name, Match.id]
    return query, [Match.score.desc(), Match.id]


def _ordered(conditions: list, sort: str) -> Select:
    """The listed pairs in one of PAIR_SORTS: one query, no per-row reads."""
    query, order = _sorted(_list_query().where(*conditions), sort)
    return query.order_by(*order)


def list_matches(
    session: Session,
    actor: User,
    *,
    hub_key: str | None = None,
    filters: PairFilters | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Match]:
    """The pairs the actor may see, best first: a hub's pairs for staff, their own pairs for a member."""
    conditions = _conditions(session, actor, hub_key, filters)
    if conditions is None:
        return []
    return list(session.scalars(_ordered(conditions, (filters or PairFilters()).sort).limit(limit).offset(offset)))


def page_matches(
    session: Session,
    actor: User,
    *,
    hub_key: str | None = None,
    filters: PairFilters | None = None,
    page: int = 1,
    size: int = 25,
    total: int | None = None,
) -> Page[Match]:
    """One page of `list_matches`, with the number of pairs in the whole list (`total`: counted already)."""
    conditions = _conditions(session, actor, hub_key, filters)
    if conditions is None:
        return Page([], 1, size, 0)
    if total is None:
        total = session.scalar(select(func.count()).select_from(Match).where(*conditions)) or 0
    number = clamp(page, size, total)
    query = _ordered(conditions, (filters or PairFilters()).sort)
    rows = session.scalars(query.limit(size).offset((number - 1) * size)) if total else []
    return Page(list(rows), number, size, total)


def get_match(session: Session, actor: User, match_id: int, *, hub_key: str | None = None) -> Match:
    """One pair in scope, with both companies loaded; with `hub_key`, only as staff of that hub."""
    if hub_key is not None:
        access.require_hub(actor, hub_key)
    match = access.require_match(actor, session.scalar(_matches_query().where(Match.id == match_id)))
    if hub_key is not None and match.hub_key != hub_key:
        raise NotFound("pair.not_found")
    return match


BOARD_PAGE = 20  # cards per pipeline column and page


def board(session: Session, actor: User, hub_key: str, pages: dict[str, int] | None = None,
          sort: str = "score") -> dict[str, Page[Match]]:
    """The hub's pairs by pipeline column, in `sort` order (PAIR_SORTS) in each, one page of cards per column.

    One COUNT for every column and one page query for all of them: each pair's place in its column
    (ROW_NUMBER over the state) picks the rows of every column's own page at once.
    """
    access.require_hub(actor, hub_key)
    pages = pages or {}
    counts = dict(session.execute(select(Match.status, func.count()).where(Match.hub_key == hub_key)
                                  .group_by(Match.status)).all())
    numbers = {state: clamp(pages.get(state, 1), BOARD_PAGE, counts.get(state, 0)) for state in PIPELINE_STATES}
    placed, order = _sorted(select(Match.id, Match.status).where(Match.hub_key == hub_key), sort)
    place = placed.add_columns(func.row_number().over(partition_by=Match.status, order_by=order).label("place")).subquery()
    shown = [and_(place.c.status == state, place.c.place > (number - 1) * BOARD_PAGE, place.c.place <= number * BOARD_PAGE)
             for state, number in numbers.items() if counts.get(state)]
    rows = session.scalars(_list_query().join(place, place.c.id == Match.id).where(or_(*shown))
                           .order_by(place.c.status, place.c.place)) if shown else []
    cards: dict[str, list[Match]] = {state: [] for state in PIPELINE_STATES}
    for match in rows:
        cards[match.status].append(match)
    return {state: Page(cards[state], numbers[state], BOARD_PAGE, counts.get(state, 0)) for state in PIPELINE_STATES}


def history(session: Session, actor: User, match_id: int, *, hub_key: str | None = None) -> list[PipelineTransition]:
    """Every move of a pair, oldest first."""
    return _transitions(session, get_match(session, actor, match_id, hub_key=hub_key))


def match_with_history(session: Session, actor: User, match_id: int, *,
                       hub_key: str | None = None) -> tuple[Match, list[PipelineTransition]]:
    """A pair in scope and its moves, oldest first (the pair page: the pair is loaded once)."""
    match = get_match(session, actor, match_id, hub_key=hub_key)
    return match, _transitions(session, match)


def _transitions(session: Session, match: Match) -> list[PipelineTransition]:
    return list(
        session.scalars(
            select(PipelineTransition)
            .options(selectinload(PipelineTransition.actor))
            .where(PipelineTransition.match_id == match.id)
            .order_by(PipelineTransition.at, PipelineTransition.id)
        )
    )


def move(
    session: Session, actor: User, match_id: int, to_status: str, *, note: str | None = None, hub_key: str | None = None,
    reason: str | None = None,
) -> Match:
    """Move a pair one step on, to declined (with a reason from DECLINE_REASONS) or back from declined (`REOPEN`).

    Opens the introduction when the pair becomes `introduced`. Reopening returns the pair to the state it was
    declined from, its history kept; a company's declined answer goes back to pending, so both are asked again.
    """
    match = session.scalar(_matches_query().where(Match.id == match_id))
    match = access.require_pipeline_actor(actor, match)
    if hub_key is not None and match.hub_key != hub_key:
        raise NotFound("pair.not_found")
    if to_status not in (*PIPELINE_STATES, REOPEN):
        raise ValidationFailed("pipeline.unknown_state", errors=[{"field": "to", "reason": "unknown state"}])
    if to_status not in allowed_moves(match.status):
        raise Conflict("pipeline.move_not_allowed", from_status=match.status, to_status=to_status)
    if to_status in ("meeting", "contract") and not (match.introduction and match.introduction.both_accepted):
        raise Conflict("pipeline.needs_both_accepts")
    if to_status == "declined" and reason not in DECLINE_REASONS:
        raise ValidationFailed("pipeline.reason_required", errors=[{"field": "reason", "reason": "required"}])
    note = (note or "").strip()[:2000] or None
    if to_status == REOPEN:
        reopen(session, actor, match, note)
    else:
        record_transition(session, actor, match, to_status, note, reason if to_status == "declined" else None)
    if match.status == "introduced":
        introductions.open_introduction(session, match)
    session.commit()
    return match


def reopen(session: Session, actor: User, match: Match, note: str | None) -> None:
    """A declined pair back to the state it was declined from, history kept; declined answers back to pending.

    The caller has checked the actor and commits (a coordinator's move, or proposing a declined pair again).
    """
    record_transition(session, actor, match, _declined_from(session, match), note)
    if match.introduction is not None:
        for side in ("manufacturer", "supplier"):
            if getattr(match.introduction, f"{side}_response") == "declined":
                setattr(match.introduction, f"{side}_response", "pending")
                setattr(match.introduction, f"{side}_responded_at", None)


def _declined_from(session: Session, match: Match) -> str:
    """The open state a declined pair was in before its last decline (proposed when unknown)."""
    before = session.scalar(select(PipelineTransition.from_status).where(
        PipelineTransition.match_id == match.id, PipelineTransition.to_status == "declined",
    ).order_by(PipelineTransition.at.desc(), PipelineTransition.id.desc()).limit(1))
    return before if before in OPEN_STATES else "proposed"


def recompute(session: Session, actor: User, hub_key: str) -> None:
    """Ask for every pair to be recomputed (coordinator button); the matching job does it in the background."""
    access.require_hub(actor, hub_key)
    index_builder.request_rebuild(session, "recompute")
    audit.record(session, actor, "matches.recompute", hub_key=hub_key)
    session.commit()
