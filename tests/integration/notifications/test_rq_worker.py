"""With Redis configured, the sender runs in `dxmatch worker` (an RQ worker), not in the request's process."""
from __future__ import annotations

import socket
from collections import Counter

import pytest
from redis import Redis

from config.settings import Settings
from services import pipeline, tasks
from models.session import shared_session_factory
from services.runtime import Runtime
from tests.conftest import unavailable

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database of its own: other test runs' workers never take these jobs


def _redis() -> Redis:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        unavailable("needs Redis on 127.0.0.1:6379 (make services)")
    return Redis.from_url(REDIS_URL)


@pytest.fixture
def worker_env(settings: Settings, smtp_server, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """What `dxmatch worker` reads from the environment: this test's database, SMTP server and Redis."""
    for name, value in {"DXMATCH_REDIS_URL": REDIS_URL, "DXMATCH_SMTP_URL": smtp_server.url,
                        "DXMATCH_SECRET_KEY": settings.secret_key, "DXMATCH_BASE_URL": settings.base_url,
                        "DXMATCH_JOBS": "rq"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(tasks, "_runtimes", {})  # the worker's runtime of this test (its SMTP server) ends with it
    return Settings.from_env()


def test_the_rq_worker_sends_what_a_web_process_recorded(session, worker_env, pair, smtp_server):
    from rq import Queue, SimpleWorker

    from services.jobs import RQ_QUEUE

    connection = _redis()
    connection.flushdb()
    listener = SimpleWorker([Queue(RQ_QUEUE, connection=connection)], connection=connection)
    listener.register_birth()  # a `dxmatch worker` is listening
    try:
        web = Runtime(worker_env, shared_session_factory(worker_env.database_url))  # as create_app makes it
        with web.session() as request_session:
            pipeline.move(request_session, pair.coordinator, pair.match.id, "introduced")
        assert smtp_server.handler.messages == []  # queued on Redis: nothing sent by the web process
        assert Queue(RQ_QUEUE, connection=connection).count == 1
        listener.register_death()

        SimpleWorker([Queue(RQ_QUEUE, connection=connection)], connection=connection).work(burst=True)
    finally:
        connection.flushdb()

    received = Counter(m["X-Envelope-To"] for m in smtp_server.handler.messages)
    assert received == {pair.kim.email: 1, pair.jane.email: 1, pair.lee.email: 1}
