"""Faults the site rides out: the database dropping connections, Redis down, a damaged index, a killed worker.

Each test runs the real thing (the app behind a threaded werkzeug server, `dxmatch worker`
processes) and checks what a user sees: while a part is down, a clean 503 page or JSON error and
never a 500; afterwards the site back to normal by itself, with nothing lost or half-written.
"""
from __future__ import annotations

import dataclasses
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, text

from config.settings import Settings
from dxmatch.cli import main
from models import BackgroundJob, Company, Match, User, make_session_factory
from services import auth, index_builder
from services.profiles import upsert_company, validate_profile
from services.runtime import MATCHING_JOB, Runtime
from tests.factories import gen_company, gen_user, profile_record
from tests.serving import serving
from web import create_app
from web.database import runtime_of

DXMATCH = str(Path(sys.executable).with_name("dxmatch"))  # the installed command beside this interpreter
VISION_NEED = "웨이퍼 외관 불량을 육안으로 검사해 반품이 늘고 있다"
ERP_NEED = "수기 장부로 하는 재고와 회계 관리를 클라우드 ERP로 바꾸고 싶다"


# ----------------------------------------------------------------------------- helpers

FILLERS = ["식품 포장 라벨 디자인", "인사 급여 관리 SaaS", "금속 3D 프린팅 시제품 제작", "사내 메신저 보안 솔루션",
           "물류 창고 로봇 임대", "온라인 쇼핑몰 구축", "태양광 발전량 모니터링", "법무 계약서 검토 자동화"]


def _market(session) -> tuple[Company, Company, Company]:
    """One ochang manufacturer with a vision need; a vision supplier, an ERP supplier and unrelated ones
    (enough suppliers for the engine's scores to separate a fit from the rest)."""
    for number, capability in enumerate(FILLERS):
        gen_company(session, "supplier", id=f"s-other-{number}", capabilities=[capability])
    vision = gen_company(session, "supplier", id="s-vision", name="비전랩",
                         capabilities=["딥러닝 비전 검사로 외관 결함 자동 판정"])
    erp = gen_company(session, "supplier", id="s-erp", name="클라우드장부",
                      capabilities=["클라우드 회계 ERP 구축과 재고 관리 자동화"])
    maker = gen_company(session, "manufacturer", id="m-maker", hub="ochang", needs=[VISION_NEED])
    return maker, vision, erp


def _publish_index(settings: Settings, engine) -> Runtime:
    """Build and publish the first index, as a worker would have before the fault."""
    runtime = Runtime(settings, make_session_factory(engine), jobs="inline")
    with runtime.sessions() as s:
        index_builder.request_rebuild(s, "test")
        s.commit()
    runtime.process_now()
    return runtime


def _live_app(settings: Settings, **config: object) -> Flask:
    """The app as served (not TESTING): a strong key, jobs on the in-process thread unless told otherwise."""
    return create_app({"DXMATCH_SETTINGS": settings, "SECRET_KEY": secrets.token_urlsafe(32),
                       "WTF_CSRF_ENABLED": False, "JOBS": "thread", **config})


