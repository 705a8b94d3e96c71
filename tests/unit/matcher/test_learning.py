"""Learning from decisions: near-identical needs point at the capabilities chosen for them, fused as inner CV says."""
from __future__ import annotations

from matcher.engine import Matcher
from matcher.learning import ENGINE_ONLY, train_learner
from tests.unit.matcher.conftest import manufacturer, supplier


OLD = [f"m-old-{i}" for i in range(12)]


def _market(secure: bool = True) -> list:
    return [
        *(manufacturer(m, f"주축 모터가 갑자기 타버려 {i + 2}번 라인이 사흘 섰다") for i, m in enumerate(OLD)),
        manufacturer("m-new", "주축 모터가 갑자기 타버려 라인이 사흘 멈췄다", secure=secure),
        supplier("s-pdm", "진동 스펙트럼 기반 예지정비 서비스"),
        supplier("s-pdm-2", "진동 스펙트럼 기반 예지정비 솔루션 구축"),
        supplier("s-motor", "모터 권선 수리와 라인 재가동 컨설팅", certs=("ISMS-P",)),
        supplier("s-erp", "클라우드 회계·인사 ERP 구축", certs=("ISO 27001",)),
    ]


def _decisions(pairs: list[tuple[str, str, str]]) -> list[dict]:
    return [{"manufacturer_id": m, "supplier_id": s, "outcome": o, "decided_on": "2026-01-01"} for m, s, o in pairs]


def _rules(matcher: Matcher, supplier_id: str) -> list[str]:
    return [r for r in matcher.explain("m-new", supplier_id).rules if r.startswith("decisions_")]


def test_with_too_few_decisions_the_engine_ranking_stands_and_the_explanation_says_so(encoder):
    matcher = Matcher(encoder).index(_market())
    before = [(m.partner_id, m.score) for m in matcher.match("m-new", top=4)]
    train_learner(matcher, _decisions([("m-old-1", "s-pdm", "contract"), ("m-old-2", "s-erp", "declined")]))
    assert not matcher.learner.active_
    after = matcher.match("m-new", top=4)
    assert [(m.partner_id, m.score) for m in after] == before
    assert "decisions_engine_only:2:too_few" in after[0].explanation.rules


def test_a_need_like_decided_ones_lifts_the_chosen_supplier_and_says_who_chose_it(encoder):
    matcher = Matcher(encoder).index(_market(secure=False))
    before = matcher.pair_score("m-new", "s-pdm")
    rank_before = [m.partner_id for m in matcher.match("m-new", top=4)].index("s-pdm")
    decisions = [(m, "s-pdm", "contract") for m in OLD] + [(m, "s-erp", "declined") for m in OLD]
    train_learner(matcher, _decisions(decisions))
    assert matcher.learner.active_ and matcher.learner.fusion_ != ENGINE_ONLY
    assert matcher.pair_score("m-new", "s-pdm") > before
    assert [m.partner_id for m in matcher.match("m-new", top=4)].index("s-pdm") < rank_before
    accepted = _rules(matcher, "s-pdm")
    assert accepted and accepted[0].startswith("decisions_accepted:") and accepted[0].endswith(":semiconductor")
    assert _rules(matcher, "s-erp")[0].startswith("decisions_declined:")


def test_where_the_engine_already_ranks_the_chosen_supplier_first_learning_stays_out_of_the_way(encoder):
    matcher = Matcher(encoder).index(_market(secure=False))
    before = [(m.partner_id, m.score) for m in matcher.match("m-new", top=4)]
    assert before[0][0] == "s-motor"
    decisions = [(m, "s-motor", "contract") for m in OLD] + [(m, "s-erp", "declined") for m in OLD]
    train_learner(matcher, _decisions(decisions))
    assert matcher.learner.status_ == "no_gain" and not matcher.learner.active_
    assert [(m.partner_id, m.score) for m in matcher.match("m-new", top=4)] == before
    assert _rules(matcher, "s-motor") == ["decisions_engine_only:24:no_gain"]


def test_security_rule_holds_after_learning(encoder):
    matcher = Matcher(encoder).index(_market())
    learned = [(m, s, "contract") for m in OLD for s in ("s-pdm", "s-pdm-2")]
    learned += [(m, s, "declined") for m in OLD for s in ("s-motor", "s-erp")]
    train_learner(matcher, _decisions(learned))
    assert matcher.learner.active_
    ranked = matcher.match("m-new", top=4)
    certified = [matcher.profiles[m.partner_id].is_security_certified for m in ranked]
    assert certified == sorted(certified, reverse=True)  # every certified supplier above any uncertified one
    order = [m.partner_id for m in ranked]
    assert matcher.pair_score("m-new", "s-pdm") > matcher.pair_score("m-new", "s-erp")  # learned above it ...
    assert order.index("s-erp") < order.index("s-pdm")  # ... yet the certified supplier still ranks first
