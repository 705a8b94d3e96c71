"""Scope checks: who may see or act on which hub, company and pair.

Everything that reads or writes on behalf of a user passes through here, so the rules
live in one place: an admin sees all hubs; a coordinator sees their own hub only; a
company member sees their own (active) company and the pairs it is part of.
Out-of-scope objects raise NotFound, so a probe cannot tell them from missing ones;
a role that may never use a feature gets Forbidden.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from models import Company, Introduction, Match, User
from services.errors import Forbidden, NotFound

Side = Literal["manufacturer", "supplier"]


def is_admin(user: User | None) -> bool:
    """True for an active admin."""
    return user is not None and user.active and user.role == "admin"


def is_staff(user: User | None) -> bool:
    """Admins and coordinators run hubs; members do not."""
    return user is not None and user.active and user.role in ("admin", "coordinator")


def require_admin(user: User) -> None:
    """Admin-only features (all hubs, the global audit log)."""
    if not is_admin(user):
        raise Forbidden("access.admin_only")


def require_staff(user: User) -> None:
    """Coordinator or admin features."""
    if not is_staff(user):
        raise Forbidden("access.coordinators_only")


def can_see_hub(user: User | None, hub_key: str) -> bool:
    """An admin sees every hub, a coordinator their own."""
    if is_admin(user):
        return True
    return bool(user and user.active and user.role == "coordinator" and user.hub_key == hub_key)


def require_hub(user: User, hub_key: str) -> None:
    """Raise unless the user runs this hub (members: Forbidden, other hubs: NotFound)."""
    require_staff(user)
    if not can_see_hub(user, hub_key):
        raise NotFound("hub.not_found")


def member_company_id(user: User | None) -> int | None:
    """The company a member acts for, only while that company is active."""
    if user is None or not user.active or user.role != "member" or user.company_id is None:
        return None
    company = user.company
    if company is None or company.status != "active":
        return None
    return company.id


def can_view_company(user: User | None, company: Company) -> bool:
    """Staff of the company's hub, or a member of the company itself."""
    if user is None:
        return False
    if can_see_hub(user, company.hub_key):
        return True
    return user.role == "member" and user.company_id == company.id


@dataclass(frozen=True)
class Disclosure:
    """Which private fields of a company a reader may see: contact details, confidential notes."""

    contact: bool = False
    confidential: bool = False


NOTHING = Disclosure()
EVERYTHING = Disclosure(contact=True, confidential=True)


def company_disclosure(user: User | None, company: Company) -> Disclosure:
    """Contact details for staff of the company's hub and the company itself; confidential notes for itself only.

    Coordinators run the hub and need to reach its companies, but a company's confidential notes
    are for the partners it accepted (see `partner_disclosure`), never for staff.
    """
    own = user is not None and user.role == "member" and user.company_id == company.id
    return Disclosure(contact=own or can_see_hub(user, company.hub_key), confidential=own)


def partner_disclosure(introduction: Introduction | None) -> Disclosure:
    """Double opt-in: the other side of a pair is revealed only once both companies accepted."""
    return EVERYTHING if introduction is not None and introduction.both_accepted else NOTHING


def require_company(user: User, company: Company | None) -> Company:
    """Return the company if in scope, else NotFound (never another company's data)."""
    if company is None or not can_view_company(user, company):
        raise NotFound("company.not_found")
    return company


def match_side(user: User | None, match: Match) -> Side | None:
    """Which side of the pair the member's company is on, if any."""
    company_id = member_company_id(user)
    if company_id is None:
        return None
    if match.manufacturer_id == company_id:
        return "manufacturer"
    if match.supplier_id == company_id:
        return "supplier"
    return None


def can_view_match(user: User | None, match: Match) -> bool:
    """Staff of the pair's hub, or a member of either side."""
    if user is None:
        return False
    return can_see_hub(user, match.hub_key) or match_side(user, match) is not None


def require_match(user: User, match: Match | None) -> Match:
    """Return the pair if in scope, else NotFound."""
    if match is None or not can_view_match(user, match):
        raise NotFound("pair.not_found")
    return match


def require_pipeline_actor(user: User, match: Match | None) -> Match:
    """Only the pair's hub coordinator (or an admin) moves it through the pipeline."""
    match = require_match(user, match)
    if not can_see_hub(user, match.hub_key):
        raise Forbidden("access.coordinators_only")
    return match
