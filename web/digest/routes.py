from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from services import subscriptions
from services.errors import DomainError
from web.database import db_session
from web.extensions import csrf
from web.login import actor

bp = Blueprint("digest", __name__, url_prefix="/digest")


@bp.post("/subscribe")
@login_required
def subscribe():
    """Turn the weekly digest on."""
    subscriptions.subscribe(db_session(), actor())
    flash(_("You will receive the weekly digest."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/unsubscribe")
@login_required
def unsubscribe_me():
    """Turn the weekly digest off from the account page."""
    sub = subscriptions.subscription_for(db_session(), actor())
    if sub is not None:
        subscriptions.unsubscribe(db_session(), sub.id, actor=actor())
    flash(_("You will no longer receive the weekly digest."), "info")
    return redirect(url_for("auth.account"))


def _subscription_id(token: str) -> int:
    """The subscription a signed link names (404 for a bad or unknown token)."""
    try:
        from services.digest import verify_unsubscribe_token
    except ImportError:
        abort(404)
    try:
        return verify_unsubscribe_token(token, current_app.config["DXMATCH_SETTINGS"])
    except (DomainError, ValueError):
        abort(404)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the credential; RFC 8058 one-click POSTs carry no CSRF token
def unsubscribe(token: str):
    """GET asks for confirmation; POST (the form or a mail client's one-click) unsubscribes."""
    subscription_id = _subscription_id(token)
    if request.method == "GET":
        sub = subscriptions.subscription_by_id(db_session(), subscription_id)
        return render_template("digest/unsubscribe.html", token=token, subscription=sub, done=False,
                               email=subscriptions.masked_email(sub.user.email))
    sub = subscriptions.unsubscribe(db_session(), subscription_id)
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("digest/unsubscribe.html", token=token, subscription=sub, done=True)
