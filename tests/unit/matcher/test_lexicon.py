"""The induced Korean-English lexicon: real encoder, real TF-IDF."""
from __future__ import annotations

import numpy as np
import pytest

from matcher.lexical import LexicalModel
from matcher.lexicon import induce_lexicon, translate_unknown, translation_pairs

TEXTS = ["에너지 사용량 관리", "energy management", "비전 검사 자동화", "vision inspection", "2024 12"]


def test_lexicon_pairs_words_with_their_translation(encoder):
    tokens = ["에너지", "비전", "검사", "energy", "vision", "inspection", "2024"]
    pairs = translation_pairs(tokens, induce_lexicon(tokens, encoder))
    assert ("에너지", "energy") in {(ko, en) for ko, en, _ in pairs}
    assert ("비전", "vision") in {(ko, en) for ko, en, _ in pairs}
    assert all(en != "2024" for _, en, _ in pairs), "numbers are never translated"


def test_each_word_has_at_most_one_translation_and_pairs_are_symmetric(encoder):
    tokens = ["에너지", "전력", "전기", "energy", "power", "electricity", "검사", "inspection"]
    lexicon = induce_lexicon(tokens, encoder)
    assert (lexicon != lexicon.T).nnz == 0
    assert int(np.diff(lexicon.indptr).max()) <= 1


def test_a_high_threshold_leaves_words_untranslated(encoder):
    tokens = ["에너지", "energy"]
    assert induce_lexicon(tokens, encoder, min_similarity=1.01).nnz == 0


def test_translated_query_shares_words_with_the_other_language_only_when_asked(encoder):
    model = LexicalModel().fit(TEXTS, encoder=encoder)
    need = "에너지 사용량 관리"
    capability = model.transform(["energy management"])
    plain = model.transform([need]) @ capability.T
    translated = model.transform([need], translate=True) @ capability.T
    assert plain.toarray()[0, 0] == 0.0
    assert translated.toarray()[0, 0] > 0.1
    row = model.transform([need], translate=True)
    assert abs(float(row.multiply(row).sum()) - 1.0) < 1e-5, "rows stay L2-normalised"


def test_without_an_encoder_there_is_no_lexicon(encoder):
    model = LexicalModel().fit(TEXTS)
    need = model.transform(["에너지 사용량 관리"], translate=True)
    assert (need @ model.transform(["energy management"]).T).toarray()[0, 0] == 0.0


def test_a_word_the_vocabulary_lacks_takes_its_nearest_word_of_the_other_script_only_when_mutual():
    tokens = ["지식", "검색", "data", "search"]  # Korean first, then Latin: the order of script_tokens
    korean, latin = np.array([0, 1]), np.array([2, 3])
    vectors = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.96, 0.28]])
    words = ["knowledge", "lookup", "asdfgh"]
    word_vectors = np.array([[0.9, 0.0, 0.436], [0.0, 0.9, 0.436], [0.5, 0.5, 0.707]])
    found = translate_unknown(words, word_vectors, korean, latin, vectors, min_similarity=0.6)
    assert found["knowledge"][0] == 0 and found["knowledge"][1] == pytest.approx(0.9)  # knowledge -> 지식
    assert "lookup" not in found  # 검색 already has a closer English word ("search")
    assert "asdfgh" not in found  # nothing close enough


def test_the_fitted_model_translates_an_unknown_english_word_into_the_korean_the_companies_write(encoder):
    model = LexicalModel().fit(["지식 관리 플랫폼", "문서 검색 챗봇", "energy management", "vision inspection"],
                               encoder=encoder)
    assert "knowledge" not in model.vectorizer_.vocabulary_
    assert [t for t, _ in model.translations(["knowledge"], encoder=encoder).get("knowledge", [])] == ["지식"]
    assert model.translations(["knowledge"]) == {}  # without the encoder, only the induced lexicon
