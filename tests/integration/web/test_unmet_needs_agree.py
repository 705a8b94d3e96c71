"""The gaps page and the coordinator's weekly digest name the same unmet needs (one rule, one threshold)."""
from __future__ import annotations

from datetime import timedelta

from matcher.types import Explanation, NeedMatch
from services.digest import collect_digest, current_week, week_start
from tests.factories import gen_company, gen_match, gen_user

NEEDS = ["도장 공정 자동화", "출하 검사 자동화", "설비 예지보전", "Batch record digitisation"]


def _explanation(*scores: tuple[int, float]) -> dict:
    return Explanation(need_matches=tuple(NeedMatch(i, NEEDS[i], "capability", s) for i, s in scores)).to_dict()


def test_the_gaps_page_and_the_coordinator_digest_report_the_same_unmet_needs(client, auth, session, settings):
    coordinator = gen_user(session, "coordinator", hub="ochang", language="en")
    maker = gen_company(session, "manufacturer", hub="ochang", needs=NEEDS)
    proposed = gen_company(session, "supplier", hub="ochang")
    declined = gen_company(session, "supplier", hub="ochang")
    # need 0 answered well; need 1 exactly at the threshold (met); need 3 just under it (unmet)
    gen_match(session, maker, proposed, explanation=_explanation((0, 0.9), (1, 0.5), (3, 0.49)))
    # need 2 is answered only by a pair the companies declined: still unmet
    gen_match(session, maker, declined, status="declined", explanation=_explanation((2, 0.95)))
    unmet = {"설비 예지보전", "Batch record digitisation"}

    auth.login(coordinator)
    page = client.get("/hub/ochang/gaps").get_data(as_text=True)
    week = current_week()
    digest = collect_digest(session, coordinator, week, week_start(week) - timedelta(days=7), settings.base_url)

    assert {need for need in NEEDS if need in page} == unmet
    assert {item.need for item in digest.unmet_needs} == unmet
    assert {item.need: round(item.best_score, 2) for item in digest.unmet_needs} == {
        "설비 예지보전": 0.0, "Batch record digitisation": 0.49}
