"""Every page passes axe-core's WCAG 2.1 A/AA rules in chromium, in Korean and in English.

axe-core (Deque's accessibility engine, bundled in the PyPI package axe-playwright-python, no
download) runs inside the rendered page: contrast, labels, landmarks, names of buttons and
links, heading order, `lang`, and the rest of its WCAG rule set.
"""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.demo import build_demo
from tests.e2e.test_introduction_flow import _login, _switch_language
from tests.factories import gen_user

pytestmark = pytest.mark.e2e

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


def _violations(axe: Axe, page, path: str) -> list[str]:
    result = axe.run(page, options=WCAG_AA)
    return [f"{path}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]]


def _audit(page, base: str, paths: list[str], axe: Axe) -> list[str]:
    found = []
    for lang in ("ko", "en"):
        _switch_language(page, lang)
        for path in paths:
            page.goto(f"{base}{path}")
            found += [f"[{lang}] {v}" for v in _violations(axe, page, path)]
    return found


def test_every_page_meets_wcag_aa_in_both_languages(live_server, browser, session):
    demo = build_demo(session)
    admin = gen_user(session, "admin", name="관리자")
    axe = Axe()
    found: list[str] = []
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    for path in ("/login", "/register", "/reset-password"):
        page.goto(f"{live_server}{path}")
        found += _violations(axe, page, path)
    battery = demo.companies["battery"].id
    roles = [
        (demo.coordinator, ["/hub/ochang/", "/hub/ochang/pipeline", f"/hub/ochang/matches/{demo.pair.id}",
                            f"/hub/ochang/companies/{battery}", "/hub/ochang/import", "/hub/ochang/gaps?threshold=80",
                            "/hub/ochang/search?q=vision inspection",
                            "/hub/ochang/audit", "/account"]),
        (demo.members["manufacturer"], ["/company/", f"/company/matches/{demo.pair.id}", "/company/profile", "/account"]),
        (admin, ["/admin/", "/admin/audit"]),
    ]
    for user, paths in roles:
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        page = context.new_page()
        _login(page, live_server, user)
        found += _audit(page, live_server, paths, axe)
        context.close()
    assert found == [], "\n".join(found)
