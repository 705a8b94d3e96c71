"""The matching engine: one class with a few verbs (index, upsert, remove, match, explain, save, load).

Texts are indexed at the level where matching happens: each supplier capability (and past
project reference) and each manufacturer need is one row in a FAISS index and one row of a
lexical TF-IDF matrix. A query gathers candidates from both, then scores every candidate
exactly with the need-level model of `matcher.scoring`.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Iterable

import numpy as np
from scipy import sparse

from matcher.encoder import Encoder
from matcher.index import VectorIndex
from matcher.keyword import KeywordIndex
from matcher import persistence
from matcher import search as free_text
from matcher.lexical import LexicalModel
from matcher.rows import RowStore
from matcher.scoring import ScoringConfig, expected_gain, explain, security_tier, solve_probability
from matcher.text import tokenize_many
from matcher.types import Explanation, MatchFilters, Profile, RankedPartner, SearchHit

_SAMPLE_SIZE = 512  # suppliers whose rows calibrate each need's similarity distribution
_ADD_CHUNK = 8192  # rows copied into the row store at a time while building
_QUERY_CACHE_SIZE = 4096  # manufacturers whose translated need rows are kept between queries
# Free-text search (matcher/search.py): evidence = dense cosine + weight x keyword share, both absolute



class Matcher:
    """Need-level bilingual matching of manufacturers and suppliers."""

    def __init__(self, encoder: Encoder, config: ScoringConfig | None = None, candidate_k: int = 100,
                 exhaustive_limit: int = 2000) -> None:
        self.encoder = encoder
        self.config = config or ScoringConfig()
        self.candidate_k = candidate_k
        self.exhaustive_limit = exhaustive_limit
        self.profiles: dict[str, Profile] = {}
        self._lexical = LexicalModel().fit([])
        self._reset_rows()
        self.calibrator = None  # matcher.calibration.ScoreCalibrator: shown scores become probabilities
        self.learner = None  # matcher.learning.DecisionEvidence: what coordinators' decisions add
        self.exposure = None  # matcher.exposure.ExposureBalancer: popular suppliers give way a little in the order

    def _reset_rows(self) -> None:
        vocabulary = len(self._lexical.vectorizer_.vocabulary_)
        self._caps = RowStore(self.encoder.dimension, vocabulary)
        self._needs = RowStore(self.encoder.dimension, vocabulary)
        self._cap_index = VectorIndex(self.encoder.dimension)
        self._need_index = VectorIndex(self.encoder.dimension)
        self._sample: list[str] = []
        self._stats_cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        self._sample_rows: tuple[np.ndarray, sparse.csr_matrix] | None = None  # (dense.T, lex.T) of the sample
        self._query_cache: dict[str, tuple[np.ndarray, sparse.csr_matrix]] = {}
        self._keywords = {"supplier": KeywordIndex().fit([]), "manufacturer": KeywordIndex().fit([])}
        # the saved folder this engine equals but for the sides changed since (`save` links the others' files)
        self._origin, self._touched = None, set()

    # ----------------------------------------------------------------- building
    def index(self, profiles: Iterable[Profile]) -> "Matcher":
        """Build from scratch: fit the lexical vocabulary on all texts, then add every profile.

        Args:
            profiles: every company to match.

        Returns:
            self, ready to match.
        """
        profiles = list(profiles)
        self.profiles = {}
        texts = [t for p in profiles for t in (*p.needs, *p.capabilities, *p.references)]
        unique = list(dict.fromkeys(texts))
        # The encoder (numpy, or its own worker processes) and Kiwi (native code) overlap.
        with ThreadPoolExecutor(max_workers=1) as background:
            encoding = background.submit(self.encoder.encode, unique)
            tokens = dict(zip(unique, tokenize_many(unique) if unique else []))  # one Kiwi pass for fit and rows
            keywords = {kind: KeywordIndex().fit([p for p in profiles if p.kind == kind])
                        for kind in ("supplier", "manufacturer")}
            vectors = dict(zip(unique, encoding.result()))
        self._lexical = LexicalModel().fit(texts, encoder=self.encoder, tokens=[tokens[t] for t in texts])
        self._reset_rows()
        self._keywords = keywords
        self._add(profiles, tokens=tokens, vectors=vectors)
        del vectors, tokens  # the encoder's output, copied into the row stores: freed before FAISS copies them
        self._cap_index = VectorIndex.build(self.encoder.dimension, *self._live(self._caps))
        self._need_index = VectorIndex.build(self.encoder.dimension, *self._live(self._needs))
        self._resample()
        return self

    @staticmethod
    def _live(rows: RowStore) -> tuple[np.ndarray, np.ndarray]:
        ids = np.flatnonzero(rows.alive).astype(np.int64)
        return ids, rows.dense if len(ids) == rows.size else rows.dense[ids]  # a fresh build: no copy

    def upsert(self, profile: Profile) -> None:
        """Add or replace one profile without a rebuild (the vocabulary stays as fitted)."""
        if profile.id in self.profiles:
            self._drop(profile.id)
        self._add([profile], update_index=True)
        self._keywords[profile.kind].upsert(profile)
        if profile.kind == "supplier" and len(self._sample) < _SAMPLE_SIZE:
            self._resample()

    def vocabulary_coverage(self, profiles: Iterable[Profile]) -> float:
        """Share of the profiles' content words that the fitted lexical vocabulary knows (1.0 when none).

        `upsert` keeps the vocabulary and IDF of the last full build, so words first seen later carry
        no lexical signal; a caller rebuilds when the coverage of new text drops.
        """
        texts = [t for p in profiles for t in (*p.needs, *p.capabilities, *p.references)]
        tokens = [token for row in tokenize_many(texts) for token in row] if texts else []
        if not tokens:
            return 1.0
        vocabulary = self._lexical.vectorizer_.vocabulary_
        return sum(token in vocabulary for token in tokens) / len(tokens)

    def remove(self, profile_id: str) -> None:
        """Forget a profile; unknown ids are ignored."""
        if profile_id in self.profiles:
            self._drop(profile_id)
            if profile_id in self._sample:
                self._resample()

    def _add(self, profiles: list[Profile], update_index: bool = False,
             tokens: dict[str, list[str]] | None = None, vectors: dict[str, np.ndarray] | None = None) -> None:
        caps: list[tuple[str, str, float]] = []
        needs: list[tuple[str, str, float]] = []
        for p in profiles:
            self.profiles[p.id] = p
            self._touched.add(p.kind)
            if p.kind == "supplier":
                caps += [(p.id, t, 1.0) for t in p.capabilities]
                caps += [(p.id, t, self.config.reference_discount) for t in p.references]
            else:
                needs += [(p.id, t, 1.0) for t in p.needs]
        for rows, index, items in ((self._caps, self._cap_index, caps), (self._needs, self._need_index, needs)):
            rows.reserve(len(items))
            for start in range(0, len(items), _ADD_CHUNK):  # a build's rows are copied in once, a chunk at a time
                chunk = items[start:start + _ADD_CHUNK]
                texts = [t for _, t, _ in chunk]
                dense = (np.stack([vectors[t] for t in texts]) if vectors is not None
                         else self.encoder.encode(texts))
                lexical = self._lexical.transform(texts, tokens=[tokens[t] for t in texts] if tokens else None)
                positions = rows.append([o for o, _, _ in chunk], texts, [w for _, _, w in chunk], dense, lexical)
                if update_index:
                    index.add(positions, dense)
        self._forget_derived()

    def _drop(self, profile_id: str) -> None:
        profile = self.profiles.pop(profile_id)
        self._touched.add(profile.kind)
        self._keywords[profile.kind].remove(profile_id)
        rows, index = (self._caps, self._cap_index) if profile.kind == "supplier" else (self._needs, self._need_index)
        index.remove(rows.kill(profile_id))
        self._forget_derived()

    def _forget_derived(self) -> None:
        """Drop what is computed from the rows (per-need statistics, the sample's matrices)."""
        self._stats_cache.clear()
        self._query_cache.clear()
        self._sample_rows = None

    def _resample(self) -> None:
        suppliers = sorted(self._caps.by_owner)
        if len(suppliers) > _SAMPLE_SIZE:
            rng = np.random.default_rng(0)
            suppliers = sorted(rng.choice(suppliers, size=_SAMPLE_SIZE, replace=False).tolist())
        self._sample = suppliers
        self._forget_derived()

    # ----------------------------------------------------------------- scoring
    def _query(self, manufacturer_id: str, translate: bool = True) -> tuple[np.ndarray, sparse.csr_matrix]:
        """A manufacturer's need rows; for scoring, their lexical rows carry translations (matcher.lexicon)."""
        cached = self._query_cache.get(manufacturer_id) if translate else None  # one lookup: safe while another thread clears
        if cached is not None:
            return cached
        positions = self._needs.by_owner.get(manufacturer_id, np.zeros(0, dtype=np.int64))
        lexical = self._needs.lex[positions]
        if not translate:
            return self._needs.dense[positions], lexical
        query = self._needs.dense[positions], self._lexical.translate(lexical)
        if len(self._query_cache) >= _QUERY_CACHE_SIZE:
            self._query_cache.clear()
        self._query_cache[manufacturer_id] = query
        return query

    def _need_stats(self, manufacturer_id: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Mean and spread of each need's dense and lexical similarity over a fixed supplier sample."""
        cached = self._stats_cache.get(manufacturer_id)
        if cached is not None:
            return cached
        dense_q, lex_q = self._query(manufacturer_id)
        sample_rows = self._sample_rows
        if sample_rows is None:  # two threads may both compute it; either result is the same
            positions, _ = self._caps.positions_of(self._sample)
            sample_rows = (np.ascontiguousarray(self._caps.dense[positions].T), self._caps.lex[positions].T.tocsr())
            self._sample_rows = sample_rows
        sample_dense, sample_lex = sample_rows
        n = dense_q.shape[0]
        if sample_dense.shape[1] < 2:
            stats = (np.zeros(n), np.ones(n), np.zeros(n), np.ones(n))
        else:
            dense = dense_q @ sample_dense
            lexical = (lex_q @ sample_lex).toarray()
            stats = (dense.mean(1), dense.std(1) + 1e-6, lexical.mean(1), lexical.std(1) + 1e-6)
        self._stats_cache[manufacturer_id] = stats
        return stats

    def _score(self, manufacturer_id: str, supplier_ids: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores (n,), per-need solve probabilities (n_needs, n) and best row positions (n_needs, n)."""
        dense_q, lex_q = self._query(manufacturer_id)
        n, n_needs = len(supplier_ids), dense_q.shape[0]
        if not n_needs or not n:
            return np.zeros(n), np.zeros((n_needs, n)), np.full((n_needs, n), -1)
        positions, starts = self._caps.positions_of(supplier_ids)
        mu_d, sd_d, mu_l, sd_l = self._need_stats(manufacturer_id)
        dense = dense_q @ self._caps.dense[positions].T
        lexical = (lex_q @ self._caps.lex[positions].T).toarray()
        fused = (dense - mu_d[:, None]) / sd_d[:, None] + self.config.lexical_weight * (
            (lexical - mu_l[:, None]) / sd_l[:, None])
        fused *= self._caps.weight[positions][None, :]
        best = np.maximum.reduceat(fused, starts, axis=1)
        group = np.repeat(np.arange(n), np.diff(np.append(starts, len(positions))))
        is_best = fused >= best[:, group]
        best_row = np.maximum.reduceat(np.where(is_best, positions[None, :], -1), starts, axis=1)
        p = solve_probability(best, self.config)
        manufacturer = self.profiles[manufacturer_id]
        fit = np.asarray([bool(manufacturer.industry) and manufacturer.industry in self.profiles[s].industries_served
                          for s in supplier_ids])
        scores = expected_gain(p, fit, self.config)
        learner = self.learner  # one read: a retrained learner may be swapped in by another thread
        if learner is not None:
            scores = learner.adjust(scores, learner.evidence(dense_q, self._caps.dense[positions], starts))
        return scores, p, best_row

    # ----------------------------------------------------------------- candidates
    def _supplier_candidates(self, manufacturer_id: str) -> list[str]:
        suppliers = list(self._caps.by_owner)
        if len(suppliers) <= self.exhaustive_limit:
            return sorted(suppliers)
        # the need's own words only: candidates in the other language come from the dense index, and
        # translations (often common words) would make the inverted-list product several times slower
        dense_q, lex_q = self._query(manufacturer_id, translate=False)
        _, hits = self._cap_index.search(dense_q, self.candidate_k)
        owner = self._caps.owner
        found = {owner[h] for h in hits.ravel().tolist() if h >= 0}
        lexical = (lex_q @ self._caps.lex_transposed).toarray()
        lexical[:, ~self._caps.alive] = 0.0
        k = min(self.candidate_k, lexical.shape[1] - 1)
        if k > 0:
            top = np.argpartition(-lexical, k, axis=1)[:, :k]
            values = np.take_along_axis(lexical, top, axis=1)
            found.update(owner[j] for j, v in zip(top.ravel().tolist(), values.ravel().tolist()) if v > 0)
        return sorted(found)

    def _manufacturer_candidates(self, supplier_id: str) -> list[str]:
        manufacturers = list(self._needs.by_owner)
        if len(manufacturers) <= self.exhaustive_limit:
            return sorted(manufacturers)
        positions = self._caps.by_owner.get(supplier_id, np.zeros(0, dtype=np.int64))
        _, hits = self._need_index.search(self._caps.dense[positions], self.candidate_k)
        return sorted({self._needs.owner[h] for h in hits.ravel().tolist() if h >= 0})

    # ----------------------------------------------------------------- queries
    def match(self, profile_id: str, top: int = 10, filters: MatchFilters | None = None) -> list[RankedPartner]:
        """Best partners of a company, best first: suppliers for a manufacturer and vice versa.

        Args:
            profile_id: an indexed company.
            top: how many partners to return.
            filters: optional restrictions on the partners.

        Returns:
            Matches sorted by (security tier, score); a manufacturer requiring certification sees
            every certified supplier above any uncertified one.
        """
        profile = self.profiles[profile_id]
        if profile.kind == "manufacturer":
            partners = [s for s in self._supplier_candidates(profile_id) if filters is None or filters.admits(self.profiles[s])]
            scores, p, best_row = self._score(profile_id, partners)
            shown = self.shown_scores(scores)
            learner = self.learner
            relevant = learner.relevant(self._query(profile_id)[0]) if learner is not None else None
            exposure = self.exposure  # orders only: the score shown (and the minimum) stays the pair's own
            rank_by = scores - exposure.penalty(partners) if exposure is not None else scores
            order = sorted(range(len(partners)), key=lambda i: (
                security_tier(profile, self.profiles[partners[i]]), -rank_by[i], partners[i]))
            results = []
            for i in order:
                if filters and filters.min_score is not None and shown[i] < filters.min_score:
                    continue
                results.append(RankedPartner(profile_id, partners[i], round(float(shown[i]), 6),
                                     self._explanation(profile_id, partners[i], p[:, i], best_row[:, i], relevant)))
                if len(results) >= top:
                    break
            return results
        scored = []
        for m in self._manufacturer_candidates(profile_id):
            manufacturer = self.profiles[m]
            if filters is not None and not filters.admits(manufacturer):
                continue
            scores, p, best_row = self._score(m, [profile_id])
            scored.append((security_tier(manufacturer, profile), -float(scores[0]), m, p[:, 0], best_row[:, 0]))
        scored.sort(key=lambda x: (x[0], x[1], x[2]))
        results = []
        shown = self.shown_scores(np.asarray([-x[1] for x in scored]))
        for (_tier, neg, m, pv, br), value in zip(scored, shown.tolist()):
            if filters and filters.min_score is not None and value < filters.min_score:
                continue
            results.append(RankedPartner(profile_id, m, round(value, 6), self._explanation(m, profile_id, pv, br)))
            if len(results) >= top:
                break
        return results

    def shown_scores(self, scores: np.ndarray) -> np.ndarray:
        """The scores a coordinator sees: calibrated probabilities of a good partner once calibrated."""
        calibrator = self.calibrator  # one read: another thread may swap in a newly fitted one
        if calibrator is not None and len(scores):
            return calibrator.predict(scores)
        return np.clip(np.asarray(scores, dtype=np.float64), 0.0, 1.0)

    def calibrate(self, pairs: Iterable[tuple[str, str, bool]]) -> "Matcher":
        """Fit the score calibration on labelled pairs (manufacturer, supplier, good) and attach it.

        Args:
            pairs: good = relevance >= 2 on a labelled set, or accepted/contract in the decisions.

        Returns:
            self; ranking is unchanged (the map is monotone), `Match.score` becomes a probability.
        """
        from matcher.calibration import ScoreCalibrator

        raw, good = [], []
        for m, s, label in pairs:
            if m in self.profiles and s in self.profiles:
                raw.append(float(self._score(m, [s])[0][0]))
                good.append(bool(label))
        self.calibrator = ScoreCalibrator().fit(raw, good)
        return self

    def search(self, text: str, kind: str = "supplier", top: int = 20,
               filters: MatchFilters | None = None) -> list[SearchHit]:
        """Companies whose capabilities (kind="supplier") or needs ("manufacturer") answer a free text."""
        return free_text.search(self, text, kind, top, filters)

    def rank_all(self, manufacturer_id: str) -> list[str]:
        """Every supplier ranked for a manufacturer (the benchmark's view: the whole pool)."""
        return [m.partner_id for m in self.match(manufacturer_id, top=len(self.profiles))]

    def pair_score(self, manufacturer_id: str, supplier_id: str) -> float:
        """The score of one pair, the same from either side."""
        return float(self._score(manufacturer_id, [supplier_id])[0][0])

    def reciprocal_score(self, manufacturer_id: str, supplier_id: str, depth: int = 50) -> float:
        """Harmonic mean of how high each side ranks the other (1 = each is the other's first choice)."""
        forward = [m.partner_id for m in self.match(manufacturer_id, top=depth)]
        backward = [m.partner_id for m in self.match(supplier_id, top=depth)]
        a = 1.0 / (1 + forward.index(supplier_id)) if supplier_id in forward else 0.0
        b = 1.0 / (1 + backward.index(manufacturer_id)) if manufacturer_id in backward else 0.0
        return 0.0 if a + b == 0 else 2 * a * b / (a + b)

    def explain(self, manufacturer_id: str, supplier_id: str) -> Explanation:
        """Why this pair scores as it does."""
        _, p, best_row = self._score(manufacturer_id, [supplier_id])
        return self._explanation(manufacturer_id, supplier_id, p[:, 0], best_row[:, 0])

    def _explanation(self, manufacturer_id: str, supplier_id: str, p: np.ndarray, best_row: np.ndarray,
                     relevant: tuple[np.ndarray, np.ndarray] | None = None) -> Explanation:
        texts = [self._caps.text[int(r)] if r >= 0 else "" for r in best_row]
        explanation = explain(self.profiles[manufacturer_id], self.profiles[supplier_id], p, texts)
        learner = self.learner
        if learner is not None:
            if relevant is None:
                relevant = learner.relevant(self._query(manufacturer_id)[0])
            reason = learner.reason(relevant, self._caps.dense[self._caps.by_owner[supplier_id]], supplier_id)
            if reason:
                explanation = replace(explanation, rules=(*explanation.rules, reason))
        return explanation

    # ----------------------------------------------------------------- persistence
    def save(self, path: str | Path, previous: str | Path | None = None) -> None:
        """Write the index to a folder; files equal to those of `previous` are linked (see `matcher.persistence`)."""
        persistence.save(self, Path(path), Path(previous) if previous is not None else None)

    def mark_saved(self, path: str | Path) -> None:
        """This engine now equals the folder at `path` (a snapshot renamed into place after `save`)."""
        self._origin, self._touched = Path(path), set()

    @classmethod
    def load(cls, path: str | Path, encoder: Encoder, *, read_only: bool = False,
             reuse: "Matcher | None" = None) -> "Matcher":
        """Read a folder written by `save`, sharing unchanged parts of `reuse` (see `matcher.persistence.load`)."""
        return persistence.load(cls, Path(path), encoder, read_only=read_only, reuse=reuse)
