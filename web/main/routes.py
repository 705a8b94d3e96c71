from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from services import access, auth, pipeline
from web.database import db_session
from web.forms import safe_next
from web.login import actor

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Send each role to its home page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == "admin":
        return redirect(url_for("admin.index"))
    if current_user.role == "coordinator":
        return redirect(url_for("hub.overview", hub_key=current_user.hub_key))
    return redirect(url_for("company.home"))


@bp.get("/matches/<int:match_id>")
@login_required
def match(match_id: int):
    """The role-neutral link of a pair (used in mails): a member's partner page, else the hub's page."""
    found = pipeline.get_match(db_session(), actor(), match_id)
    if access.match_side(actor(), found) is not None:
        return redirect(url_for("company.match_detail", match_id=found.id))
    return redirect(url_for("hub.match_detail", hub_key=found.hub_key, match_id=found.id))


@bp.get("/healthz")
def healthz():
    """200 when the database answers `SELECT 1`, 503 otherwise."""
    try:
        db_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("health check failed")
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


@bp.post("/language")
def set_language():
    """The header's language switch: remembered in the session, and saved for a signed-in user."""
    choice = request.form.get("lang", "")
    if choice in current_app.config["LANGUAGES"]:
        session["lang"] = choice
        if current_user.is_authenticated:
            auth.set_language(db_session(), current_user.user, choice)
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))
