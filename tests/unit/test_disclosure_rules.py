"""Field-level reveal decided in services on plain (unsaved) rows: who sees contact details and
confidential notes, and that the view handed to pages and the API already lacks the rest."""
from __future__ import annotations

from models import Company, Introduction, User
from services import access
from services.companies import company_view, view_for

NOTES = "내년 2라인 증설 예정 (대외비)"


def _maker(cid: int = 1, hub: str = "ochang") -> Company:
    return Company(id=cid, external_id=f"m{cid}", kind="manufacturer", name="한빛정밀", hub_key=hub, status="active",
                   language="ko", contact_email="dx@hanbit.example.com", website="https://hanbit.example.com",
                   confidential_notes=NOTES, needs=["도장 불량 검출"], industry="automotive")


def _member(company_id: int) -> User:
    return User(id=100 + company_id, email=f"m{company_id}@x", role="member", company_id=company_id, active=True)


ADMIN = User(id=1, email="a@x", role="admin", active=True)
COORD = User(id=2, email="c@x", role="coordinator", hub_key="ochang", active=True)
COORD_OTHER = User(id=3, email="o@x", role="coordinator", hub_key="pangyo", active=True)


def test_the_company_itself_sees_its_contact_details_and_confidential_notes():
    assert access.company_disclosure(_member(1), _maker()) == access.EVERYTHING


def test_hub_staff_see_contact_details_but_never_confidential_notes():
    for staff in (COORD, ADMIN):
        assert access.company_disclosure(staff, _maker()) == access.Disclosure(contact=True, confidential=False)


def test_another_hub_and_another_company_see_no_private_field():
    assert access.company_disclosure(COORD_OTHER, _maker()) == access.NOTHING
    assert access.company_disclosure(_member(7), _maker()) == access.NOTHING
    assert access.company_disclosure(None, _maker()) == access.NOTHING


def test_a_partner_is_revealed_only_after_both_sides_accept():
    assert access.partner_disclosure(None) == access.NOTHING
    for answers in (("pending", "pending"), ("accepted", "pending"), ("pending", "accepted"), ("accepted", "declined")):
        intro = Introduction(manufacturer_response=answers[0], supplier_response=answers[1])
        assert access.partner_disclosure(intro) == access.NOTHING, answers
    both = Introduction(manufacturer_response="accepted", supplier_response="accepted")
    assert access.partner_disclosure(both) == access.EVERYTHING


def test_the_view_a_coordinator_gets_has_no_confidential_notes_and_says_so():
    view = view_for(COORD, _maker())
    assert (view.contact_email, view.website) == ("dx@hanbit.example.com", "https://hanbit.example.com")
    assert view.confidential_notes is None and view.hidden == ("confidential_notes",)
    assert (view.name, view.hub, view.needs) == ("한빛정밀", "ochang", ["도장 불량 검출"])


def test_the_public_view_withholds_every_private_field():
    view = company_view(_maker(), access.NOTHING)
    assert (view.contact_email, view.website, view.confidential_notes) == (None, None, None)
    assert set(view.hidden) == {"contact_email", "website", "confidential_notes"}
    assert NOTES not in repr(view)
