"""Learning from coordinators' decisions: need-level neighbour evidence, fused with a weight fitted by CV.

A decision says that a manufacturer accepted (or declined) a supplier; the engine can tell which of
that manufacturer's needs the supplier's capabilities answer. Stored as (need vector, capability
vector, signed strength) entries, past decisions become evidence for a new pair: when one of its
needs is near-identical to a decided need (cosine >= `need_threshold`) and one of the candidate's
capabilities is like the capability chosen for it (>= `capability_threshold`), the decision counts
for the candidate, or against it when it was declined. This sees what the engine cannot: which
capability people actually chose for a problem written in their own words.

How much the evidence may move the engine's score is not a constant: `fit` tries a few fusions
(weight of acceptances, weight of declines, whether the weight shrinks where the engine is already
sure) by cross-validation over the decided manufacturers themselves, each inner fold ranked by
evidence from the other folds and scored against its own decisions, and keeps the best one only
when it beats the engine alone. With too few decisions, or when no fusion helps, nothing is learned
and the engine's score stands; the explanation says which. The security rule is untouched:
`Matcher.match` sorts by security tier before any score.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, TYPE_CHECKING

import numpy as np

from matcher.evaluation import ndcg_at
from matcher.scoring import security_tier

if TYPE_CHECKING:
    from matcher.engine import Matcher

POSITIVE = frozenset({"contract", "accepted"})
NEGATIVE_STRENGTH = {"declined": 1.0, "no_response": 1.0 / 3.0}  # silence says less than a refusal
GAIN = {"contract": 3, "accepted": 2}  # what the inner cross-validation rewards at the top of a ranking


def outcomes_by_pair(decisions: Iterable[Mapping]) -> dict[tuple[str, str], str]:
    """The latest outcome for each (manufacturer, supplier) pair."""
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for d in decisions:
        key = (d["manufacturer_id"], d["supplier_id"])
        when = str(d.get("decided_on") or "")
        if key not in latest or when >= latest[key][0]:
            latest[key] = (when, d["outcome"])
    return {k: v[1] for k, v in latest.items()}


def _kernel(cosines: np.ndarray, threshold: float) -> np.ndarray:
    """0 below the threshold, rising to 1 for identical texts."""
    return np.clip((cosines - threshold) / (1.0 - threshold), 0.0, None) ** 2


def _fold(manufacturer_id: str, folds: int) -> int:
    return int(hashlib.sha1(manufacturer_id.encode()).hexdigest(), 16) % folds


@dataclass(frozen=True)
class Fusion:
    """How evidence joins the engine's 0..1 pair score."""

    positive: float = 0.0  # at most this much is added for acceptances
    negative: float = 0.0  # declines take off this share of `positive`
    gated: bool = False  # scaled by (1 - engine score): room where the engine is unsure, none where it is sure

    def apply(self, scores: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
        if not self.positive:
            return scores
        room = 1.0 - np.clip(scores, 0.0, 1.0) if self.gated else 1.0
        return scores + room * self.positive * (np.tanh(positive) - self.negative * np.tanh(negative))


ENGINE_ONLY = Fusion()
# Acceptances add at most 0.4 to a 0..1 score: enough to reorder close candidates, never to bury the engine's own
# judgement under popular suppliers (allowing 0.8 let the inner CV pick it and two of five dev folds got worse).
FUSIONS: tuple[Fusion, ...] = (ENGINE_ONLY, *(Fusion(p, n, g) for p in (0.05, 0.1, 0.2, 0.4)
                                              for n in (0.0, 0.3, 1.0) for g in (False, True)))


class DecisionEvidence:
    """fit(matcher, decisions) -> self; evidence() and adjust() add decision evidence to the engine's scores."""

    def __init__(self, need_threshold: float = 0.8, capability_threshold: float = 0.7, secondary_need: float = 1 / 3,
                 min_decisions: int = 20, min_manufacturers: int = 8, inner_folds: int = 4, candidates: int = 100,
                 min_gain: float = 0.002, fusions: tuple[Fusion, ...] = FUSIONS) -> None:
        self.need_threshold = need_threshold
        self.capability_threshold = capability_threshold
        self.secondary_need = secondary_need  # a decision on a secondary need says less (as the labels do)
        self.min_decisions = min_decisions
        self.min_manufacturers = min_manufacturers  # fewer cannot be split into folds that say anything
        self.inner_folds = inner_folds
        self.candidates = candidates  # the engine's best this many per manufacturer are re-ranked in the inner CV
        self.min_gain = min_gain  # the nDCG@10 a fusion must add over the engine alone to be used
        self.fusions = fusions

    # ------------------------------------------------------------------ fitting
    def fit(self, matcher: "Matcher", decisions: Iterable[Mapping]) -> "DecisionEvidence":
        """Store every decided pair as need-level entries, then choose the fusion by inner cross-validation."""
        outcomes = {k: o for k, o in outcomes_by_pair(decisions).items()
                    if (o in POSITIVE or o in NEGATIVE_STRENGTH) and k[0] in matcher.profiles
                    and k[1] in matcher.profiles and matcher.profiles[k[0]].kind == "manufacturer"
                    and matcher.profiles[k[1]].kind == "supplier"}
        self._store(matcher, outcomes)
        self.n_decisions_ = len(outcomes)
        self.n_manufacturers_ = len({m for m, _ in outcomes})
        self.fusion_, self.cv_ndcg_ = ENGINE_ONLY, {}
        enough = (self.n_decisions_ >= self.min_decisions and self.n_manufacturers_ >= self.min_manufacturers
                  and any(o in POSITIVE for o in outcomes.values()))
        self.status_ = "too_few"
        if enough:
            self.fusion_, self.cv_ndcg_ = self._choose_fusion(matcher, outcomes)
            self.status_ = "no_gain" if self.fusion_ == ENGINE_ONLY else "learned"
        self.active_ = self.status_ == "learned"
        return self

    def _store(self, matcher: "Matcher", outcomes: Mapping[tuple[str, str], str]) -> None:
        needs, caps, strengths, owners, suppliers = [], [], [], [], []
        for (m, s), outcome in sorted(outcomes.items()):
            need_rows = matcher._needs.dense[matcher._needs.by_owner[m]]
            cap_rows = matcher._caps.dense[matcher._caps.by_owner[s]]
            if not len(need_rows) or not len(cap_rows):
                continue
            strength = 1.0 if outcome in POSITIVE else -NEGATIVE_STRENGTH[outcome]
            chosen = np.argmax(need_rows @ cap_rows.T, axis=1)  # the capability that answers each need
            for k in range(len(need_rows)):
                needs.append(need_rows[k])
                caps.append(cap_rows[chosen[k]])
                strengths.append(strength * (1.0 if k == 0 else self.secondary_need))
                owners.append(m)
                suppliers.append(s)
        dimension = matcher.encoder.dimension
        self.needs_ = np.asarray(needs, dtype=np.float32).reshape(-1, dimension)
        self.capabilities_ = np.asarray(caps, dtype=np.float32).reshape(-1, dimension)
        self.strengths_ = np.asarray(strengths, dtype=np.float64)
        self.owners_ = tuple(owners)
        self.suppliers_ = tuple(suppliers)
        self.industries_ = {m: matcher.profiles[m].industry for m in set(owners)}

    def _choose_fusion(self, matcher: "Matcher", outcomes: Mapping[tuple[str, str], str]
                       ) -> tuple[Fusion, dict[str, float]]:
        """The fusion whose rankings of held-out manufacturers best put their own accepted suppliers first."""
        saved, matcher.learner = matcher.learner, None  # the engine's own scores, never its learned output
        try:
            decided = sorted({m for m, _ in outcomes})
            labels: dict[str, dict[str, int]] = {m: {} for m in decided}
            for (m, s), outcome in outcomes.items():
                labels[m][s] = GAIN.get(outcome, 0)
            per_manufacturer: list[list[float]] = []
            owners = np.asarray(self.owners_)
            for fold in range(self.inner_folds):
                members = [m for m in decided if _fold(m, self.inner_folds) == fold]
                known = ~np.isin(owners, members)
                for m in members:
                    if not any(labels[m].values()):
                        continue  # nothing accepted: no ranking can be better than another
                    candidates = matcher._supplier_candidates(m)
                    scores = matcher._score(m, candidates)[0]
                    keep = np.argsort(-scores, kind="stable")[:self.candidates]
                    candidates, scores = [candidates[i] for i in keep], scores[keep]
                    positions, starts = matcher._caps.positions_of(candidates)
                    positive, negative = self._evidence(matcher._query(m)[0], matcher._caps.dense[positions], starts,
                                                        known)
                    tiers = np.asarray([security_tier(matcher.profiles[m], matcher.profiles[s]) for s in candidates])
                    row = []
                    for fusion in self.fusions:
                        adjusted = fusion.apply(scores, positive, negative)
                        row.append(ndcg_at([candidates[j] for j in np.lexsort((-adjusted, tiers))], labels[m]))
                    per_manufacturer.append(row)
        finally:
            matcher.learner = saved
        if not per_manufacturer:
            return ENGINE_ONLY, {}
        table = np.asarray(per_manufacturer)
        means = table.mean(axis=0)
        best = int(np.argmax(means))  # the first of equals: the grid starts with the engine alone, then small weights
        report = {"engine": round(float(means[0]), 4), "learned": round(float(means[best]), 4)}
        if means[best] - means[0] < self.min_gain:
            return ENGINE_ONLY, report
        return self.fusions[best], report

    def held_out_scores(self, matcher: "Matcher", pairs: list[tuple[str, str]]) -> np.ndarray:
        """Learned scores of decided pairs as a new manufacturer would get them: its own decisions hidden.

        What the score calibrator is fitted on: in-sample scores would carry each pair's own decision.
        """
        saved, matcher.learner = matcher.learner, None
        owners = np.asarray(self.owners_)
        out = np.zeros(len(pairs))
        try:
            for i, (m, s) in enumerate(pairs):
                score = matcher._score(m, [s])[0]
                if self.active_:
                    positions, starts = matcher._caps.positions_of([s])
                    positive, negative = self._evidence(matcher._query(m)[0], matcher._caps.dense[positions], starts,
                                                        owners != m)
                    score = self.fusion_.apply(score, positive, negative)
                out[i] = float(score[0])
        finally:
            matcher.learner = saved
        return out

    # ------------------------------------------------------------------ scoring
    def _closeness(self, need_rows: np.ndarray, known: np.ndarray | None = None) -> np.ndarray:
        """Per stored entry: how near-identical its need is to one of these needs (0 when not)."""
        if not len(need_rows) or not len(self.strengths_):
            return np.zeros(len(self.strengths_))
        importance = np.asarray([1.0] + [self.secondary_need] * (len(need_rows) - 1))[:, None]
        closeness = (_kernel(need_rows @ self.needs_.T, self.need_threshold) * importance).max(axis=0)
        return closeness if known is None else closeness * known

    def _evidence(self, need_rows: np.ndarray, cap_rows: np.ndarray, starts: np.ndarray,
                  known: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Evidence for and against each candidate (grouped cap rows, `starts` as `RowStore.positions_of`)."""
        n = len(starts)
        weights = self._closeness(need_rows, known) * self.strengths_
        which = np.flatnonzero(weights)
        if not len(which) or not len(cap_rows):
            return np.zeros(n), np.zeros(n)
        likeness = _kernel(cap_rows @ self.capabilities_[which].T, self.capability_threshold)
        per_candidate = np.maximum.reduceat(likeness, starts, axis=0)  # a supplier's closest capability
        w = weights[which]
        return per_candidate @ np.clip(w, 0.0, None), per_candidate @ np.clip(-w, 0.0, None)

    def evidence(self, need_rows: np.ndarray, cap_rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """Evidence for (row 0) and against (row 1) each candidate; zeros when nothing was learned."""
        if not self.active_:
            return np.zeros((2, len(starts)))
        return np.vstack(self._evidence(need_rows, cap_rows, starts))

    def adjust(self, scores: np.ndarray, evidence: np.ndarray) -> np.ndarray:
        """The engine's scores moved by the evidence as the fitted fusion says."""
        if not self.active_:
            return scores
        return self.fusion_.apply(scores, evidence[0], evidence[1])

    # ------------------------------------------------------------------ explaining
    def relevant(self, need_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What `reason` needs about a manufacturer, computed once for all its candidates."""
        if not self.active_:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        weights = self._closeness(need_rows) * self.strengths_
        which = np.flatnonzero(weights)
        return which, weights[which]

    def reason(self, relevant: tuple[np.ndarray, np.ndarray], cap_rows: np.ndarray,
               supplier_id: str | None = None) -> str | None:
        """The decisions behind one pair as a rule (data; the pages word it), None when they say nothing.

        `decisions_accepted:N[:industry]` N manufacturers with a near-identical need signed or accepted
        this supplier; `decisions_similar:N` they chose a supplier with such a capability;
        `decisions_declined:N` they declined this supplier or one like it; `decisions_engine_only:N:why`
        nothing learned from N decisions (why: too_few, no_gain).
        """
        if not self.active_:
            return f"decisions_engine_only:{self.n_decisions_}:{self.status_}"
        which, weights = relevant
        if not len(which) or not len(cap_rows):
            return None
        likeness = _kernel(cap_rows @ self.capabilities_[which].T, self.capability_threshold).max(axis=0)
        hits = [(self.owners_[i], self.suppliers_[i], w) for i, w, x in
                zip(which.tolist(), weights.tolist(), likeness.tolist()) if x > 0]
        this = {m for m, s, w in hits if w > 0 and s == supplier_id}
        if this:
            industries = Counter(self.industries_.get(m) for m in this)
            industry, count = industries.most_common(1)[0]
            return f"decisions_accepted:{len(this)}" + (f":{industry}" if industry and count == len(this) else "")
        similar = {m for m, _s, w in hits if w > 0}
        if similar:
            return f"decisions_similar:{len(similar)}"
        declined = {m for m, _s, w in hits if w < 0}
        return f"decisions_declined:{len(declined)}" if declined else None


def train_learner(matcher: "Matcher", decisions: Iterable[Mapping]) -> "Matcher":
    """Learn need-level evidence from a decisions log and attach it (returns the matcher)."""
    matcher.learner = None  # the evidence is fitted on the engine alone, never on its own output
    matcher.learner = DecisionEvidence().fit(matcher, decisions)
    return matcher
