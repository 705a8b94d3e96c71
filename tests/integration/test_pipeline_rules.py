"""Pipeline moves on the database: order, who may move, the stored history; supply gaps of a hub."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, PipelineTransition, as_utc, utcnow
from services import gaps, pipeline
from services.errors import Conflict, Forbidden, NotFound
from tests.factories import gen_company, gen_match, gen_user


@pytest.fixture
def pair(session):
    m = gen_company(session, "manufacturer")
    s = gen_company(session, "supplier", hub="ochang")
    return gen_match(session, m, s)


def test_every_move_is_stored_with_actor_and_audited(session, pair):
    coord = gen_user(session, "coordinator", hub="ochang")
    pipeline.move(session, coord, pair.id, "introduced")
    pipeline.move(session, coord, pair.id, "declined", note="budget frozen", reason="other")
    rows = list(session.scalars(select(PipelineTransition).where(PipelineTransition.match_id == pair.id).order_by(PipelineTransition.id)))
    assert [(r.from_status, r.to_status, r.actor_id) for r in rows] == [("proposed", "introduced", coord.id), ("introduced", "declined", coord.id)]
    assert rows[1].note == "budget frozen"
    assert all(abs(as_utc(r.at) - utcnow()) < timedelta(minutes=5) for r in rows)  # stamped now, in UTC
    assert len(list(session.scalars(select(AuditEvent).where(AuditEvent.action == "pipeline.move")))) == 2


def test_introducing_opens_the_double_opt_in(session, pair):
    coord = gen_user(session, "coordinator", hub="ochang")
    match = pipeline.move(session, coord, pair.id, "introduced")
    assert match.introduction is not None
    assert (match.introduction.manufacturer_response, match.introduction.supplier_response) == ("pending", "pending")


def test_a_meeting_needs_both_acceptances(session, pair):
    coord = gen_user(session, "coordinator", hub="ochang")
    pipeline.move(session, coord, pair.id, "introduced")
    with pytest.raises(Conflict):
        pipeline.move(session, coord, pair.id, "meeting")


def test_skipping_a_step_is_refused(session, pair):
    coord = gen_user(session, "coordinator", hub="ochang")
    with pytest.raises(Conflict):
        pipeline.move(session, coord, pair.id, "contract")


def test_a_coordinator_of_another_hub_cannot_move_the_pair(session, pair):
    other = gen_user(session, "coordinator", hub="seoul")
    with pytest.raises(NotFound):
        pipeline.move(session, other, pair.id, "introduced")


def test_supply_gaps_count_needs_without_a_good_match(session):
    covered = gen_company(session, "manufacturer", needs=["도장 공정 자동화", "출하 검사 자동화"])
    lonely = gen_company(session, "manufacturer", needs=["도장 불량 검출"])
    supplier = gen_company(session, "supplier", hub="ochang")
    gen_match(session, covered, supplier, explanation={"need_matches": [
        {"need_index": 0, "need": "도장 공정 자동화", "capability": "x", "score": 0.2},
        {"need_index": 1, "need": "출하 검사 자동화", "capability": "y", "score": 0.9},
    ], "industry_fit": True, "rules": []})
    groups = gaps.supply_gaps(session, "ochang", 0.5, actor=gen_user(session, "coordinator", hub="ochang"))
    assert [(g.key, g.count, g.companies) for g in groups] == [("도장", 2, 2)]
    assert {n.company_name for n in groups[0].needs} == {covered.name, lonely.name}
    assert gaps.keywords("검사를 자동화") == ["검사", "자동화"]


def test_supply_gaps_are_only_for_the_hubs_staff(session):
    gen_company(session, "manufacturer", needs=["도장 불량 검출"])
    with pytest.raises(NotFound):
        gaps.supply_gaps(session, "ochang", 0.5, actor=gen_user(session, "coordinator", hub="seoul"))
    with pytest.raises(Forbidden):
        gaps.supply_gaps(session, "ochang", 0.5, actor=gen_user(session, "member"))


def test_supply_gap_themes_are_the_noun_phrase_their_needs_share(session):
    gen_company(session, "manufacturer", needs=["배터리 외관 불량을 자동으로 검출하고 싶습니다"])
    gen_company(session, "manufacturer", needs=["도장 외관 불량 검사를 자동화하고 싶습니다"])
    groups = gaps.supply_gaps(session, "ochang", 0.5, actor=gen_user(session, "coordinator", hub="ochang"))
    assert [(g.key, g.count) for g in groups] == [("외관 불량", 2)]

