"""The induced Korean-English lexicon: real encoder, real TF-IDF."""
from __future__ import annotations

import numpy as np

from matcher.lexical import LexicalModel
from matcher.lexicon import induce_lexicon, translation_pairs

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
