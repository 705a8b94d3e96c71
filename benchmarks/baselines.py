"""Whole-profile baselines run in the same process as the engine, so figures compare as ratios."""
from __future__ import annotations

import math
from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.text import tokenize_many
from matcher.types import Profile


def profile_text(p: Profile) -> str:
    return " ".join([p.name, p.summary, p.description, *p.needs, *p.capabilities, *p.references])


def tfidf_char_rankings(profiles: list[Profile]) -> dict[str, list[str]]:
    """TF-IDF character 2-4 grams, whole profile against whole profile."""
    ms = [p for p in profiles if p.kind == "manufacturer"]
    ss = [p for p in profiles if p.kind == "supplier"]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    vec.fit([profile_text(p) for p in profiles])
    sims = (vec.transform([profile_text(p) for p in ms]) @ vec.transform([profile_text(p) for p in ss]).T).toarray()
    return {m.id: [ss[j].id for j in np.argsort(-sims[i], kind="stable")] for i, m in enumerate(ms)}


def bm25_kiwi_rankings(profiles: list[Profile], k1: float = 1.2, b: float = 0.75) -> dict[str, list[str]]:
    """Okapi BM25 over Kiwi morphemes, whole profile as query against whole supplier profiles."""
    ms = [p for p in profiles if p.kind == "manufacturer"]
    return _bm25_rankings(profiles, {m.id: profile_text(m) for m in ms}, k1, b)


def bm25_kiwi_search_rankings(profiles: list[Profile], queries: dict[str, str], k1: float = 1.2,
                              b: float = 0.75) -> dict[str, list[str]]:
    """Okapi BM25 over Kiwi morphemes, a free-text query against whole supplier profiles."""
    return _bm25_rankings(profiles, queries, k1, b)


def _bm25_rankings(profiles: list[Profile], queries: dict[str, str], k1: float, b: float) -> dict[str, list[str]]:
    ss = [p for p in profiles if p.kind == "supplier"]
    docs = tokenize_many([profile_text(p) for p in ss])
    tokens = tokenize_many(list(queries.values())) if queries else []
    df = Counter(t for d in docs for t in set(d))
    n, avg = len(docs), sum(map(len, docs)) / max(1, len(docs))
    idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
    tfs = [Counter(d) for d in docs]
    out = {}
    for query_id, q in zip(queries, tokens):
        terms = set(q)
        scores = np.array([sum(idf.get(t, 0) * tf[t] * (k1 + 1) / (tf[t] + k1 * (1 - b + b * len(d) / avg))
                               for t in terms if t in tf) for tf, d in zip(tfs, docs)])
        out[query_id] = [ss[j].id for j in np.argsort(-scores, kind="stable")]
    return out
