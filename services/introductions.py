"""Double opt-in introductions and the guarded reveal of confidential data.

A coordinator moving a pair to `introduced` opens an Introduction; each side accepts or
declines. The other side's contact details and confidential notes are revealed ONLY
when both accepted, and every reveal writes an audit row `confidential.view`.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from models import Introduction, Match, User, utcnow
from services import access, audit
from services.companies import CompanyView, company_view
from services.notifications import events as notifications
from services.transitions import DECLINE_REASONS, record_transition
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed

ANSWERS = ("accepted", "declined")


def open_introduction(session: Session, match: Match) -> Introduction:
    """Create the pair's introduction (idempotent); both answers start as pending."""
    if match.introduction is None:
        match.introduction = Introduction(match_id=match.id)
        session.add(match.introduction)
        session.flush()
    return match.introduction


@dataclass(frozen=True)
class PartnerView:
    """What a member sees of the other side of a pair; `partner` holds its private fields only once revealed."""

    match: Match
    side: str  # the viewer's side: manufacturer | supplier
    partner: CompanyView
    introduction: Introduction | None

    @property
    def revealed(self) -> bool:
        return self.partner.disclosure.contact

    @property
    def contact_email(self) -> str | None:
        return self.partner.contact_email

    @property
    def website(self) -> str | None:
        return self.partner.website

    @property
    def confidential_notes(self) -> str | None:
        return self.partner.confidential_notes

    @property
    def my_response(self) -> str | None:
        if self.introduction is None:
            return None
        return getattr(self.introduction, f"{self.side}_response")

    @property
    def partner_response(self) -> str | None:
        if self.introduction is None:
            return None
        other = "supplier" if self.side == "manufacturer" else "manufacturer"
        return getattr(self.introduction, f"{other}_response")

    @property
    def can_respond(self) -> bool:
        return self.my_response == "pending" and self.match.status in ("introduced", "meeting", "contract")


def _member_match(session: Session, actor: User, match_id: int) -> tuple[Match, str]:
    match = session.get(Match, match_id)
    match = access.require_match(actor, match)
    side = access.match_side(actor, match)
    if side is None:
        raise Forbidden("introduction.not_a_party")
    return match, side


def partner_view(session: Session, actor: User, match_id: int) -> PartnerView:
    """The other side of a member's pair; reveals (and audits) confidential data only after both accepted."""
    match, side = _member_match(session, actor, match_id)
    partner = match.supplier if side == "manufacturer" else match.manufacturer
    intro = match.introduction
    disclosure = access.partner_disclosure(intro)
    if disclosure.contact or disclosure.confidential:
        audit.record(
            session, actor, "confidential.view", hub_key=match.hub_key, company_id=partner.id, match_id=match.id,
            viewer_company_id=actor.company_id, side=side,
        )
        session.commit()
    return PartnerView(match=match, side=side, partner=company_view(partner, disclosure), introduction=intro)


def respond(session: Session, actor: User, match_id: int, answer: str, *, reason: str | None = None,
            note: str | None = None) -> Introduction:
    """A side's answer to an introduction (final); a decline also declines the pair, with the side's reason
    (one of DECLINE_REASONS) and note on the pair's history for the hub's coordinators."""
    if answer not in ANSWERS:
        raise ValidationFailed("introduction.bad_answer", errors=[{"field": "answer", "reason": "accepted or declined"}])
    if reason is not None and reason not in DECLINE_REASONS:
        raise ValidationFailed("introduction.reason_required", errors=[{"field": "reason", "reason": "unknown"}])
    match, side = _member_match(session, actor, match_id)
    intro = match.introduction
    if intro is None:
        raise NotFound("introduction.not_found")
    if match.status == "declined":
        raise Conflict("introduction.pair_closed")
    if getattr(intro, f"{side}_response") != "pending":
        raise Conflict("introduction.already_answered")
    setattr(intro, f"{side}_response", answer)
    setattr(intro, f"{side}_responded_at", utcnow())
    audit.record(
        session, actor, f"introduction.{'accept' if answer == 'accepted' else 'decline'}", hub_key=match.hub_key,
        company_id=actor.company_id, match_id=match.id, side=side,
    )
    notifications.introduction_answered(session, match, side, answer, intro.both_accepted)  # mailed after the commit
    if answer == "declined" and match.status in ("proposed", "introduced", "meeting"):
        said = (note or "").strip()[:2000]
        record_transition(session, actor, match, "declined", f"declined by the {side}" + (f": {said}" if said else ""),
                          reason if answer == "declined" else None)
    session.commit()
    return intro
