from __future__ import annotations

import io
import math
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask import session as web_session
from flask_babel import gettext as _
from flask_login import login_required

from config.reference import INDUSTRIES
from services import access, companies, dashboard, exports, gaps, imports, jobs, matching, pair_notes, pipeline, proposals, search
from services.errors import Conflict, NotFound, ValidationFailed
from web.database import db_session, runtime
from web.forms import page_number, safe_next
from web.audit_page import audit_filters, audit_page
from web.i18n import lang
from web.login import actor

bp = Blueprint("hub", __name__, url_prefix="/hub/<hub_key>")
FILTER_OPTIONS = "dxmatch.filter_options"
bp.record_once(lambda state: state.app.extensions.setdefault(FILTER_OPTIONS, dashboard.FilterOptions()))


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user; services check the hub scope."""
    return None


def _percent(value: str | None, default: float | None) -> float | None:
    """A 0-100 query value as a 0-1 fraction, clamped; the default when absent or not a finite number."""
    try:
        fraction = float(value or "") / 100
    except ValueError:
        return default
    return min(max(fraction, 0.0), 1.0) if math.isfinite(fraction) else default


def _filters() -> pipeline.PairFilters:
    args = request.args
    min_score = _percent(args.get("min_score"), None)
    status = args.get("status") or "proposed"
    return pipeline.PairFilters(
        industry=args.get("industry") or None,
        certification=args.get("certification") or None,
        language=args.get("language") or None,
        min_score=min_score,
        status=None if status == "all" else status,
        sort=pipeline.pair_sort(args.get("sort")),
    )


@bp.get("/")
def overview(hub_key: str):
    """Counts, registrations to review, companies and the best proposed pairs (filterable)."""
    overview = dashboard.hub_overview(db_session(), actor(), hub_key, _filters(), page=page_number(request.args.get("page")),
                                      companies_page=page_number(request.args.get("companies_page")),
                                      companies_sort=dashboard.company_sort(request.args.get("companies_sort")),
                                      options=current_app.extensions[FILTER_OPTIONS])
    return render_template(
        "hub/dashboard.html", hub_key=hub_key, overview=overview, industries=INDUSTRIES, args=request.args,
        allowed_moves=pipeline.allowed_moves, matching_jobs=jobs.hub_jobs(db_session(), actor(), hub_key),
        sort=pipeline.pair_sort(request.args.get("sort")), sorts=pipeline.PAIR_SORTS,
        companies_sort=dashboard.company_sort(request.args.get("companies_sort")), company_sorts=dashboard.COMPANY_SORTS,
    )


@bp.get("/jobs")
def jobs_status(hub_key: str):
    """What the matching worker is doing for this hub (the dashboard polls it to show progress)."""
    return {"jobs": [{"id": j.id, "status": j.status, "progress": j.progress}
                     for j in jobs.hub_jobs(db_session(), actor(), hub_key)]}


@bp.get("/search")
def search_page(hub_key: str):
    """Free-text search: suppliers that can do something, or this hub's manufacturers that need it."""
    query = request.args.get("q", "")
    kind = request.args.get("kind") if request.args.get("kind") in search.KINDS else "supplier"
    sort = search.search_sort(request.args.get("sort"))
    hits = search.page_search(db_session(), actor(), hub_key, query, kind, page=page_number(request.args.get("page")),
                              sort=sort, matcher=runtime().matcher)
    return render_template("hub/search.html", hub_key=hub_key, query=query, kind=kind, sort=sort,
                           sorts=search.SEARCH_SORTS, hits=hits if query.strip() else None,
                           max_results=search.MAX_RESULTS)


@bp.get("/pipeline")
def board(hub_key: str):
    """The pipeline board: one column per state, move buttons on each card."""
    pages = {state: page_number(request.args.get(f"{state}_page")) for state in pipeline.PIPELINE_STATES}
    sort = pipeline.pair_sort(request.args.get("sort"))
    columns = pipeline.board(db_session(), actor(), hub_key, pages, sort)
    return render_template("hub/pipeline.html", hub_key=hub_key, columns=columns, allowed_moves=pipeline.allowed_moves,
                           sort=sort, sorts=pipeline.PAIR_SORTS)


