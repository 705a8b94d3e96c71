"""One SQLAlchemy session per request, closed at teardown."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from dxmatch.db import open_session_factory


def init_app(app: Flask) -> None:
    """Bind a session factory to the app's database and close sessions after each request."""
    app.extensions["dxmatch.sessions"] = open_session_factory(app.config["DXMATCH_SETTINGS"])
    app.teardown_appcontext(close_session)


def db_session() -> Session:
    """The request's session (created on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["dxmatch.sessions"]()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
