"""The load bench's simulated users: what each role requests, the pause between requests, the profile editor."""
from __future__ import annotations

import csv
import itertools
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.load_client import CSRF_TOKEN, Client

THINK = (0.5, 1.5)  # seconds between an answer and the next request, uniform
SEARCHES = [
    ("외관 검사 비전 AI", "supplier"), ("설비 예지보전", "supplier"), ("MES 구축", "supplier"),
    ("visual inspection of welds", "supplier"), ("predictive maintenance for CNC machines", "supplier"),
    ("스마트공장 데이터 수집", "supplier"), ("energy monitoring", "supplier"), ("품질 데이터 분석", "manufacturer"),
    ("ERP integration", "supplier"), ("공정 최적화 AI", "manufacturer"), ("digital twin", "supplier"),
    ("불량 원인 분석", "supplier"),
]


@dataclass
class Sample:
    page: str
    ms: float
    ok: bool
    started: float
    detail: str = ""


@dataclass
class Account:
    email: str
    password: str
    role: str
    token: str
    hub: str | None = None
    company_id: int | None = None
    match_ids: list[int] = field(default_factory=list)
    profile: dict | None = None  # the editor's own profile-format record


def coordinator_pages(account: Account, rng: random.Random) -> list[tuple[str, str, str]]:
    """(page name, method, path) of one round of a hub coordinator."""
    query, kind = rng.choice(SEARCHES)
    match_id = rng.choice(account.match_ids)
    return [
        ("dashboard", "GET", f"/hub/{account.hub}/"),
        ("pair", "GET", f"/hub/{account.hub}/matches/{match_id}"),
        ("pipeline", "GET", f"/hub/{account.hub}/pipeline"),
        ("search", "GET", f"/hub/{account.hub}/search?" + urllib.parse.urlencode({"q": query, "kind": kind})),
        ("api_matches", "GET", "/api/v1/matches"),
    ]


def member_pages(account: Account, rng: random.Random) -> list[tuple[str, str, str]]:
    """(page name, method, path) of one round of a company member."""
    return [
        ("partners", "GET", "/company/"),
        ("pair", "GET", f"/company/matches/{rng.choice(account.match_ids)}"),
        ("api_matches", "GET", "/api/v1/matches"),
    ]


def timed(client: Client, page: str, method: str, path: str, token: str | None = None,
          body: dict | None = None, expect: tuple[int, ...] = (200,)) -> Sample:
    started = time.perf_counter()
    try:
        if token:
            status, _, _ = client.request(method, path, body, {"Authorization": f"Bearer {token}"}, cookies=False)
        else:
            status, _, _ = client.request(method, path, body)
        ok, detail = status in expect, f"{status} {method} {path}"
    except Exception as exc:  # noqa: BLE001 - a timeout or reset is an error of this request
        ok, detail = False, f"{type(exc).__name__} {method} {path}"
    return Sample(page, (time.perf_counter() - started) * 1000, ok, started, "" if ok else detail)


def browse(client: Client, account: Account, until: float, samples: list[Sample], seed: int,
           think: tuple[float, float] = THINK, start_delay: float = 0.0) -> None:
    """One user's loop: a page, a pause, the next page, until the clock runs out."""
    rng = random.Random(seed)
    pages = coordinator_pages if account.role == "coordinator" else member_pages
    time.sleep(start_delay)
    round_ = pages(account, rng)
    position = rng.randrange(len(round_))
    while time.perf_counter() < until:
        if position == len(round_):
            round_, position = pages(account, rng), 0
        page, method, path = round_[position]
        position += 1
        samples.append(timed(client, page, method, path, token=account.token if page == "api_matches" else None))
        pause = rng.uniform(*think)
        time.sleep(max(0.0, min(pause, until - time.perf_counter())))


def edit_profiles(client: Client, account: Account, until: float, samples: list[Sample],
                  every: float = 4.0) -> None:
    """The extra user: opens their profile form and saves a changed first need every few seconds."""
    needs = list(account.profile["needs"])
    for n in itertools.count(1):
        if time.perf_counter() >= until:
            return
        started = time.perf_counter()
        try:
            status, page, _ = client.request("GET", "/company/profile")
            token = CSRF_TOKEN.search(page)
            ok = status == 200 and token is not None
        except Exception:  # noqa: BLE001
            status, ok, token = 0, False, None
        samples.append(Sample("profile_form", (time.perf_counter() - started) * 1000, ok, started,
                              "" if ok else f"{status} GET /company/profile"))
        if ok:
            record = account.profile
            changed = [f"{needs[0]} (수정 {n})"] + needs[1:]
            form = {"csrf_token": token.group(1), "name": record["name"], "industry": record["industry"],
                    "needs": "\n".join(changed), "language": record.get("language", "ko")}
            if record.get("requires_security_certification"):
                form["requires_security_certification"] = "on"
            samples.append(timed(client, "profile_save", "POST", "/company/profile", body=form, expect=(302,)))
        time.sleep(max(0.0, min(every, until - time.perf_counter())))

def warm_up(port: int, coordinator: Account, member: Account, parallel: int = 4, rounds: int = 2) -> None:
    """Load the index snapshot and templates in every server worker before any clock starts."""
    def visit(account: Account, seed: int) -> None:
        client = Client(port, timeout=600)
        client.login(account.email, account.password)
        rng = random.Random(seed)
        pages = coordinator_pages if account.role == "coordinator" else member_pages
        for _ in range(rounds):
            for page, method, path in pages(account, rng):
                timed(client, page, method, path, token=account.token if page == "api_matches" else None)
        client.close()

    threads = [threading.Thread(target=visit, args=(account, i))  # concurrent, so every worker gets each page
               for i in range(parallel) for account in (coordinator, member)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)


def run_users(port: int, accounts: list[Account], editor: Account | None, seconds: float,
              think: tuple[float, float] = THINK, edit_every: float = 4.0) -> tuple[list[Sample], float]:
    """Sign everyone in (not measured), then let them browse together for `seconds`."""
    clients = []
    for account in accounts + ([editor] if editor else []):
        client = Client(port)
        client.login(account.email, account.password)
        clients.append(client)
    samples: list[Sample] = []
    start = time.perf_counter() + 0.5
    until = start + seconds
    threads = [threading.Thread(target=browse, args=(client, account, until, samples, i, think,
                                                     max(0.0, start - time.perf_counter()) + random.uniform(0, think[1])))
               for i, (client, account) in enumerate(zip(clients, accounts))]
    if editor:
        def edit() -> None:
            time.sleep(max(0.0, start - time.perf_counter()) + 1.0)
            edit_profiles(clients[-1], editor, until, samples, edit_every)
        threads.append(threading.Thread(target=edit))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = max(time.perf_counter(), until) - start
    for client in clients:
        client.close()
    return [s for s in samples if s.started < until], elapsed


def write_samples(path: Path, samples: list[Sample]) -> None:
    """Every request as a CSV row: seconds since the first one, page, milliseconds, ok."""
    first = min((s.started for s in samples), default=0.0)
    print(f"samples: first request at wall clock {time.time() - time.perf_counter() + first:.3f}", flush=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["start_s", "page", "ms", "ok"])
        for s in sorted(samples, key=lambda s: s.started):
            out.writerow([f"{s.started - first:.3f}", s.page, f"{s.ms:.1f}", int(s.ok)])
