"""Which notification mails a user wants: one switch per kind, on unless the user turned it off."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import NotificationSetting, User, utcnow
from services import audit
from services.errors import ValidationFailed
from services.i18n import N_

PROPOSED = "introduction_proposed"
ANSWERED = "introduction_answered"
ACCEPTED = "introduction_accepted"
REGISTRATION = "registration_decided"
KINDS: tuple[str, ...] = (PROPOSED, ANSWERED, ACCEPTED, REGISTRATION)
# What each switch is about, as the account page and the unsubscribe page name it.
KIND_LABELS: dict[str, str] = {
    PROPOSED: N_("An introduction is proposed to my company"),
    ANSWERED: N_("The other company answers an introduction"),
    ACCEPTED: N_("Both companies accept an introduction"),
    REGISTRATION: N_("My company's registration is approved or rejected"),
}


def switches(session: Session, user_id: int) -> dict[str, bool]:
    """Every kind with whether the user gets it (no row: on)."""
    rows = session.scalars(select(NotificationSetting).where(NotificationSetting.user_id == user_id))
    chosen = {row.kind: row.enabled for row in rows}
    return {kind: chosen.get(kind, True) for kind in KINDS}


def wants(session: Session, user_id: int, kind: str) -> bool:
    """Whether the user gets mails of `kind` now (checked when recorded and again when sent)."""
    return switches(session, user_id).get(kind, False)


def _set(session: Session, user_id: int, kind: str, enabled: bool) -> bool:
    """Store one switch; True when it changed."""
    row = session.scalar(select(NotificationSetting).where(
        NotificationSetting.user_id == user_id, NotificationSetting.kind == kind))
    if row is None:
        if enabled:
            return False  # on is the default: no row needed
        session.add(NotificationSetting(user_id=user_id, kind=kind, enabled=False))
        return True
    if row.enabled == enabled:
        return False
    row.enabled, row.updated_at = enabled, utcnow()
    return True


def save_switches(session: Session, user: User, enabled: Iterable[str]) -> dict[str, bool]:
    """The account page's form: the kinds in `enabled` on, every other kind off; audited when anything changed."""
    wanted = set(enabled)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValidationFailed("request.invalid", errors=[{"field": "kind", "reason": "unknown"}])
    changed = [kind for kind in KINDS if _set(session, user.id, kind, kind in wanted)]
    if changed:
        audit.record(session, user, "notifications.settings", hub_key=user.hub_key, company_id=user.company_id,
                     on=sorted(wanted), off=sorted(set(KINDS) - wanted))
    session.commit()
    return switches(session, user.id)


def link_holder(session: Session, user_id: int) -> User | None:
    """The account an unsubscribe link names (None once it is deleted)."""
    return session.get(User, user_id)


def turn_off(session: Session, user_id: int, kind: str) -> User | None:
    """One kind off for one user (idempotent): an unsubscribe link, which needs no login; None if the account is gone."""
    user = session.get(User, user_id)
    if user is None or kind not in KINDS:
        return None
    if _set(session, user_id, kind, False):
        audit.record(session, user, "notifications.unsubscribe", hub_key=user.hub_key, company_id=user.company_id,
                     kind=kind)
    session.commit()
    return user
