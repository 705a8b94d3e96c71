"""The load bench's scratch region: database, Redis database, generated companies, accounts, processes."""
from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.load_client import Client
from benchmarks.load_users import Account
from config.reference import HUBS
from matcher.types import Profile

ADMIN_URL = "postgresql+psycopg://root@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379"


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


def _editable_manufacturer(session) -> "Company":
    """The editor's company: the first manufacturer with pairs (its saves replace its own pairs)."""
    from sqlalchemy import select

    from models import Company, Match
    editable = session.scalars(select(Company).where(Company.kind == "manufacturer",
                                                     Company.id.in_(select(Match.manufacturer_id)))
                               .order_by(Company.id).limit(1)).first()
    if editable is None:
        raise SystemExit("the import produced no proposals")
    return editable


def _browsed_pairs(session, editor_company: int) -> tuple[dict[str, list[int]], dict[int, list[int]]]:
    """Pair ids by hub and by company, without the editor's pairs: the others browse pairs that stay."""
    from sqlalchemy import select

    from models import Match
    by_hub: dict[str, list[int]] = defaultdict(list)
    by_company: dict[int, list[int]] = defaultdict(list)
    for match_id, hub, maker, supplier in session.execute(
            select(Match.id, Match.hub_key, Match.manufacturer_id, Match.supplier_id).order_by(Match.id)):
        if maker != editor_company:
            by_hub[hub].append(match_id)
            by_company[maker].append(match_id)
            by_company[supplier].append(match_id)
    return by_hub, by_company


def create_accounts(url: str, coordinators: int, members: int, seed: int = 11) -> tuple[list[Account], Account]:
    """Coordinators spread over the hubs and members of companies that have pairs, each with an API token."""
    from sqlalchemy import select

    from models import Company, Match, make_engine, make_session_factory
    from services import auth

    rng = random.Random(seed)
    engine = make_engine(url)
    accounts: list[Account] = []
    try:
        with make_session_factory(engine)() as session:
            editable = _editable_manufacturer(session)
            by_hub, by_company = _browsed_pairs(session, editable.id)
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
            chosen = rng.sample(makers, k=min(len(makers), members))
            for company_id, _kind in chosen:
                account = add("member", company_id=company_id)
                account.company_id, account.match_ids = company_id, by_company[company_id]
                accounts.append(account)
            editor = add("member", company_id=editable.id)
            editor.company_id = editable.id
            editor.match_ids = list(session.scalars(select(Match.id).where(Match.manufacturer_id == editable.id)))
            editor.profile = {"name": editable.name, "industry": editable.industry, "needs": list(editable.needs),
                              "language": editable.language,
                              "requires_security_certification": editable.requires_security_certification}
    finally:
        engine.dispose()
    return accounts, editor


def settle(url: str, accounts: list[Account], editor: Account, timeout: float = 1800.0) -> None:
    """Wait until the worker has no matching work pending, then take the users' pairs afresh.

    A snapshot written by another version of the code is rebuilt when the worker starts, and the
    rebuild may replace a few proposals: users browse the pairs that exist when measuring starts.
    """
    from sqlalchemy import func, select

    from models import MatchingWork, make_engine, make_session_factory
    engine = make_engine(url)
    deadline = time.monotonic() + timeout
    try:
        with make_session_factory(engine)() as session:
            while session.scalar(select(func.count()).where(MatchingWork.done_at.is_(None))):
                if time.monotonic() > deadline:
                    raise SystemExit(f"matching work still pending after {timeout:.0f} s")
                session.rollback()
                time.sleep(2)
            by_hub, by_company = _browsed_pairs(session, editor.company_id)
    finally:
        engine.dispose()
    for account in accounts:
        ids = by_hub.get(account.hub, []) if account.role == "coordinator" else by_company.get(account.company_id, [])
        account.match_ids = ids or account.match_ids  # none left (rare): the old ones, answered with a 404


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
