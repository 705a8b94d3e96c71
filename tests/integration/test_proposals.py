"""Proposing a pair by hand and asking why one was not proposed, against a hand-written fake engine.

The fake scores exactly the pairs it is told to, so each rule (minimum score, the top-N cut,
certification, an earlier decline, an unindexed or inactive company) is tried on its own.
"""
from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from matcher.types import Explanation, MatchFilters, NeedMatch, RankedPartner
from models import AuditEvent, Match, PipelineTransition
from services import matching, pipeline, proposals
from services.errors import Conflict, Forbidden, NotFound
from tests.factories import gen_company, gen_match, gen_user


class FakeEngine:
    """Scores only the (manufacturer, supplier) pairs in `scores`; shown score = raw score."""

    calibrator = None

    def __init__(self, companies, scores: dict[tuple[str, str], float]) -> None:
        self.profiles = {c.external_id: matching.profile_from_company(c) for c in companies}
        self.scores = scores

    def pair_score(self, manufacturer_id: str, supplier_id: str) -> float:
        return self.scores.get((manufacturer_id, supplier_id), 0.0)

    def shown_scores(self, scores: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(scores, dtype=np.float64), 0.0, 1.0)

    def explain(self, manufacturer_id: str, supplier_id: str) -> Explanation:
        need = self.profiles[manufacturer_id].needs[0]
        capability = self.profiles[supplier_id].capabilities[0]
        return Explanation(need_matches=(NeedMatch(0, need, capability, self.pair_score(manufacturer_id, supplier_id)),))

    def match(self, profile_id: str, top: int = 10, filters: MatchFilters | None = None) -> list[RankedPartner]:
        ranked = sorted(((score, s) for (m, s), score in self.scores.items() if m == profile_id
                         and (filters is None or filters.admits(self.profiles[s]))
                         and (filters is None or filters.min_score is None or score >= filters.min_score)), reverse=True)
        return [RankedPartner(profile_id, s, score, self.explain(profile_id, s)) for score, s in ranked[:top]]


@pytest.fixture
def coordinator(session):
    return gen_user(session, "coordinator", hub="ochang")


def _codes(review: proposals.PairReview) -> list[str]:
    return [o.code for o in review.obstacles]


