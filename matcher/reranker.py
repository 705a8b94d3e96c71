"""A re-ranker learned from coordinators' past decisions (scikit-learn logistic regression).

Features are the engine's own interpretable signals for a pair, so what it learns is how much
each signal predicts an accepted introduction or a contract, never which companies did.
"""
from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
from sklearn.linear_model import LogisticRegression

POSITIVE = {"contract": 1.0, "accepted": 1.0}
NEGATIVE = {"declined": 0.0}
# no_response is ambiguous (busy, not interested, mail lost): a weak negative
WEAK = {"no_response": (0.0, 0.3)}


def pair_features(p: np.ndarray, industry_fit: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """(n_candidates, n_features) from per-need probabilities, industry fit and the prior score."""
    primary = p[0]
    secondary = p[1:].max(axis=0) if p.shape[0] > 1 else np.zeros_like(primary)
    fit = industry_fit.astype(np.float64)
    return np.column_stack([prior, primary, secondary, fit, primary * fit, secondary * fit,
                            np.full_like(primary, p.shape[0])])


class DecisionReranker:
    """fit(features, decisions) -> self; predict() returns a 0..1 score that replaces the prior."""

    def __init__(self, C: float = 1.0, blend: float = 0.5) -> None:
        self.C = C
        self.blend = blend

    def fit(self, features: np.ndarray, outcomes: Iterable[str]) -> "DecisionReranker":
        labels, weights, rows = [], [], []
        for i, outcome in enumerate(outcomes):
            if outcome in POSITIVE:
                labels.append(1), weights.append(1.0), rows.append(i)
            elif outcome in NEGATIVE:
                labels.append(0), weights.append(1.0), rows.append(i)
            elif outcome in WEAK:
                labels.append(0), weights.append(WEAK[outcome][1]), rows.append(i)
        if len(set(labels)) < 2:
            raise ValueError("decisions need both positive and negative outcomes to learn from")
        self.model_ = LogisticRegression(C=self.C, max_iter=1000)
        self.model_.fit(features[rows], np.asarray(labels), sample_weight=np.asarray(weights))
        self.n_decisions_ = len(rows)
        return self

    def predict(self, p: np.ndarray, industry_fit: np.ndarray, prior: np.ndarray) -> np.ndarray:
        learned = self.model_.predict_proba(pair_features(p, industry_fit, prior))[:, 1]
        return self.blend * learned + (1.0 - self.blend) * prior


def outcomes_by_pair(decisions: Iterable[Mapping]) -> dict[tuple[str, str], str]:
    """The latest outcome for each (manufacturer, supplier) pair."""
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for d in decisions:
        key = (d["manufacturer_id"], d["supplier_id"])
        when = d.get("decided_on", "")
        if key not in latest or when >= latest[key][0]:
            latest[key] = (when, d["outcome"])
    return {k: v[1] for k, v in latest.items()}
