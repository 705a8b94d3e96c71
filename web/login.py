"""Who is calling: a session cookie (Flask-Login) or an `Authorization: Bearer <token>` header."""
from __future__ import annotations

from flask import Flask, Request, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin

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


def _load_from_session(user_id: str) -> CurrentUser | None:
    user = auth.load_user(db_session(), user_id)
    return CurrentUser(user) if user else None


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
        return error_response(401, "authentication required")
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
