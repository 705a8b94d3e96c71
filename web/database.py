"""One SQLAlchemy session per request, closed at teardown; the process's matching Runtime."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from models.session import shared_session_factory
from services.runtime import Runtime


def init_app(app: Flask) -> None:
    """Bind the app to its database and index (one Runtime per app) and close sessions after each request."""
    settings = app.config["DXMATCH_SETTINGS"]
    app.extensions["dxmatch.runtime"] = Runtime(settings, shared_session_factory(settings.database_url),
                                                jobs=app.config.get("DXMATCH_JOBS"))
    app.teardown_appcontext(close_session)


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["dxmatch.runtime"]


def runtime() -> Runtime:
    """The app's matching runtime: the published index, the job queue."""
    return current_app.extensions["dxmatch.runtime"]


def db_session() -> Session:
    """The request's session (created on first use); committed matching work starts the matching job."""
    if "db_session" not in g:
        g.db_session = runtime().session()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.rollback()
            session.close()
        except Exception:  # noqa: BLE001 - a connection lost with the database: the pool replaces it
            session.invalidate()


def discard_session() -> None:
    """Drop the request's session after a database error; the next use starts a fresh one on a live connection.

    No rollback first: it would expire what the session loaded (the signed-in user), which the error page and
    the response headers still read; `close` keeps it loaded, detached, and resets or drops the connection.
    """
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except Exception:  # noqa: BLE001 - the connection is gone: the pool replaces it
            session.invalidate()
