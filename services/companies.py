"""Company accounts: self-registration, the coordinator's approval, and editing one's own profile.

Profiles are validated exactly like a bulk import (services.profiles.validate_profile), so a
field that an import would reject is rejected here too, with the same field/reason pairs.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from models import Company, User
from services import access, audit, auth, index_builder, profiles
from services.errors import Forbidden, NotFound, ValidationFailed
from services.notifications import events as notifications
from services.paging import Page, clamp

# Fields a member may not change through the profile form: identity and hub membership.
FIXED_FIELDS: tuple[str, ...] = ("id", "kind", "hub")
DECISIONS = {"approve": "active", "reject": "rejected"}
REJECT_REASONS: tuple[str, ...] = ("incomplete", "outside_region", "duplicate", "not_eligible", "other")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values so a blank form field means 'not given'."""
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def register_company(
    session: Session, data: dict[str, Any], *, email: str, password: str, name: str = "", language: str = "ko"
) -> tuple[Company, User]:
    """Create a pending company and its first member; the hub's coordinator approves it."""
    data = _clean({**data, "id": f"reg-{secrets.token_hex(8)}"})
    errors: list[dict[str, str]] = []
    try:
        profile = profiles.validate_profile(data)
    except ValidationFailed as exc:
        errors.extend(exc.detail.get("errors", []))
        profile = None
    if "@" not in email or len(email) > 254:
        errors.append({"field": "email", "reason": "not a valid e-mail address"})
    elif auth.find_user_by_email(session, email) is not None:
        errors.append({"field": "email", "reason": "already registered"})
    if len(password) < auth.MIN_PASSWORD_LENGTH:
        errors.append({"field": "password", "reason": f"at least {auth.MIN_PASSWORD_LENGTH} characters"})
    if errors or profile is None:
        raise ValidationFailed("registration.invalid", errors=errors)
    company, _created = profiles.upsert_company(session, profile, status="pending")
    session.flush()
    user = auth.create_user(
        session, email=email, password=password, role="member", name=name, company_id=company.id, language=language
    )
    audit.record(session, user, "company.register", hub_key=company.hub_key, company_id=company.id)
    session.commit()
    return company, user


@dataclass(frozen=True)
class CompanyView:
    """A company as one reader may see it: the private fields they may not see are already None.

    Pages and the API render this instead of the Company row, so no template or serializer can
    show what the reader's `Disclosure` (services.access) withholds.
    """

    id: int
    external_id: str
    kind: str
    name: str
    hub_key: str
    status: str
    language: str
    employees: int | None
    summary: str | None
    description: str | None
    industry: str | None
    needs: list[str]
    requires_security_certification: bool
    capabilities: list[str]
    industries_served: list[str]
    certifications: list[str]
    references: list[str]
    monthly_capacity: int | None = None  # a supplier's new introductions per month; None = not stated
    contact_email: str | None = None
    website: str | None = None
    confidential_notes: str | None = None
    disclosure: access.Disclosure = field(default=access.NOTHING)

    @property
    def hub(self) -> str:
        """The hub key under its API name."""
        return self.hub_key

    @property
    def hidden(self) -> tuple[str, ...]:
        """Names of the private fields withheld from this reader (left out of API answers)."""
        contact = () if self.disclosure.contact else ("contact_email", "website")
        return contact + (() if self.disclosure.confidential else ("confidential_notes",))


def company_view(company: Company, disclosure: access.Disclosure) -> CompanyView:
    """The company with only the private fields `disclosure` allows."""
    return CompanyView(
        id=company.id, external_id=company.external_id, kind=company.kind, name=company.name,
        hub_key=company.hub_key, status=company.status, language=company.language, employees=company.employees,
        summary=company.summary, description=company.description, industry=company.industry,
        needs=list(company.needs or []), requires_security_certification=bool(company.requires_security_certification),
        capabilities=list(company.capabilities or []), industries_served=list(company.industries_served or []),
        certifications=list(company.certifications or []), references=list(company.references or []),
        monthly_capacity=company.monthly_capacity,
        contact_email=company.contact_email if disclosure.contact else None,
        website=company.website if disclosure.contact else None,
        confidential_notes=company.confidential_notes if disclosure.confidential else None,
        disclosure=disclosure,
    )


def view_for(actor: User, company: Company) -> CompanyView:
    """The company as `actor` may see it (services.access.company_disclosure decides)."""
    return company_view(company, access.company_disclosure(actor, company))


def pending_companies(session: Session, actor: User, hub_key: str) -> list[Company]:
    """Registrations waiting for the hub coordinator."""
    access.require_hub(actor, hub_key)
    return list(
        session.scalars(
            select(Company).where(Company.hub_key == hub_key, Company.status == "pending").order_by(Company.created_at)
        )
    )


def review_company(session: Session, actor: User, company_id: int, decision: str, *, hub_key: str | None = None,
                   reason: str | None = None, note: str | None = None) -> Company:
    """Approve or reject a pending registration of the coordinator's hub; a rejection names its reason
    (one of REJECT_REASONS) and may carry a note, both kept in the audit log."""
    if decision not in DECISIONS:
        raise ValidationFailed("registration.bad_decision", errors=[{"field": "decision", "reason": "approve or reject"}])
    if decision == "reject" and reason not in REJECT_REASONS:
        raise ValidationFailed("registration.reason_required", errors=[{"field": "reason", "reason": "required"}])
    company = session.get(Company, company_id)
    if company is None or (hub_key is not None and company.hub_key != hub_key):
        raise NotFound("company.not_found")
    access.require_hub(actor, company.hub_key)
    if company.status != "pending":
        raise ValidationFailed("registration.not_pending", errors=[{"field": "status", "reason": company.status}])
    company.status = DECISIONS[decision]
    said = {"reason": reason, "note": (note or "").strip()[:2000] or None} if decision == "reject" else {}
    audit.record(session, actor, f"company.{decision}", hub_key=company.hub_key, company_id=company.id, **said)
    notifications.registration_decided(session, company, reason)  # its members are mailed after the commit
    if company.status == "active":
        index_builder.record_change(session, [company.external_id], "approved")
    session.commit()
    return company


