"""Who is calling: a session cookie (Flask-Login) or an `Authorization: Bearer <token>` header."""
from __future__ import annotations

import time

from flask import Flask, Request, current_app, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, login_user

from models import User
from services import auth
from web.database import db_session
from web.errors import error_response
from web.extensions import login_manager


class CurrentUser(UserMixin):
    """Flask-Login's view of a models.User; attribute access goes to the row."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def is_active(self) -> bool:
        return bool(self.user.active)

    def __getattr__(self, name: str):
        return getattr(self.user, name)


# Kept in the signed session cookie next to Flask-Login's _user_id (server-side checks, client cannot change them).
SESSION_VERSION, SESSION_STARTED, SESSION_SEEN = "_session_version", "_session_started", "_session_seen"


def clear_session() -> None:
    """Forget everything in the session cookie but the language choice."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user: User) -> None:
    """Sign in with a fresh cookie: drop everything of the anonymous session but the language (no fixation)."""
    clear_session()
    now = int(time.time())
    session.update({SESSION_VERSION: user.session_version, SESSION_STARTED: now, SESSION_SEEN: now})
    login_user(CurrentUser(user))


def _session_timed_out(now: int) -> bool:
    """Idle for longer than SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT (seconds)."""
    started, seen = session.get(SESSION_STARTED), session.get(SESSION_SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return True
    config = current_app.config
    return now - seen > config["SESSION_IDLE_TIMEOUT"] or now - started > config["SESSION_ABSOLUTE_TIMEOUT"]


def _load_from_session(user_id: str) -> CurrentUser | None:
    """The signed-in user, unless the session timed out or ended (sign-out, password change, deactivation)."""
    now = int(time.time())
    version = session.get(SESSION_VERSION)
    user = None if _session_timed_out(now) or not isinstance(version, int) else auth.load_user(
        db_session(), user_id, session_version=version)
    if user is None:
        clear_session()
        return None
    if now - session[SESSION_SEEN] >= 60:  # rewrite the cookie at most once a minute
        session[SESSION_SEEN] = now
    return CurrentUser(user)


def _load_from_header(req: Request) -> CurrentUser | None:
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    user = auth.user_for_token(db_session(), header[7:].strip())
    if user is None:
        return None
    g.token_auth = True
    return CurrentUser(user)


def _unauthorized():
    if request.blueprint == "api" or request.path.startswith("/api/"):
        return error_response(401, "auth.required")
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"  # "strong" would drop bearer calls that carry a stray cookie
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_from_session)
    login_manager.request_loader(_load_from_header)
    login_manager.unauthorized_handler(_unauthorized)


def actor() -> User:
    """The models.User of the logged-in caller (views pass it to services)."""
    from flask_login import current_user

    return current_user.user
