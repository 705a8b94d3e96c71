"""The load bench's figures: percentiles per page, achieved against offered throughput, the targets."""
from __future__ import annotations

from collections import defaultdict

from benchmarks.load_users import THINK, Sample

TARGET_P95_MS = {"search": 300.0}
DEFAULT_TARGET_P95_MS = 150.0
TARGET_THROUGHPUT = 0.95


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, max(0, int(round(q * len(sorted_ms) + 0.5)) - 1))]


def summarise(samples: list[Sample]) -> dict:
    ms = sorted(s.ms for s in samples)
    return {"requests": len(samples), "errors": sum(not s.ok for s in samples),
            "p50_ms": round(_percentile(ms, 0.50), 1), "p95_ms": round(_percentile(ms, 0.95), 1),
            "p99_ms": round(_percentile(ms, 0.99), 1), "mean_ms": round(sum(ms) / len(ms), 1) if ms else 0.0}


def report(name: str, samples: list[Sample], seconds: float, users: int) -> dict:
    """Per page and overall figures, with achieved against offered throughput of the browsing users."""
    pages: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        pages[s.page].append(s)
    browsing = [s for s in samples if not s.page.startswith("profile_")]
    offered = users / ((THINK[0] + THINK[1]) / 2) if name == "concurrent" else None
    result = {"pages": {p: summarise(v) for p, v in sorted(pages.items())}, "overall": summarise(browsing),
              "seconds": round(seconds, 1), "users": users,
              "achieved_rps": round(len(browsing) / seconds, 2) if seconds else 0.0}
    if offered:
        result["offered_rps"] = round(offered, 2)
        result["throughput_ratio"] = round(result["achieved_rps"] / offered, 3)
    result["error_examples"] = sorted({s.detail for s in samples if not s.ok})[:10]
    return result


def print_table(title: str, result: dict, baseline: dict | None = None) -> None:
    print(f"\n== {title}: {result['users']} user(s), {result['seconds']} s ==")
    head = f"{'page':14} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    print(head + ("   p95 vs single" if baseline else "") + ("   target p95" if baseline else ""))
    rows = list(result["pages"].items()) + [("overall", result["overall"])]
    for page, r in rows:
        line = f"{page:14} {r['requests']:8d} {r['errors']:6d} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p99_ms']:8.1f}"
        if baseline:
            base = baseline["pages"].get(page) if page != "overall" else baseline["overall"]
            ratio = f"{r['p95_ms'] / base['p95_ms']:.2f}x" if base and base["p95_ms"] else "n/a"
            target = "" if page.startswith("profile_") or page == "overall" else \
                f"{TARGET_P95_MS.get(page, DEFAULT_TARGET_P95_MS):.0f} {'ok' if r['p95_ms'] <= TARGET_P95_MS.get(page, DEFAULT_TARGET_P95_MS) else 'ABOVE'}"
            line += f"   {ratio:>13}   {target}"
        print(line)
    if "offered_rps" in result:
        print(f"throughput: achieved {result['achieved_rps']:.1f} req/s of {result['offered_rps']:.1f} offered "
              f"({result['throughput_ratio']:.1%}; offered = users / mean wait of {sum(THINK) / 2:.1f} s)")
    else:
        print(f"throughput: {result['achieved_rps']:.1f} req/s")
    for example in result["error_examples"]:
        print(f"  error: {example}")


def targets_met(result: dict) -> bool:
    pages_ok = all(r["p95_ms"] <= TARGET_P95_MS.get(p, DEFAULT_TARGET_P95_MS)
                   for p, r in result["pages"].items() if not p.startswith("profile_"))
    errors = sum(r["errors"] for r in result["pages"].values())
    return pages_ok and errors == 0 and result.get("throughput_ratio", 0) >= TARGET_THROUGHPUT
