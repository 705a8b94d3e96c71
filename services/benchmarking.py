"""Quality and speed measurements of the engine on any profile-format file.

Profiles go through the same validating import as production, into a throwaway in-memory
SQLite store (never the user's database), and reach the engine through `profile_from_company`.
"""
from __future__ import annotations

import hashlib
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select

from matcher.encoder import load_encoder
from matcher.engine import Matcher
from matcher.exposure import balance_exposure, capacity_order
from matcher.learning import train_learner
from matcher.evaluation import evaluate, load_decisions, load_qrels, load_search_queries, ndcg_at, reciprocal_rank
from matcher.text import tokenize_many
from matcher.types import Profile
from models import Base, Company, make_engine, make_session_factory
from services.matching import profile_from_company
from services.profiles import import_jsonl


def load_validated_profiles(path: str | Path) -> list[Profile]:
    """Import a JSONL file into a throwaway store; rejected lines are reported on stderr."""
    engine = make_engine("sqlite:///:memory:")
    Base.metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        report = import_jsonl(session, path, notify=False, progress=sys.stderr.isatty())
        for error in report.errors:
            print(error, file=sys.stderr)
        profiles = [profile_from_company(c) for c in session.scalars(select(Company).order_by(Company.external_id))]
    engine.dispose()
    return profiles


@dataclass
class QualityResult:
    metrics: dict
    security_violations: int
    seconds: float
    baseline: dict | None = None  # with a decisions file: the engine alone on the same manufacturers
    folds: list[dict] | None = None  # with a decisions file: learned - baseline nDCG@10 and MRR per fold


def security_violations(matcher: Matcher, rankings: dict[str, list[str]], depth: int = 10) -> int:
    """Top-`depth` lists where an uncertified supplier stands above a certified one for a strict manufacturer."""
    bad = 0
    for m, ranking in rankings.items():
        if not matcher.profiles[m].requires_security_certification:
            continue
        certified = [matcher.profiles[s].is_security_certified for s in ranking[:depth]]
        bad += any(not a and b for i, a in enumerate(certified) for b in certified[i + 1:])
    return bad


def quality(profiles_path: str | Path, qrels_path: str | Path, decisions_path: str | Path | None = None,
            model: str | None = None, folds: int = 5, *, offline: bool = True) -> QualityResult:
    """Rank every supplier for every manufacturer and score the rankings against the labels.

    With a decisions file, the engine learns from it (`matcher.learning`) under cross-validation over
    the manufacturers that have decisions: each fold is ranked by a model that never saw that fold's
    decisions; manufacturers absent from the file are ranked with all of them. `metrics` is then the
    learned ranking and `baseline` the engine alone, over the same manufacturers.
    """
    start = time.perf_counter()
    profiles = load_validated_profiles(profiles_path)
    qrels = load_qrels(qrels_path)
    matcher = Matcher(load_encoder(model, offline=offline)).index(profiles)
    queries = [p.id for p in profiles if p.kind == "manufacturer"]
    rankings = {q: matcher.rank_all(q) for q in queries}
    metrics = evaluate(rankings, qrels, queries)
    if decisions_path:
        decisions = load_decisions(decisions_path)
        learned, per_fold = _cross_validated_learning(matcher, queries, decisions, folds)
        fold_ids = {q: fold_of(q, folds) for q in queries}
        deltas = []
        for f in sorted({fold_ids[q] for q in per_fold}):
            members = [q for q in per_fold if fold_ids[q] == f]
            base, new = evaluate(rankings, qrels, members), evaluate(learned, qrels, members)
            deltas.append({"fold": f, "queries": len(members), "ndcg@10": round(new["ndcg@10"] - base["ndcg@10"], 4),
                           "mrr": round(new["mrr"] - base["mrr"], 4)})
        out = evaluate(learned, qrels, queries)
        out["half_decisions"] = _lift_with_half(matcher, queries, qrels, decisions, folds, metrics)
        out["seconds"] = seconds = round(time.perf_counter() - start, 2)
        return QualityResult(out, security_violations(matcher, learned), seconds, baseline=metrics, folds=deltas)
    metrics["calibration"], metrics["ece"], metrics["relevant_at_80"] = out_of_fold_calibration(matcher, queries, qrels)
    metrics["exposure"] = exposure_report(matcher, rankings, qrels, queries)
    seconds = round(time.perf_counter() - start, 2)
    metrics["seconds"] = seconds
    return QualityResult(metrics, security_violations(matcher, rankings), seconds)


