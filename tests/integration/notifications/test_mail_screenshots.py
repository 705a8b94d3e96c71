"""Notification mails as a mail client shows them: the HTML rendered in chromium, kept in test-artifacts/."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from config.settings import PROJECT_ROOT
from models import NotificationOutbox
from services import introductions, pipeline
from services.notifications.rendering import render_notification

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_both_accepted_mail_renders_in_chromium_with_its_link_and_no_secret(browser, session, settings, pair,
                                                                                language):
    pair.kim.language = language
    pipeline.move(session, pair.coordinator, pair.match.id, "introduced")
    introductions.respond(session, pair.lee, pair.match.id, "accepted")
    introductions.respond(session, pair.kim, pair.match.id, "accepted")
    row = session.scalars(select(NotificationOutbox).where(
        NotificationOutbox.user_id == pair.kim.id, NotificationOutbox.kind == "introduction_accepted")).one()
    html = render_notification(session, row, settings).html

    page = browser.new_page(viewport={"width": 720, "height": 900})
    try:
        page.set_content(html, wait_until="load")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"notification_accepted_{language}.png"), full_page=True)
        visible = page.inner_text("body")
        links = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
    finally:
        page.close()

    assert pair.supplier.name in visible and pair.maker.name in visible
    assert ("양측 모두 수락" if language == "ko" else "Both companies accepted") in visible
    assert f"https://dxmatch.test/matches/{pair.match.id}" in links
    assert any("/notifications/unsubscribe/" in link for link in links)
    assert pair.supplier.website not in visible and (pair.supplier.contact_email or "@") not in visible
