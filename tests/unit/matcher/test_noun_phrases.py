"""Supply-gap themes come from noun phrases: no endings, no requests, compounds as written."""
from __future__ import annotations

from matcher.text import noun_phrases


def test_korean_needs_give_nouns_and_noun_phrases_never_endings():
    phrases = noun_phrases(["배터리 셀 외관 불량을 AI 비전으로 자동 검출하고 싶습니다",
                            "설비 예지보전으로 비계획 정지를 줄이고 싶습니다", "도장 공정 자동화가 필요합니다"])
    assert "외관 불량" in phrases[0] and "ai 비전" in phrases[0]
    assert "비계획 정지" in phrases[1]  # the prefix stays on its noun
    assert "공정 자동화" in phrases[2] and "필요" not in phrases[2]  # the suffix too; a generic noun alone is no theme
    assert not any(ending in p for found in phrases for p in found for ending in ("싶", "습니다", "하고", "으로"))


def test_english_requests_and_generic_words_name_no_theme():
    [phrases] = noun_phrases(["We would like to reduce customer complaints about weld defects"])
    assert "weld defects" in phrases
    assert not {"like", "reduce", "customer", "we", "would"} & set(phrases)
