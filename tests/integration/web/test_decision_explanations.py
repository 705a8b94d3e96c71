"""What coordinators' decisions add to a pair is said in words on its page, in both languages."""
from __future__ import annotations

from matcher.types import Explanation, NeedMatch
from tests.factories import gen_company, gen_match, gen_user


def _pair(session, *rules: str):
    maker = gen_company(session, "manufacturer", hub="ochang", needs=["배터리 셀 외관 불량을 AI 비전으로 자동 검출"])
    supplier = gen_company(session, "supplier", name="비전랩", capabilities=["딥러닝 외관 검사"])
    explanation = Explanation(need_matches=(NeedMatch(0, maker.needs[0], "딥러닝 외관 검사", 0.91),), rules=rules)
    return gen_match(session, maker, supplier, explanation=explanation.to_dict())


def test_a_pair_says_how_many_makers_of_an_industry_signed_or_accepted_the_supplier(client, auth, session):
    pair = _pair(session, "decisions_accepted:3:battery")
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    page = client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True)
    assert "비슷한 요구의 이차전지 제조사 3곳이 이 공급기업과 계약/수락" in page
    assert "decisions_accepted" not in page
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True)
    assert "3 manufacturers in Secondary battery with a need like this signed or accepted this supplier" in page


def test_a_pair_ranked_by_the_engine_alone_says_the_decisions_were_too_few(client, auth, session):
    pair = _pair(session, "decisions_engine_only:12:too_few")
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    page = client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True)
    assert "엔진 점수만 사용: 결정 12건은 학습하기에 너무 적음" in page
