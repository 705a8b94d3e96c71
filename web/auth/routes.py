from __future__ import annotations

import hashlib
import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from config.reference import HUBS
from services import auth, registration, subscriptions
from services.errors import ValidationFailed
from services.mailer import mailer_from_settings
from web.database import db_session
from web.extensions import limiter
from web.forms import field_errors, profile_from_form, safe_next
from web.login import actor, clear_session, start_session

bp = Blueprint("auth", __name__)
security_log = logging.getLogger("dxmatch.security")


def _limit(name: str):
    """A rate limit read from the app config when the request comes (tests and operators can change it)."""
    return lambda: current_app.config[name]


def _email_key() -> str:
    """Per-account limits count by the address tried, whichever IP address it comes from."""
    return "account:" + auth.normalise_email(request.form.get("email", ""))[:254]


def _mail_deps() -> dict:
    settings = current_app.config["DXMATCH_SETTINGS"]
    return {"mailer": mailer_from_settings(settings), "settings": settings}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_limit("LOGIN_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=_email_key,
               deduct_when=lambda response: response.status_code != 302)
def login():
    """E-mail and password sign-in."""
    error = None
    if request.method == "POST":
        user = auth.authenticate(db_session(), request.form.get("email", ""), request.form.get("password", ""))
        if user is not None:
            auth.record_sign_in(db_session(), user)
            start_session(user)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        # never the address itself (people type passwords into it) nor the password: a short fingerprint to correlate
        tried = hashlib.sha256(auth.normalise_email(request.form.get("email", "")).encode()).hexdigest()[:12]
        security_log.warning("sign-in failed: account fingerprint %s from %s", tried, request.remote_addr)
        error = _("Wrong e-mail or password.")
    return render_template("auth/login.html", error=error, email=request.form.get("email", ""))


@bp.post("/logout")
def logout():
    """End the session here and every copy of its cookie (the user's session version moves on)."""
    if current_user.is_authenticated:
        auth.sign_out(db_session(), actor())
    logout_user()
    clear_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_limit("REGISTER_RATE_LIMIT"), methods=["POST"])
def register():
    """A company signs itself up; it stays pending until the hub coordinator approves it.

    A new address and one that already has an account get the same answer (its holder is mailed).
    """
    errors: dict[str, list[str]] = {}
    form = request.form
    if request.method == "POST":
        kind = form.get("kind", "")
        data = {**profile_from_form(form, kind if kind in ("manufacturer", "supplier") else "manufacturer"), "kind": kind, "hub": form.get("hub", "")}
        try:
            registration.register(
                db_session(), data, email=form.get("email", ""), password=form.get("password", ""),
                name=form.get("contact_name", ""), language=str(session.get("lang") or "ko"),
                digest=bool(form.get("digest")), **_mail_deps(),
            )
        except ValidationFailed as exc:
            errors = field_errors(exc.detail.get("errors"))
        else:
            flash(_("Thank you. We sent you an e-mail; sign in to follow your registration, which your hub "
                    "coordinator will review."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form, errors=errors, hubs=HUBS), (422 if errors else 200)


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_limit("RESET_RATE_LIMIT"), methods=["POST"], key_func=_email_key)
def request_reset():
    """Ask for a reset link by e-mail; the answer is the same whether the address has an account or not."""
    if request.method == "POST":
        registration.request_password_reset(db_session(), request.form.get("email", ""), **_mail_deps())
    return render_template("auth/reset_request.html", sent=request.method == "POST")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_RATE_LIMIT"), methods=["POST"])
def reset_password(token: str):
    """Choose a new password through a mailed link (single use, one hour); every session of the account ends."""
    errors: dict[str, list[str]] = {}
    if auth.user_for_reset_token(db_session(), token) is None:
        return render_template("auth/reset_password.html", token=None, errors=errors), 404
    if request.method == "POST":
        try:
            if request.form.get("password", "") != request.form.get("password_again", ""):
                raise ValidationFailed("password.invalid", errors=[{"field": "password_again", "reason": "passwords do not match"}])
            auth.reset_password(db_session(), token, request.form.get("password", ""))
        except ValidationFailed as exc:
            errors = field_errors(exc.detail.get("errors"))
        else:
            flash(_("Your password was changed. Please sign in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", token=token, errors=errors), (422 if errors else 200)


@bp.get("/account")
@login_required
def account():
    """Language, API token and digest subscription of the signed-in user."""
    sub = subscriptions.subscription_for(db_session(), actor())
    return render_template("auth/account.html", subscription=sub, new_token=None, errors={})


@bp.post("/account/password")
@login_required
@limiter.limit(_limit("LOGIN_RATE_LIMIT"))
def change_password():
    """A new password for the signed-in user (the current one first); other sessions end, this one goes on."""
    try:
        if request.form.get("password", "") != request.form.get("password_again", ""):
            raise ValidationFailed("password.invalid", errors=[{"field": "password_again", "reason": "passwords do not match"}])
        auth.change_password(db_session(), actor(), request.form.get("current_password", ""),
                             request.form.get("password", ""))
    except ValidationFailed as exc:
        sub = subscriptions.subscription_for(db_session(), actor())
        return render_template("auth/account.html", subscription=sub, new_token=None,
                               errors=field_errors(exc.detail.get("errors"))), 422
    start_session(actor())  # this browser carries the new session version; copies of the old cookie do not
    flash(_("Your password was changed. Other sessions were signed out."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/token")
@login_required
def create_token():
    """Issue a new API token; it is shown exactly once."""
    token = auth.issue_api_token(db_session(), actor())
    sub = subscriptions.subscription_for(db_session(), actor())
    return render_template("auth/account.html", subscription=sub, new_token=token, errors={})


@bp.post("/account/token/revoke")
@login_required
def revoke_token():
    """Forget the API token."""
    auth.revoke_api_token(db_session(), actor())
    flash(_("Your API token was revoked."), "info")
    return redirect(url_for("auth.account"))
