"""Fixtures every test can use: settings, a database (SQLite or PostgreSQL), a clean session.

The database is DXMATCH_DATABASE_URL when set (`make test` runs the suite once without it, on a
temporary SQLite file, and once on PostgreSQL). On PostgreSQL the run gets its own scratch
database next to the one named in the URL (created at the start, dropped at the end), so test
runs in parallel on the same server never see each other's rows.

`session` starts with the hubs seeded and, after the test, deletes every row of every table (also
before it, for rows a test without it left), so each test starts from the same state on both
databases. Background threads of a served app end with the test that started them. Anything a test writes outside that
session (the CLI, a web app) is cleaned up too, as long as the test asked for `session`.
"""
from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import Session

from config.settings import Settings
from dxmatch.db import create_schema, dispose_engines, seed_hubs
from models import Base, make_engine, make_session_factory


def unavailable(reason: str) -> None:
    """Skip a test whose outside part is missing on a developer's machine; under `make test`
    (DXMATCH_NO_SKIPS=1, which sets every part up) the same gap fails, so CI checks every promise."""
    if os.environ.get("DXMATCH_NO_SKIPS") == "1":
        pytest.fail(f"not skipped under make test: {reason}")
    pytest.skip(reason)


ENV_VARS = ("DXMATCH_DATABASE_URL", "DXMATCH_INSTANCE_DIR", "DXMATCH_OUTBOX_DIR", "DXMATCH_INDEX_DIR",
            "DXMATCH_REDIS_URL", "DXMATCH_SMTP_URL", "DXMATCH_JOBS")


def _scratch_postgres(url: str) -> tuple[str, str] | None:
    """Create an empty database beside the one in `url`; (its URL, its name), or None if not allowed."""
    base = make_url(url)
    name = f"{base.database or 'dxmatch'}_t{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - no CREATEDB privilege: use the database as given
        return None
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres(url: str, name: str) -> None:
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """DXMATCH_DATABASE_URL (a scratch copy on PostgreSQL), else a temporary SQLite file."""
    url = os.environ.get("DXMATCH_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'dxmatch-test.db'}"
        return
    scratch = _scratch_postgres(url) if make_url(url).get_backend_name() == "postgresql" else None
    if scratch is None:
        yield url
        return
    scratch_url, name = scratch
    try:
        yield scratch_url
    finally:
        dispose_engines()
        _drop_postgres(url, name)


@pytest.fixture
def empty_db_url(tmp_path: Path, db_url: str) -> Iterator[str]:
    """A second database with no tables at all, of the same kind as `db_url` (for schema tests)."""
    if make_url(db_url).get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin_url = os.environ.get("DXMATCH_DATABASE_URL") or db_url
    scratch = _scratch_postgres(admin_url)
    if scratch is None:
        unavailable("no privilege to create a second PostgreSQL database")
    url, name = scratch
    try:
        yield url
    finally:
        dispose_engines()
        _drop_postgres(admin_url, name)


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    """The test database with a fresh schema built from the models."""
    eng = make_engine(db_url)
    with eng.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    create_schema(eng)
    yield eng
    eng.dispose()


# Threads a served app (not TESTING) starts: its warm-up may build the first index, reading and writing
# whatever rows exist by then, which can be the next test's (a proposal that test was about to insert).
FINITE_BACKGROUND = ("dxmatch-warm-up", "dxmatch-snapshot-load")
TIMERS = ("dxmatch-publish", "dxmatch-mail-retry")


def settle_background_threads(timeout: float = 60.0) -> None:
    """Let the finite background threads of earlier apps finish and cancel their pending timers."""
    for thread in threading.enumerate():
        if thread is threading.current_thread():
            continue
        if thread.name in TIMERS and isinstance(thread, threading.Timer):
            thread.cancel()
        if thread.name in FINITE_BACKGROUND or thread.name in TIMERS:
            thread.join(timeout)


@pytest.fixture(autouse=True)
def background_threads_end_with_their_test() -> Iterator[None]:
    """No app's background thread of one test runs into the next (the `session` fixture also waits
    for them before it deletes the rows)."""
    settle_background_threads()
    yield
    settle_background_threads()


def delete_all_rows(engine: Engine) -> None:
    """Empty every table, children first, keeping the schema."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def session(engine: Engine, settings: Settings) -> Iterator[Session]:
    """A session on a database holding only the hubs; every row is deleted after the test.

    It brings `settings` along, so whatever the code under test reads from the environment
    (index folder, outbox, database) points at this test's temporary instance, never the repo's.
    """
    delete_all_rows(engine)  # rows a test without this fixture left (a served app's first build) are gone too
    with make_session_factory(engine)() as s:
        seed_hubs(s)
        s.commit()
        try:
            yield s
        finally:
            s.rollback()
    settle_background_threads()
    delete_all_rows(engine)


@pytest.fixture
def settings(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings on the test database and a temporary instance folder; the environment agrees.

    The DXMATCH_* variables are set to match, so code that calls `Settings.from_env()` (the CLI,
    `create_app()`) sees the same database and folders, and no outside Redis or SMTP server.
    """
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    monkeypatch.setenv("DXMATCH_INSTANCE_DIR", str(instance))
    monkeypatch.setenv("DXMATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("DXMATCH_JOBS", "inline")  # jobs run at once after the commit: tests read their effect
    monkeypatch.setenv("DXMATCH_PUBLISH_INTERVAL", "0")  # every change published at once (held back: own tests)
    return Settings.from_env()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium (`make browser`) for the whole run, shared by every browser test.

    Playwright's sync API allows a single running instance per thread: a second
    `sync_playwright()` while one is open fails ("Sync API inside the asyncio loop"), so
    browser tests should use this fixture rather than starting their own.
    """
    if not CHROMIUM.exists():
        unavailable("needs Debian chromium at /usr/bin/chromium (make browser)")
    from playwright import sync_api  # a test dependency, always installed with the test extras

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
