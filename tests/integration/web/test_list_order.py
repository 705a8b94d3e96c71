"""Long lists sort, page and count, each from one COUNT and one page query, and their exports follow them."""
from __future__ import annotations

import csv
import io
import re
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import Engine

from matcher.types import SearchHit
from models import AuditEvent, Company, Match
from services import search
from services.dashboard import COMPANIES_PAGE, PAIRS_PAGE
from services.pipeline import BOARD_PAGE
from tests.factories import gen_company, gen_match, gen_user


def _pairs(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="pair-(\d+)"', html)]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.fixture
def coordinator(session, auth):
    user = gen_user(session, "coordinator", hub="ochang")
    auth.login(user)
    return user


def _named_pairs(session, names_and_scores, *, status="proposed"):
    """One pair per (manufacturer name, score), each with its own supplier; their ids in the given order."""
    return [gen_match(session, gen_company(session, "manufacturer", name=name, hub="ochang"),
                      gen_company(session, "supplier"), score=score, status=status).id for name, score in names_and_scores]


def test_dashboard_pairs_sort_by_score_company_or_last_change_and_bad_values_fall_back(client, session, coordinator):
    ids = _named_pairs(session, [("다공장", 0.9), ("가공장", 0.5), ("나공장", 0.7)])
    session.execute(update(Match).where(Match.id == ids[1]).values(updated_at=datetime(2030, 1, 1, tzinfo=timezone.utc)))
    session.commit()

    assert _pairs(client.get("/hub/ochang/").get_data(as_text=True)) == [ids[0], ids[2], ids[1]]
    by_name = client.get("/hub/ochang/?sort=company").get_data(as_text=True)
    assert _pairs(by_name) == [ids[1], ids[2], ids[0]]
    assert _pairs(client.get("/hub/ochang/?sort=date").get_data(as_text=True))[0] == ids[1]
    for bad in ("x", "score;drop", "%00", "company" * 100):
        response = client.get("/hub/ochang/", query_string={"sort": bad})
        assert response.status_code == 200 and _pairs(response.get_data(as_text=True)) == [ids[0], ids[2], ids[1]]
    assert "매칭 3건" in by_name and "<strong aria-current=\"true\">기업명</strong>" in by_name
    client.post("/language", data={"lang": "en"})
    assert "3 pairs" in client.get("/hub/ochang/?sort=company").get_data(as_text=True)

    exported = _csv(client.get("/hub/ochang/export/pairs?format=csv&sort=company"))
    assert [row[0] for row in exported[1:]] == ["가공장", "나공장", "다공장"]  # the export keeps the page's order


def test_a_crowded_board_column_links_to_its_whole_list_paged_and_counted(client, session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang")
    total = BOARD_PAGE + PAIRS_PAGE + 2
    ids = [gen_match(session, maker, gen_company(session, "supplier"), score=1 - i / 1000, status="meeting").id
           for i in range(total)]

    board = client.get("/hub/ochang/pipeline").get_data(as_text=True)
    more = re.search(r'<a class="board-more" href="([^"]+)">외 (\d+)건', board)
    assert more and more.group(1) == "/hub/ochang/pipeline/meeting" and int(more.group(2)) == total - BOARD_PAGE
    first = client.get(more.group(1)).get_data(as_text=True)
    assert _pairs(first) == ids[:PAIRS_PAGE] and f"매칭 {total}건" in first
    pages = -(-total // PAIRS_PAGE)
    seen = [i for n in range(1, pages + 1) for i in _pairs(client.get(f"{more.group(1)}?page={n}").get_data(as_text=True))]
    assert seen == ids  # every pair of the column, best first, page by page
    assert 'href="/hub/ochang/export/pairs?format=csv&amp;status=meeting' in first
    assert len(_csv(client.get("/hub/ochang/export/pairs?format=csv&status=meeting"))) == total + 1
    proposed = _named_pairs(session, [("나제안", 0.2), ("가제안", 0.1)])
    def cards(url: str) -> list[int]:
        return [int(i) for i in re.findall(r'id="card-(\d+)"', client.get(url).get_data(as_text=True))]

    assert cards("/hub/ochang/pipeline?meeting_page=2") == [*proposed, *ids[BOARD_PAGE:2 * BOARD_PAGE]]
    by_name = cards("/hub/ochang/pipeline?sort=company"), cards("/hub/ochang/pipeline?sort=company&meeting_page=2")
    assert by_name[0][:2] == by_name[1][:2] == [proposed[1], proposed[0]]  # 가제안 first; each column its own page
    assert (len(by_name[0]), len(by_name[1])) == (2 + BOARD_PAGE, 2 + total - BOARD_PAGE)
    assert not set(by_name[0][2:]) & set(by_name[1][2:])
    missing = client.get("/hub/ochang/pipeline/nonsense")
    assert missing.status_code == 404 and "Traceback" not in missing.get_data(as_text=True)


def test_companies_sort_by_kind_name_or_newest_and_the_export_follows(client, session, coordinator):
    names = ["나기업", "가기업", "다기업"]
    for i, name in enumerate(names):
        company = gen_company(session, "supplier" if i % 2 else "manufacturer", name=name, hub="ochang")
        company.created_at = datetime(2026, 1, 1 + i, tzinfo=timezone.utc)
    session.commit()

    def listed(url: str) -> list[str]:
        html = client.get(url).get_data(as_text=True)
        section = html[html.index('id="companies-h"'):]
        return [n for n in re.findall(r'/hub/ochang/companies/\d+">([^<]+)</a>', section) if n in names]

    assert listed("/hub/ochang/") == ["나기업", "다기업", "가기업"]  # manufacturers first, then by name
    assert listed("/hub/ochang/?companies_sort=name") == ["가기업", "나기업", "다기업"]
    assert listed("/hub/ochang/?companies_sort=newest") == ["다기업", "가기업", "나기업"]
    assert listed("/hub/ochang/?companies_sort=bogus") == ["나기업", "다기업", "가기업"]
    exported = _csv(client.get("/hub/ochang/export/companies?format=csv&companies_sort=newest"))
    name_column = exported[0].index("name")
    assert [row[name_column] for row in exported[1:]] == ["다기업", "가기업", "나기업"]
    assert f"({len(names)})" in client.get("/hub/ochang/").get_data(as_text=True)
    assert COMPANIES_PAGE > len(names)


def test_the_audit_export_keeps_the_person_days_and_order_of_the_page(client, session, coordinator):
    maker = gen_company(session, "manufacturer", name="감사공장", hub="ochang")
    other = gen_user(session, "coordinator", hub="ochang", name="이코디")
    for day in (1, 2, 3):
        session.add(AuditEvent(actor_id=other.id, action="company.view", hub_key="ochang", company_id=maker.id,
                               at=datetime(2026, 11, day, 3, 0, tzinfo=timezone.utc), detail={"day": day}))
    session.add(AuditEvent(actor_id=coordinator.id, action="company.view", hub_key="ochang", company_id=maker.id,
                           at=datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)))
    session.commit()
    query = f"who={other.id}&since=2026-11-02&until=2026-11-03&order=oldest"

    page = client.get(f"/hub/ochang/audit?{query}").get_data(as_text=True)
    assert "2건" in page and 'value="oldest" selected' in page
    link = re.search(r'href="(/hub/ochang/export/audit\?format=csv[^"]*)"', page).group(1).replace("&amp;", "&")
    assert f"who={other.id}" in link and "since=2026-11-02" in link and "order=oldest" in link
    rows = _csv(client.get(link))
    assert [r[-1] for r in rows[1:]] == ["day=2", "day=3"] and {r[1] for r in rows[1:]} == {other.email}
    newest = _csv(client.get(link.replace("order=oldest", "order=newest")))
    assert [r[-1] for r in newest[1:]] == ["day=3", "day=2"]
    assert client.get("/hub/ochang/audit?order=sideways&since=2026-13-45").status_code == 200


class FakeSearchEngine:
    """Answers any search with `n` suppliers, best first."""

    def __init__(self, companies) -> None:
        self.companies = companies

    def search(self, text, kind="supplier", top=20, filters=None):
        return [SearchHit(c.external_id, 0.9 - i / 1000, f"능력 {i}") for i, c in enumerate(self.companies)][:top]


def test_search_results_are_paged_counted_and_sortable_by_name(session):
    coordinator = gen_user(session, "coordinator", hub="ochang")
    suppliers = [gen_company(session, "supplier", name=f"검색{(7 * i) % 45:02d}", hub="pangyo") for i in range(45)]
    engine = FakeSearchEngine(suppliers)

    first = search.page_search(session, coordinator, "ochang", "비전", matcher=lambda: engine)
    third = search.page_search(session, coordinator, "ochang", "비전", page=3, matcher=lambda: engine)
    by_name = search.page_search(session, coordinator, "ochang", "비전", sort="name", matcher=lambda: engine)

    assert (first.total, len(first), first.pages) == (45, search.SEARCH_PAGE, 3)
    assert [h.company.id for h in first] == [c.id for c in suppliers[:search.SEARCH_PAGE]]
    assert [h.company.id for h in third] == [c.id for c in suppliers[2 * search.SEARCH_PAGE:]]
    assert [h.company.name for h in by_name] == [f"검색{i:02d}" for i in range(search.SEARCH_PAGE)]
    assert search.search_sort("name") == "name" and search.search_sort("1; drop") == "score"


@contextmanager
def _statements():
    """Count the SQL statements any engine runs inside the block."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_list_pages_run_the_same_few_queries_for_few_or_many_rows(client, session, coordinator):
    """No per-row query: 5 or 60 pairs on a page cost the same number of statements (the measure of issue 13)."""
    maker = gen_company(session, "manufacturer", hub="ochang")
    pages = ["/hub/ochang/", "/hub/ochang/pipeline", "/hub/ochang/pipeline/proposed?sort=company",
             f"/hub/ochang/companies/{maker.id}?sort=date", "/hub/ochang/audit"]

    def cost() -> dict[str, int]:
        counts = {}
        for url in pages:
            client.get(url)  # warm: the signed-in user and caches, not what is measured
            with _statements() as seen:
                assert client.get(url).status_code == 200
            counts[url] = len(seen)
        return counts

    def add(n: int) -> None:  # pairs in three columns, each with a move in the audit log
        for i in range(n):
            pair = gen_match(session, maker, gen_company(session, "supplier", certifications=["ISMS-P"]),
                             score=0.4 + i / 1000, status=("proposed", "introduced", "declined")[i % 3])
            session.add(AuditEvent(actor_id=coordinator.id, action="pipeline.move", hub_key="ochang", match_id=pair.id,
                                   company_id=maker.id, detail={"from_status": "proposed", "to_status": "declined"}))
        session.commit()

    add(6)
    few = cost()
    add(60)
    many = cost()
    assert many == few, (few, many)
    print("statements per page:", many)


def test_hostile_list_and_coordinator_parameters_never_cause_a_server_error(client, session, coordinator):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    maker = gen_company(session, "manufacturer", hub="ochang")
    gen_match(session, maker, gen_company(session, "supplier"))
    nasty = st.one_of(st.sampled_from(["\x00", "-1", "0", "1e400", "nan", "9" * 40, "company", "date", "oldest", "'",
                                       "proposed", "%", "２", "<b>"]), st.text(max_size=8))
    urls = ["/hub/ochang/?sort={v}&companies_sort={v}&page={v}&companies_page={v}", "/hub/ochang/pipeline?sort={v}&meeting_page={v}",
            "/hub/ochang/pipeline/{v}?sort={v}&page={v}", f"/hub/ochang/companies/{maker.id}?sort={{v}}&page={{v}}",
            f"/hub/ochang/companies/{maker.id}/why-not?supplier={{v}}", "/hub/ochang/propose?manufacturer={v}&supplier={v}",
            "/hub/ochang/audit?order={v}&who={v}&since={v}&until={v}&page={v}",
            "/hub/ochang/export/pairs?format=csv&sort={v}&status={v}"]

    @settings(max_examples=10, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(value=nasty)
    def probe(value: str) -> None:
        for url in urls:
            response = client.get(url.format(v=value.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
                                             .replace("&", "%26")))
            assert response.status_code < 500, (url, value, response.get_data(as_text=True)[:300])

    probe()
