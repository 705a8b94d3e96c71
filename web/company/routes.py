from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from config.reference import INDUSTRIES
from services import companies, introductions, pipeline
from services.errors import ValidationFailed
from services.transitions import DECLINE_REASONS
from web.database import db_session
from web.forms import field_errors, page_number, profile_from_form
from web.login import actor

bp = Blueprint("company", __name__, url_prefix="/company")
PARTNERS_PAGE = 50


@bp.before_request
@login_required
def _members_only():
    """Every page here needs a signed-in user; services check the company scope."""
    return None


@bp.get("/")
def home():
    """The member's company and its proposed partners, best first."""
    company = companies.own_company(db_session(), actor())
    matches = pipeline.page_matches(db_session(), actor(), page=page_number(request.args.get("page")), size=PARTNERS_PAGE)
    return render_template("company/home.html", company=company, matches=matches)


@bp.get("/matches/<int:match_id>")
def match_detail(match_id: int):
    """Why this partner was proposed, the introduction, and — once both accepted — the contact details."""
    view = introductions.partner_view(db_session(), actor(), match_id)
    return render_template("company/match.html", view=view, match=view.match)


@bp.get("/matches/<int:match_id>/decline")
def decline_page(match_id: int):
    """Ask for confirmation and a reason before a company declines its introduction (final)."""
    view = introductions.partner_view(db_session(), actor(), match_id)
    return render_template("company/decline.html", view=view, match=view.match, reasons=DECLINE_REASONS)


@bp.post("/matches/<int:match_id>/respond")
def respond(match_id: int):
    """Accept or decline an introduction; a decline comes from the confirmation page, with its reason."""
    answer, reason = request.form.get("answer", ""), request.form.get("reason") or None
    if answer == "declined" and reason is None:
        return redirect(url_for("company.decline_page", match_id=match_id))
    introductions.respond(db_session(), actor(), match_id, answer, reason=reason, note=request.form.get("note"))
    flash(_("Your answer was saved."), "success")
    return redirect(url_for("company.match_detail", match_id=match_id))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    """Edit one's own profile with the same validation as a bulk import."""
    company = companies.own_company(db_session(), actor())
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            companies.update_own_profile(db_session(), actor(), profile_from_form(request.form, company.kind))
        except ValidationFailed as exc:
            errors = field_errors(exc.detail.get("errors"))
        else:
            flash(_("Your profile was saved."), "success")
            return redirect(url_for("company.profile"))
    record = request.form if request.method == "POST" else companies.profile_record(db_session(), actor())
    return render_template(
        "company/profile.html", company=company, record=record, errors=errors, industries=INDUSTRIES,
    ), (422 if errors else 200)
