"""Exposure balancing spreads proposals and never breaks the security rule."""
from __future__ import annotations

from matcher.engine import Matcher
from matcher.exposure import ExposureBalancer, balance_exposure, capacity_order, gini, top_appearances
from tests.unit.matcher.conftest import manufacturer, supplier


def test_gini_is_zero_for_equal_exposure_and_high_for_one_supplier():
    assert gini([3, 3, 3]) == 0.0
    assert gini([0, 0, 0, 9]) > 0.7


def test_balancing_changes_no_shown_score_and_keeps_the_security_rule(encoder):
    market = [
        *(manufacturer(f"m{i}", "설비 진동 데이터로 고장을 미리 알고 싶다", secure=(i == 0)) for i in range(6)),
        supplier("s-popular", "설비 예지보전 AI와 진동 센서 고장 예측 플랫폼"),
        supplier("s-niche", "진동 스펙트럼 기반 예지정비", certs=("ISMS-P",)),
        supplier("s-other", "공장 에너지 관리 시스템(FEMS)"),
    ]
    matcher = Matcher(encoder).index(market)
    before = {m.partner_id: m.score for m in matcher.match("m1", top=3)}
    balance_exposure(matcher)
    after = {m.partner_id: m.score for m in matcher.match("m1", top=3)}
    assert after == before  # what a coordinator sees (and the minimum) is the pair's own score
    assert top_appearances(matcher, depth=1)  # every supplier is counted
    ranked = matcher.match("m0", top=3)
    certified = [matcher.profiles[m.partner_id].is_security_certified for m in ranked]
    assert certified == sorted(certified, reverse=True)


def test_a_supplier_at_capacity_follows_the_available_ones_and_is_not_dropped():
    ranked = ["a", "full-1", "b", "c", "full-2", "d"]
    assert capacity_order(ranked, {"full-1", "full-2"}, top=3) == ["a", "b", "c", "full-1"]
    assert capacity_order(ranked, set(), top=3) == ["a", "full-1", "b"]
    assert capacity_order(["full-1"], {"full-1"}, top=3) == ["full-1"]


def test_a_fit_on_a_sample_of_manufacturers_scales_the_counts_to_all_of_them(encoder):
    market = [*(manufacturer(f"m{i}", "설비 진동 데이터로 고장을 미리 알고 싶다") for i in range(4)),
              supplier("s-a", "진동 스펙트럼 기반 예지정비"), supplier("s-b", "공장 에너지 관리 시스템(FEMS)")]
    matcher = Matcher(encoder).index(market)
    assert ExposureBalancer(sample=2).fit(matcher).counts_ == {"s-a": 4.0, "s-b": 4.0}
