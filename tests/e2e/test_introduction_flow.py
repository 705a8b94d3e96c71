"""In a real browser: a coordinator introduces a pair, both companies accept, and only then each side
sees the other's contact and confidential details; a third company never does; the audit log shows each view."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent, Match
from tests.e2e.demo import build_demo

pytestmark = pytest.mark.e2e


def _login(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", user.password)
    page.click("form.form-stack button[type=submit]")
    page.wait_for_load_state()


def _switch_language(page, code: str) -> None:
    page.click(f".lang-switch button[value={code}]")
    page.wait_for_load_state()


def test_confidential_notes_appear_only_after_both_companies_accept(live_server, browser, session, artifacts):
    base = live_server
    demo = build_demo(session)
    pair = demo.pair
    console_errors: list[str] = []

    # --- the coordinator filters the best pairs and introduces one ---------------------------
    coord = browser.new_context(viewport={"width": 1360, "height": 900}, locale="ko-KR")
    page = coord.new_page()
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    _login(page, base, demo.coordinator)
    assert page.url.endswith("/hub/ochang/")
    page.select_option("#f-industry", "battery")
    page.fill("#f-min", "60")
    page.click(".filters button[type=submit]")
    page.wait_for_load_state()
    pairs = page.locator(".pair")
    assert pairs.count() >= 1
    for i in range(pairs.count()):
        assert "배터리" in pairs.nth(i).inner_text() or "이차전지" in pairs.nth(i).inner_text()
    page.locator(f"#pair-{pair.id} details summary").click()
    page.screenshot(path=str(artifacts / "coordinator-dashboard-ko.png"), full_page=True)
    _switch_language(page, "en")
    assert "Best pairs" in page.content()
    page.locator(f"#pair-{pair.id} details summary").click()
    page.screenshot(path=str(artifacts / "coordinator-dashboard-en.png"), full_page=True)
    _switch_language(page, "ko")
    page.locator(f"#pair-{pair.id} .move-form button[value=introduced]").click()
    page.wait_for_load_state()
    assert "소개됨" in page.locator(".flash-success").inner_text()
    session.expire_all()
    assert session.get(Match, pair.id).status == "introduced"

    # --- both companies: nothing is revealed before both accepted ------------------------------
    sides = {}
    for key in ("manufacturer", "supplier"):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        sides[key] = ctx.new_page()
        _login(sides[key], base, demo.members[key])
    m_page, s_page = sides["manufacturer"], sides["supplier"]
    detail = f"{base}/company/matches/{pair.id}"

    m_page.goto(detail)
    assert demo.notes not in m_page.content()
    assert demo.supplier_email not in m_page.content()
    m_page.click("button[value=accepted]")
    m_page.wait_for_load_state()
    assert demo.supplier_email not in m_page.content()  # only one side accepted

    s_page.goto(detail)
    assert demo.notes not in s_page.content()
    s_page.click("button[value=accepted]")
    s_page.wait_for_load_state()
    # --- both accepted: each side sees the other's details ------------------------------------
    assert demo.notes in s_page.locator(".confidential-notes").inner_text()
    assert demo.manufacturer_email in s_page.content()
    m_page.goto(detail)
    assert demo.supplier_email in m_page.content()
    m_page.screenshot(path=str(artifacts / "match-explanation-ko.png"), full_page=True)
    _switch_language(m_page, "en")
    assert "Why this partner" in m_page.content()
    m_page.screenshot(path=str(artifacts / "match-explanation-en.png"), full_page=True)

    # --- a third company never sees them -------------------------------------------------------
    third = browser.new_context().new_page()
    _login(third, base, demo.members["third"])
    response = third.goto(detail)
    assert response.status == 404
    assert demo.notes not in third.content()
    third.goto(f"{base}/company/")
    assert demo.notes not in third.content()
    api = third.request.get(f"{base}/api/v1/matches/{pair.id}/introduction")
    assert api.status == 404 and demo.notes not in api.text()

    # --- the audit log shows each view ----------------------------------------------------------
    views = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "confidential.view", AuditEvent.match_id == pair.id)))
    assert len(views) == 3  # supplier once, manufacturer twice (ko, then en)
    page.goto(f"{base}/hub/ochang/audit?action=confidential.view")
    rows = page.locator("tr.audit-confidential-view")
    assert rows.count() == 3
    text = page.locator(".audit-table").inner_text()
    assert demo.members["manufacturer"].name in text and demo.members["supplier"].name in text
    page.screenshot(path=str(artifacts / "coordinator-audit-ko.png"), full_page=True)
    assert console_errors == []  # no CSP violations or script errors