@bp.get("/pipeline/<state>")
def column(hub_key: str, state: str):
    """One pipeline column in full: every pair of that state, paged and sorted, with its export."""
    if state not in pipeline.PIPELINE_STATES:
        raise NotFound("pipeline.unknown_state")
    sort = pipeline.pair_sort(request.args.get("sort"))
    pairs = pipeline.page_matches(db_session(), actor(), hub_key=hub_key, filters=pipeline.PairFilters(status=state, sort=sort),
                                  page=page_number(request.args.get("page")), size=dashboard.PAIRS_PAGE)
    return render_template("hub/column.html", hub_key=hub_key, state=state, pairs=pairs, sort=sort,
                           sorts=pipeline.PAIR_SORTS, allowed_moves=pipeline.allowed_moves)


@bp.get("/matches/<int:match_id>")
def match_detail(hub_key: str, match_id: int):
    """A pair: both companies, the explanation, the introduction and the pipeline history."""
    match, history = pipeline.match_with_history(db_session(), actor(), match_id, hub_key=hub_key)
    return render_template(
        "hub/match.html", hub_key=hub_key, match=match, history=history, allowed_moves=pipeline.allowed_moves(match),
        notes=pair_notes.list_notes(db_session(), actor(), match_id, hub_key), max_note=pair_notes.MAX_NOTE,
    )


@bp.post("/matches/<int:match_id>/notes")
def add_note(hub_key: str, match_id: int):
    """An internal note on the pair (hub staff only; the companies never see it)."""
    try:
        pair_notes.add_note(db_session(), actor(), match_id, hub_key, request.form.get("body", ""))
        flash(_("Note added."), "success")
    except ValidationFailed as exc:
        db_session().rollback()
        flash(exc.text(_), "error")
    return redirect(url_for("hub.match_detail", hub_key=hub_key, match_id=match_id) + "#notes-h")


@bp.get("/matches/<int:match_id>/decline")
def decline_page(hub_key: str, match_id: int):
    """Ask for confirmation and a reason before a pair is declined."""
    match = pipeline.get_match(db_session(), actor(), match_id, hub_key=hub_key)
    return render_template("hub/decline.html", hub_key=hub_key, match=match, next=safe_next(request.args.get("next")),
                           reasons=pipeline.DECLINE_REASONS)


@bp.post("/matches/<int:match_id>/move")
def move(hub_key: str, match_id: int):
    """Move a pair to the next state, to declined (with a reason) or back from declined.

    A move the pair cannot make now is explained on the page it came from instead of an error page.
    """
    back = safe_next(request.form.get("next")) or url_for("hub.match_detail", hub_key=hub_key, match_id=match_id)
    to = request.form.get("to", "")
    try:
        match = pipeline.move(db_session(), actor(), match_id, to, note=request.form.get("note"), hub_key=hub_key,
                              reason=request.form.get("reason") or None)
    except ValidationFailed as exc:
        if to != "declined":
            raise  # an unknown state is bad input: a 4xx, as everywhere
        db_session().rollback()
        flash(exc.text(_), "error")
        return redirect(url_for("hub.decline_page", hub_key=hub_key, match_id=match_id, next=back))
    except Conflict as exc:
        db_session().rollback()
        flash(exc.text(_), "error")
        return redirect(back)
    flash(_("%(pair)s moved to %(state)s.", pair=f"{match.manufacturer.name} ↔ {match.supplier.name}", state=_status(match.status)), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("hub.board", hub_key=hub_key))


def _status(state: str) -> str:
    from web.i18n import status_label

    return status_label(state)


@bp.post("/companies/<int:company_id>/review")
def review(hub_key: str, company_id: int):
    """Approve a pending registration, or reject it from the confirmation page with a reason."""
    decision, reason = request.form.get("decision", ""), request.form.get("reason") or None
    if decision == "reject" and reason is None:
        return redirect(url_for("hub.reject_page", hub_key=hub_key, company_id=company_id))
    company = companies.review_company(db_session(), actor(), company_id, decision, hub_key=hub_key, reason=reason,
                                       note=request.form.get("note"))
    flash(_("%(name)s: %(state)s", name=company.name, state=_status(company.status)), "success")
    return redirect(url_for("hub.overview", hub_key=hub_key))


@bp.get("/companies/<int:company_id>/reject")
def reject_page(hub_key: str, company_id: int):
    """Ask for confirmation and a reason before a registration is rejected."""
    company = companies.get_company_view(db_session(), actor(), company_id, hub_key=hub_key)
    return render_template("hub/reject.html", hub_key=hub_key, company=company, reasons=companies.REJECT_REASONS)


