"""A coordinator proposes a pair by hand from a search result, in chromium; the new and changed list pages
render at 1400 px and 390 px in both languages (screenshots in test-artifacts/ for review)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from models import Match
from tests.e2e.demo import build_demo
from tests.e2e.test_accessibility import _violations
from tests.e2e.test_introduction_flow import _login, _switch_language

pytestmark = pytest.mark.e2e


def test_coordinator_proposes_a_pair_from_a_search_result(live_server, browser, session, artifacts):
    demo = build_demo(session)
    maker, supplier = demo.companies["third"], demo.companies["vision"]
    assert session.scalar(select(Match).where(Match.manufacturer_id == maker.id, Match.supplier_id == supplier.id)) is None
    errors: list[str] = []
    page = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ko-KR").new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _login(page, live_server, demo.coordinator)

    page.goto(f"{live_server}/hub/ochang/search?q=설비 진동 데이터로 고장 예측")
    row = page.locator("table tbody tr", has_text="비전에이아이")
    row.get_by_role("link", name="제안하기").click()
    page.wait_for_load_state()
    assert page.locator("#p-supplier").input_value() == str(supplier.id)
    page.select_option("#p-manufacturer", str(maker.id))
    page.get_by_role("button", name="엔진의 판단 보기").click()
    page.wait_for_load_state()
    review = page.locator("#review")
    assert "한빛정밀" in review.inner_text() and "비전에이아이" in review.inner_text()
    assert review.locator(".score-num").first.inner_text().isdigit()
    assert review.locator(".explanation").count() == 1  # the engine's explanation of exactly this pair
    page.screenshot(path=str(artifacts / "coordinator-propose-review-ko.png"), full_page=True)
    page.fill("#p-note", "박람회에서 만난 담당자 추천")
    review.get_by_role("button", name="제안하기").click()
    page.wait_for_load_state()

    assert re.search(r"/hub/ochang/matches/\d+$", page.url)
    assert "한빛정밀 ↔ 비전에이아이 매칭을 제안했습니다." in page.locator(".flashes").inner_text()
    assert "박람회에서 만난 담당자 추천" in page.locator("main").inner_text()  # the note in the pair's history
    session.expire_all()
    match = session.scalar(select(Match).where(Match.manufacturer_id == maker.id, Match.supplier_id == supplier.id))
    assert match is not None and match.status == "proposed"
    page.goto(f"{live_server}/hub/ochang/companies/{maker.id}")
    assert page.locator(f"#pair-{match.id}").count() == 1
    assert errors == []


PAGES = (
    ("dashboard", "/hub/ochang/?sort=company"),
    ("board", "/hub/ochang/pipeline?sort=date"),
    ("column", "/hub/ochang/pipeline/proposed"),
    ("search", "/hub/ochang/search?q=외관 불량 비전 검사"),
    ("company", "/hub/ochang/companies/{battery}"),
    ("why-not", "/hub/ochang/companies/{battery}/why-not?supplier={factory}"),
    ("propose", "/hub/ochang/propose?manufacturer={third}&supplier={vision}"),
    ("edit", "/hub/ochang/companies/{battery}/edit"),
    ("audit", "/hub/ochang/audit?order=oldest"),
)


@pytest.mark.parametrize("width", [1400, 390])
def test_list_and_coordinator_pages_fit_the_screen_in_both_languages(live_server, browser, session, artifacts, width):
    """Nothing wider than the screen, WCAG AA (axe-core), no console error; screenshots to look at."""
    from axe_playwright_python.sync_playwright import Axe

    axe, found = Axe(), []
    demo = build_demo(session)
    ids = {key: c.id for key, c in demo.companies.items()}
    errors: list[str] = []
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _login(page, live_server, demo.coordinator)
    for lang in ("ko", "en"):
        _switch_language(page, lang)
        for name, path in PAGES:
            page.goto(live_server + path.format(**ids))
            assert page.locator("main h1").count() == 1, (name, lang)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, (name, lang, width, overflow)
            page.screenshot(path=str(artifacts / f"lists-{name}-{lang}-{width}.png"), full_page=True)
            found += [f"[{lang} {width}] {v}" for v in _violations(axe, page, name)]
    assert errors == [] and found == []
