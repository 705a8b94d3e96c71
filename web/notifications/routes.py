from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from services import notifications, subscriptions
from services.errors import DomainError
from web.database import db_session
from web.extensions import csrf
from web.login import actor

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def _switches() -> dict[str, object]:
    """`notification_switches()` for the account page: (kind, label, on) per kind, for the signed-in user."""

    def notification_switches() -> list[tuple[str, str, bool]]:
        if not current_user.is_authenticated:
            return []
        chosen = notifications.switches(db_session(), actor().id)
        return [(kind, _(notifications.KIND_LABELS[kind]), chosen[kind]) for kind in notifications.KINDS]

    return {"notification_switches": notification_switches}


@bp.post("/settings")
@login_required
def save():
    """The kinds ticked on the account page are on, the others off."""
    notifications.save_switches(db_session(), actor(), request.form.getlist("kind"))
    flash(_("Your mail settings were saved."), "success")
    return redirect(url_for("auth.account"))


def _token(token: str) -> tuple[int, str]:
    """The (user, kind) a signed link names (404 for a forged or malformed one)."""
    try:
        return notifications.verify_unsubscribe_token(token, current_app.config["DXMATCH_SETTINGS"])
    except (DomainError, ValueError):
        abort(404)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the credential; RFC 8058 one-click POSTs carry no CSRF token
def unsubscribe(token: str):
    """GET asks for confirmation; POST (the form or a mail client's one-click) turns that kind off."""
    user_id, kind = _token(token)
    label = _(notifications.KIND_LABELS[kind])
    if request.method == "GET":
        user = notifications.link_holder(db_session(), user_id)
        if user is None:
            abort(404)
        return render_template("notifications/unsubscribe.html", token=token, label=label, done=False,
                               on=notifications.switches(db_session(), user_id)[kind],
                               email=subscriptions.masked_email(user.email))
    user = notifications.turn_off(db_session(), user_id, kind)
    if user is None:
        abort(404)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("notifications/unsubscribe.html", token=token, label=label, done=True, on=False,
                           email=subscriptions.masked_email(user.email))