def _cross_validated_learning(matcher: Matcher, queries: list[str], decisions: list[dict],
                              folds: int) -> tuple[dict[str, list[str]], list[str]]:
    """Rankings learned from decisions, never from the ranked manufacturer's own fold; and who was cross-validated."""
    decided = {d["manufacturer_id"] for d in decisions}
    learned: dict[str, list[str]] = {}
    try:
        for f in range(folds):
            members = [q for q in queries if q in decided and fold_of(q, folds) == f]
            if members:
                train_learner(matcher, [d for d in decisions if d["manufacturer_id"] not in members])
                learned.update({q: matcher.rank_all(q) for q in members})
        train_learner(matcher, decisions)
        learned.update({q: matcher.rank_all(q) for q in queries if q not in decided})
    finally:
        matcher.learner = None
    return learned, [q for q in queries if q in decided]


def _lift_with_half(matcher: Matcher, queries: list[str], qrels: dict[str, dict[str, int]], decisions: list[dict],
                    folds: int, baseline: dict) -> dict:
    """The same cross-validated lift with half the decisions (a fixed half of the pairs): a gain that holds
    with less data is learned from decisions, not fitted to this log."""
    half = [d for d in decisions
            if int(hashlib.sha1(f"{d['manufacturer_id']}|{d['supplier_id']}".encode()).hexdigest(), 16) % 2 == 0]
    learned, _ = _cross_validated_learning(matcher, queries, half, folds)
    metrics = evaluate(learned, qrels, queries)
    return {"decisions": len(half), "ndcg@10": round(metrics["ndcg@10"] - baseline["ndcg@10"], 4),
            "mrr": round(metrics["mrr"] - baseline["mrr"], 4)}


def search_quality(profiles_path: str | Path, queries_path: str | Path, qrels_path: str | Path,
                   model: str | None = None, *, offline: bool = True) -> dict:
    """nDCG@10 and MRR (relevance >= 2) of `Matcher.search` over the whole supplier pool."""
    start = time.perf_counter()
    matcher = Matcher(load_encoder(model, offline=offline)).index(load_validated_profiles(profiles_path))
    queries = load_search_queries(queries_path)
    qrels = load_qrels(qrels_path)
    rankings = {q: [h.company_id for h in matcher.search(text, kind="supplier", top=100)] for q, text in queries.items()}
    return {**search_metrics(rankings, qrels, queries), "seconds": round(time.perf_counter() - start, 2)}


def search_metrics(rankings: dict[str, list[str]], qrels: dict[str, dict[str, int]], queries: dict[str, str]) -> dict:
    """Mean nDCG@10 and MRR over the search queries (a query without labels counts as 0)."""
    n = max(1, len(queries))
    return {"ndcg@10": round(sum(ndcg_at(rankings.get(q, []), qrels.get(q, {})) for q in queries) / n, 4),
            "mrr": round(sum(reciprocal_rank(rankings.get(q, []), qrels.get(q, {})) for q in queries) / n, 4),
            "queries": len(queries)}


BENCH_CAPACITY = 2  # the capacity scenario: every supplier takes this many new introductions a month ...
BENCH_INTRODUCED = 2  # ... and each manufacturer in turn is introduced to this many of its first proposals


