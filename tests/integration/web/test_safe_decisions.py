"""Declining asks for confirmation and a reason, a coordinator can reopen a declined pair with its
history kept, and a move the pair cannot make is explained on the page instead of an error page."""
from __future__ import annotations

from sqlalchemy import select

from models import PipelineTransition
from services import pipeline
from tests.factories import gen_company, gen_match, gen_user


def _pair(session):
    maker = gen_company(session, "manufacturer", hub="ochang", needs=["외관 검사 자동화"])
    return gen_match(session, maker, gen_company(session, "supplier", capabilities=["딥러닝 외관 검사"]))


def test_declining_asks_for_a_reason_and_the_history_shows_it(client, auth, session):
    pair = _pair(session)
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    board = client.get("/hub/ochang/pipeline").get_data(as_text=True)
    assert f"/hub/ochang/matches/{pair.id}/decline" in board  # a link to the confirmation, not an instant decline
    page = client.get(f"/hub/ochang/matches/{pair.id}/decline").get_data(as_text=True)
    assert "거절 사유" in page and "수요에 맞지 않음" in page

    refused = client.post(f"/hub/ochang/matches/{pair.id}/move", data={"to": "declined"})
    assert refused.status_code == 302 and "/decline" in refused.headers["Location"]
    session.expire_all()
    assert pair.status == "proposed"  # nothing happened without a reason

    done = client.post(f"/hub/ochang/matches/{pair.id}/move",
                       data={"to": "declined", "reason": "no_capacity", "note": "올해 일정이 꽉 찼음"})
    assert done.status_code == 302
    session.expire_all()
    assert pair.status == "declined"
    move = session.scalar(select(PipelineTransition).where(PipelineTransition.match_id == pair.id))
    assert move.reason == "no_capacity" and move.note == "올해 일정이 꽉 찼음"
    page = client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True)
    assert "공급기업이 지금은 맡을 수 없음" in page and "올해 일정이 꽉 찼음" in page


def test_a_coordinator_reopens_a_declined_pair_where_it_was_and_both_companies_are_asked_again(client, auth, session):
    pair = _pair(session)
    coordinator = gen_user(session, "coordinator", hub="ochang")
    pipeline.move(session, coordinator, pair.id, "introduced")
    pair.introduction.supplier_response = "declined"
    pipeline.move(session, coordinator, pair.id, "declined", reason="withdrew")
    auth.login(coordinator)
    assert "다시 열기" in client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True)
    client.post(f"/hub/ochang/matches/{pair.id}/move", data={"to": "reopen"})
    session.expire_all()
    assert pair.status == "introduced" and pair.introduction.supplier_response == "pending"
    moves = [(t.from_status, t.to_status) for t in session.scalars(
        select(PipelineTransition).where(PipelineTransition.match_id == pair.id).order_by(PipelineTransition.id))]
    assert moves == [("proposed", "introduced"), ("introduced", "declined"), ("declined", "introduced")]


def test_a_move_the_pair_cannot_make_is_explained_on_the_page_and_not_offered(client, auth, session):
    pair = _pair(session)
    coordinator = gen_user(session, "coordinator", hub="ochang")
    pipeline.move(session, coordinator, pair.id, "introduced")
    auth.login(coordinator)
    page = client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True)
    assert 'value="meeting"' not in page  # not offered before both companies accepted
    response = client.post(f"/hub/ochang/matches/{pair.id}/move", data={"to": "meeting"}, follow_redirects=True)
    assert response.status_code == 200 and "소개를 수락해야" in response.get_data(as_text=True)
    session.expire_all()
    assert pair.status == "introduced"


def test_a_company_declines_its_introduction_only_after_confirming_with_a_reason(client, auth, session):
    pair = _pair(session)
    coordinator = gen_user(session, "coordinator", hub="ochang")
    pipeline.move(session, coordinator, pair.id, "introduced")
    member = gen_user(session, "member", company=pair.manufacturer)
    auth.login(member)
    page = client.get(f"/company/matches/{pair.id}").get_data(as_text=True)
    assert f"/company/matches/{pair.id}/decline" in page  # a link to the confirmation, not a one-click decline
    assert "거절 사유" in client.get(f"/company/matches/{pair.id}/decline").get_data(as_text=True)

    unconfirmed = client.post(f"/company/matches/{pair.id}/respond", data={"answer": "declined"})
    assert "/decline" in unconfirmed.headers["Location"]
    session.expire_all()
    assert pair.introduction.manufacturer_response == "pending" and pair.status == "introduced"

    client.post(f"/company/matches/{pair.id}/respond",
                data={"answer": "declined", "reason": "not_a_fit", "note": "예산이 내년으로 밀렸습니다"})
    session.expire_all()
    assert pair.introduction.manufacturer_response == "declined" and pair.status == "declined"
    move = session.scalar(select(PipelineTransition).where(PipelineTransition.match_id == pair.id,
                                                           PipelineTransition.to_status == "declined"))
    assert move.reason == "not_a_fit" and "예산이 내년으로 밀렸습니다" in move.note
    auth.logout()
    auth.login(coordinator)
    assert "수요에 맞지 않음" in client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True)


def test_rejecting_a_registration_asks_for_a_reason_which_the_audit_log_keeps(client, auth, session):
    from models import AuditEvent

    pending = gen_company(session, "supplier", name="신규솔루션", hub="ochang", status="pending")
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    dashboard = client.get("/hub/ochang/").get_data(as_text=True)
    assert f"/hub/ochang/companies/{pending.id}/reject" in dashboard  # a link to the confirmation
    assert "반려 사유" in client.get(f"/hub/ochang/companies/{pending.id}/reject").get_data(as_text=True)
    unconfirmed = client.post(f"/hub/ochang/companies/{pending.id}/review", data={"decision": "reject"})
    assert "/reject" in unconfirmed.headers["Location"]
    session.expire_all()
    assert pending.status == "pending"
    client.post(f"/hub/ochang/companies/{pending.id}/review",
                data={"decision": "reject", "reason": "outside_region", "note": "제주 소재"})
    session.expire_all()
    assert pending.status == "rejected"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "company.reject"))
    assert event.detail == {"reason": "outside_region", "note": "제주 소재"}
