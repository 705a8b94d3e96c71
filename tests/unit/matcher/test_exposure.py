"""Exposure balancing spreads proposals and never breaks the security rule."""
from __future__ import annotations

from matcher.engine import Matcher
from matcher.exposure import balance_exposure
from matcher.exposure import gini, top_appearances
from tests.unit.matcher.conftest import manufacturer, supplier


def test_gini_is_zero_for_equal_exposure_and_high_for_one_supplier():
    assert gini([3, 3, 3]) == 0.0
    assert gini([0, 0, 0, 9]) > 0.7


def test_balancing_lowers_a_popular_suppliers_scores_and_keeps_the_security_rule(encoder):
    market = [
        *(manufacturer(f"m{i}", "설비 진동 데이터로 고장을 미리 알고 싶다", secure=(i == 0)) for i in range(6)),
        supplier("s-popular", "설비 예지보전 AI와 진동 센서 고장 예측 플랫폼"),
        supplier("s-niche", "진동 스펙트럼 기반 예지정비", certs=("ISMS-P",)),
        supplier("s-other", "공장 에너지 관리 시스템(FEMS)"),
    ]
    matcher = Matcher(encoder).index(market)
    before = matcher.pair_score("m1", "s-popular")
    balance_exposure(matcher)
    assert matcher.pair_score("m1", "s-popular") < before
    assert top_appearances(matcher, depth=1)  # every supplier is counted
    ranked = matcher.match("m0", top=3)
    certified = [matcher.profiles[m.partner_id].is_security_certified for m in ranked]
    assert certified == sorted(certified, reverse=True)