def _session_cookie(app: Flask, user: User) -> str:
    """Sign in through the login form; the cookie a browser would then send."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookie = client.get_cookie("session")
    assert cookie is not None
    return f"session={cookie.value}"


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def _wait_for(condition, timeout: float, what: str) -> None:  # noqa: ANN001 - a callable returning truthy
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def _top_supplier(session, manufacturer: Company) -> str | None:
    session.expire_all()
    row = session.scalar(select(Match).where(Match.manufacturer_id == manufacturer.id).order_by(Match.rank).limit(1))
    return None if row is None else session.get(Company, row.supplier_id).external_id


# ----------------------------------------------------------------------------- a. the database drops connections

TERMINATE_APP_CONNECTIONS = text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.mark.slow
def test_requests_while_the_database_drops_connections_get_a_clean_503_and_the_site_recovers(session, settings, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("a database server dropping connections is a PostgreSQL fault; SQLite has no server")
    maker, *_ = _market(session)
    coordinator = gen_user(session, "coordinator", hub="ochang")
    token = auth.issue_api_token(session, coordinator)
    session.commit()
    _publish_index(settings, engine)
    app = _live_app(settings)
    page = {"Cookie": _session_cookie(app, coordinator)}
    api = {"Authorization": f"Bearer {token}"}
    targets = [("/hub/ochang/", page), ("/hub/ochang/search?" + urllib.parse.urlencode({"q": ERP_NEED}), page), ("/api/v1/matches", api),
               ("/healthz", {})]
    session.close()  # this test's own connection is terminated too; hand it back to the pool first
    answers: list[tuple[str, int, dict[str, str], str]] = []
    stop = threading.Event()

    with serving(app) as base:
        for path, headers in targets:
            status, _, body = _get(base + path, headers)
            assert status == 200, (path, body[:300])

        def browse(offset: int) -> None:
            n = offset
            while not stop.is_set():
                path, headers = targets[n % len(targets)]
                answers.append((path, *_get(base + path, headers)))
                n += 1

        browsers = [threading.Thread(target=browse, args=(i,)) for i in range(4)]
        for thread in browsers:
            thread.start()
        terminated = 0
        with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as admin:
            for _ in range(40):  # about 2 s of the server's connections being cut under it
                terminated += admin.execute(TERMINATE_APP_CONNECTIONS).scalar_one()
                time.sleep(0.05)
        stop.set()
        for thread in browsers:
            thread.join(60)

        assert terminated > 0
        statuses = {status for _, status, _, _ in answers}
        assert statuses <= {200, 503}, [(p, s, b[:300]) for p, s, _, b in answers if s not in (200, 503)][:3]
        failed = [(path, headers, body) for path, status, headers, body in answers if status == 503]
        assert failed, "no request met the fault: the test did not test anything"
        for path, headers, body in failed:
            assert "Traceback" not in body
            if path == "/healthz":  # the load balancer's probe: its own shape
                assert json.loads(body) == {"status": "unavailable"}
            elif path.startswith("/api/"):
                assert headers["Content-Type"] == "application/json" and headers["Retry-After"] == "5"
                assert json.loads(body)["error"]["status"] == 503
            else:
                assert headers["Content-Type"].startswith("text/html") and headers["Retry-After"] == "5"
                assert "데이터베이스에 연결할 수 없습니다" in body  # "The database is unavailable", in Korean

        for path, headers in targets:  # the pool's pre-ping replaces the dead connections: back at once
            status, _, body = _get(base + path, headers)
            assert status == 200, (path, body[:300])


# ----------------------------------------------------------------------------- b. Redis down

def test_with_redis_down_pages_serve_logins_stay_rate_limited_and_a_profile_edit_is_matched_in_process(
        session, settings, engine):
    maker, vision, erp = _market(session)
    member = gen_user(session, "member", company=maker)
    _publish_index(settings, engine)
    assert _top_supplier(session, maker) == "s-vision"
    app = _live_app(settings, REDIS_URL="redis://127.0.0.1:1/0", JOBS="rq")  # nothing listens on port 1
    assert runtime_of(app).jobs.mode == "rq"
    client = app.test_client()

    started = time.monotonic()
    refused = [client.post("/login", data={"email": "nobody@example.com", "password": "wrong-password-1"}).status_code
               for _ in range(12)]
    assert set(refused) <= {200, 401, 422, 429} and 429 in refused, refused  # limits held in memory meanwhile
    assert time.monotonic() - started < 20  # no request hangs on Redis (a connect times out after 1 s)

    client = app.test_client()
    response = client.post("/login", data={"email": member.email, "password": member.password},
                           environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert response.status_code == 302
    assert client.get("/company/").status_code == 200
    edited = client.post("/company/profile", data={"name": maker.name, "industry": "battery", "needs": ERP_NEED})
    assert edited.status_code == 302
    assert runtime_of(app).jobs.wait_idle(120)  # Redis refused the job: it ran on the in-process thread

    assert _top_supplier(session, maker) == "s-erp"
    job = session.scalars(select(BackgroundJob).where(BackgroundJob.name == MATCHING_JOB)
                          .order_by(BackgroundJob.created_at.desc())).first()
    assert job is not None and job.status == "done"
    assert "클라우드장부" in client.get("/company/").get_data(as_text=True)
    assert index_builder.pending_count(session) == 0


# ----------------------------------------------------------------------------- c. index files missing or corrupt

def _garble_files(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.write_bytes(os.urandom(64))


def _damage(store_root: Path, version: str, how: str) -> None:
    if how == "snapshot files garbled":
        _garble_files(store_root / version)
    elif how == "snapshot files deleted":
        for path in (store_root / version).iterdir():
            path.unlink()
    elif how == "version pointer garbled":
        (store_root / "CURRENT").write_bytes(b"\xff\xfe\x00garbage")
    elif how == "whole index folder deleted":
        for path in sorted(store_root.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    else:  # pragma: no cover
        raise ValueError(how)


@pytest.mark.parametrize("how", ["snapshot files garbled", "snapshot files deleted", "version pointer garbled",
                                 "whole index folder deleted"])
def test_a_damaged_index_is_rebuilt_in_the_background_while_pages_answer(session, settings, engine, how):
    maker, vision, erp = _market(session)
    coordinator = gen_user(session, "coordinator", hub="ochang")
    runtime = _publish_index(settings, engine)
    damaged = runtime.store.current_version()
    _damage(runtime.store.root, damaged, how)

    app = _live_app(settings)  # a new server process starting on the damaged folder
    client = app.test_client()
    client.post("/login", data={"email": coordinator.email, "password": coordinator.password})
    assert client.get("/hub/ochang/").status_code == 200  # stored proposals need no index
    search = client.get("/hub/ochang/search?q=ERP")
    assert search.status_code in (200, 503), search.get_data(as_text=True)[:300]
    if search.status_code == 503:
        assert "매칭을 계산하는 중입니다" in search.get_data(as_text=True)  # "Matching is being computed"

    assert runtime_of(app).jobs.wait_idle(120)
    assert runtime_of(app).store.current_version() is not None
    answer = client.get("/hub/ochang/search?q=ERP")
    assert answer.status_code == 200 and "클라우드장부" in answer.get_data(as_text=True)
    assert index_builder.pending_count(session) == 0
    assert _top_supplier(session, maker) == "s-vision"


# ----------------------------------------------------------------------------- d. a worker killed in the middle of a job

OBJECTS = ["웨이퍼", "배터리 셀", "사출 부품", "용접 라인", "도장 공정", "프레스 금형", "CNC 설비", "포장 라인", "세척 공정",
           "열처리로", "PCB 기판", "모터 권선"]
TASKS = ["외관 불량 검사", "고장 예지 보전", "수요 예측", "공정 조건 최적화", "재고 관리", "품질 이상 탐지", "에너지 사용량 절감",
         "가동률 모니터링", "물류 동선 자동화", "불량 원인 분석", "작업 표준화", "생산 계획 수립"]
METHODS = ["딥러닝 비전", "머신러닝", "디지털 트윈", "클라우드 MES", "IoT 센서", "통계적 공정 관리", "강화학습", "생성형 AI"]


def _region(session, suppliers: int, manufacturers: int) -> None:
    """A generated region: distinct Korean texts, committed at once (like an import)."""
    for n in range(suppliers + manufacturers):
        obj, task, method = OBJECTS[n % 12], TASKS[(n // 12) % 12], METHODS[n % 8]
        if n < suppliers:
            record = profile_record("supplier", id=f"s-gen-{n:04d}", capabilities=[
                f"{method} 기반 {obj} {task} 시스템 구축 {n}호", f"{OBJECTS[(n + 5) % 12]} {TASKS[(n + 7) % 12]} 컨설팅"])
        else:
            record = profile_record("manufacturer", id=f"m-gen-{n:04d}", hub="ochang", needs=[
                f"{obj} {task}을 사람이 하고 있어 {method} 도입이 필요하다 ({n})", f"{OBJECTS[(n + 3) % 12]} {TASKS[n % 12]}"])
        upsert_company(session, validate_profile(record))
    session.commit()


@contextmanager
def _own_redis_database() -> Iterator[str]:
    """A Redis database of our own (claimed with a key, emptied after): runs in parallel never share a queue."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    from tests.conftest import unavailable

    claim = "dxmatch-test:claimed-by"
    for number in range(15, 11, -1):  # 11 and below: other tests' fixed databases
        redis = Redis.from_url(f"redis://127.0.0.1:6379/{number}", socket_connect_timeout=1)
        try:
            claimed = redis.set(claim, f"{os.uname().nodename}:{os.getpid()}", nx=True, ex=900)
        except RedisDown:
            redis.close()
            unavailable("needs Redis on 127.0.0.1:6379 (make services)")
        if not claimed:
            redis.close()
            continue
        try:
            for key in redis.scan_iter():  # what a crashed earlier run left
                if key != claim.encode():
                    redis.delete(key)
            yield f"redis://127.0.0.1:6379/{number}"
        finally:
            redis.flushdb()
            redis.close()
        return
    pytest.fail("no free Redis database among 12..15")


