"""Proposals spread across good suppliers, a supplier at capacity gives way, and a need nobody answers
well enough gets no proposal at all but a place on the supply-gap page."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from matcher.engine import Matcher
from models import Company, Match, PipelineTransition, make_session_factory
from services import capacity, index_builder, matching
from services.gaps import unmet_needs
from services.runtime import Runtime
from tests.factories import gen_company, gen_match

# Eight kinds of need, two manufacturers and two specialists each, and one broad supplier that names them all.
THEMES = [
    ("설비 진동 데이터 기반 고장 예측", "주축 모터가 갑자기 멈춰 라인이 선다", "펌프 베어링 이상을 미리 알고 싶다"),
    ("딥러닝 비전 외관 불량 검사", "셀 외관 불량을 사람이 눈으로 검사한다", "표면 스크래치를 자동으로 찾고 싶다"),
    ("공장 에너지 관리 시스템(FEMS) 구축", "공장 전기요금이 너무 많이 나온다", "설비별 전력 사용량을 알고 싶다"),
    ("생산관리 MES 구축", "생산 실적을 종이로 기록한다", "작업 지시와 실적 집계를 전산화하고 싶다"),
    ("창고 재고 관리 WMS", "자재 재고가 맞지 않아 결품이 난다", "입출고를 바코드로 관리하고 싶다"),
    ("자율주행 물류 로봇 AGV", "공정 간 자재 운반을 사람이 한다", "무인 운반차로 물류를 자동화하고 싶다"),
    ("공정 데이터 기반 품질 예측", "불량률이 어떤 공정 조건에서 오르는지 모른다", "공정 조건으로 품질을 미리 예측하고 싶다"),
    ("산업용 보안 관제", "공장 네트워크 해킹이 걱정된다", "설비망 보안 관제를 하고 싶다"),
]


def _supplier(session, external_id: str, *capabilities: str, **kw) -> Company:
    """A supplier known by its capabilities alone (the factory's default reference and summary left out)."""
    return gen_company(session, "supplier", id=external_id, capabilities=list(capabilities), references=None,
                       summary=None, **kw)


@pytest.fixture
def runtime(settings, engine) -> Runtime:
    return Runtime(settings, make_session_factory(engine), jobs="inline")


def rebuild(session, runtime: Runtime) -> None:
    """A full rebuild through the one write path, as `dxmatch index rebuild` asks for it."""
    with runtime.sessions() as writer:
        index_builder.request_rebuild(writer, "test")
        writer.commit()
    runtime.process_now()
    session.expire_all()


def _ranks(session, manufacturer: Company) -> dict[str, int]:
    rows = session.execute(select(Company.external_id, Match.rank).join(Match, Match.supplier_id == Company.id)
                           .where(Match.manufacturer_id == manufacturer.id)).all()
    return dict(rows)


def test_a_broad_supplier_stops_taking_first_place_from_equally_good_specialists(session, runtime):
    """"s-allround" offers, word for word, what each theme's first specialist offers: every pair it is in
    scores exactly as the specialist's does, and it sorts first among equals, so unbalanced it comes first
    wherever the specialist would. It is in every manufacturer's list, each specialist in fewer."""
    makers = []
    for t, (capability, *needs) in enumerate(THEMES):
        makers += [gen_company(session, "manufacturer", id=f"m-{t}{x}", needs=[need]) for x, need in zip("ab", needs)]
        _supplier(session, f"s-t{t}a", capability)
        _supplier(session, f"s-t{t}b", capability + " 컨설팅")
    _supplier(session, "s-allround", *(capability for capability, *_ in THEMES))
    rebuild(session, runtime)
    engine = runtime.matcher()
    assert engine.exposure is not None  # the production build balances exposure

    balancer, engine.exposure = engine.exposure, None
    try:  # the same proposals without balancing
        unbalanced = {m.external_id: engine.match(m.external_id, top=10, filters=matching.proposal_filters(
            engine, engine.profiles[m.external_id])) for m in makers}
    finally:
        engine.exposure = balancer
    first_before = sum(ranked[0].partner_id == "s-allround" for ranked in unbalanced.values() if ranked)
    stored = {m.external_id: _ranks(session, m) for m in makers}
    first_after = sum(ranks.get("s-allround") == 1 for ranks in stored.values())
    assert first_before >= len(makers) // 2 and first_after == 0, (first_before, first_after)
    theme = {capability: t for t, (capability, *_) in enumerate(THEMES)}
    both = []  # (rank of the specialist offering what s-allround was matched on, rank of s-allround)
    for m in makers:
        ranks = stored[m.external_id]
        allround = next((r for r in unbalanced[m.external_id] if r.partner_id == "s-allround"), None)
        if allround is not None and "s-allround" in ranks:
            twin = f"s-t{theme[allround.explanation.need_matches[0].capability]}a"
            both.append((ranks.get(twin, 99), ranks["s-allround"]))
    assert len(both) >= len(makers) // 2 and all(specialist < allround for specialist, allround in both), both
    for m in makers:
        shown = {r.partner_id: r.score for r in unbalanced[m.external_id]}
        rows = session.scalars(select(Match).where(Match.manufacturer_id == m.id)).all()
        # the order changed, not the scores: each stored pair keeps the score it has unbalanced
        assert all(row.score == pytest.approx(shown[row.supplier.external_id]) for row in rows)


def _vision_market(session):
    maker = gen_company(session, "manufacturer", id="m-cells", needs=["셀 외관 불량을 사람이 눈으로 검사해 놓친다"])
    other = gen_company(session, "manufacturer", id="m-other", needs=["표면 스크래치를 자동으로 찾고 싶다"])
    vision = _supplier(session, "s-vision", "딥러닝 비전 외관 불량 검사", monthly_capacity=1)
    _supplier(session, "s-vision-2", "딥러닝 비전 외관 불량 검사 컨설팅")
    for external_id, capability in (("s-pdm", "설비 진동 데이터 기반 고장 예측"), ("s-erp", "클라우드 회계 ERP 구축"),
                                    ("s-fems", "공장 에너지 관리 시스템(FEMS) 구축"), ("s-mes", "생산관리 MES 구축")):
        _supplier(session, external_id, capability)
    return maker, other, vision


def _introduce(session, manufacturer: Company, supplier: Company, at: datetime | None = None) -> Match:
    pair = session.scalar(select(Match).where(Match.manufacturer_id == manufacturer.id,
                                              Match.supplier_id == supplier.id)) or gen_match(session, manufacturer, supplier)
    pair.status = "introduced"
    session.add(PipelineTransition(match_id=pair.id, from_status="proposed", to_status="introduced",
                                   **({"at": at} if at else {})))
    session.commit()
    return pair


def test_a_supplier_at_capacity_is_moved_below_the_available_ones_but_still_proposed(session, runtime):
    maker, other, vision = _vision_market(session)
    rebuild(session, runtime)
    first = _ranks(session, maker)
    assert first["s-vision"] == 1 and "s-vision-2" in first, first
    _introduce(session, session.get(Company, other.id), vision)  # its one introduction of the month
    assert capacity.suppliers_at_capacity(session) == {vision.id: "s-vision"}
    rebuild(session, runtime)
    ranks = _ranks(session, maker)
    assert "s-vision" in ranks and ranks["s-vision"] > max(r for s, r in ranks.items() if s != "s-vision")
    assert sorted(ranks.values()) == list(range(1, len(ranks) + 1))


def test_only_this_korean_months_introductions_count_against_capacity(session):
    maker, other, vision = _vision_market(session)
    # 23:00 on 30 November in Korea is still November; 01:00 on 1 December is not
    _introduce(session, maker, vision, at=datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc))
    december = datetime(2026, 12, 3, 3, 0, tzinfo=timezone.utc)
    assert capacity.month_start(december) == datetime(2026, 11, 30, 15, 0, tzinfo=timezone.utc)
    assert capacity.suppliers_at_capacity(session, now=december) == {}
    _introduce(session, other, vision, at=datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc))
    assert capacity.suppliers_at_capacity(session, now=december) == {vision.id: "s-vision"}
    vision.monthly_capacity = 2
    session.commit()
    assert capacity.suppliers_at_capacity(session, now=december) == {}
    vision.monthly_capacity = 0  # takes nobody new, introductions or not
    session.commit()
    assert capacity.suppliers_at_capacity(session, now=datetime(2027, 1, 5, tzinfo=timezone.utc)) == {vision.id: "s-vision"}


