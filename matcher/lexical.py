"""Lexical signal: TF-IDF over Kiwi morphemes (Korean) and stemmed words (English), via scikit-learn."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.text import tokenize_many


def _identity(tokens: list[str]) -> list[str]:
    return tokens


class LexicalModel:
    """A fitted vocabulary and IDF; texts become L2-normalised sparse rows (cosine = dot product)."""

    def __init__(self, min_df: int = 1) -> None:
        self.min_df = min_df

    def fit(self, texts: Sequence[str]) -> "LexicalModel":
        self.vectorizer_ = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=True, min_df=self.min_df, ngram_range=(1, 1)
        )
        self.vectorizer_.fit(tokenize_many(list(texts)) if texts else [["_"]])
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if not texts:
            return sparse.csr_matrix((0, len(self.vectorizer_.vocabulary_)), dtype=np.float32)
        return self.vectorizer_.transform(tokenize_many(list(texts))).astype(np.float32).tocsr()
