"""Times on pages are Korean time in the reader's one format, never the stored UTC."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from models import AuditEvent, PipelineTransition
from tests.integration.web.world import build_world


def test_the_pair_history_and_the_audit_log_show_a_late_utc_move_on_the_next_korean_day(client, auth, session):
    world = build_world(session, introduced=False)
    auth.login(world.users["coord"])
    client.post(f"/hub/ochang/matches/{world.match.id}/move", data={"to": "introduced"})
    late_evening_utc = datetime(2026, 12, 2, 23, 30, tzinfo=timezone.utc)
    for row in session.scalars(select(PipelineTransition).where(PipelineTransition.match_id == world.match.id)):
        row.at = late_evening_utc
    for row in session.scalars(select(AuditEvent).where(AuditEvent.action == "pipeline.move")):
        row.at = late_evening_utc
    session.commit()

    pair = client.get(f"/hub/ochang/matches/{world.match.id}").get_data(as_text=True)
    audit = client.get("/hub/ochang/audit").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    audit_en = client.get("/hub/ochang/audit").get_data(as_text=True)

    assert "2026년 12월 3일 08:30" in pair and 'datetime="2026-12-03T08:30:00+09:00"' in pair
    assert "2026년 12월 3일 08:30" in audit
    assert "3 Dec 2026, 08:30" in audit_en
    assert "23:30" not in pair + audit + audit_en
