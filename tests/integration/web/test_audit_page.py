"""The audit log pages, filters by person and by Korean days, and names pairs and moves in words."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from models import AuditEvent
from services import pipeline
from tests.factories import gen_company, gen_match, gen_user


def test_the_audit_log_pages_names_pairs_and_moves_and_filters_by_person_and_day(client, auth, session):
    maker = gen_company(session, "manufacturer", name="한빛세미텍", hub="ochang", needs=["외관 검사"])
    pair = gen_match(session, maker, gen_company(session, "supplier", name="비전에이아이랩", capabilities=["비전 검사"]))
    coordinator = gen_user(session, "coordinator", hub="ochang", name="김코디")
    other = gen_user(session, "coordinator", hub="ochang", name="이코디")
    pipeline.move(session, coordinator, pair.id, "introduced")
    for n in range(60):  # older views by someone else, 2026-11-30 15:30 UTC = 12-01 00:30 in Seoul
        session.add(AuditEvent(actor_id=other.id, action="company.view", hub_key="ochang", company_id=maker.id,
                               at=datetime(2026, 11, 30, 15, 30, n % 60, tzinfo=timezone.utc)))
    session.commit()
    auth.login(coordinator)

    total = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.hub_key == "ochang"))
    assert total > 60
    page = client.get("/hub/ochang/audit").get_data(as_text=True)
    assert f"{total}건" in page and "1–50" in page and 'rel="next"' in page
    assert "한빛세미텍 ↔ 비전에이아이랩" in page and "제안됨 → " in page  # the pair by name, the move from → to

    mine = client.get("/hub/ochang/audit", query_string={"who": coordinator.id}).get_data(as_text=True)
    rows = mine.split("<tbody>")[1]
    assert "김코디" in rows and "이코디" not in rows
    december = client.get("/hub/ochang/audit", query_string={"since": "2026-12-01", "until": "2026-12-01"})
    assert "60건" in december.get_data(as_text=True)  # Korean days: 15:30 UTC on 30 November is 1 December
    november = client.get("/hub/ochang/audit", query_string={"since": "2026-11-01", "until": "2026-11-30"})
    assert "아직 기록이 없습니다" in november.get_data(as_text=True)


def test_hostile_audit_filters_are_ignored_not_errors(client, auth, session):
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    for args in ({"who": "99999999999999"}, {"who": "-1"}, {"since": "2026-13-45"}, {"until": "x" * 5000},
                 {"page": "9" * 50}):
        assert client.get("/hub/ochang/audit", query_string=args).status_code == 200, args