@bp.get("/companies/<int:company_id>")
def company_detail(hub_key: str, company_id: int):
    """A company's profile, its pairs in this hub (paged, sorted) and the coordinator's tools: edit, propose, why not."""
    company = companies.get_company_view(db_session(), actor(), company_id, hub_key=hub_key)
    sort = pipeline.pair_sort(request.args.get("sort"))
    pairs = pipeline.page_matches(db_session(), actor(), hub_key=hub_key,
                                  filters=pipeline.PairFilters(company_id=company.id, sort=sort),
                                  page=page_number(request.args.get("page")), size=dashboard.PAIRS_PAGE)
    suppliers = proposals.choices(db_session(), actor(), hub_key)[1] if company.kind == "manufacturer" else []
    return render_template("hub/company.html", hub_key=hub_key, company=company, pairs=pairs, sort=sort,
                           sorts=pipeline.PAIR_SORTS, suppliers=suppliers,
                           allowed_moves=pipeline.allowed_moves)


@bp.post("/recompute")
def recompute(hub_key: str):
    """Re-run the matcher now."""
    pipeline.recompute(db_session(), actor(), hub_key)
    flash(_("Recomputing matches in the background. The pairs update when it is done."), "success")
    return redirect(url_for("hub.overview", hub_key=hub_key))


PREVIEW_KEY = "dxmatch.import_preview"  # the session's note of a previewed file: its token, hub and name


def _preview_folder() -> Path:
    return current_app.config["DXMATCH_SETTINGS"].instance_dir / "import-previews"


@bp.route("/import", methods=["GET", "POST"])
def import_page(hub_key: str):
    """Upload an .xlsx, CSV or JSONL file of profiles (or preview it first); row errors are listed, an unreadable file is a 400."""
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        name, data = (upload.filename or "", upload.read()) if upload else ("", b"")
        if request.form.get("action") == "preview":
            report = imports.preview_upload(db_session(), actor(), hub_key, name, data, _preview_folder())
            if report.token:
                web_session[PREVIEW_KEY] = {"token": report.token, "hub": hub_key, "name": name[:200]}
        else:
            report = imports.import_upload(db_session(), actor(), hub_key, name, data)
    else:
        access.require_hub(actor(), hub_key)
    return _import_result(hub_key, report)


@bp.post("/import/confirm")
def import_confirm(hub_key: str):
    """Import the file the coordinator just previewed (kept on the server, named in the signed session)."""
    kept = web_session.pop(PREVIEW_KEY, None) or {}
    if kept.get("hub") != hub_key:
        kept = {}
    report = imports.confirm_preview(db_session(), actor(), hub_key, str(kept.get("name", "")), _preview_folder(),
                                     str(kept.get("token", "")))
    return _import_result(hub_key, report)


def _import_result(hub_key: str, report: imports.UploadReport | None):
    status = 400 if report is not None and report.unreadable else 200
    return render_template("hub/import.html", hub_key=hub_key, report=report), status


@bp.get("/import/template")
def import_template(hub_key: str):
    """The import sheet to fill in (?format=xlsx|csv): the contract's columns and one example row in the page's language."""
    file = exports.import_template(actor(), hub_key, request.args.get("format", "xlsx"), language=lang())
    return send_file(io.BytesIO(file.content), mimetype=file.mimetype, as_attachment=True, download_name=file.filename)


@bp.get("/gaps")
def gaps_page(hub_key: str):
    """Needs no supplier covers well, grouped by theme, as a bar chart."""
    threshold = _percent(request.args.get("threshold"), gaps.UNMET_NEED_THRESHOLD)
    embed = matching.text_embedder(current_app.config["DXMATCH_SETTINGS"])
    groups = gaps.supply_gaps(db_session(), hub_key, threshold, actor=actor(), embed=embed)
    return render_template("hub/gaps.html", hub_key=hub_key, groups=groups, threshold=threshold)


@bp.get("/audit")
def audit_log(hub_key: str):
    """The hub's audit trail, newest first, a page at a time, by action, person and days."""
    return audit_page(hub_key)


@bp.get("/export/<name>")
def export(hub_key: str, name: str):
    """A list of the hub (pairs with the dashboard's filters, companies, pipeline, audit) as ?format=csv|xlsx."""
    file = exports.export_list(db_session(), actor(), hub_key, name, request.args.get("format", "csv"), language=lang(),
                               filters=_filters(), audit_filters=audit_filters(),
                               companies_sort=dashboard.company_sort(request.args.get("companies_sort")))
    return send_file(io.BytesIO(file.content), mimetype=file.mimetype, as_attachment=True, download_name=file.filename)
