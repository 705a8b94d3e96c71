"""Every page is usable on a phone (390 px wide) in both languages: nothing wider than the screen, no
column squeezed to a few characters, and the same WCAG AA check as at desktop width.

Screenshots of each page at 390 px go to test-artifacts/ for review.
"""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.demo import build_demo
from tests.e2e.test_accessibility import _violations
from tests.e2e.test_introduction_flow import _login, _switch_language
from tests.factories import gen_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
NARROWEST_TEXT_BOX = 60  # px: text this narrow wrapped onto three or more lines reads letter by letter

LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  const hidden = (el) => {  // not drawn, or inside a box clipped to nothing (visually hidden for screen readers)
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a), b = a.getBoundingClientRect();
      if (s.display === 'none' || s.visibility === 'hidden') return true;
      if (s.overflow === 'hidden' && (b.width <= 1 || b.height <= 1)) return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > width + 1)
    problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px wide`);
  for (const el of document.querySelectorAll('td, th, li, p, h1, h2, h3, label, a.btn, button')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || hidden(el)) continue;
    if (box.right > width + 1 && !el.closest('.scroll-x'))
      problems.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" ends at ${Math.round(box.right)}px`);
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || 1.4 * parseFloat(style.fontSize);
    // squeezed: narrow and wrapped onto three lines or more (a short label on one line is fine)
    if ((el.textContent || '').trim().length > 3 && box.width < %d && box.height > 2.5 * line)
      problems.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" only ${Math.round(box.width)}px wide`);
  }
  return problems.slice(0, 8);
}""" % NARROWEST_TEXT_BOX


def _check(page, base: str, path: str, lang: str, name: str, artifacts, axe: Axe) -> list[str]:
    page.goto(f"{base}{path}")
    found = [f"[{lang}] {path}: {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
    found += [f"[{lang}] {v}" for v in _violations(axe, page, path)]
    page.screenshot(path=str(artifacts / f"phone-{name}-{lang}.png"), full_page=True)
    return found


def test_every_page_fits_a_phone_in_both_languages(live_server, browser, session, artifacts):
    demo = build_demo(session)
    admin = gen_user(session, "admin", name="관리자")
    axe = Axe()
    battery = demo.companies["battery"].id
    found: list[str] = []
    page = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    for lang in ("ko", "en"):
        page.goto(f"{live_server}/login")
        _switch_language(page, lang)
        for name, path in (("login", "/login"), ("register", "/register"), ("reset-password", "/reset-password")):
            found += _check(page, live_server, path, lang, name, artifacts, axe)
    roles = [
        (demo.coordinator, [("dashboard", "/hub/ochang/"), ("pipeline", "/hub/ochang/pipeline"),
                            ("pair", f"/hub/ochang/matches/{demo.pair.id}"),
                            ("decline", f"/hub/ochang/matches/{demo.pair.id}/decline"),
                            ("company", f"/hub/ochang/companies/{battery}"), ("import", "/hub/ochang/import"),
                            ("gaps", "/hub/ochang/gaps?threshold=80"), ("search", "/hub/ochang/search?q=셀 외관 검사"),
                            ("audit", "/hub/ochang/audit"), ("account", "/account")]),
        (demo.members["manufacturer"], [("partners", "/company/"), ("member-pair", f"/company/matches/{demo.pair.id}"),
                                        ("member-decline", f"/company/matches/{demo.pair.id}/decline"),
                                        ("profile", "/company/profile")]),
        (admin, [("admin", "/admin/"), ("admin-audit", "/admin/audit")]),
    ]
    for user, paths in roles:
        context = browser.new_context(viewport=PHONE, is_mobile=True)
        page = context.new_page()
        _login(page, live_server, user)
        for lang in ("ko", "en"):
            _switch_language(page, lang)
            for name, path in paths:
                found += _check(page, live_server, path, lang, name, artifacts, axe)
        context.close()
    assert found == [], "\n".join(found)