def _start_worker(env: dict[str, str], log: Path, *extra: str) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([DXMATCH, "worker", *extra], env=env, stdout=out, stderr=subprocess.STDOUT)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@pytest.mark.slow
def test_a_worker_killed_in_the_middle_of_a_rebuild_leaves_nothing_half_done_and_the_next_worker_finishes(
        session, settings, engine, tmp_path):
    _region(session, suppliers=110, manufacturers=40)
    published = _publish_index(settings, engine).store.current_version()  # by this process: the workers' encoders
    log = tmp_path / "workers.log"                                          # have seen none of the texts
    proposals = set(session.execute(select(Match.manufacturer_id, Match.supplier_id, Match.rank, Match.score)))
    assert proposals
    with _own_redis_database() as redis_url:
        from redis import Redis
        from rq import Queue, Worker

        from services.jobs import RQ_QUEUE

        env = {k: v for k, v in os.environ.items() if k != "DXMATCH_JOBS"} | {"DXMATCH_REDIS_URL": redis_url}
        first = _start_worker(env, log)
        try:
            with Redis.from_url(redis_url) as redis:
                def listening() -> bool:
                    assert first.poll() is None, _tail(log)
                    return Worker.count(queue=Queue(RQ_QUEUE, connection=redis)) > 0
                _wait_for(listening, 120, "the first worker to listen")  # else the job would run in this process
            site = Runtime(dataclasses.replace(settings, redis_url=redis_url, jobs="rq"), make_session_factory(engine))
            with site.session() as s:  # e.g. `dxmatch index rebuild` by an operator: queued on Redis
                index_builder.request_rebuild(s, "test")
                s.commit()
            job_id = session.scalar(select(BackgroundJob.id).where(BackgroundJob.name == MATCHING_JOB))
            assert job_id is not None  # the only job: the first index was built without one

            def building() -> bool:
                session.expire_all()
                job = session.get(BackgroundJob, job_id)
                assert first.poll() is None, _tail(log)
                return job.status == "running" and job.message == "index"  # the full build has started
            _wait_for(building, 120, "the first worker to start the rebuild")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(30)
        session.expire_all()
        assert session.get(BackgroundJob, job_id).status == "running", "the job ended before the kill: make it bigger"
        assert index_builder.pending_count(session) == 1
        assert set(session.execute(select(Match.manufacturer_id, Match.supplier_id, Match.rank, Match.score))) \
            == proposals  # nothing of the dead run was committed
        assert site.store.current_version() == published  # nor published: the last good snapshot stays current

        second = _start_worker(env, log, "--burst")  # finds the pending work at start, then drains the queue
        assert second.wait(180) == 0, _tail(log)

    session.expire_all()
    assert index_builder.pending_count(session) == 0
    assert session.scalar(select(func.count(func.distinct(Match.manufacturer_id)))) > 0
    dead = session.get(BackgroundJob, job_id)
    assert (dead.status, dead.message) == ("failed", "interrupted")
    finished = session.scalars(select(BackgroundJob.message).where(BackgroundJob.status == "done")).all()
    assert any("full build" in m and "40 manufacturers" in m for m in finished), finished  # every one re-proposed

    version = site.store.current_version()  # complete: meta.json is written last, after the index files
    assert version not in (None, published) and not list(site.store.root.glob(".staging-*"))
    assert json.loads((site.store.root / version / "meta.json").read_text())["profiles"] == 150
    status = CliRunner().invoke(main, ["index", "status"])
    assert status.exit_code == 0 and f"index {version}" in status.stdout and "0 changes pending" in status.stdout
