"""Lexical signal: TF-IDF over Kiwi morphemes (Korean) and stemmed words (English), via scikit-learn.

With an encoder at fit time, an induced Korean-English lexicon (`matcher.lexicon`) lets a need's
row also carry the other language's words for the same thing (`transform(..., translate=True)`).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.lexicon import induce_lexicon, script_tokens, translate_unknown
from matcher.text import tokenize_many


def _identity(tokens: list[str]) -> list[str]:
    return tokens


class LexicalModel:
    """A fitted vocabulary and IDF; texts become L2-normalised sparse rows (cosine = dot product)."""

    def __init__(self, min_df: int = 1, translation_weight: float = 0.5, min_similarity: float = 0.6) -> None:
        self.min_df = min_df
        self.translation_weight = translation_weight  # weight of a translated word beside the original
        self.min_similarity = min_similarity  # lowest encoder cosine for a lexicon pair

    def fit(self, texts: Sequence[str], encoder: object | None = None,
            tokens: Sequence[list[str]] | None = None) -> "LexicalModel":
        """Learn vocabulary and IDF; with an encoder, also induce the Korean-English lexicon.

        `tokens` (the `tokenize_many` of `texts`) spares a second Kiwi pass when the caller has them.
        """
        self.__dict__.pop("names_", None)  # made again from the new vocabulary when asked
        self.vectorizer_ = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=True, min_df=self.min_df, ngram_range=(1, 1)
        )
        if tokens is None:
            tokens = tokenize_many(list(texts)) if texts else []
        self.vectorizer_.fit(list(tokens) if len(tokens) else [["_"]])
        size = len(self.vectorizer_.vocabulary_)
        self.lexicon_ = sparse.csr_matrix((size, size), dtype=np.float32)
        self.vectors_ = None  # float16 vectors of the Korean then the Latin tokens, for words the vocabulary lacks
        if encoder is not None and texts:
            tokens = self.vectorizer_.get_feature_names_out().tolist()
            korean, latin = script_tokens(tokens)
            vectors = encoder.encode([tokens[i] for i in np.concatenate([korean, latin])]) \
                if len(korean) and len(latin) else None
            self.lexicon_ = induce_lexicon(tokens, encoder, self.min_similarity, vectors=vectors)
            if vectors is not None:
                self.vectors_, self.scripts_ = np.asarray(vectors, dtype=np.float16), (korean, latin)
        return self

    def transform(self, texts: Sequence[str], translate: bool = False,
                  tokens: Sequence[list[str]] | None = None) -> sparse.csr_matrix:
        """L2-normalised TF-IDF rows; `translate` adds each word's lexicon translations (for queries)."""
        if not texts:
            return sparse.csr_matrix((0, len(self.vectorizer_.vocabulary_)), dtype=np.float32)
        if tokens is None:
            tokens = tokenize_many(list(texts))
        rows = self.vectorizer_.transform(list(tokens)).astype(np.float32).tocsr()
        return self.translate(rows) if translate else rows

    def translations(self, tokens: Sequence[str], encoder: object | None = None) -> dict[str, list[tuple[str, float]]]:
        """Each token's lexicon translations with their similarity.

        With the fitted encoder, a word the vocabulary does not hold ("knowledge" where companies
        write "지식") is translated by the same rule as the lexicon (`matcher.lexicon.translate_unknown`).
        """
        lexicon = getattr(self, "lexicon_", None)
        vocabulary = self.vectorizer_.vocabulary_
        names = self._names()
        found: dict[str, list[tuple[str, float]]] = {}
        if lexicon is not None and lexicon.nnz:
            for t in tokens:
                row = lexicon.getrow(vocabulary[t]) if t in vocabulary else None
                if row is not None and row.nnz:
                    found[t] = [(str(names[j]), float(v)) for j, v in zip(row.indices.tolist(), row.data.tolist())]
        vectors = getattr(self, "vectors_", None)
        unknown = [t for t in dict.fromkeys(tokens) if t not in vocabulary]
        if encoder is not None and vectors is not None and unknown:
            translated = translate_unknown(unknown, encoder.encode(unknown), *self.scripts_, vectors, self.min_similarity)
            found.update({w: [(str(names[j]), similarity)] for w, (j, similarity) in translated.items()})
        return found

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("names_", None)  # derived; snapshots stay identical whether a search ran or not
        return state

    def _names(self) -> list[str]:
        """The vocabulary in column order, made once: scikit-learn builds a new array of every word per call
        (a few milliseconds of each search). A fitted model never changes, so threads may share the list."""
        names = self.__dict__.get("names_")
        if names is None:
            names = self.names_ = self.vectorizer_.get_feature_names_out().tolist()
        return names

    def translate(self, rows: sparse.csr_matrix) -> sparse.csr_matrix:
        """Rows of `transform` plus their words' lexicon translations, L2-normalised again."""
        lexicon = getattr(self, "lexicon_", None)
        if lexicon is None or not lexicon.nnz or not rows.shape[0]:
            return rows
        expanded = (rows + self.translation_weight * (rows @ lexicon)).tocsr()
        norms = np.sqrt(np.asarray(expanded.multiply(expanded).sum(axis=1)).ravel())
        return (sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ expanded).astype(np.float32).tocsr()
