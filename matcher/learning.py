"""Learning from coordinators' decisions: need-level neighbour evidence.

A decision says that a manufacturer accepted (or declined) a supplier; the engine can tell which of
that manufacturer's needs the supplier's capabilities answer. Stored as (need vector, capability
vector, signed weight) triples, past decisions become evidence for a new pair: when one of its needs
is near-identical to a decided need (cosine >= `need_threshold`) and one of the candidate's
capabilities is like the capability chosen for it (>= `capability_threshold`), the decision counts
for the candidate, or against it when it was declined. This sees what the engine cannot: which
capability people actually chose for a problem written in their own words.

The evidence is added to the engine's pair score with a small weight (`weight`, through tanh so no
number of decisions can outweigh the engine). With fewer than `min_decisions` usable decisions, or
none accepted, nothing is learned and the engine's score stands. The security rule is untouched:
`Matcher.match` sorts by security tier before any score.
"""
from __future__ import annotations

from typing import Iterable, Mapping, TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matcher.engine import Matcher

OUTCOME_SIGN = {"contract": 1.0, "accepted": 1.0, "declined": -1.0, "no_response": -1.0}


def outcomes_by_pair(decisions: Iterable[Mapping]) -> dict[tuple[str, str], str]:
    """The latest outcome for each (manufacturer, supplier) pair."""
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for d in decisions:
        key = (d["manufacturer_id"], d["supplier_id"])
        when = d.get("decided_on", "")
        if key not in latest or when >= latest[key][0]:
            latest[key] = (when, d["outcome"])
    return {k: v[1] for k, v in latest.items()}


def _kernel(cosines: np.ndarray, threshold: float) -> np.ndarray:
    """0 below the threshold, rising to 1 for identical texts."""
    return np.clip((cosines - threshold) / (1.0 - threshold), 0.0, None) ** 2


class DecisionEvidence:
    """fit(matcher, decisions) -> self; adjust() adds decision evidence to the engine's scores."""

    def __init__(self, need_threshold: float = 0.8, capability_threshold: float = 0.7, weight: float = 0.1,
                 decline_weight: float = 0.3, no_response_weight: float = 0.1, secondary_need: float = 1 / 3,
                 min_decisions: int = 20) -> None:
        self.need_threshold = need_threshold
        self.capability_threshold = capability_threshold
        self.weight = weight  # at most this much is added to (or taken from) a 0..1 pair score
        self.decline_weight = decline_weight  # a decline is weaker evidence than an acceptance (timing, price)
        self.no_response_weight = no_response_weight
        self.secondary_need = secondary_need  # a decision on a secondary need says less (as the labels do)
        self.min_decisions = min_decisions

    def fit(self, matcher: "Matcher", decisions: Iterable[Mapping]) -> "DecisionEvidence":
        """Turn each decided pair into (need, chosen capability, signed weight) for every need of it."""
        needs, caps, weights, owners, positive = [], [], [], [], []
        outcomes = {k: o for k, o in outcomes_by_pair(decisions).items()
                    if o in OUTCOME_SIGN and k[0] in matcher.profiles and k[1] in matcher.profiles
                    and matcher.profiles[k[0]].kind == "manufacturer" and matcher.profiles[k[1]].kind == "supplier"}
        for (m, s), outcome in sorted(outcomes.items()):
            need_rows = matcher._needs.dense[matcher._needs.by_owner[m]]
            cap_rows = matcher._caps.dense[matcher._caps.by_owner[s]]
            strength = {"declined": -self.decline_weight, "no_response": -self.no_response_weight}.get(outcome, 1.0)
            chosen = np.argmax(need_rows @ cap_rows.T, axis=1)  # the capability that answers each need
            for k in range(len(need_rows)):
                needs.append(need_rows[k])
                caps.append(cap_rows[chosen[k]])
                weights.append(strength * (1.0 if k == 0 else self.secondary_need))
                owners.append(m)
                positive.append(strength > 0)
        self.n_decisions_ = len(outcomes)
        self.active_ = len(outcomes) >= self.min_decisions and any(positive)
        dimension = matcher.encoder.dimension
        self.needs_ = np.asarray(needs, dtype=np.float32).reshape(-1, dimension)
        self.capabilities_ = np.asarray(caps, dtype=np.float32).reshape(-1, dimension)
        self.weights_ = np.asarray(weights, dtype=np.float64)
        self.owners_ = tuple(owners)
        return self

    def _relevant(self, need_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Decided needs near-identical to one of these needs: their indices and signed weights."""
        if not self.active_ or not len(need_rows) or not len(self.weights_):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        importance = np.asarray([1.0] + [self.secondary_need] * (len(need_rows) - 1))[:, None]
        closeness = (_kernel(need_rows @ self.needs_.T, self.need_threshold) * importance).max(axis=0)
        which = np.flatnonzero(closeness > 0)
        return which, closeness[which] * self.weights_[which]

    def evidence(self, need_rows: np.ndarray, cap_rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """Signed evidence per candidate (grouped cap rows, `starts` as `RowStore.positions_of`)."""
        which, weights = self._relevant(need_rows)
        n = len(starts)
        if not len(which) or not len(cap_rows):
            return np.zeros(n)
        likeness = _kernel(cap_rows @ self.capabilities_[which].T, self.capability_threshold)
        per_candidate = np.maximum.reduceat(likeness, starts, axis=0)  # a supplier's closest capability
        return per_candidate @ weights

    def adjust(self, scores: np.ndarray, evidence: np.ndarray) -> np.ndarray:
        return scores + self.weight * np.tanh(evidence)

    def relevant(self, need_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What `reason` needs about a manufacturer, computed once for all its candidates."""
        return self._relevant(need_rows)

    def reason(self, relevant: tuple[np.ndarray, np.ndarray], cap_rows: np.ndarray) -> str | None:
        """The decisions behind one pair, in words (None when they say nothing about it)."""
        if not self.active_:
            return f"decisions: {self.n_decisions_} too few to learn from (engine only)"
        which, weights = relevant
        if not len(which) or not len(cap_rows):
            return None
        likeness = _kernel(cap_rows @ self.capabilities_[which].T, self.capability_threshold).max(axis=0)
        chose = {self.owners_[i] for i, w, x in zip(which.tolist(), weights.tolist(), likeness.tolist()) if x > 0 and w > 0}
        declined = {self.owners_[i] for i, w, x in zip(which.tolist(), weights.tolist(), likeness.tolist())
                    if x > 0 and w < 0}
        if not chose and not declined:
            return None
        return (f"decisions: 비슷한 요구의 제조사 {len(chose)}곳이 이런 역량의 공급기업과 계약/수락, {len(declined)}곳은 거절 "
                f"({len(chose)} manufacturers with a near-identical need accepted a supplier with such a capability, "
                f"{len(declined)} declined one)")


def train_learner(matcher: "Matcher", decisions: Iterable[dict]) -> "Matcher":
    """Learn need-level evidence from a decisions log and attach it (returns the matcher)."""
    matcher.learner = None  # the evidence is fitted on the engine alone, never on its own output
    matcher.learner = DecisionEvidence().fit(matcher, decisions)
    return matcher
