"""The web layer as users meet it: sign-in, registration and approval, profiles, import, gaps, API, headers."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from models import AuditEvent, Company, PipelineTransition
from tests.factories import gen_company, gen_match, gen_user
from tests.integration.web.world import SECRET_NOTES, build_world
from web import create_app


def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_reports_503_when_the_database_is_down(settings, tmp_path):
    import dataclasses

    broken = dataclasses.replace(settings, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    app = create_app({"DXMATCH_SETTINGS": broken, "TESTING": True})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503


def test_every_response_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers
    assert "Strict-Transport-Security" in client.get("/login", base_url="https://localhost").headers


def test_pages_contain_no_inline_script(client, auth, session):
    world = build_world(session)
    auth.login(world.users["coord"])
    for url in ("/hub/ochang/", "/hub/ochang/pipeline", "/hub/ochang/gaps", f"/hub/ochang/matches/{world.match.id}"):
        html = client.get(url).get_data(as_text=True)
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
        assert all(re.search(r'\bsrc="/static/js/[\w.-]+\.js(\?[^"]*)?"', attrs) and not body.strip()
                   for attrs, body in scripts), (url, scripts)  # only our own files: the CSP allows nothing else
        assert "style=" not in html, url


def test_login_rotates_the_session_and_logout_ends_it(client, session):
    user = gen_user(session, "coordinator")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    client.post("/login", data={"email": user.email, "password": user.password})
    with client.session_transaction() as s:
        assert "planted" not in s and s.get("_user_id") == str(user.id)
    client.post("/logout")
    assert client.get("/hub/ochang/").status_code == 302


def test_wrong_password_is_refused(client, session):
    user = gen_user(session, "coordinator")
    response = client.post("/login", data={"email": user.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert client.get("/hub/ochang/").status_code == 302


def test_login_is_rate_limited(settings, session):
    app = create_app({"DXMATCH_SETTINGS": settings, "TESTING": True, "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    codes = [client.post("/login", data={"email": "a@b.c", "password": "x"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/login").status_code == 200  # GET is not limited


def test_forms_need_a_csrf_token(settings, session):
    app = create_app({"DXMATCH_SETTINGS": settings, "TESTING": True, "RATELIMIT_ENABLED": False})
    response = app.test_client().post("/login", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 400


def test_api_needs_csrf_with_a_cookie_but_not_with_a_bearer_token(settings, session):
    world = build_world(session)
    app = create_app({"DXMATCH_SETTINGS": settings, "TESTING": True, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    url = f"/api/v1/matches/{world.match.id}/introduction"
    ok = client.post(url, json={"answer": "accepted"}, headers={"Authorization": f"Bearer {world.tokens['m1']}"})
    assert ok.status_code == 200 and ok.get_json()["manufacturer_response"] == "accepted"
    # a browser session: log in with the form's token, then call the API without one
    html = client.get("/login").get_data(as_text=True)
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"email": world.users["s1"].email, "password": world.users["s1"].password, "csrf_token": token})
    refused = client.post(url, json={"answer": "accepted"})
    assert refused.status_code == 400 and refused.get_json()["error"]["status"] == 400


def test_registration_waits_for_the_hub_coordinator(client, auth, session):
    response = client.post("/register", data={
        "kind": "supplier", "hub": "ochang", "email": "new@supplier.example.com", "password": "long-enough-1",
        "name": "새싹AI", "capabilities": "공정 데이터 분석\n비전 검사", "certifications": "ISO 27001",
    })
    assert response.status_code == 302
    company = session.scalar(select(Company).where(Company.name == "새싹AI"))
    assert company.status == "pending" and company.capabilities == ["공정 데이터 분석", "비전 검사"]
    assert client.post("/login", data={"email": "new@supplier.example.com", "password": "long-enough-1"}).status_code == 302
    assert "거점 코디네이터의 승인을 기다리고 있습니다" in client.get("/company/").get_data(as_text=True)
    auth.logout()
    coordinator = gen_user(session, "coordinator", hub="ochang")
    auth.login(coordinator)
    assert "새싹AI" in client.get("/hub/ochang/").get_data(as_text=True)
    client.post(f"/hub/ochang/companies/{company.id}/review", data={"decision": "approve"})
    session.expire_all()
    assert session.get(Company, company.id).status == "active"


def test_registration_shows_errors_per_field(client):
    response = client.post("/register", data={"kind": "manufacturer", "hub": "ochang", "email": "bad", "password": "short"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html and 'id="password-error"' in html and 'id="needs-error"' in html


def test_member_edits_own_profile_with_import_validation(client, auth, session):
    member = gen_user(session, "member")
    auth.login(member)
    bad = client.post("/company/profile", data={"name": "한빛", "industry": "battery", "needs": "", "website": "not a url"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="needs-error"' in html and 'id="website-error"' in html
    good = client.post("/company/profile", data={"name": "한빛 2", "industry": "battery", "needs": "새 수요 하나\n둘째 수요"})
    assert good.status_code == 302
    session.expire_all()
    assert session.get(Company, member.company_id).needs == ["새 수요 하나", "둘째 수요"]


def test_coordinator_moves_a_pair_and_the_history_shows_who_and_when(client, auth, session):
    world = build_world(session, introduced=False)
    auth.login(world.users["coord"])
    client.post(f"/hub/ochang/matches/{world.match.id}/move", data={"to": "introduced"})
    moves = list(session.scalars(select(PipelineTransition).where(PipelineTransition.match_id == world.match.id)))
    assert [(t.from_status, t.to_status, t.actor_id) for t in moves] == [("proposed", "introduced", world.users["coord"].id)]
    assert moves[0].at is not None
    page = client.get(f"/hub/ochang/matches/{world.match.id}").get_data(as_text=True)
    assert "coord" in page and "<time datetime=" in page
    refused = client.post(f"/hub/ochang/matches/{world.match.id}/move", data={"to": "contract"}, follow_redirects=True)
    assert refused.status_code == 200 and "허용되지 않는 단계 이동입니다" in refused.get_data(as_text=True)  # said on the page
    session.expire_all()
    assert world.match.status == "introduced"


@pytest.mark.parametrize(
    ("who", "expected"), [("m1", "/company/matches/{id}"), ("s1", "/company/matches/{id}"), ("coord", "/hub/ochang/matches/{id}")]
)
def test_the_mail_link_of_a_pair_opens_each_role_s_own_page(client, auth, session, who, expected):
    world = build_world(session)
    auth.login(world.users[who])
    response = client.get(f"/matches/{world.match.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(expected.format(id=world.match.id))


def test_dashboard_filters_pairs(client, auth, session):
    coordinator = gen_user(session, "coordinator", hub="ochang")
    battery = gen_company(session, "manufacturer", name="배터리공장", industry="battery")
    food = gen_company(session, "manufacturer", name="식품공장", industry="food")
    certified = gen_company(session, "supplier", name="인증있음", certifications=["ISMS-P"])
    plain = gen_company(session, "supplier", name="인증없음", certifications=[], language="en")
    gen_match(session, battery, certified, score=0.9)
    gen_match(session, food, plain, score=0.4)
    auth.login(coordinator)

    def names(query: str) -> str:
        """The best-pairs list only (the company table lists every company)."""
        html = client.get(f"/hub/ochang/?{query}").get_data(as_text=True)
        return html.split('class="pair-list"')[1].split("</ol>")[0] if 'class="pair-list"' in html else ""

    assert "식품공장" not in names("industry=battery") and "배터리공장" in names("industry=battery")
    assert "인증없음" not in names("certification=ISMS-P")
    assert "배터리공장" not in names("language=en")
    page = names("min_score=50")
    assert "배터리공장" in page and 'id="pair-' in page and page.count('class="pair"') == 1
    gen_company(session, "supplier", name="다른거점", hub="daejeon", certifications=["CSAP"])  # no pair in this hub
    html = client.get("/hub/ochang/").get_data(as_text=True)
    assert '<option value="ISMS-P"' in html and '<option value="CSAP"' not in html  # options from the hub's pairs


def test_import_page_lists_line_errors_and_loads_valid_lines(client, auth, session):
    coordinator = gen_user(session, "coordinator", hub="ochang")
    auth.login(coordinator)
    good = '{"id": "imp-1", "kind": "supplier", "name": "가져온 회사", "hub": "ochang", "capabilities": ["MES"]}'
    bad = '{"id": "imp-2", "kind": "supplier", "name": "", "hub": "ochang", "capabilities": ["MES"]}'
    data = {"file": (io.BytesIO(f"{good}\n{bad}\n".encode()), "companies.jsonl")}
    page = client.post("/hub/ochang/import", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "import-errors" in page and "<td>2</td>" in page
    assert session.scalar(select(Company).where(Company.external_id == "imp-1")) is not None


def test_import_refuses_rows_of_another_hub(client, auth, session):
    coordinator = gen_user(session, "coordinator", hub="ochang")
    auth.login(coordinator)
    row = '{"id": "imp-x", "kind": "supplier", "name": "남의 회사", "hub": "seoul", "capabilities": ["MES"]}'
    data = {"file": (io.BytesIO(row.encode()), "c.jsonl")}
    page = client.post("/hub/ochang/import", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "담당 거점이 아닙니다" in page  # "not your hub", in the default Korean
    assert session.scalar(select(Company).where(Company.external_id == "imp-x")) is None


def test_gap_page_draws_a_chart_of_unmet_needs(client, auth, session):
    coordinator = gen_user(session, "coordinator", hub="ochang")
    gen_company(session, "manufacturer", needs=["도장 공정 자동화 로봇", "도장 품질 검사"])
    auth.login(coordinator)
    page = client.get("/hub/ochang/gaps").get_data(as_text=True)
    assert '<svg class="gap-chart"' in page and "도장" in page


def test_locale_follows_the_switch_then_accept_language(client, session):
    assert "로그인" in client.get("/login").get_data(as_text=True)
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "ko"}).get_data(as_text=True)


def test_language_switch_is_saved_for_a_signed_in_user(client, auth, session):
    user = gen_user(session, "coordinator")
    auth.login(user)
    client.post("/language", data={"lang": "en"})
    session.expire_all()
    assert session.get(type(user), user.id).language == "en"


def test_api_uses_one_error_shape_and_validates_bodies(client, session):
    world = build_world(session)
    headers = {"Authorization": f"Bearer {world.tokens['coord']}"}
    response = client.post(f"/api/v1/matches/{world.match.id}/move", json={"to": "sideways"}, headers=headers)
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["status"] == 422 and body["code"] == "request.invalid" and body["errors"][0]["field"] == "to"
    missing = client.get("/api/v1/matches/999999", headers=headers)
    assert missing.status_code == 404
    assert missing.get_json() == {"error": {"status": 404, "code": "pair.not_found", "message": "Not found"}}


def test_api_hides_confidential_notes_from_everyone_but_the_company(client, session):
    world = build_world(session)
    for who in ("coord", "admin", "s1"):
        for url in ("/api/v1/companies", f"/api/v1/matches/{world.match.id}"):
            assert SECRET_NOTES not in client.get(url, headers={"Authorization": f"Bearer {world.tokens[who]}"}).get_data(as_text=True)
    own = client.get(f"/api/v1/companies/{world.companies['m1'].id}", headers={"Authorization": f"Bearer {world.tokens['m1']}"})
    assert own.get_json()["confidential_notes"] == SECRET_NOTES


def test_api_lists_only_pairs_in_scope(client, session):
    world = build_world(session)

    def ids(who: str) -> set[int]:
        items = client.get("/api/v1/matches", headers={"Authorization": f"Bearer {world.tokens[who]}"}).get_json()["items"]
        return {m["id"] for m in items}

    assert ids("coord") == {world.match.id}
    assert ids("coord_other") == {world.other_match.id}
    assert ids("admin") == {world.match.id, world.other_match.id}
    assert ids("m1") == {world.match.id} and ids("m3") == set() and ids("m2") == {world.other_match.id}


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/companies", "/api/v1/matches/{match_id}/move", "/api/v1/matches/{match_id}/introduction"} <= set(spec["paths"])
    assert "bearer" in spec["components"]["securitySchemes"]


def test_api_token_is_created_on_the_account_page_and_works(client, auth, session):
    user = gen_user(session, "coordinator")
    auth.login(user)
    page = client.post("/account/token").get_data(as_text=True)
    token = page.split('id="new-token">')[1].split("<")[0]
    auth.logout()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["email"] == user.email


def test_one_click_unsubscribe_works_without_csrf(settings, session):
    from services.digest import unsubscribe_token
    from services.subscriptions import subscribe

    user = gen_user(session, "coordinator")
    sub = subscribe(session, user)
    app = create_app({"DXMATCH_SETTINGS": settings, "TESTING": True, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    url = f"/digest/unsubscribe/{unsubscribe_token(sub.id, settings)}"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    session.expire_all()
    assert session.get(type(sub), sub.id).active is False
    assert client.get("/digest/unsubscribe/forged-token").status_code == 404
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "digest.unsubscribe")) is not None


@pytest.mark.parametrize("path", ["/hub/ochang/", "/company/", "/admin/"])
def test_anonymous_pages_redirect_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_recently_improved_pair_is_flagged_on_the_pages_in_both_languages(client, auth, session):
    from datetime import timedelta

    from models.base import utcnow

    maker = gen_company(session, "manufacturer", hub="ochang", needs=["설비 예지보전"])
    fresh = gen_match(session, maker, gen_company(session, "supplier", name="새로오른"), score=0.74,
                      previous_score=0.61, improved_at=utcnow() - timedelta(days=3))
    stale = gen_match(session, maker, gen_company(session, "supplier", name="오래전상승"), score=0.70,
                      previous_score=0.55, improved_at=utcnow() - timedelta(days=40))
    member = gen_user(session, "member", company=maker)
    auth.login(member)
    page = client.get(f"/company/matches/{fresh.id}").get_data(as_text=True)
    assert "적합도 상승" in page and "직전 재계산 전 점수: 61" in page
    assert "적합도 상승" not in client.get(f"/company/matches/{stale.id}").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    home = client.get("/company/").get_data(as_text=True)
    assert home.count("Improved") == 1 and "Score before the last recompute: 61" in home


def test_coordinator_search_finds_suppliers_anywhere_and_only_own_hub_manufacturers(client, auth, session):
    gen_company(session, "supplier", name="WeldVision", hub="busan_centum", language="en",
                capabilities=["Deep-learning inspection of weld bead defects on car body parts"],
                contact_email="secret-sales@weldvision.example.com")
    # The factory's default summary and references are about vision inspection: this one says accounting throughout.
    gen_company(session, "supplier", name="클라우드회계", hub="pangyo", capabilities=["중소기업 클라우드 회계 ERP"],
                summary="중소기업용 클라우드 회계·급여 서비스", references=["제조 중소기업 전자세금계산서 연동 (2024)"])
    own = gen_company(session, "manufacturer", name="오창용접", hub="ochang", needs=["용접 불량을 카메라로 자동 검사하고 싶다"])
    gen_company(session, "manufacturer", name="창원용접", hub="changwon", needs=["용접 불량 자동 검사"])
    auth.login(gen_user(session, "coordinator", hub="ochang"))

    page = client.get("/hub/ochang/search", query_string={"q": "용접 비드 불량 비전 검사"}).get_data(as_text=True)
    assert "WeldVision" in page  # an English capability found by a Korean query
    assert "클라우드회계" not in page  # nothing in an accounting ERP answers a weld inspection query
    assert "Deep-learning inspection of weld bead defects" in page
    assert "secret-sales@weldvision.example.com" not in page  # public fields only

    needs = client.get("/hub/ochang/search", query_string={"q": "weld inspection", "kind": "manufacturer"})
    html = needs.get_data(as_text=True)
    assert "오창용접" in html and "창원용접" not in html
    assert f"/hub/ochang/companies/{own.id}" in html
    client.post("/language", data={"lang": "en"})
    assert "Nothing found." not in client.get("/hub/ochang/search?q=ERP").get_data(as_text=True)
    assert client.get("/hub/ochang/search").status_code == 200
