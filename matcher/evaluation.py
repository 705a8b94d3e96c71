"""Benchmark metrics and loaders of the labelled sets (qrels, search queries, decisions).

Profiles are loaded through the validating import (`services.benchmarking.load_validated_profiles`).
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Mapping, Sequence


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """manufacturer id -> {supplier id: relevance}; the header line is skipped."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh):
            parts = line.rstrip("\n").split("\t")
            if n == 0 or len(parts) < 3 or not parts[2].strip().isdigit():
                continue
            qrels[parts[0]][parts[1]] = int(parts[2])
    return dict(qrels)


def load_search_queries(path: str | Path) -> dict[str, str]:
    """query id -> text from a `*_search_queries.tsv` (header line skipped)."""
    queries: dict[str, str] = {}
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh):
            parts = line.rstrip("\n").split("\t")
            if n and len(parts) >= 2 and parts[1].strip():
                queries[parts[0]] = parts[1]
    return queries


def load_decisions(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8-sig") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def ndcg_at(ranking: Sequence[str], labels: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gain 2^rel - 1."""
    dcg = sum((2 ** labels.get(x, 0) - 1) / math.log2(i + 2) for i, x in enumerate(ranking[:k]))
    ideal = sorted(labels.values(), reverse=True)[:k]
    idcg = sum((2 ** r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at(ranking: Sequence[str], labels: Mapping[str, int], k: int = 20, min_rel: int = 2) -> float | None:
    relevant = {x for x, r in labels.items() if r >= min_rel}
    if not relevant:
        return None
    return len(relevant & set(ranking[:k])) / len(relevant)


def reciprocal_rank(ranking: Sequence[str], labels: Mapping[str, int], min_rel: int = 2) -> float:
    for i, x in enumerate(ranking):
        if labels.get(x, 0) >= min_rel:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]],
             queries: Iterable[str]) -> dict[str, float]:
    """Mean nDCG@10, Recall@20 (rel>=2) and MRR (rel>=2) over the given queries."""
    queries = list(queries)
    nd, rc, mrr = [], [], []
    for q in queries:
        labels = qrels.get(q, {})
        ranking = rankings.get(q, [])
        nd.append(ndcg_at(ranking, labels))
        r = recall_at(ranking, labels)
        if r is not None:
            rc.append(r)
        mrr.append(reciprocal_rank(ranking, labels))
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    return {"ndcg@10": round(mean(nd), 4), "recall@20": round(mean(rc), 4), "mrr": round(mean(mrr), 4),
            "queries": len(queries)}
