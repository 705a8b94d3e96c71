"""Engine and session factory from a database URL (SQLite or PostgreSQL)."""
from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


SQLITE_BUSY_TIMEOUT_MS = 30_000

_engines: dict[str, Engine] = {}  # one per database URL per process; guarded by _engines_lock
_engines_lock = threading.Lock()


def make_engine(url: str) -> Engine:
    """Create an engine; for SQLite make sure the folder exists and foreign keys are enforced."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: a failing statement's error (and so the log) never carries the values (notes, e-mails, token hashes)
    engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"), hide_parameters=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            # WAL: readers never block on a writer (the site keeps answering while the CLI imports);
            # busy_timeout: a second writer waits its turn instead of failing with "database is locked".
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


def shared_engine(url: str) -> Engine:
    """This process's one engine for `url` (engines own connection pools, so every caller shares it)."""
    with _engines_lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def shared_session_factory(url: str) -> sessionmaker[Session]:
    """A session factory on this process's shared engine for `url` (web app, CLI, worker alike)."""
    return make_session_factory(shared_engine(url))


def dispose_engines() -> None:
    """Close every pooled connection of the shared engines (tests, and before forking a server)."""
    with _engines_lock:
        engines = list(_engines.values())
        _engines.clear()
    for engine in engines:
        engine.dispose()
