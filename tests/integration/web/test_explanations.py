"""A pair's explanation shows a capability only for the needs it covers, says whose need and whose
capability each column is, and explains what the numbers mean, in both languages."""
from __future__ import annotations

from matcher.types import Explanation, NeedMatch
from tests.factories import gen_company, gen_match, gen_user

COVERED = "배터리 셀 외관 불량을 AI 비전으로 자동 검출"
UNCOVERED = "생산 설비 예지보전으로 비계획 정지 감소"


def _explanation(page: str) -> str:
    start = page.index('<div class="explanation">')
    return page[start:page.index("</div>", start)]


def _pair(session):
    maker = gen_company(session, "manufacturer", hub="ochang", needs=[COVERED, UNCOVERED])
    supplier = gen_company(session, "supplier", name="비전랩", capabilities=["딥러닝 외관 검사", "디스플레이 외관 검사"])
    explanation = Explanation(need_matches=(
        NeedMatch(need_index=0, need=COVERED, capability="딥러닝 외관 검사", score=0.91),
        NeedMatch(need_index=1, need=UNCOVERED, capability="디스플레이 외관 검사", score=0.07),
    ), industry_fit=False, rules=())
    return maker, supplier, gen_match(session, maker, supplier, explanation=explanation.to_dict())


def test_a_need_the_supplier_does_not_cover_is_marked_not_covered_not_paired_with_a_capability(client, auth, session):
    maker, _, pair = _pair(session)
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    page = _explanation(client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True))
    assert "딥러닝 외관 검사" in page and UNCOVERED in page
    assert "디스플레이 외관 검사" not in page  # the closest capability of an uncovered need is not shown as its answer
    assert "미충족" in page
    assert "제조기업 수요" in page and "공급기업 역량" in page
    assert "50 미만이면" in page  # the legend says what the numbers mean
    client.post("/language", data={"lang": "en"})
    page = _explanation(client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True))
    assert "Not covered" in page, page
    assert "Manufacturer's need" in page and "below 50" in page, page


def test_each_side_of_a_pair_reads_our_need_and_their_capability_the_right_way_round(client, auth, session):
    maker, supplier, pair = _pair(session)
    auth.login(gen_user(session, "member", company=maker))
    page = client.get(f"/company/matches/{pair.id}").get_data(as_text=True)
    assert "우리 수요" in page and "상대 기업 역량" in page
    auth.logout()
    auth.login(gen_user(session, "member", company=supplier))
    page = client.get(f"/company/matches/{pair.id}").get_data(as_text=True)
    assert "상대 기업 수요" in page and "우리 역량" in page


def test_a_dashboards_explanations_are_rendered_once_per_language_and_follow_a_changed_explanation(
        client, auth, session, app):
    from web.fragments import EXTENSION

    _maker, _supplier, pair = _pair(session)
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    cache = app.extensions[EXTENSION]
    korean = _explanation(client.get("/hub/ochang/").get_data(as_text=True))
    assert "미충족" in korean and len(cache) == 1
    assert _explanation(client.get("/hub/ochang/").get_data(as_text=True)) == korean and len(cache) == 1  # reused
    client.post("/language", data={"lang": "en"})
    english = _explanation(client.get("/hub/ochang/").get_data(as_text=True))
    assert "Not covered" in english and "미충족" not in english and len(cache) == 2
    pair.explanation = {**pair.explanation, "need_matches": [
        {**m, "capability": "새 역량 설명"} for m in pair.explanation["need_matches"]]}
    session.commit()
    assert "새 역량 설명" in _explanation(client.get("/hub/ochang/").get_data(as_text=True))  # never a stale fragment
