"""A hub coordinator edits a company of their own hub (a typo, a need heard on the phone).

The same validation as a company's own profile form and a bulk import (services.profiles); the
company's identity (id, kind, hub) and platform status stay fixed, the edit is audited with who
made it, and an active company's index rows follow as after any profile change. Coordinators never
see a company's confidential notes (services.access): the form leaves them out and they are kept.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import Company, User
from services import access, audit, index_builder, profiles


def staff_company(session: Session, actor: User, hub_key: str, company_id: int) -> Company:
    """A company of the hub the actor runs (members: Forbidden; another hub's company: NotFound)."""
    from services.errors import NotFound

    access.require_hub(actor, hub_key)
    company = session.get(Company, company_id)
    if company is None or company.hub_key != hub_key:
        raise NotFound("company.not_found")
    return company


def edit_record(session: Session, actor: User, hub_key: str, company_id: int) -> dict[str, Any]:
    """The company's profile as an import record: what the edit form starts from."""
    record = profiles.company_to_record(staff_company(session, actor, hub_key, company_id))
    record.pop("confidential_notes", None)
    return record


def update_company(session: Session, actor: User, hub_key: str, company_id: int, data: dict[str, Any]) -> Company:
    """Validate and save a company's profile as its hub's coordinator; raises ValidationFailed with field errors."""
    company = staff_company(session, actor, hub_key, company_id)
    fixed = {"id": company.external_id, "kind": company.kind, "hub": company.hub_key}
    given = {k: v for k, v in data.items() if v not in (None, "", []) and k != "confidential_notes"}
    if company.confidential_notes:
        given["confidential_notes"] = company.confidential_notes  # kept as the company wrote it
    profile = profiles.validate_profile({**given, **fixed})
    company, _created = profiles.upsert_company(session, profile, status=company.status)
    audit.record(session, actor, "company.update", hub_key=company.hub_key, company_id=company.id, by="staff")
    if company.status == "active":
        index_builder.record_change(session, [company.external_id], "profile edited")
    session.commit()
    return company
