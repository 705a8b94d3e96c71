"""Free-text search over one side's rows: dense and keyword evidence, absolute thresholds.

Split from the engine because it shares only the row stores with matching: a query is one text,
not a manufacturer's needs, and its scores are evidence, not fit probabilities.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matcher.types import MatchFilters, SearchHit

if TYPE_CHECKING:
    from matcher.engine import Matcher

KEYWORD_WEIGHT = 2.0  # naming every query term (or its acronym) counts twice a close paraphrase
MIN_EVIDENCE = 0.35  # no company reaches this: nothing answers the query, no hit at all (see README, search)
MIN_HIT = 0.2  # once some company answers it, weaker companies down to this are still listed
FEEDBACK = 5  # the query vector moves towards its best companies' texts (pseudo-relevance feedback)
FEEDBACK_WEIGHT = 0.5
CANDIDATES = 400  # rows per signal whose companies are scored exactly


def search(matcher: "Matcher", text: str, kind: str = "supplier", top: int = 20,
           filters: MatchFilters | None = None) -> list[SearchHit]:
    """Companies whose capabilities (kind="supplier") or needs ("manufacturer") answer a free text.

    Two absolute signals, never standardised within the result set (so a query that matches
    nothing well returns nothing): the dense cosine of the query and the company's best row, and
    twice the share of the query's terms the company names anywhere in its public text
    (`matcher.keyword`: BM25F over every field, exact terms, acronyms spelled out or named,
    translations of the query's words). The row-level TF-IDF cosine is left out: it counts the
    same terms again in fewer fields. When no company reaches
    `MIN_EVIDENCE` there is no hit; otherwise companies down to `MIN_HIT` are listed, after the
    query vector is moved towards its best companies' texts once (pseudo-relevance feedback) and
    scored again.

    Args:
        matcher: the engine whose rows are searched.
        text: the query, Korean or English, a few words or a sentence.
        kind: "supplier" (capabilities) or "manufacturer" (needs).
        top: most hits returned.
        filters: optional restrictions on the companies.

    Returns:
        Hits sorted best first; score is the evidence mapped to 0..1, text the best row.
    """
    rows = matcher._caps if kind == "supplier" else matcher._needs
    keywords = matcher._keywords[kind]
    live = np.flatnonzero(rows.alive)
    if not text.strip() or not len(live):
        return []
    query = keywords.query(text, lambda tokens: matcher._lexical.translations(tokens, encoder=matcher.encoder))
    keyword = keywords.scores(query)
    spaced = text
    for compound, pieces in query.compounds:  # "스마트팩토리" reads as "스마트 팩토리" to the encoder too
        spaced = spaced.replace(compound, " ".join(pieces))
    dense_q = matcher.encoder.encode([spaced])[0].astype(np.float32)

    # Candidates: the companies of the best rows for the query and of the best keyword shares. Both
    # rounds score only their rows, so the one pass over every row is the first dense product.
    dense_all = rows.dense @ dense_q
    row_score = dense_all[live] * rows.weight[live]
    k = min(CANDIDATES, len(live))
    best_rows = live[np.argpartition(-row_score, k - 1)[:k]]
    candidates = sorted({rows.owner[int(r)] for r in best_rows} | set(keywords.top(keyword, CANDIDATES)))
    found, starts = rows.positions_of(candidates)
    if not len(found):
        return []
    group = np.repeat(np.arange(len(candidates)), np.diff(np.append(starts, len(found))))
    weight_found = rows.weight[found]
    keyword_bonus = KEYWORD_WEIGHT * keywords.of(keyword, candidates)

    def evidence(dense_found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each candidate's evidence and the position of its best row."""
        scored = dense_found * weight_found
        best = found[np.lexsort((-scored, group))[starts]]  # rows stay grouped by owner: the first is the best
        return np.maximum.reduceat(scored, starts) + keyword_bonus, best

    values, best = evidence(dense_all[found])
    leaders = np.flatnonzero(values >= MIN_EVIDENCE)
    if not len(leaders):
        return []
    leaders = leaders[np.argsort(-values[leaders], kind="stable")][:FEEDBACK]
    moved = dense_q + FEEDBACK_WEIGHT * np.mean(rows.dense[best[leaders]], axis=0)
    moved = (moved / max(float(np.linalg.norm(moved)), 1e-12)).astype(np.float32)
    values, best = evidence(rows.dense[found] @ moved)
    hits: list[SearchHit] = []
    for i in np.lexsort((np.array(candidates), -values)):
        if values[i] < MIN_HIT:
            break
        company = candidates[int(i)]
        if filters is not None and not filters.admits(matcher.profiles[company]):
            continue
        hits.append(SearchHit(company, round(float(search_strength(values[i])), 6), rows.text[int(best[i])]))
        if len(hits) >= top:
            break
    return hits


def search_strength(evidence: float) -> float:
    """A search hit's evidence as 0..1: 0.5 for a close paraphrase that names half the query's terms."""
    return 1.0 / (1.0 + np.exp(-6.0 * (evidence - 0.6)))
