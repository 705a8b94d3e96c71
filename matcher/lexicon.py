"""A Korean-English word lexicon induced from the encoder, so the lexical signal crosses languages.

TF-IDF only sees a shared word when both texts use the same script: a Korean need ("외관 검사")
and an English capability ("visual inspection") share nothing, so the lexical half of the fused
score is blind exactly where the dense half is weakest. Bilingual lexicon induction fills that gap
without a dictionary: every vocabulary token is embedded with the matching encoder, and a Korean
token and a Latin-script token that are each other's nearest neighbour across scripts, with cosine
similarity at least `min_similarity`, become a translation pair. Mutual nearest neighbours keep
precision high (a hub word that is close to many tokens pairs with at most one).

The result is a sparse (vocabulary x vocabulary) matrix `T` with the pair similarity as weight.
A need's TF-IDF row `x` is expanded to `normalize(x + weight * x @ T)` (query translation, as in
cross-language retrieval), so it also matches the other language's words for the same thing.
"""
from __future__ import annotations

import re
from typing import Protocol, Sequence

import faiss
import numpy as np
from scipy import sparse

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[a-z]{2,}")


class _Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _nearest(queries: np.ndarray, pool: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each query row, the index and cosine of its nearest pool row (exact inner product)."""
    index = faiss.IndexFlatIP(pool.shape[1])
    index.add(np.ascontiguousarray(pool, dtype=np.float32))
    sims, ids = index.search(np.ascontiguousarray(queries, dtype=np.float32), 1)
    return ids[:, 0], sims[:, 0]


def script_tokens(tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the Korean tokens and of the Latin-script tokens of a vocabulary."""
    korean = np.asarray([i for i, t in enumerate(tokens) if _HANGUL.search(t)], dtype=np.int64)
    latin = np.asarray([i for i, t in enumerate(tokens) if not _HANGUL.search(t) and _LATIN.search(t)],
                       dtype=np.int64)
    return korean, latin


def induce_lexicon(tokens: Sequence[str], encoder: _Encoder, min_similarity: float = 0.6,
                   vectors: np.ndarray | None = None) -> sparse.csr_matrix:
    """Translation pairs between the Korean and the Latin-script tokens of a vocabulary.

    Args:
        tokens: the vocabulary, in column order of the TF-IDF matrix.
        encoder: the matching encoder (the same multilingual space as the dense signal).
        min_similarity: lowest cosine for a pair; below it a word is left untranslated.
        vectors: the encoder's vectors of the Korean then the Latin tokens (`script_tokens` order),
            when the caller has them.

    Returns:
        A symmetric (len(tokens) x len(tokens)) CSR matrix; entry (i, j) is the similarity of a pair.
    """
    n = len(tokens)
    korean, latin = script_tokens(tokens)
    if not len(korean) or not len(latin):
        return sparse.csr_matrix((n, n), dtype=np.float32)
    if vectors is None:
        vectors = encoder.encode([tokens[i] for i in np.concatenate([korean, latin])])
    ko_vec, en_vec = vectors[: len(korean)], vectors[len(korean):]
    ko_to_en, ko_sim = _nearest(ko_vec, en_vec)
    en_to_ko, _ = _nearest(en_vec, ko_vec)
    mutual = (en_to_ko[ko_to_en] == np.arange(len(korean))) & (ko_sim >= min_similarity)
    rows, cols = korean[mutual], latin[ko_to_en[mutual]]
    sims = ko_sim[mutual].astype(np.float32)
    return sparse.csr_matrix(
        (np.concatenate([sims, sims]), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
        shape=(n, n), dtype=np.float32,
    )


def translate_unknown(words: Sequence[str], word_vectors: np.ndarray, korean: np.ndarray, latin: np.ndarray,
                      vectors: np.ndarray, min_similarity: float = 0.6) -> dict[str, tuple[int, float]]:
    """The vocabulary translation of words the vocabulary does not hold ("knowledge" -> "지식").

    The same rule as `induce_lexicon`, as if the word had been in the vocabulary: its nearest token
    of the other script, at `min_similarity` or more, whose own nearest token of the word's script
    is no closer than the word. `vectors` are the vocabulary's (`script_tokens` order: Korean first).

    Returns:
        For each translated word, (vocabulary position of its translation, similarity).
    """
    ko_vec, en_vec = vectors[: len(korean)].astype(np.float32), vectors[len(korean):].astype(np.float32)
    found: dict[str, tuple[int, float]] = {}
    for word, vector in zip(words, np.asarray(word_vectors, dtype=np.float32)):
        own, other, other_ids = (ko_vec, en_vec, latin) if _HANGUL.search(word) else (en_vec, ko_vec, korean)
        if not len(own) or not len(other):
            continue
        sims = other @ vector
        best = int(np.argmax(sims))
        similarity = float(sims[best])
        if similarity >= min_similarity and float(np.max(own @ other[best])) <= similarity:
            found[word] = (int(other_ids[best]), similarity)
    return found


def translation_pairs(tokens: Sequence[str], lexicon: sparse.csr_matrix) -> list[tuple[str, str, float]]:
    """The pairs of a lexicon as (Korean, English, similarity), for inspection and tests."""
    coo = lexicon.tocoo()
    return sorted(
        (tokens[i], tokens[j], round(float(v), 3)) for i, j, v in zip(coo.row, coo.col, coo.data)
        if _HANGUL.search(tokens[i])
    )
