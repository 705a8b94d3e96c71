"""Long lists are paged, not cut: every pair and company of a big hub is reachable page by page."""
from __future__ import annotations

import re

from services.dashboard import COMPANIES_PAGE, PAIRS_PAGE
from services.pipeline import BOARD_PAGE
from tests.factories import gen_company, gen_match, gen_user
from web.company.routes import PARTNERS_PAGE


def _pairs_of(html: str) -> list[str]:
    return re.findall(r'id="pair-(\d+)"', html)


def test_dashboard_pages_through_every_proposed_pair_best_first(client, auth, session):
    coordinator = gen_user(session, "coordinator", hub="ochang")
    maker = gen_company(session, "manufacturer", name="큰공장")
    total = PAIRS_PAGE + 3
    ids = [gen_match(session, maker, gen_company(session, "supplier", name=f"공급{i:03d}"), score=1 - i / 100).id
           for i in range(total)]
    auth.login(coordinator)

    first = client.get("/hub/ochang/").get_data(as_text=True)
    assert _pairs_of(first) == [str(i) for i in ids[:PAIRS_PAGE]]
    assert f"1–{PAIRS_PAGE}" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/hub/ochang/?page=2").get_data(as_text=True)
    assert _pairs_of(second) == [str(i) for i in ids[PAIRS_PAGE:]]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert _pairs_of(client.get("/hub/ochang/?page=99").get_data(as_text=True)) == _pairs_of(second)  # last page
    assert _pairs_of(client.get("/hub/ochang/?page=x").get_data(as_text=True)) == _pairs_of(first)


def test_dashboard_paging_keeps_the_filters_and_pages_the_filtered_pairs(client, auth, session):
    coordinator = gen_user(session, "coordinator", hub="ochang")
    maker = gen_company(session, "manufacturer", name="보안공장")
    certified = [gen_match(session, maker, gen_company(session, "supplier", name=f"인증{i:03d}",
                                                       certifications=["isms-p"]), score=0.9 - i / 1000).id
                 for i in range(PAIRS_PAGE + 1)]
    gen_match(session, maker, gen_company(session, "supplier", name="인증없음", certifications=[]), score=0.95)
    auth.login(coordinator)

    first = client.get("/hub/ochang/?certification=ISMS-P").get_data(as_text=True)
    assert _pairs_of(first) == [str(i) for i in certified[:PAIRS_PAGE]]
    next_link = re.search(r'rel="next" href="([^"]+)"', first).group(1)
    assert "certification=ISMS-P" in next_link and "page=2" in next_link
    second = client.get("/hub/ochang/?certification=ISMS-P&page=2").get_data(as_text=True)
    assert _pairs_of(second) == [str(certified[-1])]


def test_dashboard_pages_the_company_list_and_counts_every_company(client, auth, session):
    coordinator = gen_user(session, "coordinator", hub="ochang")
    for i in range(COMPANIES_PAGE + 2):
        gen_company(session, "supplier", name=f"회사{i:03d}", hub="ochang")
    gen_company(session, "supplier", name="심사대기", hub="ochang", status="pending")
    auth.login(coordinator)

    first = client.get("/hub/ochang/").get_data(as_text=True)
    assert "회사000" in first and f"회사{COMPANIES_PAGE:03d}" not in first
    assert f'<span class="stat-num">{COMPANIES_PAGE + 2}</span>' in first  # suppliers, counted in the database
    second = client.get("/hub/ochang/?companies_page=2").get_data(as_text=True)
    assert f"회사{COMPANIES_PAGE:03d}" in second and f"회사{COMPANIES_PAGE + 1:03d}" in second
    assert "심사대기" in second  # registrations to review stay listed on every page


def test_pipeline_board_pages_each_column_and_shows_its_full_count(client, auth, session):
    coordinator = gen_user(session, "coordinator", hub="ochang")
    maker = gen_company(session, "manufacturer", name="보드공장")
    ids = [gen_match(session, maker, gen_company(session, "supplier", name=f"보드{i:03d}"), score=1 - i / 1000).id
           for i in range(BOARD_PAGE + 1)]
    auth.login(coordinator)

    first = client.get("/hub/ochang/pipeline").get_data(as_text=True)
    assert f'<span class="count">{BOARD_PAGE + 1}</span>' in first
    assert f'id="card-{ids[0]}"' in first and f'id="card-{ids[-1]}"' not in first
    assert "proposed_page=2" in first
    second = client.get("/hub/ochang/pipeline?proposed_page=2").get_data(as_text=True)
    assert f'id="card-{ids[-1]}"' in second and f'id="card-{ids[0]}"' not in second


def test_member_pages_through_their_partners(client, auth, session):
    maker = gen_company(session, "manufacturer", name="회원공장")
    member = gen_user(session, "member", company=maker)
    ids = [gen_match(session, maker, gen_company(session, "supplier", name=f"파트너{i:03d}"), score=1 - i / 1000).id
           for i in range(PARTNERS_PAGE + 1)]
    auth.login(member)

    first = client.get("/company/").get_data(as_text=True)
    assert f"/company/matches/{ids[0]}\"" in first and f"/company/matches/{ids[-1]}\"" not in first
    second = client.get("/company/?page=2").get_data(as_text=True)
    assert f"/company/matches/{ids[-1]}\"" in second


def test_api_pages_the_pairs_and_says_how_many_there_are(client, session):
    from services import auth

    coordinator = gen_user(session, "coordinator", hub="ochang")
    token = auth.issue_api_token(session, coordinator)
    maker = gen_company(session, "manufacturer", name="API공장")
    ids = [gen_match(session, maker, gen_company(session, "supplier", name=f"API{i:03d}"), score=1 - i / 1000).id
           for i in range(5)]
    headers = {"Authorization": f"Bearer {token}"}

    first = client.get("/api/v1/matches?per_page=2", headers=headers).get_json()
    assert [m["id"] for m in first["items"]] == ids[:2]
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 5)
    last = client.get("/api/v1/matches?per_page=2&page=3", headers=headers).get_json()
    assert [m["id"] for m in last["items"]] == ids[4:]
    assert client.get("/api/v1/matches", headers=headers).get_json()["per_page"] == 50
    assert client.get("/api/v1/matches?per_page=201", headers=headers).status_code == 422


def test_certification_options_are_reused_for_a_while_then_refreshed(session):
    from services.dashboard import FilterOptions

    now = [0.0]
    options = FilterOptions(ttl=60, clock=lambda: now[0])
    maker = gen_company(session, "manufacturer", name="옵션공장")
    gen_match(session, maker, gen_company(session, "supplier", certifications=["ISMS-P"]))
    assert options.certifications(session, "ochang") == ["ISMS-P"]
    gen_match(session, maker, gen_company(session, "supplier", certifications=["CSAP"]))
    now[0] = 59
    assert options.certifications(session, "ochang") == ["ISMS-P"]
    now[0] = 61
    assert options.certifications(session, "ochang") == ["CSAP", "ISMS-P"]
