"""The benchmark metrics follow shared/profile-format.md."""
import math

import pytest

from matcher.evaluation import evaluate, ndcg_at, recall_at, reciprocal_rank


def test_ndcg_uses_exponential_gain_and_the_ideal_order():
    labels = {"a": 3, "b": 1}
    assert ndcg_at(["a", "b"], labels) == pytest.approx(1.0)
    swapped = (1 / 1 + 7 / math.log2(3)) / (7 + 1 / math.log2(3))
    assert ndcg_at(["b", "a"], labels) == pytest.approx(swapped)


def test_recall_and_mrr_count_only_relevance_two_and_above():
    labels = {"a": 1, "b": 2, "c": 3}
    assert recall_at(["a", "b", "x"], labels, k=2) == pytest.approx(0.5)
    assert reciprocal_rank(["a", "x", "c"], labels) == pytest.approx(1 / 3)
    assert evaluate({"q": ["c"]}, {"q": labels}, ["q"])["mrr"] == 1.0
