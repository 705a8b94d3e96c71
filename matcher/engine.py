"""The matching engine: one class with a few verbs (index, upsert, remove, match, explain, save, load).

Texts are indexed at the level where matching happens: each supplier capability (and past
project reference) and each manufacturer need is one row in a FAISS index and one row of a
lexical TF-IDF matrix. A query gathers candidates from both, then scores every candidate
exactly with the need-level model of `matcher.scoring`.
"""
from __future__ import annotations

import json
import pickle
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path
from typing import Iterable

import numpy as np
from scipy import sparse

from matcher.encoder import Encoder
from matcher.index import VectorIndex
from matcher.keyword import KeywordIndex
from matcher.lexical import LexicalModel
from matcher.rows import RowStore
from matcher.scoring import ScoringConfig, expected_gain, explain, security_tier, solve_probability
from matcher.text import tokenize_many
from matcher.types import Explanation, MatchFilters, Profile, SearchHit
from matcher.types import RankedPartner as Match  # the body still says Match: its owner renames it there

_SAMPLE_SIZE = 512  # suppliers whose rows calibrate each need's similarity distribution
_QUERY_CACHE_SIZE = 4096  # manufacturers whose translated need rows are kept between queries
_FORMAT_VERSION = 8  # 3: lexicon; 4: .npy dense rows; 5: keyword index; 6: calibrator; 7: learner; 8: exposure
# Free-text search: evidence = dense cosine + weight x lexical cosine + weight x keyword share, all absolute
_SEARCH_LEXICAL_WEIGHT = 0.35
_SEARCH_KEYWORD_WEIGHT = 2.0  # naming every query term (or its acronym) counts twice a close paraphrase
_SEARCH_MIN_EVIDENCE = 0.25  # no company reaches this: nothing answers the query, no hit at all
_SEARCH_MIN_HIT = 0.2  # once some company answers it, weaker companies down to this are still listed
_SEARCH_FEEDBACK = 5  # the query vector moves towards its best companies' texts (pseudo-relevance feedback)
_SEARCH_FEEDBACK_WEIGHT = 0.5
_SEARCH_CANDIDATES = 400  # rows per signal whose companies are scored exactly



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
        self.reranker = None
        self.calibrator = None  # matcher.calibration.ScoreCalibrator: shown scores become probabilities
        self.learner = None  # matcher.learning.DecisionEvidence: what coordinators' decisions add
        self.exposure = None  # matcher.exposure.ExposureBalancer: popular suppliers give way a little

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
        self._cap_index = VectorIndex.build(self.encoder.dimension, *self._live(self._caps))
        self._need_index = VectorIndex.build(self.encoder.dimension, *self._live(self._needs))
        self._resample()
        return self

    @staticmethod
    def _live(rows: RowStore) -> tuple[np.ndarray, np.ndarray]:
        ids = np.flatnonzero(rows.alive).astype(np.int64)
        return ids, rows.dense[ids]

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
            if p.kind == "supplier":
                caps += [(p.id, t, 1.0) for t in p.capabilities]
                caps += [(p.id, t, self.config.reference_discount) for t in p.references]
            else:
                needs += [(p.id, t, 1.0) for t in p.needs]
        for rows, index, items in ((self._caps, self._cap_index, caps), (self._needs, self._need_index, needs)):
            if not items:
                continue
            texts = [t for _, t, _ in items]
            dense = (np.stack([vectors[t] for t in texts]) if vectors is not None
                     else self.encoder.encode(texts))
            lexical = self._lexical.transform(texts, tokens=[tokens[t] for t in texts] if tokens else None)
            positions = rows.append([o for o, _, _ in items], texts, [w for _, _, w in items], dense, lexical)
            if update_index:
                index.add(positions, dense)
        self._forget_derived()

    def _drop(self, profile_id: str) -> None:
        profile = self.profiles.pop(profile_id)
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
        if self.reranker is not None:
            scores = self.reranker.predict(p, fit, scores)
        learner = self.learner  # one read: a retrained learner may be swapped in by another thread
        if learner is not None:
            scores = learner.adjust(scores, learner.evidence(dense_q, self._caps.dense[positions], starts))
        exposure = self.exposure
        if exposure is not None:
            scores = scores - exposure.penalty(supplier_ids)
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
    def match(self, profile_id: str, top: int = 10, filters: MatchFilters | None = None) -> list[Match]:
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
            partners = [s for s in self._supplier_candidates(profile_id) if self._passes(self.profiles[s], filters)]
            scores, p, best_row = self._score(profile_id, partners)
            shown = self.shown_scores(scores)
            learner = self.learner
            relevant = learner.relevant(self._query(profile_id)[0]) if learner is not None else None
            order = sorted(range(len(partners)), key=lambda i: (
                security_tier(profile, self.profiles[partners[i]]), -scores[i], partners[i]))
            results = []
            for i in order:
                if filters and filters.min_score is not None and shown[i] < filters.min_score:
                    continue
                results.append(Match(profile_id, partners[i], round(float(shown[i]), 6),
                                     self._explanation(profile_id, partners[i], p[:, i], best_row[:, i], relevant)))
                if len(results) >= top:
                    break
            return results
        scored = []
        for m in self._manufacturer_candidates(profile_id):
            manufacturer = self.profiles[m]
            if not self._passes(manufacturer, filters):
                continue
            scores, p, best_row = self._score(m, [profile_id])
            scored.append((security_tier(manufacturer, profile), -float(scores[0]), m, p[:, 0], best_row[:, 0]))
        scored.sort(key=lambda x: (x[0], x[1], x[2]))
        results = []
        shown = self.shown_scores(np.asarray([-x[1] for x in scored]))
        for (_tier, neg, m, pv, br), value in zip(scored, shown.tolist()):
            if filters and filters.min_score is not None and value < filters.min_score:
                continue
            results.append(Match(profile_id, m, round(value, 6), self._explanation(m, profile_id, pv, br)))
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
        """Companies whose capabilities (kind="supplier") or needs ("manufacturer") answer a free text.

        Three absolute signals, never standardised within the result set (so a query that matches
        nothing well returns nothing): the dense cosine of the query and the company's best row, the
        lexical cosine of that row (with the query words' translations, so a Korean query finds
        English profiles), and the share of the query's terms the company names anywhere in its
        public text (`matcher.keyword`: exact terms, acronyms, field weights). When no company reaches
        `_SEARCH_MIN_EVIDENCE` there is no hit; otherwise companies down to `_SEARCH_MIN_HIT` are
        listed, after the query vector is moved towards its best companies' texts once
        (pseudo-relevance feedback) and scored again.

        Args:
            text: the query, Korean or English, a few words or a sentence.
            kind: "supplier" (capabilities) or "manufacturer" (needs).
            top: most hits returned.
            filters: optional restrictions on the companies.

        Returns:
            Hits sorted best first; score is the evidence mapped to 0..1, text the best row.
        """
        rows = self._caps if kind == "supplier" else self._needs
        keywords = self._keywords[kind]
        live = np.flatnonzero(rows.alive)
        if not text.strip() or not len(live):
            return []
        dense_q = self.encoder.encode([text])[0].astype(np.float32)
        lex_q = self._lexical.transform([text], translate=True)
        lexical_all = (lex_q @ rows.lex_transposed).toarray()[0]
        weights = keywords.query_weights(text, self._lexical.translations)
        keyword = keywords.scores(weights)

        # Candidates: the companies of the best rows for the query and of the best keyword shares. Both
        # rounds score only their rows, so the one pass over every row is the first dense product.
        dense_all = rows.dense @ dense_q
        row_score = (dense_all[live] + _SEARCH_LEXICAL_WEIGHT * lexical_all[live]) * rows.weight[live]
        k = min(_SEARCH_CANDIDATES, len(live))
        best_rows = live[np.argpartition(-row_score, k - 1)[:k]]
        candidates = sorted({rows.owner[int(r)] for r in best_rows} | set(keywords.top(keyword, _SEARCH_CANDIDATES)))
        found, starts = rows.positions_of(candidates)
        if not len(found):
            return []
        group = np.repeat(np.arange(len(candidates)), np.diff(np.append(starts, len(found))))
        lexical_found = _SEARCH_LEXICAL_WEIGHT * lexical_all[found]
        weight_found = rows.weight[found]
        keyword_bonus = _SEARCH_KEYWORD_WEIGHT * keywords.of(keyword, candidates)

        def evidence(dense_found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Each candidate's evidence and the position of its best row."""
            scored = (dense_found + lexical_found) * weight_found
            best = found[np.lexsort((-scored, group))[starts]]  # rows stay grouped by owner: the first is the best
            return np.maximum.reduceat(scored, starts) + keyword_bonus, best

        values, best = evidence(dense_all[found])
        leaders = np.flatnonzero(values >= _SEARCH_MIN_EVIDENCE)
        if not len(leaders):
            return []
        leaders = leaders[np.argsort(-values[leaders], kind="stable")][:_SEARCH_FEEDBACK]
        moved = dense_q + _SEARCH_FEEDBACK_WEIGHT * np.mean(rows.dense[best[leaders]], axis=0)
        moved = (moved / max(float(np.linalg.norm(moved)), 1e-12)).astype(np.float32)
        values, best = evidence(rows.dense[found] @ moved)
        hits: list[SearchHit] = []
        for i in np.lexsort((np.array(candidates), -values)):
            if values[i] < _SEARCH_MIN_HIT:
                break
            company = candidates[int(i)]
            if not self._passes(self.profiles[company], filters):
                continue
            hits.append(SearchHit(company, round(float(search_strength(values[i])), 6), rows.text[int(best[i])]))
            if len(hits) >= top:
                break
        return hits

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
            reason = learner.reason(relevant, self._caps.dense[self._caps.by_owner[supplier_id]])
            if reason:
                explanation = replace(explanation, rules=(*explanation.rules, reason))
        return explanation

    @staticmethod
    def _passes(partner: Profile, filters: MatchFilters | None) -> bool:
        if filters is None:
            return True
        if filters.hubs and partner.hub not in filters.hubs:
            return False
        if filters.industries:
            industries = {partner.industry} if partner.kind == "manufacturer" else set(partner.industries_served)
            if not industries & filters.industries:
                return False
        if filters.certified_only and partner.kind == "supplier" and not partner.is_security_certified:
            return False
        if filters.languages and partner.language not in filters.languages:
            return False
        return True

    # ----------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        """Write the index to a folder (FAISS files plus the row stores)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for rows in (self._caps, self._needs):  # a loaded engine is read by many threads: nothing left to compact
            rows.compact()
        for keywords in self._keywords.values():
            keywords.compact()
        self._cap_index.save(path / "capabilities.faiss")
        self._need_index.save(path / "needs.faiss")
        state = {"profiles": self.profiles, "caps": self._caps, "needs": self._needs, "lexical": self._lexical,
                 "sample": self._sample, "reranker": self.reranker, "keywords": self._keywords,
                 "calibrator": self.calibrator, "learner": self.learner, "exposure": self.exposure}
        for name, rows in (("capabilities", self._caps), ("needs", self._needs)):
            np.save(path / f"{name}.npy", np.ascontiguousarray(rows.dense, dtype=np.float32))
        with open(path / "state.pkl.tmp", "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        (path / "state.pkl.tmp").replace(path / "state.pkl")
        meta = {"format": _FORMAT_VERSION, "encoder": self.encoder.name, "dimension": self.encoder.dimension,
                "config": asdict(self.config), "profiles": len(self.profiles)}
        (path / "meta.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, path: str | Path, encoder: Encoder, *, read_only: bool = False) -> "Matcher":
        """Read a folder written by `save`; refuses an index built with another encoder or format.

        Args:
            path: the folder.
            encoder: the encoder the index was built with.
            read_only: memory-map the dense vectors instead of reading them: processes serving the
                same snapshot share one copy in the page cache. Such an engine cannot be changed.
        """
        path = Path(path)
        meta = json.loads((path / "meta.json").read_text())
        if meta.get("format") != _FORMAT_VERSION or meta.get("encoder") != encoder.name:
            raise ValueError(f"index at {path} was built with {meta.get('encoder')!r}, format {meta.get('format')}")
        matcher = cls(encoder, ScoringConfig(**meta["config"]))
        with open(path / "state.pkl", "rb") as fh:
            state = pickle.load(fh)  # our own file, written by save() above
        matcher.profiles, matcher._caps, matcher._needs = state["profiles"], state["caps"], state["needs"]
        for name, rows in (("capabilities", matcher._caps), ("needs", matcher._needs)):
            rows.attach_dense(np.load(path / f"{name}.npy", mmap_mode="r" if read_only else None))
        matcher._lexical, matcher._sample, matcher.reranker = state["lexical"], state["sample"], state["reranker"]
        matcher._keywords, matcher.calibrator, matcher.learner = state["keywords"], state["calibrator"], state["learner"]
        matcher.exposure = state["exposure"]
        matcher._cap_index = VectorIndex.load(path / "capabilities.faiss", encoder.dimension)
        matcher._need_index = VectorIndex.load(path / "needs.faiss", encoder.dimension)
        return matcher


def train_learner(matcher: Matcher, decisions: Iterable[dict]) -> Matcher:
    """Learn need-level evidence from a decisions log and attach it (returns the matcher)."""
    from matcher.learning import DecisionEvidence

    matcher.learner = None  # the evidence is fitted on the engine alone, never on its own output
    matcher.learner = DecisionEvidence().fit(matcher, decisions)
    return matcher


def balance_exposure(matcher: Matcher, weight: float = 0.06) -> Matcher:
    """Spread proposals across good suppliers (`matcher.exposure`); returns the matcher."""
    from matcher.exposure import ExposureBalancer

    matcher.exposure = ExposureBalancer(weight=weight).fit(matcher)
    return matcher


def search_strength(evidence: float) -> float:
    """A search hit's evidence as 0..1: 0.5 for a close paraphrase that names half the query's terms."""
    return 1.0 / (1.0 + np.exp(-6.0 * (evidence - 0.6)))


def train_reranker(matcher: Matcher, decisions: Iterable[dict], blend: float = 0.5) -> "Matcher":
    """Fit a decision re-ranker on a matcher's own signals and attach it (returns the matcher)."""
    from matcher.reranker import DecisionReranker, outcomes_by_pair, pair_features

    matcher.reranker = None
    feats, outcomes = [], []
    for (m, s), outcome in outcomes_by_pair(decisions).items():
        if m not in matcher.profiles or s not in matcher.profiles:
            continue
        scores, p, _ = matcher._score(m, [s])
        fit = np.asarray([bool(matcher.profiles[m].industry) and matcher.profiles[m].industry in
                          matcher.profiles[s].industries_served])
        feats.append(pair_features(p, fit, scores)[0])
        outcomes.append(outcome)
    matcher.reranker = DecisionReranker(blend=blend).fit(np.asarray(feats), outcomes)
    return matcher
