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
"""
from __future__ import annotations

import argparse
import http.client
import http.cookies
import itertools
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.synthetic import generate
from dxmatch.config import HUBS
from matcher.types import Profile

ADMIN_URL = "postgresql+psycopg://root@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379"
TARGET_P95_MS = {"search": 300.0}
DEFAULT_TARGET_P95_MS = 150.0
TARGET_THROUGHPUT = 0.95
THINK = (0.5, 1.5)  # seconds between an answer and the next request, uniform
SEARCHES = [
    ("외관 검사 비전 AI", "supplier"), ("설비 예지보전", "supplier"), ("MES 구축", "supplier"),
    ("visual inspection of welds", "supplier"), ("predictive maintenance for CNC machines", "supplier"),
    ("스마트공장 데이터 수집", "supplier"), ("energy monitoring", "supplier"), ("품질 데이터 분석", "manufacturer"),
    ("ERP integration", "supplier"), ("공정 최적화 AI", "manufacturer"), ("digital twin", "supplier"),
    ("불량 원인 분석", "supplier"),
]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_addresses = itertools.count(10)
_addresses_lock = threading.Lock()


def _next_address() -> str:
    """A loopback source address of its own for each simulated client (127.0.0.10, .11, ...)."""
    with _addresses_lock:
        n = next(_addresses)
    return f"127.0.{n // 250}.{n % 250 + 2}" if n >= 248 else f"127.0.0.{n}"


# --- HTTP client -----------------------------------------------------------------------------


class HttpError(Exception):
    pass


class Client:
    """One browser: its own keep-alive connection, source address and cookie jar."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port, self.timeout = port, timeout
        self.source = _next_address()
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                                   source_address=(self.source, 0))
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict[str, str] | None = None, cookies: bool = True) -> tuple[int, str, dict[str, str]]:
        """(status, text, headers); a keep-alive connection the server closed meanwhile is reopened once."""
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (0, 1):
            conn = self._connect()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                self.close()
                if attempt:
                    raise
                continue
            except Exception:
                self.close()
                raise
            if cookies:
                for raw in response.headers.get_all("Set-Cookie") or []:
                    jar = http.cookies.SimpleCookie()
                    jar.load(raw)
                    for name, morsel in jar.items():
                        if morsel["max-age"] == "0" or not morsel.value:
                            self.cookies.pop(name, None)
                        else:
                            self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, text, dict(response.getheaders())
        raise HttpError("unreachable")

    def login(self, email: str, password: str) -> None:
        status, page, _ = self.request("GET", "/login")
        token = _CSRF.search(page)
        if status != 200 or token is None:
            raise HttpError(f"login page: {status}")
        status, _, headers = self.request("POST", "/login", {"csrf_token": token.group(1), "email": email,
                                                              "password": password})
        if status != 302:
            raise HttpError(f"sign-in of {email} answered {status}")


# --- the simulated users ---------------------------------------------------------------------


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
            token = _CSRF.search(page)
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


# --- statistics --------------------------------------------------------------------------------


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


# --- setup and teardown --------------------------------------------------------------------------


def profile_record(p: Profile) -> dict:
    """A generated Profile as a profile-format line (empty optional fields left out)."""
    record = {"id": p.id, "kind": p.kind, "name": p.name, "hub": p.hub}
    if p.kind == "manufacturer":
        record.update(industry=p.industry, needs=list(p.needs),
                      requires_security_certification=bool(p.requires_security_certification))
    else:
        record["capabilities"] = list(p.capabilities)
        if p.industries_served:
            record["industries_served"] = list(p.industries_served)
        if p.certifications:
            record["certifications"] = list(p.certifications)
    return record


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REDIS_CLAIM = "dxmatch-test:claimed-by"  # the key the fault tests claim a database with (tests/integration/test_faults.py)


def claim_redis_db(url: str, seconds: int = 4 * 3600) -> int:
    """A Redis database of this run's own among 15..12, claimed like the fault tests claim theirs (SET NX).

    Runs in parallel (tests, another bench) never share a queue; `Region.close` empties it.
    """
    from redis import Redis

    for number in range(15, 11, -1):  # 11 and below: other tests' fixed databases
        connection = Redis.from_url(f"{url}/{number}")
        try:
            if connection.set(REDIS_CLAIM, f"benchmarks.load:{os.getpid()}", nx=True, ex=seconds):
                return number
        finally:
            connection.close()
    raise SystemExit("no free Redis database among 12..15")


