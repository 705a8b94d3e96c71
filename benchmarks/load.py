"""`python -m benchmarks load`: the real server under 50 simulated users, beside one user alone.

Setup (not measured): a scratch PostgreSQL database, a generated region (20,000 suppliers and
2,000 manufacturers across the hubs, the speed bench's generator) imported with `dxmatch import`,
coordinators and company members with long random passwords and API tokens, then
`dxmatch serve --workers 2` and `dxmatch worker` as subprocesses on Redis.

Measured: users that each request a page, wait about a second (0.5-1.5 s, uniform) and request
the next, cycling through the hub dashboard, a pair page, a member's partner list, the pipeline
board, free-text search and `/api/v1/matches`, while one more member edits their profile through
the web form every few seconds. First one user alone (the baseline), then all at once.

Offered throughput is what the users would request if every answer were instant (users / mean
wait); achieved is what they completed, so the ratio is what latency costs them. Every client
connects from its own loopback address (127.0.0.N), as users come from their own addresses (the
per-address sign-in limit stays on); all traffic goes to 127.0.0.1. Everything started here is
stopped and dropped at the end, also on failure or Ctrl-C.

The parts: `load_client` (the browser), `load_users` (what each user requests), `load_region` (the
scratch database, processes and accounts), `load_report` (percentiles, throughput, targets).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from benchmarks.load_region import (ADMIN_URL, REDIS_URL, Region, create_accounts, free_port, profile_record, settle,
                                    wait_for_index, wait_for_worker, wait_until_up)
from benchmarks.load_report import (DEFAULT_TARGET_P95_MS, TARGET_P95_MS, TARGET_THROUGHPUT, print_table, report,
                                    targets_met)
from benchmarks.load_users import Sample, run_users, warm_up, write_samples
from benchmarks.synthetic import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks load", description=__doc__.split("\n")[0])
    parser.add_argument("--suppliers", type=int, default=20_000)
    parser.add_argument("--manufacturers", type=int, default=2_000)
    parser.add_argument("--users", type=int, default=50, help="simulated users besides the profile editor")
    parser.add_argument("--coordinators", type=int, default=None, help="of the users; default half")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of concurrent load")
    parser.add_argument("--baseline", type=float, default=15.0, help="seconds of the single-user run")
    parser.add_argument("--edit-every", type=float, default=4.0,
                        help="seconds between the editor's profile saves; 0: no editor (to see what edits cost)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of `dxmatch serve`")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: `dxmatch serve`'s)")
    parser.add_argument("--pg-url", default=os.environ.get("DXMATCH_LOAD_ADMIN_URL", ADMIN_URL),
                        help="a PostgreSQL database to connect to while creating and dropping the scratch one")
    parser.add_argument("--redis-url", default=REDIS_URL, help="Redis server (a database among 12-15 is claimed)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and folder (debugging)")
    parser.add_argument("--reuse", type=Path, help="the folder of a --keep run: measure again without the setup")
    parser.add_argument("--code", type=Path, help="serve this checkout of dxmatch instead (e.g. a git worktree)")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    parser.add_argument("--samples", type=Path, help="write every concurrent request (start s, page, ms, ok) as CSV: "
                                                     "to see stalls over time")
    args = parser.parse_args(argv)
    coordinators = args.users // 2 if args.coordinators is None else min(args.coordinators, args.users)

    region = Region(args.pg_url, args.redis_url, keep=args.keep, reuse=args.reuse, code=args.code)
    interrupted = False

    def stop(_signum, _frame):  # SIGTERM cleans up like Ctrl-C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        print(f"== load: {args.suppliers} suppliers, {args.manufacturers} manufacturers, PostgreSQL database "
              f"{region.name}, Redis db {region.redis_db}, {region.tmp} ==", flush=True)
        t = time.perf_counter()
        if not region.reused:
            region.create_database()
            profiles = generate(suppliers=args.suppliers, manufacturers=args.manufacturers)
            data = region.tmp / "region.jsonl"
            with open(data, "w", encoding="utf-8") as fh:
                for p in profiles:
                    fh.write(json.dumps(profile_record(p), ensure_ascii=False) + "\n")
            done = region.run("import", str(data), "--no-progress", timeout=3600)
            if done.returncode != 0:
                print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
                raise SystemExit(f"dxmatch import failed ({done.returncode})")
            print(f"setup: {done.stdout.strip().splitlines()[-1]} in {time.perf_counter() - t:.0f} s (not measured)",
                  flush=True)
        import_seconds = time.perf_counter() - t
        region.analyze()
        accounts, editor = create_accounts(region.url, coordinators, args.users - coordinators)

        port = free_port()
        wait_for_worker(region.redis_url, region.start("worker", "worker"))  # else the site runs jobs in-process
        threads = ("--threads", str(args.threads)) if args.threads else ()
        server = region.start("server", "serve", "--workers", str(args.workers), *threads, "--port", str(port),
                              "--host", "127.0.0.1")
        wait_until_up(port, server)
        first_coordinator = next(a for a in accounts if a.role == "coordinator")
        first_member = next(a for a in accounts if a.role == "member")
        wait_for_index(port, first_coordinator)
        settle(region.url, accounts, editor)
        warm_up(port, first_coordinator, first_member)
        print(f"server on 127.0.0.1:{port} warmed up; measuring (load average before: "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores)", flush=True)

        # one user alone: a coordinator's pages and a member's pages, the same mix, one request at a time
        base_samples: list[Sample] = []
        half = args.baseline / 2
        for account in (first_coordinator, first_member):
            samples, _ = run_users(port, [account], None, half, think=(0.05, 0.15))
            base_samples += samples
        baseline = report("single", base_samples, args.baseline, 1)
        concurrent_samples, elapsed = run_users(port, accounts, editor if args.edit_every > 0 else None,
                                                args.duration, edit_every=args.edit_every)
        concurrent = report("concurrent", concurrent_samples, elapsed, len(accounts))
        if args.samples:
            write_samples(args.samples, concurrent_samples)
        if server.poll() is not None:
            print(f"the server stopped during the run:\n{region.log_tail('server')}", file=sys.stderr)

        print_table("single client (baseline)", baseline)
        print_table("concurrent", concurrent, baseline)
        met = targets_met(concurrent)
        print(f"\ntargets (0 errors, p95 <= {DEFAULT_TARGET_P95_MS:.0f} ms, search p95 <= "
              f"{TARGET_P95_MS['search']:.0f} ms, >= {TARGET_THROUGHPUT:.0%} of offered): {'met' if met else 'NOT met'}")
        errors = region.log_tail("server", 15)
        if "Traceback" in errors or "ERROR" in errors:
            print(f"server log (last lines):\n{errors}")
        if args.json:
            print(json.dumps({"bench": "load", "suppliers": args.suppliers, "manufacturers": args.manufacturers,
                              "workers": args.workers, "setup_seconds": round(import_seconds, 1),
                              "single": baseline, "concurrent": concurrent, "targets_met": met},
                             ensure_ascii=False))
        return 0
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        region.close()
        if interrupted:
            print("cleaned up", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
