"""Recording notifications: an outbox row per event and recipient, in the transaction of the change itself.

The hooks in services.introductions, services.transitions and services.companies call these before
their commit, so a change and its mails commit together or not at all. Nothing is sent here: once
the rows are committed, the session's owner starts the sender job (`ON_COMMIT`, set by
services.runtime for the web app's sessions); without one the rows wait for the next run.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Company, Match, NotificationOutbox, PipelineTransition, User
from services import auth
from services.commit_hooks import start_after_commit
from services.notifications.preferences import ACCEPTED, ANSWERED, PROPOSED, REGISTRATION, wants

log = logging.getLogger(__name__)

PENDING_FLAG = "dxmatch.notifications_recorded"  # session.info key: this transaction recorded notifications
ON_COMMIT = "dxmatch.on_notifications"  # session.info key: what to call once they are committed


def _members(session: Session, company_id: int) -> list[User]:
    """The active member accounts of a company, the people its mails go to."""
    return list(session.scalars(select(User).where(
        User.company_id == company_id, User.role == "member", User.active.is_(True)).order_by(User.id)))


def _round(session: Session, match: Match) -> int:
    """How many moves the pair has made: with the side, it tells one answer or proposal from a later one
    (a reopened pair is asked again), so each event gets a key of its own."""
    return session.scalar(select(func.count(PipelineTransition.id))
                          .where(PipelineTransition.match_id == match.id)) or 0


def message_id(event_key: str, user_id: int) -> str:
    """Fixed per (event, recipient), so a copy resent after a crash is recognisably the same mail."""
    return f"<notify.{event_key.replace(':', '.')}.u{user_id}@dxmatch>"


def _record(session: Session, kind: str, event_key: str, users: Iterable[User], *, match_id: int | None = None,
            company_id: int | None = None, detail: dict[str, Any] | None = None) -> list[NotificationOutbox]:
    """Add the rows of one event for the users who want `kind` and have one valid address; an event already
    recorded for a user is not recorded again."""
    recorded = set(session.scalars(select(NotificationOutbox.user_id).where(NotificationOutbox.event_key == event_key)))
    rows = []
    for user in users:
        if user.id in recorded or auth.email_problem(user.email) or not wants(session, user.id, kind):
            continue
        rows.append(NotificationOutbox(
            event_key=event_key, kind=kind, user_id=user.id, match_id=match_id, company_id=company_id,
            detail=dict(detail or {}), message_id=message_id(event_key, user.id), recipient=user.email))
    if rows:
        session.add_all(rows)
        session.info[PENDING_FLAG] = True
    return rows


def introduction_proposed(session: Session, match: Match) -> list[NotificationOutbox]:
    """The pair became `introduced`: the members of both companies are asked to answer (on a reopened pair,
    only a company that has not accepted already)."""
    key = f"{PROPOSED}:{match.id}:{_round(session, match)}"
    intro = match.introduction
    users = [user for side, company_id in (("manufacturer", match.manufacturer_id), ("supplier", match.supplier_id))
             if intro is None or getattr(intro, f"{side}_response") != "accepted"
             for user in _members(session, company_id)]
    return _record(session, PROPOSED, key, users, match_id=match.id)


def introduction_answered(session: Session, match: Match, side: str, answer: str,
                          both_accepted: bool) -> list[NotificationOutbox]:
    """One side answered: the other side is told; when that answer completes the double opt-in, both sides are
    told to open the site instead (the mail itself never carries contact details)."""
    serial = _round(session, match)
    if both_accepted:
        users = _members(session, match.manufacturer_id) + _members(session, match.supplier_id)
        return _record(session, ACCEPTED, f"{ACCEPTED}:{match.id}:{serial}", users, match_id=match.id)
    other = match.supplier_id if side == "manufacturer" else match.manufacturer_id
    return _record(session, ANSWERED, f"{ANSWERED}:{match.id}:{side}:{serial}", _members(session, other),
                   match_id=match.id, detail={"side": side, "answer": answer})


def registration_decided(session: Session, company: Company, reason: str | None) -> list[NotificationOutbox]:
    """A coordinator approved or rejected a registration: its members are told, a rejection with its reason
    (one of services.companies.REJECT_REASONS; the coordinator's free note stays in the audit log)."""
    detail = {"status": company.status, "reason": reason if company.status == "rejected" else None}
    return _record(session, REGISTRATION, f"{REGISTRATION}:{company.id}:{company.status}",
                   _members(session, company.id), company_id=company.id, detail=detail)


start_after_commit(PENDING_FLAG, ON_COMMIT, log,
                   "could not start the notification sender; the mails stay pending")
