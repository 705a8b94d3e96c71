"""Scope rules on plain (unsaved) rows: admins see all, coordinators their hub, members their own pairs."""
from __future__ import annotations

import pytest

from models import Company, Match, User
from services import access
from services.errors import Forbidden, NotFound


def _company(cid: int, hub: str, kind: str = "manufacturer", status: str = "active") -> Company:
    return Company(id=cid, external_id=f"c{cid}", kind=kind, name=f"c{cid}", hub_key=hub, status=status)


def _member(company: Company) -> User:
    user = User(id=100 + company.id, email="m@x", role="member", company_id=company.id, active=True)
    user.company = company
    return user


M, S, OTHER = _company(1, "ochang"), _company(2, "pangyo", "supplier"), _company(3, "ochang")
PAIR = Match(id=9, manufacturer_id=1, supplier_id=2, hub_key="ochang", score=0.5, status="proposed")
ADMIN = User(id=1, email="a@x", role="admin", active=True)
COORD = User(id=2, email="c@x", role="coordinator", hub_key="ochang", active=True)
COORD_OTHER = User(id=3, email="o@x", role="coordinator", hub_key="seoul", active=True)


def test_admin_and_own_coordinator_see_the_hub_others_do_not():
    assert access.can_see_hub(ADMIN, "ochang") and access.can_see_hub(COORD, "ochang")
    assert not access.can_see_hub(COORD_OTHER, "ochang") and not access.can_see_hub(_member(M), "ochang")


def test_wrong_hub_is_not_found_and_wrong_role_is_forbidden():
    with pytest.raises(NotFound):
        access.require_hub(COORD_OTHER, "ochang")
    with pytest.raises(Forbidden):
        access.require_hub(_member(M), "ochang")


def test_members_see_only_pairs_their_company_is_part_of():
    assert access.match_side(_member(M), PAIR) == "manufacturer"
    assert access.match_side(_member(S), PAIR) == "supplier"
    with pytest.raises(NotFound):
        access.require_match(_member(OTHER), PAIR)


def test_a_pending_company_sees_no_pairs_yet():
    pending = _company(1, "ochang", status="pending")
    assert access.match_side(_member(pending), PAIR) is None


def test_an_inactive_user_has_no_scope():
    gone = User(id=4, email="g@x", role="coordinator", hub_key="ochang", active=False)
    assert not access.can_see_hub(gone, "ochang")


def test_only_hub_staff_move_pairs():
    assert access.require_pipeline_actor(COORD, PAIR) is PAIR
    with pytest.raises(Forbidden):
        access.require_pipeline_actor(_member(M), PAIR)
    with pytest.raises(NotFound):
        access.require_pipeline_actor(COORD_OTHER, PAIR)
