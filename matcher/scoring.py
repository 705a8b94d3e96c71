"""Turning need-to-capability similarities into a pair score a coordinator can read.

The model mirrors how a pair is judged: does the supplier solve the manufacturer's most
important need, another of its needs, and does it know the industry? Each need gets a
probability of being solved (a calibrated logistic of the fused dense+lexical z-score),
and the pair score is the expected relevance gain, scaled to 0..1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.types import Explanation, NeedMatch, Profile, is_security_certification


NEED_COVERED = 0.5  # a need whose best capability solves it with less probability is shown as not covered


@dataclass(frozen=True)
class ScoringConfig:
    """Knobs of the scoring model; defaults are the documented ones, not per-dataset tuning."""

    lexical_weight: float = 0.35  # weight of the lexical z-score beside the dense one
    slope: float = 2.0  # logistic slope on the fused z-score
    threshold: float = 3.0  # fused z-score at which a need counts as half-solved
    reference_discount: float = 0.5  # a past project counts a little less than a sold capability
    industry_gain: float = 4.0 / 3.0  # relative gain for knowing the industry on the main need (7 vs 3)
    secondary_gain: float = 1.0 / 3.0  # a secondary need is worth a third of the main one


def solve_probability(fused_z: np.ndarray, config: ScoringConfig) -> np.ndarray:
    """Probability that a need is solved, from its fused z-score."""
    return 1.0 / (1.0 + np.exp(-config.slope * (fused_z - config.threshold)))


def expected_gain(p: np.ndarray, industry_fit: np.ndarray, config: ScoringConfig) -> np.ndarray:
    """Expected relevance of each candidate, 0..1.

    Args:
        p: (n_needs, n_candidates) solve probabilities, row 0 the most important need.
        industry_fit: (n_candidates,) booleans.
        config: the scoring knobs.

    Returns:
        (n_candidates,) scores in [0, 1].
    """
    ind = industry_fit.astype(np.float64)
    primary = p[0] * (1.0 + config.industry_gain * ind)
    secondary = p[1:].max(axis=0) if p.shape[0] > 1 else np.zeros_like(p[0])
    # a secondary need counts where the main one is not solved: the labels never add them up
    secondary_gain = (1.0 - p[0]) * secondary * config.secondary_gain * (1.0 + 2.0 * ind)
    return (primary + secondary_gain) / (1.0 + config.industry_gain)


def security_tier(manufacturer: Profile, supplier: Profile) -> int:
    """0 when the pair may be proposed freely, 1 when the rule puts the supplier below all certified ones."""
    return int(manufacturer.requires_security_certification and not supplier.is_security_certified)


def explain(
    manufacturer: Profile,
    supplier: Profile,
    need_probabilities: np.ndarray,
    best_texts: list[str],
) -> Explanation:
    """Which need met which capability, industry fit, and the rules applied to this pair."""
    matches = tuple(
        NeedMatch(need_index=i, need=need, capability=best_texts[i], score=round(float(need_probabilities[i]), 4))
        for i, need in enumerate(manufacturer.needs)
    )
    rules: list[str] = []
    if manufacturer.requires_security_certification:
        held = sorted(c for c in supplier.certifications if is_security_certification(c))
        rules.append("security_certification_met:" + ",".join(held) if held else "security_certification_missing")
    fit = bool(manufacturer.industry and manufacturer.industry in supplier.industries_served)
    if fit:
        rules.append(f"industry_served:{manufacturer.industry}")
    return Explanation(need_matches=matches, industry_fit=fit, rules=tuple(rules))
