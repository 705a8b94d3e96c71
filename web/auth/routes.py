from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from dxmatch.config import HUBS
from services import auth, companies, subscriptions
from services.errors import ValidationFailed
from web.database import db_session
from web.extensions import limiter
from web.forms import field_errors, profile_from_form, safe_next
from web.login import CurrentUser, actor

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _start_session(user) -> None:
    """Rotate: drop everything from the anonymous session, keep only the language choice."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(CurrentUser(user))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """E-mail and password sign-in."""
    error = None
    if request.method == "POST":
        user = auth.authenticate(db_session(), request.form.get("email", ""), request.form.get("password", ""))
        if user is not None:
            _start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        error = _("Wrong e-mail or password.")
    return render_template("auth/login.html", error=error, email=request.form.get("email", ""))


@bp.post("/logout")
def logout():
    """End the session."""
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """A company signs itself up; it stays pending until the hub coordinator approves it."""
    errors: dict[str, list[str]] = {}
    form = request.form
    if request.method == "POST":
        kind = form.get("kind", "")
        data = {**profile_from_form(form, kind if kind in ("manufacturer", "supplier") else "manufacturer"), "kind": kind, "hub": form.get("hub", "")}
        try:
            _company, user = companies.register_company(
                db_session(), data, email=form.get("email", ""), password=form.get("password", ""),
                name=form.get("contact_name", ""), language=str(session.get("lang") or "ko"),
            )
        except ValidationFailed as exc:
            errors = field_errors(exc.detail.get("errors"))
        else:
            _start_session(user)
            flash(_("Thank you. Your hub coordinator will review your registration."), "success")
            return redirect(url_for("company.home"))
    return render_template("auth/register.html", form=form, errors=errors, hubs=HUBS), (422 if errors else 200)


@bp.get("/account")
@login_required
def account():
    """Language, API token and digest subscription of the signed-in user."""
    sub = subscriptions.subscription_for(db_session(), actor())
    return render_template("auth/account.html", subscription=sub, new_token=None)


@bp.post("/account/token")
@login_required
def create_token():
    """Issue a new API token; it is shown exactly once."""
    token = auth.issue_api_token(db_session(), actor())
    sub = subscriptions.subscription_for(db_session(), actor())
    return render_template("auth/account.html", subscription=sub, new_token=token)


@bp.post("/account/token/revoke")
@login_required
def revoke_token():
    """Forget the API token."""
    auth.revoke_api_token(db_session(), actor())
    flash(_("Your API token was revoked."), "info")
    return redirect(url_for("auth.account"))
