"""Hostile input gets a 4xx or a reported row error, never a 500 or a worker held for minutes (issue #11, findings 5, 6)."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from models import Company
from services.imports import MAX_UPLOAD_LINES
from tests.factories import gen_company, gen_match, gen_user
from tests.integration.web.pages import upload

NUL = "\x00"
GOOD_ROW = '{"id": "ok-1", "kind": "supplier", "name": "좋은 회사", "hub": "ochang", "capabilities": ["MES"]}'


def _loaded(session, external_id: str) -> bool:
    session.expire_all()
    return session.scalar(select(Company).where(Company.external_id == external_id)) is not None


@pytest.fixture
def coordinator(session, auth):
    user = gen_user(session, "coordinator", hub="ochang")
    auth.login(user)
    return user


# --- NUL bytes ---------------------------------------------------------------------------------


def test_a_nul_byte_in_the_login_email_is_a_bad_request(client, session):
    response = client.post("/login", data={"email": f"a{NUL}@example.com", "password": "x"})
    assert response.status_code == 400
    assert "허용되지 않는 문자" in response.get_data(as_text=True)


def test_a_nul_byte_in_a_registration_is_a_bad_request(client, session):
    response = client.post("/register", data={
        "kind": "supplier", "hub": "ochang", "email": "n@example.com", "password": "long-enough-1",
        "name": f"새싹{NUL}AI", "capabilities": "비전 검사",
    })
    assert response.status_code == 400
    assert session.scalar(select(Company).where(Company.name.like("새싹%"))) is None


def test_a_nul_byte_in_a_pipeline_note_or_audit_filter_is_a_bad_request(client, session, coordinator):
    match = gen_match(session, gen_company(session, "manufacturer"), gen_company(session, "supplier", hub="ochang"))
    moved = client.post(f"/hub/ochang/matches/{match.id}/move", data={"to": "introduced", "note": f"메모{NUL}"})
    assert moved.status_code == 400
    assert client.get(f"/hub/ochang/audit?action=x{NUL}").status_code == 400
    assert client.get(f"/hub/ochang{NUL}/audit").status_code in (400, 404)


def test_a_nul_byte_in_a_profile_save_or_api_body_is_a_bad_request(client, session, auth):
    member = gen_user(session, "member")
    auth.login(member)
    assert client.post("/company/profile", data={"name": f"한빛{NUL}", "industry": "battery", "needs": "수요"}).status_code == 400
    response = client.patch(f"/api/v1/companies/{member.company_id}", json={"summary": f"요약{NUL}"})
    assert response.status_code == 400 and response.get_json()["error"]["status"] == 400


def test_a_lone_surrogate_in_an_api_body_is_a_bad_request(client, session, auth):
    member = gen_user(session, "member")
    auth.login(member)
    body = '{"summary": "\\ud800 요약"}'
    response = client.patch(f"/api/v1/companies/{member.company_id}", data=body, content_type="application/json")
    assert response.status_code == 400


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/hub/ochang/matches/{big}", "/hub/ochang/companies/{big}", "/company/matches/{big}",
    "/api/v1/companies/{big}", "/api/v1/matches/{big}", "/api/v1/matches/{big}/history",
])
@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_an_id_out_of_the_database_range_is_not_found(client, session, auth, url, big):
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    assert client.get(url.format(big=big)).status_code == 404


def test_an_out_of_range_id_is_not_found_for_any_method_not_a_wrong_method(client, session, auth):
    auth.login(gen_user(session, "member"))
    for big in (2**31, 3 * 10**9, 10**11):
        assert client.patch(f"/api/v1/companies/{big}", json={"summary": "x"}).status_code == 404
        assert client.post(f"/api/v1/matches/{big}/introduction", json={"answer": "accepted"}).status_code == 404


@pytest.mark.parametrize("threshold", ["inf", "-inf", "nan", "1e400", "abc", "-50", "900"])
def test_the_gap_threshold_is_clamped_or_ignored(client, session, coordinator, threshold):
    assert client.get(f"/hub/ochang/gaps?threshold={threshold}").status_code == 200


def test_an_employee_count_of_thousands_of_digits_is_a_validation_error(client, session, auth):
    member = gen_user(session, "member")
    auth.login(member)
    response = client.post("/company/profile", data={"name": "한빛", "industry": "battery", "needs": "수요", "employees": "9" * 5000})
    assert response.status_code == 422 and 'id="employees-error"' in response.get_data(as_text=True)
    for digits in ("²", "1" * 12):
        response = client.post("/company/profile", data={"name": "한빛", "industry": "battery", "needs": "수요", "employees": digits})
        assert response.status_code == 422


def test_an_employee_count_of_thousands_of_digits_in_an_upload_is_a_row_error(client, session, coordinator):
    csv_page = upload(client, "c.csv", ("id,kind,name,hub,capabilities,employees\nbig-1,supplier,큰 회사,ochang,MES," + "9" * 5000 + "\n").encode())
    jsonl_page = upload(client, "c.jsonl", ('{"id": "big-2", "kind": "supplier", "name": "큰", "hub": "ochang", '
                                             '"capabilities": ["MES"], "employees": ' + "9" * 5000 + "}\n").encode())
    assert "<code>employees</code>" in csv_page and "import-errors" in jsonl_page
    assert not _loaded(session, "big-1") and not _loaded(session, "big-2")


# --- malformed uploads and bodies ---------------------------------------------------------------


def test_json_nested_a_hundred_thousand_levels_is_a_row_error_or_a_bad_request(client, session, coordinator):
    deep = "[" * 100_000 + "]" * 100_000
    page = upload(client, "c.jsonl", f"{GOOD_ROW}\n{deep}\n".encode())
    assert "<td>2</td><td><code>json</code></td>" in page and _loaded(session, "ok-1")
    response = client.post("/api/v1/matches/1/move", data=deep, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["status"] == 400


def test_a_binary_or_non_utf8_csv_upload_is_a_reported_error(client, session, coordinator):
    for content in ("id,kind,name\n1,supplier,Café\n".encode("latin-1"), bytes(range(256)) * 50):  # neither UTF-8 nor CP949
        response = client.post("/hub/ochang/import", data={"file": (io.BytesIO(content), "c.csv")}, content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "<code>file</code>" in page and "UTF-8" in page and "import-errors" in page


def test_a_csv_cell_over_the_field_limit_is_a_row_error_and_the_rest_loads(client, session, coordinator):
    content = "id,kind,name,hub,capabilities\nlong-1,supplier,긴 회사,ochang," + "가" * 140_000 + "\nok-1,supplier,좋은 회사,ochang,MES\n"
    page = upload(client, "c.csv", content.encode())
    assert "<td>2</td><td><code>-</code></td>" in page
    assert _loaded(session, "ok-1") and not _loaded(session, "long-1")


# --- size of one upload -------------------------------------------------------------------------


def test_an_upload_over_the_line_cap_is_refused_whole_with_a_clear_message(client, session, coordinator):
    page = upload(client, "c.jsonl", (GOOD_ROW + "\n" + "\n" * MAX_UPLOAD_LINES).encode())
    assert f"{MAX_UPLOAD_LINES:,}줄" in page
    assert not _loaded(session, "ok-1")
    upload(client, "c.jsonl", (GOOD_ROW + "\n" * (MAX_UPLOAD_LINES - 1)).encode())
    assert _loaded(session, "ok-1")


def test_only_the_first_hundred_errors_are_listed(client, session, coordinator):
    page = upload(client, "c.jsonl", ("{}\n" * 150).encode())
    assert page.count("<td><code>") >= 100 and "<td>101</td>" not in page
    assert "외 " in page and "건" in page


def test_the_api_answers_malformed_json_with_400_and_405_with_allow(client, session, auth):
    member = gen_user(session, "member")
    auth.login(member)
    bad = client.patch(f"/api/v1/companies/{member.company_id}", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.get_json()["error"]["status"] == 400
    wrong = client.delete(f"/api/v1/companies/{member.company_id}")
    assert wrong.status_code == 405 and "PATCH" in wrong.headers["Allow"]
    assert json.loads(wrong.get_data())["error"]["status"] == 405
