"""Internal notes of hub staff on a pair: read and written by the pair's hub coordinators and admins only,
audited, never shown to the two companies and never put in a mail."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import Match, PairNote, User
from services import access, audit
from services.errors import NotFound, ValidationFailed

MAX_NOTE = 4000  # characters of one note


def _staff_pair(session: Session, actor: User, match_id: int, hub_key: str) -> Match:
    access.require_hub(actor, hub_key)
    match = access.require_pipeline_actor(actor, session.get(Match, match_id))
    if match.hub_key != hub_key:
        raise NotFound("pair.not_found")
    return match


def list_notes(session: Session, actor: User, match_id: int, hub_key: str) -> list[PairNote]:
    """The pair's notes, oldest first (hub staff only)."""
    _staff_pair(session, actor, match_id, hub_key)
    return list(session.scalars(select(PairNote).options(selectinload(PairNote.author))
                                .where(PairNote.match_id == match_id).order_by(PairNote.at, PairNote.id)))


def add_note(session: Session, actor: User, match_id: int, hub_key: str, body: str) -> PairNote:
    """Store and audit one note; an empty or over-long note is refused."""
    match = _staff_pair(session, actor, match_id, hub_key)
    text = (body or "").strip()
    if not text or len(text) > MAX_NOTE:
        raise ValidationFailed("note.bad_length",
                               errors=[{"field": "body", "reason": "length"}])
    note = PairNote(match_id=match.id, author_id=actor.id, body=text)
    session.add(note)
    audit.record(session, actor, "pair.note", hub_key=match.hub_key, company_id=match.manufacturer_id, match_id=match.id)
    session.commit()
    return note