class Region:
    """The scratch database, folders and processes of one run; `close()` removes them all."""

    def __init__(self, admin_url: str, redis_url: str, keep: bool = False, reuse: Path | None = None,
                 code: Path | None = None) -> None:
        from sqlalchemy import make_url

        self.admin_url, self.keep = admin_url, keep or reuse is not None
        self.reused = reuse is not None
        if reuse is not None:  # a region a --keep run left: same database and index folder
            self.tmp = reuse
            self.name = json.loads((reuse / "region.json").read_text(encoding="utf-8"))["database"]
        else:
            self.name = f"dxmatch_load_{os.getpid()}_{secrets.token_hex(3)}"
            self.tmp = Path(tempfile.mkdtemp(prefix="dxmatch-load-"))
            (self.tmp / "region.json").write_text(json.dumps({"database": self.name}), encoding="utf-8")
        self.url = make_url(admin_url).set(database=self.name).render_as_string(hide_password=False)
        self.redis_db = claim_redis_db(redis_url)
        self.redis_url = f"{redis_url}/{self.redis_db}"
        self.processes: list[subprocess.Popen] = []
        self.created = False
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DXMATCH_")}
        self.env.update(
            DXMATCH_DATABASE_URL=self.url, DXMATCH_REDIS_URL=self.redis_url,
            DXMATCH_SECRET_KEY=secrets.token_hex(32), DXMATCH_INSTANCE_DIR=str(self.tmp / "instance"),
            DXMATCH_INDEX_DIR=str(self.tmp / "index"), DXMATCH_OUTBOX_DIR=str(self.tmp / "outbox"),
            DXMATCH_BASE_URL="http://127.0.0.1:5000", PYTHONUNBUFFERED="1",
        )
        if code is not None:  # serve another checkout of dxmatch (before/after comparisons)
            self.env["PYTHONPATH"] = str(code.resolve())
        self.dxmatch = str(Path(sys.executable).with_name("dxmatch"))

    def create_database(self) -> None:
        from sqlalchemy import text

        from models import make_engine

        admin = make_engine(self.admin_url).execution_options(isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        finally:
            admin.dispose()
        self.created = True

    def analyze(self) -> None:
        """Planner statistics now, as autovacuum gathers them within a minute or two of a bulk load."""
        from sqlalchemy import text

        from models import make_engine

        engine = make_engine(self.url).execution_options(isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("ANALYZE"))
        finally:
            engine.dispose()

    def run(self, *args: str, timeout: float, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([self.dxmatch, *args], env=self.env, input=stdin, text=True, capture_output=True,
                              timeout=timeout, check=False)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([self.dxmatch, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.tmp / f"{name}.log"
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self.created and not self.keep:
            from sqlalchemy import text

            from models import make_engine

            admin = make_engine(self.admin_url).execution_options(isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            finally:
                admin.dispose()
        try:
            from redis import Redis

            connection = Redis.from_url(self.redis_url)
            connection.flushdb()
            connection.close()
        except Exception:  # noqa: BLE001 - Redis gone: nothing left to clean
            pass
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def create_accounts(url: str, coordinators: int, members: int, editor_hint: str | None = None,
                    seed: int = 11) -> tuple[list[Account], Account]:
    """Coordinators spread over the hubs and members of companies that have pairs, each with an API token."""
    from sqlalchemy import select

    from models import Company, Match, make_engine, make_session_factory
    from services import auth

    rng = random.Random(seed)
    engine = make_engine(url)
    accounts: list[Account] = []
    try:
        with make_session_factory(engine)() as session:
            by_hub: dict[str, list[int]] = defaultdict(list)
            by_company: dict[int, list[int]] = defaultdict(list)
            for match_id, hub, maker, supplier in session.execute(
                    select(Match.id, Match.hub_key, Match.manufacturer_id, Match.supplier_id)):
                by_hub[hub].append(match_id)
                by_company[maker].append(match_id)
                by_company[supplier].append(match_id)
            hubs = [h for h in HUBS if by_hub.get(h)]
            if not hubs:
                raise SystemExit("the import produced no proposals")

            def add(role: str, **kw) -> Account:
                password = secrets.token_urlsafe(24)  # 32 random characters
                email = f"load-{role}-{len(accounts)}-{secrets.token_hex(3)}@load.dxmatch.example"
                user = auth.create_user(session, email=email, password=password, role=role, name=f"load {role}",
                                        language=rng.choice(("ko", "en")), **kw)
                session.commit()
                return Account(email, password, role, auth.issue_api_token(session, user))

            for i in range(coordinators):
                hub = hubs[i % len(hubs)]
                account = add("coordinator", hub_key=hub)
                account.hub, account.match_ids = hub, by_hub[hub]
                accounts.append(account)
            makers = session.execute(select(Company.id, Company.kind).where(Company.id.in_(list(by_company)))).all()
            chosen = rng.sample(makers, k=min(len(makers), members + 1))
            for company_id, _kind in chosen[:members]:
                account = add("member", company_id=company_id)
                account.company_id, account.match_ids = company_id, by_company[company_id]
                accounts.append(account)
            editable = session.scalars(select(Company).where(Company.kind == "manufacturer",
                                                             Company.id.in_(list(by_company)),
                                                             Company.id.not_in([a.company_id for a in accounts
                                                                                if a.company_id]))).first()
            editor = add("member", company_id=editable.id)
            editor.company_id, editor.match_ids = editable.id, by_company[editable.id]
            editor.profile = {"name": editable.name, "industry": editable.industry, "needs": list(editable.needs),
                              "language": editable.language,
                              "requires_security_certification": editable.requires_security_certification}
    finally:
        engine.dispose()
    return accounts, editor


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped with status {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer /healthz within {timeout:.0f} s")


def wait_for_worker(redis_url: str, process: subprocess.Popen, timeout: float = 300.0) -> None:
    """Until `dxmatch worker` listens on the queue (it loads the encoder first)."""
    from redis import Redis
    from rq import Queue, Worker

    from services.jobs import RQ_QUEUE

    connection = Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"dxmatch worker stopped with status {process.returncode}")
            if Worker.count(queue=Queue(RQ_QUEUE, connection=connection)):
                return
            time.sleep(0.5)
    finally:
        connection.close()
    raise SystemExit(f"dxmatch worker did not listen within {timeout:.0f} s")


def wait_for_index(port: int, coordinator: Account, timeout: float = 3600.0) -> None:
    """Until search answers: a snapshot another version of the code wrote is rebuilt by the worker first."""
    client = Client(port, timeout=600)
    client.login(coordinator.email, coordinator.password)
    deadline, said = time.monotonic() + timeout, False
    try:
        while time.monotonic() < deadline:
            status, _, _ = client.request("GET", f"/hub/{coordinator.hub}/search?q=MES")
            if status == 200:
                return
            if not said:
                print(f"search answers {status}: waiting for the worker to publish the index", flush=True)
                said = True
            time.sleep(5)
    finally:
        client.close()
    raise SystemExit(f"the index was not ready within {timeout:.0f} s")


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
    parser.add_argument("--pg-url", default=os.environ.get("DXMATCH_LOAD_ADMIN_URL", ADMIN_URL),
                        help="a PostgreSQL database to connect to while creating and dropping the scratch one")
    parser.add_argument("--redis-url", default=REDIS_URL, help="Redis server (a database among 12-15 is claimed)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database and folder (debugging)")
    parser.add_argument("--reuse", type=Path, help="the folder of a --keep run: measure again without the setup")
    parser.add_argument("--code", type=Path, help="serve this checkout of dxmatch instead (e.g. a git worktree)")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
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
        server = region.start("server", "serve", "--workers", str(args.workers), "--port", str(port),
                              "--host", "127.0.0.1")
        wait_until_up(port, server)
        first_coordinator = next(a for a in accounts if a.role == "coordinator")
        first_member = next(a for a in accounts if a.role == "member")
        wait_for_index(port, first_coordinator)
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
