"""The digest HTML as a mail client shows it: rendered in chromium, kept in test-artifacts/."""
from __future__ import annotations

import pytest

from config.settings import PROJECT_ROOT
from services.digest import collect_digest, render_digest, unsubscribe_url, week_start
from services.i18n import translator

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.mark.parametrize(
    ("user_key", "language", "artifact"),
    [
        ("kim", "ko", "digest_ko.png"),
        ("kim", "en", "digest_en.png"),
        ("park", "ko", "digest_coordinator_ko.png"),
        ("park", "en", "digest_coordinator_en.png"),
    ],
)
def test_the_digest_html_renders_in_chromium_in_both_languages(
    browser, session, settings, world, user_key, language, artifact
):
    user = world.users[user_key]
    user.language = language
    session.commit()
    content = collect_digest(session, user, world.week, _default_since(world.week), settings.base_url)
    html = render_digest(content, unsubscribe_url(settings, world.subs[user_key].id)).html

    page = browser.new_page(viewport={"width": 720, "height": 900})
    try:
        page.set_content(html, wait_until="load")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / artifact), full_page=True)
        visible = page.inner_text("body")
        links = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
    finally:
        page.close()

    assert translator(language).gettext("Weekly matching digest") in visible
    assert translator(language).gettext("Unsubscribe (one click)") in visible
    assert any(link.startswith("https://dxmatch.test/digest/unsubscribe/") for link in links)
    assert any(link.startswith("https://dxmatch.test/matches/") for link in links)
    assert (ARTIFACTS / artifact).stat().st_size > 10_000


def _default_since(week: str):  # noqa: ANN202
    from datetime import timedelta

    return week_start(week) - timedelta(days=7)
