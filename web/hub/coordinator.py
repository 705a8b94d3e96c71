"""A coordinator's hands-on tools: propose a pair by hand, ask why a pair was not proposed, edit a company.

Routes of the hub blueprint (`web.hub.routes.bp`); the services check the hub scope and audit.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from config.reference import INDUSTRIES
from services import company_editing, proposals
from services.errors import NotFound, ValidationFailed
from web.database import db_session, runtime
from web.forms import field_errors, profile_from_form, row_id
from web.hub.routes import bp
from web.login import actor


def _review(hub_key: str, manufacturer_id: int | None, supplier_id: int | None) -> proposals.PairReview | None:
    """The engine's view of the chosen pair, or None until both sides are chosen."""
    if manufacturer_id is None or supplier_id is None:
        return None
    return proposals.review_pair(db_session(), actor(), hub_key, manufacturer_id, supplier_id, matcher=runtime().matcher)


@bp.get("/propose")
def propose_page(hub_key: str):
    """Pick a manufacturer of this hub and a supplier; see the engine's score and explanation; confirm below."""
    manufacturers, suppliers = proposals.choices(db_session(), actor(), hub_key)
    manufacturer_id, supplier_id = row_id(request.args.get("manufacturer")), row_id(request.args.get("supplier"))
    return render_template("hub/propose.html", hub_key=hub_key, manufacturers=manufacturers, suppliers=suppliers,
                           manufacturer_id=manufacturer_id, supplier_id=supplier_id,
                           review=_review(hub_key, manufacturer_id, supplier_id), why=False)


@bp.post("/propose")
def propose(hub_key: str):
    """Put the reviewed pair into the pipeline as proposed (a declined one is reopened)."""
    manufacturer_id, supplier_id = row_id(request.form.get("manufacturer")), row_id(request.form.get("supplier"))
    if manufacturer_id is None or supplier_id is None:
        raise NotFound("company.not_found")
    match, changed = proposals.propose_pair(db_session(), actor(), hub_key, manufacturer_id, supplier_id,
                                            matcher=runtime().matcher, note=request.form.get("note"))
    pair = f"{match.manufacturer.name} ↔ {match.supplier.name}"
    if changed:
        flash(_("%(pair)s is proposed.", pair=pair), "success")
    else:
        flash(_("%(pair)s is already in the pipeline.", pair=pair), "info")
    return redirect(url_for("hub.match_detail", hub_key=hub_key, match_id=match.id))


@bp.get("/companies/<int:company_id>/why-not")
def why_not(hub_key: str, company_id: int):
    """Why the engine did not propose a supplier to this manufacturer: its score, the needs, the rules, in words."""
    manufacturer = proposals.manufacturer_of(db_session(), actor(), hub_key, company_id)
    manufacturers, suppliers = proposals.choices(db_session(), actor(), hub_key)
    supplier_id = row_id(request.args.get("supplier"))
    return render_template("hub/propose.html", hub_key=hub_key, manufacturers=manufacturers, suppliers=suppliers,
                           manufacturer=manufacturer, manufacturer_id=company_id, supplier_id=supplier_id,
                           review=_review(hub_key, company_id, supplier_id), why=True)


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
def edit_company(hub_key: str, company_id: int):
    """Edit a company of this hub with the profile form's validation (its confidential notes stay as they are)."""
    company = company_editing.staff_company(db_session(), actor(), hub_key, company_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            company_editing.update_company(db_session(), actor(), hub_key, company_id,
                                           profile_from_form(request.form, company.kind))
        except ValidationFailed as exc:
            db_session().rollback()
            errors = field_errors(exc.detail.get("errors"))
        else:
            flash(_("%(name)s was saved.", name=company.name), "success")
            return redirect(url_for("hub.company_detail", hub_key=hub_key, company_id=company_id))
    record = request.form if request.method == "POST" else company_editing.edit_record(db_session(), actor(), hub_key,
                                                                                        company_id)
    return render_template("hub/edit_company.html", hub_key=hub_key, company=company, record=record, errors=errors,
                           industries=INDUSTRIES), (422 if errors else 200)
