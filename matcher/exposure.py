"""Fair exposure: proposals spread across good suppliers instead of sending everyone to the same few.

Pair scores favour suppliers with broad capability texts, so a handful appear in most manufacturers'
top-10 lists. `ExposureBalancer.fit` counts how many manufacturers' top-`depth` list each supplier is
in (before balancing) and `penalty` takes `weight * log(1 + count)` off its pair scores when
`Matcher.match` orders partners: a supplier in every list gives way a little, one in a single list
hardly at all. Only the order changes: the score shown (a probability once calibrated) and the
minimum a proposal must reach stay the pair's own. Order-independent (every manufacturer sees the
same penalties), and the security tier still sorts first.

`capacity_order` is the other half: a supplier that has no room for new introductions this month is
moved below the ones that have, never dropped.
"""
from __future__ import annotations

from typing import Callable, Container, Iterable, Sequence, TypeVar, TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matcher.engine import Matcher

T = TypeVar("T")

FIT_SAMPLE = 1000  # manufacturers whose unbalanced lists are counted; more are sampled (counts scaled up)


def gini(counts: Iterable[float]) -> float:
    """Gini coefficient of exposure counts (0 = everyone shown equally, 1 = one supplier shown alone)."""
    x = np.sort(np.asarray(list(counts), dtype=np.float64))
    if not len(x) or x.sum() <= 0:
        return 0.0
    n = len(x)
    return float((2 * np.arange(1, n + 1) - n - 1).dot(x) / (n * x.sum()))


def top_appearances(matcher: "Matcher", depth: int = 10, manufacturers: Sequence[str] | None = None) -> dict[str, int]:
    """How many manufacturers' top-`depth` lists each supplier appears in (every supplier listed).

    Args:
        matcher: an indexed engine.
        depth: the length of the list that counts as shown.
        manufacturers: whose lists to count (default: every manufacturer).

    Returns:
        Appearances per supplier id, zero included.
    """
    counts = {s: 0 for s, p in matcher.profiles.items() if p.kind == "supplier"}
    if manufacturers is None:
        manufacturers = [m for m, p in matcher.profiles.items() if p.kind == "manufacturer"]
    for m in manufacturers:
        for match in matcher.match(m, top=depth):
            counts[match.partner_id] += 1
    return counts


class ExposureBalancer:
    """fit(matcher) -> self; penalty(supplier_ids) -> what comes off each supplier's score in the order."""

    def __init__(self, weight: float = 0.06, depth: int = 10, sample: int = FIT_SAMPLE) -> None:
        self.weight = weight
        self.depth = depth
        self.sample = sample

    def fit(self, matcher: "Matcher") -> "ExposureBalancer":
        """Count the unbalanced top-`depth` appearances (over a fixed sample of manufacturers when there are many)."""
        manufacturers = sorted(m for m, p in matcher.profiles.items() if p.kind == "manufacturer")
        counted = manufacturers
        if len(manufacturers) > self.sample:  # the cost of a fit stays that of `sample` queries
            counted = sorted(np.random.default_rng(0).choice(manufacturers, size=self.sample, replace=False).tolist())
        saved, matcher.exposure = matcher.exposure, None  # popularity of the unbalanced ranking
        try:
            counts = top_appearances(matcher, self.depth, counted)
        finally:
            matcher.exposure = saved
        scale = len(manufacturers) / len(counted) if counted else 1.0
        self.counts_ = {s: c * scale for s, c in counts.items()}
        return self

    def penalty(self, supplier_ids: list[str]) -> np.ndarray:
        """weight * log(1 + appearances) per supplier; a supplier added since the fit has none."""
        counts = self.counts_
        return self.weight * np.log1p(np.asarray([counts.get(s, 0) for s in supplier_ids], dtype=np.float64))


def balance_exposure(matcher: "Matcher", weight: float = 0.06) -> "Matcher":
    """Spread proposals across good suppliers (`matcher.exposure`); returns the matcher."""
    matcher.exposure = ExposureBalancer(weight=weight).fit(matcher)
    return matcher


def capacity_order(ranked: Sequence[T], full: Container[str], top: int,
                   key: Callable[[T], str] = str) -> list[T]:
    """The best `top` partners with room this month, then those without room that were among the best `top`.

    A supplier at capacity is moved down, not hidden: it follows the available ones. `ranked` should
    reach `top` available partners (ask for `top` plus the number at capacity).

    Args:
        ranked: partners best first.
        full: ids (by `key`) of the suppliers at capacity.
        top: how many available partners to keep.
        key: a partner's supplier id.

    Returns:
        At most `top` available partners followed by the at-capacity ones among the first `top`.
    """
    available = [r for r in ranked if key(r) not in full][:top]
    held = [r for r in ranked[:top] if key(r) in full]
    return available + held
