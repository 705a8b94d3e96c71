"""Every main screen renders in chromium in both languages without script or CSP errors (screenshots for review)."""
from __future__ import annotations

import pytest

from tests.e2e.demo import build_demo
from tests.e2e.test_introduction_flow import _login, _switch_language

pytestmark = pytest.mark.e2e


def test_main_screens_render_without_console_errors(live_server, browser, session, artifacts):
    demo = build_demo(session)
    errors: list[str] = []
    # a Korean browser: the signed-out register page answers in Korean (the language of Accept-Language)
    page = browser.new_context(viewport={"width": 1360, "height": 900}, locale="ko-KR").new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    for lang in ("ko", "en"):
        page.goto(f"{live_server}/register")
        if lang == "en":
            _switch_language(page, "en")
        assert page.locator("html").get_attribute("lang") == lang
        page.screenshot(path=str(artifacts / f"register-{lang}.png"), full_page=True)
    _login(page, live_server, demo.coordinator)
    for lang in ("ko", "en"):
        _switch_language(page, lang)
        for name, path in (("pipeline", "/hub/ochang/pipeline"), ("gaps", "/hub/ochang/gaps?threshold=80"),
                           ("search", "/hub/ochang/search?q=셀 외관 불량 비전 검사"),
                           ("pair", f"/hub/ochang/matches/{demo.pair.id}")):
            page.goto(f"{live_server}{path}")
            assert page.locator("main h1").count() == 1
            page.screenshot(path=str(artifacts / f"coordinator-{name}-{lang}.png"), full_page=True)
    member = browser.new_context(viewport={"width": 1360, "height": 900}, locale="ko-KR").new_page()
    member.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _login(member, live_server, demo.members["manufacturer"])
    member.screenshot(path=str(artifacts / "member-partners-ko.png"), full_page=True)
    member.goto(f"{live_server}/company/profile")
    member.screenshot(path=str(artifacts / "member-profile-ko.png"), full_page=True)
    assert errors == []
