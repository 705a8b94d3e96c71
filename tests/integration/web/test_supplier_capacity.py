"""A supplier states how many new introductions it can take per month (the profile form and the API), and the
pair lists mark it once this month's introductions reached that number."""
from __future__ import annotations

import pytest

from models import Company, PipelineTransition
from services import auth as auth_service
from tests.factories import gen_company, gen_match, gen_user

FULL = "이번 달 소개 여력 없음"

SUPPLIER_FORM = {"name": "비전에이아이", "capabilities": "딥러닝 외관 불량 검사"}


@pytest.fixture
def supplier_member(session):
    return gen_user(session, "member", company=gen_company(session, "supplier"))


def _capacity(session, company_id: int) -> int | None:
    session.expire_all()
    return session.get(Company, company_id).monthly_capacity


def test_a_supplier_saves_its_monthly_capacity_through_the_profile_form(client, session, auth, supplier_member):
    auth.login(supplier_member)
    saved = client.post("/company/profile", data={**SUPPLIER_FORM, "monthly_capacity": "4"})
    assert saved.status_code == 302
    assert _capacity(session, supplier_member.company_id) == 4
    page = client.get("/company/profile").get_data(as_text=True)
    assert 'name="monthly_capacity"' in page and 'value="4"' in page
    cleared = client.post("/company/profile", data={**SUPPLIER_FORM, "monthly_capacity": ""})
    assert cleared.status_code == 302 and _capacity(session, supplier_member.company_id) is None


@pytest.mark.parametrize("value, korean", [("-1", "0 이상이어야 합니다"), ("3.5", "정수여야 합니다"),
                                           ("많이", "정수여야 합니다"), ("1001", "1,000 이하여야 합니다")])
def test_a_capacity_that_is_not_a_whole_number_from_0_is_refused_in_korean(client, session, auth, supplier_member,
                                                                            value, korean):
    auth.login(supplier_member)
    response = client.post("/company/profile", data={**SUPPLIER_FORM, "monthly_capacity": value})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="monthly_capacity-error"' in page and korean in page
    assert _capacity(session, supplier_member.company_id) is None


def test_a_manufacturer_profile_form_has_no_capacity_field(client, session, auth):
    member = gen_user(session, "member")
    auth.login(member)
    assert 'name="monthly_capacity"' not in client.get("/company/profile").get_data(as_text=True)


def _api(client, session, member):
    token = auth_service.issue_api_token(session, member)
    return {"Authorization": f"Bearer {token}"}


def test_the_api_saves_shows_and_clears_a_suppliers_capacity(client, session, supplier_member):
    headers = _api(client, session, supplier_member)
    url = f"/api/v1/companies/{supplier_member.company_id}"
    changed = client.patch(url, json={"monthly_capacity": 0}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["monthly_capacity"] == 0
    assert client.get(url, headers=headers).get_json()["monthly_capacity"] == 0
    assert client.patch(url, json={"summary": "요약만 바꿈"}, headers=headers).get_json()["monthly_capacity"] == 0
    assert client.patch(url, json={"monthly_capacity": None}, headers=headers).get_json()["monthly_capacity"] is None
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]
    assert any("monthly_capacity" in body.get("properties", {}) for body in schema.values())


@pytest.mark.parametrize("value", [-1, 1001, "5", 2.5, True])
def test_the_api_refuses_a_bad_capacity_with_a_4xx_in_the_error_shape(client, session, supplier_member, value):
    headers = _api(client, session, supplier_member)
    response = client.patch(f"/api/v1/companies/{supplier_member.company_id}", json={"monthly_capacity": value},
                            headers=headers)
    assert 400 <= response.status_code < 500 and response.get_json()["error"]["message"]
    assert _capacity(session, supplier_member.company_id) is None


def test_the_api_refuses_a_capacity_for_a_manufacturer(client, session):
    member = gen_user(session, "member")
    response = client.patch(f"/api/v1/companies/{member.company_id}", json={"monthly_capacity": 3},
                            headers=_api(client, session, member))
    assert response.status_code == 422
    assert {"field": "monthly_capacity", "reason": "only for a supplier, not a manufacturer"} in \
        response.get_json()["error"]["errors"]


def _introduced_this_month(session, manufacturer: Company, supplier: Company):
    pair = gen_match(session, manufacturer, supplier, status="introduced")
    session.add(PipelineTransition(match_id=pair.id, from_status="proposed", to_status="introduced"))
    session.commit()
    return pair


def _row_of(page: str, name: str, tag: str) -> str:
    """The list item or table row of a page that names `name`."""
    return next(chunk for chunk in page.split(f"<{tag}") if name in chunk)


def test_the_pair_lists_mark_a_supplier_at_capacity_and_only_that_one(client, session, auth):
    maker = gen_company(session, "manufacturer", hub="ochang")
    newcomer = gen_company(session, "manufacturer", hub="ochang")
    full = gen_company(session, "supplier", name="꽉찬비전", monthly_capacity=1)
    roomy = gen_company(session, "supplier", name="여유데이터", monthly_capacity=5)
    _introduced_this_month(session, maker, full)
    _introduced_this_month(session, maker, roomy)
    gen_match(session, newcomer, full, rank=2)
    gen_match(session, newcomer, roomy, rank=1)

    auth.login(gen_user(session, "coordinator", hub="ochang"))
    for url, tag in (("/hub/ochang/", "li"), ("/hub/ochang/pipeline", "li")):
        page = client.get(url).get_data(as_text=True)
        assert FULL in _row_of(page, full.name, tag) and FULL not in _row_of(page, roomy.name, tag), url
    auth.logout()

    auth.login(gen_user(session, "member", company=newcomer))
    home = client.get("/company/").get_data(as_text=True)
    assert FULL in _row_of(home, full.name, "tr") and FULL not in _row_of(home, roomy.name, "tr")
    auth.logout()

    auth.login(gen_user(session, "member", company=full))  # the supplier itself is told why it is proposed lower
    assert FULL in client.get("/company/").get_data(as_text=True)
    auth.logout()
    auth.login(gen_user(session, "member", company=roomy))
    assert FULL not in client.get("/company/").get_data(as_text=True)


def test_the_api_says_which_pairs_supplier_is_at_capacity(client, session):
    maker = gen_company(session, "manufacturer", hub="ochang")
    full = gen_company(session, "supplier", monthly_capacity=1)
    unstated = gen_company(session, "supplier")
    _introduced_this_month(session, maker, full)
    gen_match(session, maker, unstated)
    member = gen_user(session, "member", company=maker)
    items = client.get("/api/v1/matches", headers=_api(client, session, member)).get_json()["items"]
    assert {item["supplier"]["id"]: item["supplier"]["at_capacity"] for item in items} == {full.id: True,
                                                                                          unstated.id: False}
    assert all(item["manufacturer"].get("at_capacity") is None for item in items)


def test_the_coordinators_edit_form_sets_and_checks_a_suppliers_capacity(client, session, auth):
    supplier = gen_company(session, "supplier", hub="ochang")
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    url = f"/hub/ochang/companies/{supplier.id}/edit"
    assert 'name="monthly_capacity"' in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={**SUPPLIER_FORM, "monthly_capacity": "-3"})
    assert refused.status_code == 422 and "0 이상이어야 합니다" in refused.get_data(as_text=True)
    assert _capacity(session, supplier.id) is None
    assert client.post(url, data={**SUPPLIER_FORM, "monthly_capacity": "3"}).status_code == 302
    assert _capacity(session, supplier.id) == 3
