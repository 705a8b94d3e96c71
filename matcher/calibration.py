"""Scores that mean what they say: the engine's pair score mapped to the probability of a good partner.

The pair score is an expected relevance built from logistic z-scores, so the best of a weak field can
still read 0.98. An isotonic regression (scikit-learn) fitted on labelled pairs (relevance >= 2) or on
coordinators' decisions (accepted or contract) turns it into the share of such pairs that were
good: monotone, so the ranking never changes, only what the number claims.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.isotonic import IsotonicRegression


class ScoreCalibrator:
    """fit(scores, good) -> self; predict(scores) -> probabilities of a good partner."""

    def __init__(self, min_pairs: int = 20) -> None:
        self.min_pairs = min_pairs  # fewer labelled pairs (or only one class) teach nothing: refuse

    def fit(self, scores: Sequence[float], good: Sequence[bool]) -> "ScoreCalibrator":
        x = np.asarray(scores, dtype=np.float64)
        y = np.asarray(good, dtype=np.float64)
        if len(x) < self.min_pairs or len(set(y.tolist())) < 2:
            raise ValueError("calibration needs at least min_pairs labelled pairs of both kinds")
        self.model_ = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip").fit(x, y)
        self.n_pairs_ = len(x)
        return self

    def predict(self, scores: np.ndarray) -> np.ndarray:
        return self.model_.predict(np.asarray(scores, dtype=np.float64).ravel()).reshape(np.shape(scores))


def calibration_table(probabilities: Sequence[float], good: Sequence[bool], bins: int = 5) -> tuple[list[dict], float]:
    """Equal-width bins of shown probability: pairs and the share that were good; and the ECE.

    Returns:
        ([{"from", "to", "pairs", "relevant"}, ...], expected calibration error).
    """
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(good, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        inside = which == b
        n = int(inside.sum())
        share = float(y[inside].mean()) if n else 0.0
        if n:
            ece += n / len(p) * abs(share - float(p[inside].mean()))
        table.append({"from": round(float(edges[b]), 2), "to": round(float(edges[b + 1]), 2), "pairs": n,
                      "relevant": round(share, 4)})
    return table, round(ece, 4)
