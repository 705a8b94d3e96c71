"""One move of a pair through the pipeline, stored and audited: the step shared by coordinators' moves
(services.pipeline) and a company declining its introduction (services.introductions)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models import Match, PipelineTransition, User
from services import audit, capacity, index_builder
from services.notifications import events as notifications

DECLINE_REASONS: tuple[str, ...] = ("not_a_fit", "no_capacity", "security", "withdrew", "other")  # why a pair ends


def record_transition(session: Session, actor: User | None, match: Match, to_status: str, note: str | None,
                      reason: str | None = None) -> None:
    """Store and audit one move (shared by coordinator moves and a side declining an introduction)."""
    from_status = match.status
    match.status = to_status
    session.add(PipelineTransition(match_id=match.id, from_status=from_status, to_status=to_status,
                                   actor_id=actor.id if actor else None, note=note, reason=reason))
    audit.record(
        session, actor, "pipeline.move", hub_key=match.hub_key, company_id=match.manufacturer_id, match_id=match.id,
        from_status=from_status, to_status=to_status,
    )
    if to_status == "introduced":  # both companies are asked to answer: mailed after the commit
        notifications.introduction_proposed(session, match)
        if capacity.reached_capacity(session, match.supplier_id):  # it moves down in proposals now, not later
            index_builder.record_change(session, [match.supplier.external_id], "supplier at capacity")
