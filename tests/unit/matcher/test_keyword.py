"""The keyword index finds a term however a company writes it: named, spelled out or defined, in either script."""
from __future__ import annotations

from dataclasses import replace

import pytest

from matcher.keyword import KeywordIndex
from matcher.text import compound_parts
from tests.unit.matcher.conftest import supplier


@pytest.fixture(scope="module")
def index() -> KeywordIndex:
    return KeywordIndex().fit([
        supplier("s-amr-ko", "자율주행 물류로봇(AMR)과 AGV 관제 소프트웨어"),
        supplier("s-amr-en", "Autonomous mobile robots for in-plant material transport", language="en"),
        supplier("s-plm-def", "제품수명주기관리(PLM)와 BOM 관리"),
        supplier("s-plm-words", "제품수명주기관리 컨설팅과 설계변경 협업"),
        supplier("s-mes-en", "A manufacturing execution system with work orders and OEE dashboards", language="en"),
        replace(supplier("s-mes-ko", "생산 현장 디지털화"), summary="클라우드 MES 전문 기업"),
        supplier("s-rag", "Assistants that answer from a company's own technical documents (RAG)", language="en"),
        supplier("s-fems", "Factory energy management (FEMS) with metering per machine", language="en"),
        supplier("s-erp", "클라우드 회계·인사 ERP 구축"),
    ])


def _found(index: KeywordIndex, text: str) -> dict[str, float]:
    scores = index.scores(index.query(text))
    return {index.owner(i): float(s) for i, s in enumerate(scores) if s > 0}


def test_an_acronym_finds_companies_that_name_it_and_those_that_spell_it_out(index):
    found = _found(index, "AMR")
    assert {"s-amr-ko", "s-amr-en"} <= set(found)  # "Autonomous mobile robots" spells AMR
    assert "s-erp" not in found


def test_a_korean_definition_written_without_its_acronym_still_answers_the_acronym(index):
    found = _found(index, "PLM")
    assert {"s-plm-def", "s-plm-words"} <= set(found)  # 제품수명주기관리 is how s-plm-def defines PLM
    assert "s-erp" not in found


def test_english_words_and_the_acronym_find_each_other_across_scripts(index):
    assert "s-mes-ko" in _found(index, "manufacturing execution system")  # names only MES, in its summary
    assert "s-mes-en" in _found(index, "MES 구축")  # spells MES out in English


def test_english_definitions_count_only_when_their_initials_give_the_acronym(index):
    assert ("energy", "factory", "management") in index.definitions_["fems"]
    assert "rag" not in index.definitions_  # "own technical documents (RAG)" defines nothing


def test_a_word_counts_once_however_many_ways_a_company_writes_it():
    index = KeywordIndex().fit([supplier("s-en", "data platform", language="en"), supplier("s-ko", "데이터 플랫폼"),
                                supplier("s-both", "data 데이터 platform"), supplier("s-other", "vision 검사")])
    query = index.query("data", lambda tokens: {"data": [("데이터", 1.0)]})
    scores = dict(zip([index.owner(i) for i in range(4)], index.scores(query)))
    assert scores["s-en"] > 0 and scores["s-ko"] > 0 and scores["s-other"] == 0
    assert scores["s-both"] <= max(scores["s-en"], scores["s-ko"])  # the word and its translation: one word


def test_words_nobody_uses_score_nothing(index):
    assert _found(index, "asdfgh") == {}
    assert _found(index, "ㅁㄴㅇㄹ") == {}
    assert _found(index, "banana keyboard purple") == {}


def test_an_upserted_company_spelling_out_a_known_acronym_is_found_by_it(index):
    index.upsert(supplier("s-amr-new", "Autonomous mobile robot fleets for warehouses", language="en"))
    try:
        assert "s-amr-new" in _found(index, "AMR")
    finally:
        index.remove("s-amr-new")
    assert "s-amr-new" not in _found(index, "AMR")


def test_an_unspaced_korean_compound_nobody_uses_is_read_as_the_indexed_words_that_spell_it():
    index = KeywordIndex().fit([
        supplier("s-sf", "스마트 팩토리 구축 컨설팅과 정부지원 신청"),
        supplier("s-vision", "비전 검사 장비 납품"),
    ])
    assert "스마트팩토리" not in index.vocabulary_  # Kiwi keeps the unspaced query word whole
    assert _found(index, "스마트팩토리") == _found(index, "스마트 팩토리")
    assert set(_found(index, "스마트팩토리")) == {"s-sf"}
    assert index._pieces("검사장비") == ["검사", "장비"]
    assert index._pieces("스마트") == ["스마트"]  # indexed words and unknown ones without parts stay whole
    assert index._pieces("ㅁㄴㅇㄹ") == ["ㅁㄴㅇㄹ"]


def test_an_unknown_compound_without_indexed_parts_is_read_as_kiwi_reads_it_in_a_sentence():
    index = KeywordIndex().fit([supplier("s-smart", "스마트공장 보급사업 컨설팅")])  # "팩토리" is not indexed
    assert index.query("스마트팩토리").compounds == (("스마트팩토리", ("스마트", "팩토리")),)
    assert index.query("스마트팩토리 도입").compounds == ()  # in a sentence Kiwi splits it itself
    assert "s-smart" in _found(index, "스마트팩토리")
    assert compound_parts("컨설팅") == [] and compound_parts("factory") == []