def _odd_market(session):
    maker = gen_company(session, "manufacturer", id="m-cells", needs=["셀 외관 불량을 사람이 눈으로 검사해 놓친다"])
    odd = gen_company(session, "manufacturer", id="m-canteen", needs=["직원 식당 메뉴를 매일 추천받고 싶다"])
    for external_id, capability in (("s-vision", "딥러닝 비전 외관 불량 검사"), ("s-pdm", "설비 진동 데이터 기반 고장 예측"),
                                    ("s-erp", "클라우드 회계 ERP 구축"), ("s-fems", "공장 에너지 관리 시스템(FEMS) 구축")):
        _supplier(session, external_id, capability)
    return maker, odd


def test_a_need_no_supplier_answers_above_the_minimum_gets_no_proposal_and_is_a_supply_gap(session, runtime):
    maker, odd = _odd_market(session)
    rebuild(session, runtime)
    assert _ranks(session, odd) == {} and "s-vision" in _ranks(session, maker)
    gaps = {(g.company_name, g.need): g.best_score for g in unmet_needs(session, "ochang")}
    assert gaps[(odd.name, "직원 식당 메뉴를 매일 추천받고 싶다")] is None  # "no match": nobody was proposed


def test_with_a_calibrated_engine_the_minimum_is_a_probability_of_the_shown_score(session, settings):
    maker, odd = _odd_market(session)
    companies = session.scalars(select(Company).order_by(Company.external_id)).all()
    engine = Matcher(runtime_encoder(settings)).index(matching.profile_from_company(c) for c in companies)
    labels = [("m-cells", "s-vision", True)] * 10 + [("m-cells", "s-erp", False), ("m-canteen", "s-vision", False),
                                                     ("m-canteen", "s-pdm", False), ("m-cells", "s-pdm", False)] * 3
    engine.calibrate(labels)
    assert matching.minimum_score(engine) == matching.MIN_PROPOSAL_PROBABILITY
    assert matching.propose_for(session, engine, odd) == 0
    assert matching.propose_for(session, engine, maker) == 1
    session.commit()
    assert _ranks(session, maker) == {"s-vision": 1}
    assert (odd.name, "직원 식당 메뉴를 매일 추천받고 싶다") in {(g.company_name, g.need) for g in unmet_needs(session, "ochang")}


def runtime_encoder(settings):
    from matcher.encoder import load_encoder

    return load_encoder(settings.model, offline=settings.model_offline)


def test_the_introduction_that_fills_a_supplier_up_moves_it_down_at_once(session, runtime):
    from services import pipeline
    from tests.factories import gen_user

    maker, other, vision = _vision_market(session)
    rebuild(session, runtime)
    assert _ranks(session, maker)["s-vision"] == 1
    pair = session.scalar(select(Match).where(Match.manufacturer_id == other.id, Match.supplier_id == vision.id))
    pipeline.move(session, gen_user(session, "coordinator", hub="ochang"), pair.id, "introduced")
    assert index_builder.pending_count(session) == 1  # recorded with the move: the next matching job redoes it
    runtime.process_now()
    session.expire_all()
    ranks = _ranks(session, maker)
    assert ranks["s-vision"] == max(ranks.values()) > 1