def exposure_report(matcher: Matcher, rankings: dict[str, list[str]], qrels: dict[str, dict[str, int]],
                    queries: list[str]) -> dict:
    """Gini of top-10 appearances before and after exposure balancing, and the nDCG@10 it costs; then the
    same with every supplier's capacity set (`with_capacity`), on top of the balancing."""
    from matcher.exposure import gini

    def appearances(ranked: dict[str, list[str]]) -> list[int]:
        counts = {s: 0 for s, p in matcher.profiles.items() if p.kind == "supplier"}
        for q in queries:
            for s in ranked[q][:10]:
                counts[s] += 1
        return list(counts.values())

    try:
        balance_exposure(matcher)
        balanced = {q: matcher.rank_all(q) for q in queries}
    finally:
        matcher.exposure = None
    capped, full = with_capacity(matcher, balanced, queries, BENCH_CAPACITY, BENCH_INTRODUCED)
    before, after, after_capped = (gini(appearances(r)) for r in (rankings, balanced, capped))
    ndcg_before, ndcg_after, ndcg_capped = (evaluate(r, qrels, queries)["ndcg@10"] for r in (rankings, balanced, capped))
    return {"gini_before": round(before, 4), "gini_after": round(after, 4),
            "gini_change": round(after / before - 1, 4) if before else 0.0,
            "ndcg@10_after": ndcg_after, "ndcg@10_cost": round(ndcg_before - ndcg_after, 4),
            "security_violations_after": security_violations(matcher, balanced),
            "capacity": {"per_supplier": BENCH_CAPACITY, "introduced_per_manufacturer": BENCH_INTRODUCED,
                         "suppliers_full": len(full), "gini": round(after_capped, 4),
                         "gini_change": round(after_capped / before - 1, 4) if before else 0.0,
                         "ndcg@10": ndcg_capped, "ndcg@10_cost": round(ndcg_before - ndcg_capped, 4),
                         "security_violations": security_violations(matcher, capped)}}


def with_capacity(matcher: Matcher, rankings: dict[str, list[str]], queries: list[str], capacity: int,
                  introduced: int, top: int = 10) -> tuple[dict[str, list[str]], set[str]]:
    """Rankings as a month of introductions fills suppliers up, the way proposals are made in production.

    Manufacturers in turn get their proposals (`capacity_order`: a supplier at capacity moved below the
    `top` that have room; a manufacturer requiring certification sees certified suppliers only, as the
    proposal filter has it) and are introduced to the first `introduced`; a supplier reaching `capacity`
    introductions is full for the manufacturers after. The rest of the pool follows each list unchanged.
    """
    load: Counter[str] = Counter()
    full: set[str] = set()
    out = {}
    for q in queries:
        strict = matcher.profiles[q].requires_security_certification
        pool = [s for s in rankings[q] if not strict or matcher.profiles[s].is_security_certified]
        proposed = capacity_order(pool, full, top)
        shown = set(proposed)
        out[q] = proposed + [s for s in rankings[q] if s not in shown]
        for s in proposed[:introduced]:
            load[s] += 1
            if load[s] >= capacity:
                full.add(s)
    return out, full


def fold_of(manufacturer_id: str, folds: int = 5) -> int:
    """A manufacturer's cross-validation fold: stable across runs and processes (not Python's hash)."""
    return int(hashlib.sha1(manufacturer_id.encode()).hexdigest(), 16) % folds


def out_of_fold_calibration(matcher: Matcher, queries: list[str], qrels: dict[str, dict[str, int]],
                            folds: int = 5, depth: int = 30) -> tuple[list[dict], float, float | None]:
    """Calibration of the shown score over every top-10 pair, each fold calibrated on the others.

    The calibrator of a manufacturer's fold never saw its labels; it learns from the other folds'
    top-`depth` pairs (relevance >= 2 is good). Returns the five-bin table, the ECE and the share of
    good pairs among those shown at 0.8 or more (None when there are none).
    """
    from matcher.calibration import ScoreCalibrator, calibration_table

    saved, matcher.calibrator = matcher.calibrator, None
    try:
        pairs = {q: [(m.partner_id, m.score) for m in matcher.match(q, top=depth)] for q in queries}
    finally:
        matcher.calibrator = saved
    good = {q: [qrels.get(q, {}).get(s, 0) >= 2 for s, _ in pairs[q]] for q in queries}
    shown, labels = [], []
    for fold in range(folds):
        train = [q for q in queries if fold_of(q, folds) != fold]
        test = [q for q in queries if fold_of(q, folds) == fold]
        if not test:
            continue
        calibrator = ScoreCalibrator().fit([x for q in train for _, x in pairs[q]], [y for q in train for y in good[q]])
        for q in test:
            shown += calibrator.predict(np.asarray([x for _, x in pairs[q][:10]])).tolist()
            labels += good[q][:10]
    table, ece = calibration_table(shown, labels)
    high = [y for p, y in zip(shown, labels) if p >= 0.8]
    return table, ece, (round(sum(high) / len(high), 4) if high else None)