def test_a_well_scored_pair_outside_the_top_n_is_explained_as_outranked(session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang")
    better = [gen_company(session, "supplier", hub="pangyo") for _ in range(matching.PROPOSALS_PER_MANUFACTURER)]
    asked = gen_company(session, "supplier", hub="pangyo")
    scores = {(maker.external_id, s.external_id): 0.9 - i / 100 for i, s in enumerate(better)}
    scores[(maker.external_id, asked.external_id)] = 0.5
    engine = FakeEngine([maker, asked, *better], scores)

    review = proposals.review_pair(session, coordinator, "ochang", maker.id, asked.id, matcher=lambda: engine)

    assert _codes(review) == ["outranked"]
    assert review.obstacles[0].values == {"top": 10, "last": 81, "score": 50}
    assert review.score == pytest.approx(0.5) and review.proposable


def test_a_pair_below_the_minimum_score_says_both_numbers(session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang")
    weak = gen_company(session, "supplier", hub="ochang")
    engine = FakeEngine([maker, weak], {(maker.external_id, weak.external_id): 0.01})

    review = proposals.review_pair(session, coordinator, "ochang", maker.id, weak.id, matcher=lambda: engine)

    assert _codes(review) == ["below_minimum"]
    assert review.obstacles[0].values == {"score": 1, "minimum": round(matching.MIN_PROPOSAL_SCORE * 100)}


def test_security_certification_and_an_earlier_decline_are_both_named(session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang", requires_security_certification=True)
    plain = gen_company(session, "supplier", hub="ochang", certifications=[])
    pair = gen_match(session, maker, plain, status="declined")
    session.add(PipelineTransition(match_id=pair.id, from_status="proposed", to_status="declined", reason="no_capacity"))
    session.commit()
    engine = FakeEngine([maker, plain], {(maker.external_id, plain.external_id): 0.8})

    review = proposals.review_pair(session, coordinator, "ochang", maker.id, plain.id, matcher=lambda: engine)

    assert _codes(review) == ["certification", "declined"]
    assert review.obstacles[1].values == {"reason": "no_capacity"}
    assert review.existing.id == pair.id and review.proposable  # a declined pair can be proposed again


def test_an_unindexed_or_inactive_company_cannot_be_proposed(session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang")
    fresh = gen_company(session, "supplier", hub="ochang")
    pending = gen_company(session, "supplier", hub="ochang", status="pending")
    engine = FakeEngine([maker], {})

    unindexed = proposals.review_pair(session, coordinator, "ochang", maker.id, fresh.id, matcher=lambda: engine)
    inactive = proposals.review_pair(session, coordinator, "ochang", maker.id, pending.id, matcher=lambda: engine)

    assert _codes(unindexed) == ["not_indexed"] and unindexed.score is None and not unindexed.proposable
    assert _codes(inactive) == ["inactive"] and not inactive.proposable
    with pytest.raises(Conflict):
        proposals.propose_pair(session, coordinator, "ochang", maker.id, fresh.id, matcher=lambda: engine)
    assert session.scalar(select(Match).where(Match.supplier_id == fresh.id)) is None


def test_proposing_creates_a_proposed_pair_with_history_and_audit(session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang")
    supplier = gen_company(session, "supplier", hub="busan_centum")
    engine = FakeEngine([maker, supplier], {(maker.external_id, supplier.external_id): 0.42})

    match, changed = proposals.propose_pair(session, coordinator, "ochang", maker.id, supplier.id,
                                            matcher=lambda: engine, note="  전시회에서 만남 ")

    assert changed and (match.status, match.hub_key, match.score) == ("proposed", "ochang", pytest.approx(0.42))
    assert match.explanation["need_matches"][0]["capability"] == supplier.capabilities[0]
    moves = session.scalars(select(PipelineTransition).where(PipelineTransition.match_id == match.id)).all()
    assert [(t.from_status, t.to_status, t.actor_id, t.note) for t in moves] == [(None, "proposed", coordinator.id, "전시회에서 만남")]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "pair.propose"))
    assert (event.match_id, event.actor_id, event.detail["to_status"], event.detail["score"]) == (match.id, coordinator.id, "proposed", 42)


def test_proposing_a_declined_pair_reopens_it_and_an_open_pair_is_left_alone(session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang")
    declined_with = gen_company(session, "supplier", hub="ochang")
    open_with = gen_company(session, "supplier", hub="ochang")
    declined = gen_match(session, maker, declined_with, status="proposed")
    pipeline.move(session, coordinator, declined.id, "declined", reason="not_a_fit")
    introduced = gen_match(session, maker, open_with, status="introduced")
    engine = FakeEngine([maker, declined_with, open_with], {(maker.external_id, declined_with.external_id): 0.7,
                                                          (maker.external_id, open_with.external_id): 0.6})

    reopened, changed = proposals.propose_pair(session, coordinator, "ochang", maker.id, declined_with.id,
                                               matcher=lambda: engine)
    same, unchanged = proposals.propose_pair(session, coordinator, "ochang", maker.id, open_with.id, matcher=lambda: engine)

    assert changed and reopened.id == declined.id and reopened.status == "proposed"
    states = session.execute(select(PipelineTransition.from_status, PipelineTransition.to_status)
                             .where(PipelineTransition.match_id == declined.id).order_by(PipelineTransition.id)).all()
    assert [tuple(s) for s in states] == [("proposed", "declined"), ("declined", "proposed")]
    assert not unchanged and same.id == introduced.id and same.status == "introduced"


def test_only_the_hubs_coordinator_reviews_or_proposes(session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang")
    elsewhere = gen_company(session, "manufacturer", hub="changwon")
    supplier = gen_company(session, "supplier", hub="ochang")
    other_pending = gen_company(session, "supplier", hub="changwon", status="pending")
    engine = FakeEngine([maker, elsewhere, supplier], {})
    member = gen_user(session, "member", company=maker)
    other = gen_user(session, "coordinator", hub="changwon")

    with pytest.raises(Forbidden):
        proposals.review_pair(session, member, "ochang", maker.id, supplier.id, matcher=lambda: engine)
    with pytest.raises(NotFound):
        proposals.propose_pair(session, other, "ochang", maker.id, supplier.id, matcher=lambda: engine)
    with pytest.raises(NotFound):  # a manufacturer of another hub
        proposals.review_pair(session, coordinator, "ochang", elsewhere.id, supplier.id, matcher=lambda: engine)
    with pytest.raises(NotFound):  # another hub's registration under review
        proposals.review_pair(session, coordinator, "ochang", maker.id, other_pending.id, matcher=lambda: engine)
    with pytest.raises(NotFound):  # the sides swapped
        proposals.review_pair(session, coordinator, "ochang", supplier.id, maker.id, matcher=lambda: engine)


def test_a_recompute_keeps_a_pair_proposed_by_hand_and_drops_untouched_ones(session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang")
    by_hand = gen_company(session, "supplier", hub="ochang")
    untouched = gen_company(session, "supplier", hub="ochang")
    engine = FakeEngine([maker, by_hand, untouched], {(maker.external_id, by_hand.external_id): 0.3})
    kept, _ = proposals.propose_pair(session, coordinator, "ochang", maker.id, by_hand.id, matcher=lambda: engine)
    dropped = gen_match(session, maker, untouched)
    engine.scores = {}  # the next build proposes nobody to this manufacturer

    matching.propose_for(session, engine, maker)
    session.commit()

    remaining = set(session.scalars(select(Match.id).where(Match.manufacturer_id == maker.id)))
    assert remaining == {kept.id} and dropped.id not in remaining


def test_a_supplier_at_its_monthly_capacity_is_named_as_such(session, coordinator):
    maker = gen_company(session, "manufacturer", hub="ochang")
    full = gen_company(session, "supplier", hub="ochang", monthly_capacity=0)  # 0: takes no new introduction
    engine = FakeEngine([maker, full], {(maker.external_id, full.external_id): 0.8})

    review = proposals.review_pair(session, coordinator, "ochang", maker.id, full.id, matcher=lambda: engine)

    assert _codes(review) == ["at_capacity"] and review.obstacles[0].values == {"capacity": 0}
    assert review.proposable  # the coordinator may still propose it by hand
