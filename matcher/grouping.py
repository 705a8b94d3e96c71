"""Grouping texts by meaning (e.g. unmet needs into themes), across Korean and English."""
from __future__ import annotations

import numpy as np
from sklearn.cluster import AgglomerativeClustering


def group_by_meaning(vectors: np.ndarray, max_distance: float = 0.55) -> list[int]:
    """A group label per row: average-linkage clusters whose members lie within `max_distance` (cosine).

    Args:
        vectors: (n, d) L2-normalised embeddings.
        max_distance: cosine distance above which two groups stay apart.

    Returns:
        n labels, 0-based, groups numbered in order of first appearance.
    """
    n = len(vectors)
    if n < 2:
        return [0] * n
    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=max_distance
    ).fit_predict(vectors)
    renumber: dict[int, int] = {}
    return [renumber.setdefault(int(label), len(renumber)) for label in labels]