def peak_memory_mb() -> float:
    """Peak resident memory of this process."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker_peak_memory_mb() -> float:
    """Peak resident memory of the largest finished child (an encoder worker); 0 when none ran."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def speed(profiles: list[Profile], queries: int = 200, model: str | None = None, *, offline: bool = True) -> dict:
    """Index time from scratch, one-profile re-index time (with the first query after it), warm query p50/p95, peak memory."""
    encoder = load_encoder(model, offline=offline)
    encoder.encode(["모델 준비 / model warm-up"])  # loading the model and Kiwi is start-up, not indexing
    tokenize_many(["모델 준비"])
    start = time.perf_counter()
    matcher = Matcher(encoder).index(profiles)
    index_seconds = time.perf_counter() - start
    manufacturers = [p.id for p in profiles if p.kind == "manufacturer"]
    rng = np.random.default_rng(1)
    picked = [manufacturers[i] for i in rng.integers(0, len(manufacturers), size=queries)]
    for q in picked[:10]:  # warm caches
        matcher.match(q, top=10)
    latencies = []
    for q in picked:
        t = time.perf_counter()
        matcher.match(q, top=10)
        latencies.append((time.perf_counter() - t) * 1000)
    supplier = next(p for p in profiles if p.kind == "supplier")
    changed = Profile(**{**supplier.__dict__, "capabilities": (*supplier.capabilities, "신규 역량: 설비 데이터 수집 게이트웨이")})
    t = time.perf_counter()
    matcher.upsert(changed)
    matcher.match(picked[0], top=10)  # the first query after a change pays for refreshing the matrices
    upsert_seconds = time.perf_counter() - t
    serving = serving_memory(matcher, picked[:50])
    return {
        "profiles": len(profiles), "suppliers": sum(p.kind == "supplier" for p in profiles),
        "index_seconds": round(index_seconds, 2), "upsert_seconds": round(upsert_seconds, 4),
        "query_p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "query_p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "peak_memory_mb": round(peak_memory_mb(), 1),
        "encoder_worker_peak_memory_mb": round(worker_peak_memory_mb(), 1),
        **serving,
    }


_SERVE_PROBE = """
import json, sys, time
from matcher.encoder import load_encoder
from matcher.engine import Matcher
from matcher.text import tokenize_many
encoder = load_encoder(sys.argv[2]); encoder.encode(["warm-up"]); tokenize_many(["준비"])
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
def shared():  # resident pages backed by files (the memory-mapped snapshot): one copy for every worker
    return int(open("/proc/self/statm").read().split()[2]) * 4096 / 2**20
base, base_shared = rss(), shared()
t = time.perf_counter()
matcher = Matcher.load(sys.argv[1], encoder, read_only=True)
load = time.perf_counter() - t
for q in json.loads(sys.argv[3]):
    matcher.match(q, top=10)
matcher.search("설비 예지보전", top=20)
print(json.dumps({"rss": rss(), "model": base, "load": load, "shared": shared() - base_shared}))
"""


def serving_memory(matcher: Matcher, queries: list[str]) -> dict:
    """Resident memory of a fresh serving process (a web worker) holding the saved engine, after queries.

    The process loads what a worker loads: the model, Kiwi, and the snapshot with memory-mapped
    vectors and FAISS codes. Reported whole, without the model and Kiwi (the engine's own share), the
    engine's file-backed share (one copy in the page cache for every worker serving the snapshot),
    and what the process holds privately (whole minus that share).
    """
    import json
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        matcher.save(folder)
        out = subprocess.run([sys.executable, "-c", _SERVE_PROBE, folder, matcher.encoder.name, json.dumps(queries)],
                             capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    return {"serving_rss_mb": round(probe["rss"], 1), "serving_engine_mb": round(probe["rss"] - probe["model"], 1),
            "serving_engine_shared_mb": round(probe["shared"], 1),
            "serving_private_mb": round(probe["rss"] - probe["shared"], 1),
            "snapshot_load_seconds": round(probe["load"], 2)}
