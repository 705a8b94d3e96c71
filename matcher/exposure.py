"""Fair exposure: proposals spread across good suppliers instead of sending everyone to the same few.

Pair scores favour suppliers with broad capability texts, so a handful appear in most manufacturers'
top-10 lists. `ExposureBalancer.fit` counts how many manufacturers' top-`depth` list each supplier is
in (before balancing) and `penalty` takes `weight * log(1 + count)` off its pair scores: a supplier in
every list drops a little, one in a single list hardly at all. Order-independent (every manufacturer
sees the same penalties), and the security tier still sorts first in `Matcher.match`.
"""
from __future__ import annotations

from typing import Iterable, TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matcher.engine import Matcher


def gini(counts: Iterable[float]) -> float:
    """Gini coefficient of exposure counts (0 = everyone shown equally, 1 = one supplier shown alone)."""
    x = np.sort(np.asarray(list(counts), dtype=np.float64))
    if not len(x) or x.sum() <= 0:
        return 0.0
    n = len(x)
    return float((2 * np.arange(1, n + 1) - n - 1).dot(x) / (n * x.sum()))


def top_appearances(matcher: "Matcher", depth: int = 10) -> dict[str, int]:
    """How many manufacturers' top-`depth` lists each supplier appears in (every supplier listed)."""
    counts = {s: 0 for s, p in matcher.profiles.items() if p.kind == "supplier"}
    for m, profile in matcher.profiles.items():
        if profile.kind == "manufacturer":
            for match in matcher.match(m, top=depth):
                counts[match.partner_id] += 1
    return counts


class ExposureBalancer:
    """fit(matcher) -> self; penalty(supplier_ids) -> what comes off each supplier's pair scores."""

    def __init__(self, weight: float = 0.06, depth: int = 10) -> None:
        self.weight = weight
        self.depth = depth

    def fit(self, matcher: "Matcher") -> "ExposureBalancer":
        saved, matcher.exposure = matcher.exposure, None  # popularity of the unbalanced ranking
        try:
            self.counts_ = top_appearances(matcher, self.depth)
        finally:
            matcher.exposure = saved
        return self

    def penalty(self, supplier_ids: list[str]) -> np.ndarray:
        counts = self.counts_
        return self.weight * np.log1p(np.asarray([counts.get(s, 0) for s in supplier_ids], dtype=np.float64))


def balance_exposure(matcher: "Matcher", weight: float = 0.06) -> "Matcher":
    """Spread proposals across good suppliers (`matcher.exposure`); returns the matcher."""
    matcher.exposure = ExposureBalancer(weight=weight).fit(matcher)
    return matcher