def list_companies(
    session: Session, actor: User, *, hub_key: str | None = None, kind: str | None = None, status: str | None = None
) -> list[Company]:
    """Companies in the actor's scope: a hub for staff, one's own company for a member."""
    query = select(Company).order_by(Company.kind, Company.name)
    if hub_key is not None:
        access.require_hub(actor, hub_key)
        query = query.where(Company.hub_key == hub_key)
    elif access.is_admin(actor):
        pass
    elif access.is_staff(actor):
        query = query.where(Company.hub_key == actor.hub_key)
    else:
        if actor.company_id is None:
            return []
        query = query.where(Company.id == actor.company_id)
    if kind:
        query = query.where(Company.kind == kind)
    if status:
        query = query.where(Company.status == status)
    return list(session.scalars(query))


def hub_counts(session: Session, actor: User, hub_key: str) -> dict[tuple[str, str], int]:
    """How many companies of a hub there are per (kind, status), counted in the database."""
    access.require_hub(actor, hub_key)
    rows = session.execute(select(Company.kind, Company.status, func.count())
                           .where(Company.hub_key == hub_key).group_by(Company.kind, Company.status))
    return {(kind, status): count for kind, status, count in rows}


# What a list of companies shows (name, kind, industries, badges): long texts and needs stay in the database.
LISTED_COLUMNS = (Company.id, Company.external_id, Company.kind, Company.name, Company.hub_key, Company.industry,
                  Company.industries_served, Company.certifications, Company.status)


def page_listed_companies(session: Session, actor: User, hub_key: str, page: int = 1, size: int = 50,
                          *, total: int | None = None) -> Page[Company]:
    """One page of a hub's companies past review (active or rejected), by kind and name.

    `total`: their number when the caller has counted already (the dashboard's counts).
    """
    access.require_hub(actor, hub_key)
    where = (Company.hub_key == hub_key, Company.status != "pending")
    if total is None:
        total = session.scalar(select(func.count()).select_from(Company).where(*where)) or 0
    number = clamp(page, size, total)
    rows = session.scalars(select(Company).options(load_only(*LISTED_COLUMNS)).where(*where)
                           .order_by(Company.kind, Company.name, Company.id).limit(size).offset((number - 1) * size))
    return Page(list(rows), number, size, total)


def get_company(session: Session, actor: User, company_id: int, *, hub_key: str | None = None) -> Company:
    """One company in scope (NotFound otherwise); with `hub_key`, only as staff of that hub."""
    if hub_key is not None:
        access.require_hub(actor, hub_key)
    company = access.require_company(actor, session.get(Company, company_id))
    if hub_key is not None and company.hub_key != hub_key:
        raise NotFound("company.not_found")
    return company


def company_views(
    session: Session, actor: User, *, hub_key: str | None = None, kind: str | None = None
) -> list[CompanyView]:
    """`list_companies` as the actor may see each company."""
    return [view_for(actor, c) for c in list_companies(session, actor, hub_key=hub_key, kind=kind)]


def get_company_view(session: Session, actor: User, company_id: int, *, hub_key: str | None = None) -> CompanyView:
    """`get_company` as the actor may see it."""
    return view_for(actor, get_company(session, actor, company_id, hub_key=hub_key))


def own_company(session: Session, actor: User) -> Company:
    """The member's own company (any status: a pending one can still be edited)."""
    if actor.role != "member" or actor.company_id is None:
        raise Forbidden("access.members_only")
    company = session.get(Company, actor.company_id)
    if company is None:
        raise NotFound("company.not_found")
    return company


def profile_record(session: Session, actor: User) -> dict[str, Any]:
    """The member's own profile as an import record (what the edit form starts from)."""
    return profiles.company_to_record(own_company(session, actor))


def patch_own_profile(session: Session, actor: User, company_id: int, changes: dict[str, Any]) -> CompanyView:
    """Change some fields of one's own profile (the API's PATCH); only the company itself may."""
    company = get_company(session, actor, company_id)
    if actor.company_id != company.id:
        raise Forbidden("profile.not_yours")
    return view_for(actor, update_own_profile(session, actor, {**profile_record(session, actor), **changes}))


def update_own_profile(session: Session, actor: User, data: dict[str, Any]) -> Company:
    """Validate and save the member's own profile; id, kind and hub stay fixed."""
    company = own_company(session, actor)
    if company.status == "rejected":
        raise Forbidden("registration.rejected")
    fixed = {"id": company.external_id, "kind": company.kind, "hub": company.hub_key}
    profile = profiles.validate_profile(_clean({**data, **fixed}))
    company, _created = profiles.upsert_company(session, profile, status=company.status)
    audit.record(session, actor, "company.update", hub_key=company.hub_key, company_id=company.id)
    if company.status == "active":
        index_builder.record_change(session, [company.external_id], "profile edited")
    session.commit()
    return company
