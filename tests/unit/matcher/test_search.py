"""Free-text search finds companies that name the query's terms and answers nonsense with nothing."""
from __future__ import annotations

from dataclasses import replace

from matcher.engine import Matcher
from tests.unit.matcher.conftest import supplier


def test_a_nonsense_query_returns_nothing(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    assert matcher.search("ㅁㄴㅇㄹ") == []
    assert matcher.search("asdf qwer zxcv") == []


def test_an_acronym_finds_the_company_naming_it_only_in_its_summary_or_description(encoder, small_market):
    mes = replace(supplier("s-mes", "중소 제조기업 생산 현장 디지털화 컨설팅"), summary="클라우드 MES 전문 기업")
    lims = replace(supplier("s-lims", "Quality data platform for laboratories", language="en"),
                   description="Founded in 2015. Our LIMS runs in 40 QC labs.")
    matcher = Matcher(encoder).index([*small_market, mes, lims])
    assert [h.company_id for h in matcher.search("MES")][:1] == ["s-mes"]
    assert [h.company_id for h in matcher.search("LIMS")][:1] == ["s-lims"]


def test_english_words_spelling_an_acronym_find_the_korean_company_naming_it(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    hits = matcher.search("factory energy management system")
    assert hits[0].company_id == "s-energy"  # "공장 에너지 관리 시스템(FEMS)": the words spell FEMS
    assert 0.0 < hits[0].score <= 1.0


def test_search_survives_save_load_and_upsert(encoder, small_market, tmp_path):
    matcher = Matcher(encoder).index(small_market)
    matcher.save(tmp_path / "index")
    loaded = Matcher.load(tmp_path / "index", encoder)
    assert [h.company_id for h in loaded.search("ERP")] == [h.company_id for h in matcher.search("ERP")]
    loaded.upsert(replace(supplier("s-erp", "클라우드 회계·인사 시스템"), description="SAP ERP 전문"))
    assert "s-erp" in [h.company_id for h in loaded.search("ERP")]
    loaded.remove("s-erp")
    assert "s-erp" not in [h.company_id for h in loaded.search("ERP")]


def test_random_words_return_nothing_while_real_short_queries_still_do(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    for nonsense in ("asdfgh", "ㅋㅋㅋㅋ", "banana keyboard purple", "사과 자전거 노래", "강아지 산책"):
        assert matcher.search(nonsense) == [], nonsense
    for query, expected in (("ERP", "s-erp"), ("FEMS", "s-energy"), ("예지보전", "s-pdm"),
                            ("vision inspection", "s-vision-en")):
        assert expected in [h.company_id for h in matcher.search(query)[:2]], query


def test_an_english_acronym_finds_the_english_company_that_spells_it_out(encoder, small_market):
    amr_ko = supplier("s-amr-ko", "자율주행 물류로봇(AMR) 공급")
    amr_en = supplier("s-amr-en", "Autonomous mobile robots for in-plant material transport", language="en")
    matcher = Matcher(encoder).index([*small_market, amr_ko, amr_en])
    assert {h.company_id for h in matcher.search("AMR")[:2]} == {"s-amr-ko", "s-amr-en"}


def test_an_unspaced_compound_query_finds_what_its_spaced_words_find(encoder, small_market):
    consulting = supplier("s-smart", "스마트공장 보급사업 기초 단계 컨설팅과 정부지원 신청 지원")
    matcher = Matcher(encoder).index([*small_market, consulting])
    spaced = [h.company_id for h in matcher.search("스마트 팩토리")]
    assert "s-smart" in spaced
    assert [h.company_id for h in matcher.search("스마트팩토리")] == spaced  # one unknown word to Kiwi alone
