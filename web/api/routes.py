from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask_login import current_user
from spectree import Response

from models import Company, Introduction, Match
from services import companies, introductions, pipeline
from web.api import schemas as s
from web.api.spec import spec
from web.capacity import at_capacity
from web.database import db_session
from web.errors import error_response
from web.extensions import csrf
from web.login import actor

bp = Blueprint("api", __name__, url_prefix="/api/v1")
docs_bp = Blueprint("api_docs", __name__)
csrf.exempt(bp)

# Every error the API answers, in the one shape of web/errors.py (spectree's 422 model is replaced
# by the same shape in web/api/spec.py); calls with a body can also be too large or conflict.
ERRORS = {f"HTTP_{status}": s.ErrorOut for status in (400, 401, 403, 404, 422, 429, 503)}
BODY_ERRORS = {**ERRORS, "HTTP_409": s.ErrorOut, "HTTP_413": s.ErrorOut}


@bp.before_request
def _authenticate():
    """401 for anonymous callers; CSRF still applies to cookie sessions (only bearer calls are exempt)."""
    if not current_user.is_authenticated:
        return error_response(401, "auth.required")
    unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
    if unsafe and not g.get("token_auth") and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


def company_json(view: companies.CompanyView) -> dict[str, Any]:
    """A company as services shaped it for the caller; the private fields it withholds are left out."""
    return s.CompanyOut.model_validate(view, from_attributes=True).model_dump(exclude=set(view.hidden))


def party_json(company: Company | companies.CompanyView) -> dict[str, Any]:
    """One side of a pair: public fields only, read from the columns a pair list loads (pipeline.PARTY_COLUMNS)."""
    return s.PartyOut(
        id=company.id, external_id=company.external_id, name=company.name, kind=company.kind, hub=company.hub_key,
        industry=company.industry, language=company.language, certifications=company.certifications or [],
    ).model_dump()


def introduction_json(intro: Introduction | None) -> dict[str, Any] | None:
    if intro is None:
        return None
    return {
        "manufacturer_response": intro.manufacturer_response,
        "supplier_response": intro.supplier_response,
        "both_accepted": intro.both_accepted,
    }


def match_json(match: Match) -> dict[str, Any]:
    explanation = match.explanation or {}
    return {
        "id": match.id, "hub": match.hub_key, "score": match.score, "rank": match.rank, "status": match.status,
        "manufacturer": party_json(match.manufacturer),
        "supplier": {**party_json(match.supplier), "at_capacity": at_capacity(match.supplier)},
        "explanation": {
            "need_matches": list(explanation.get("need_matches", [])),
            "industry_fit": bool(explanation.get("industry_fit", False)),
            "rules": list(explanation.get("rules", [])),
        },
        "introduction": introduction_json(match.introduction),
    }


@bp.get("/me")
@spec.validate(resp=Response(HTTP_200=s.MeOut, **ERRORS), tags=["account"])
def me():
    """The caller's account."""
    user = actor()
    return jsonify(
        id=user.id, email=user.email, name=user.name, role=user.role, hub=user.hub_key,
        company_id=user.company_id, language=user.language,
    )


@bp.get("/companies")
@spec.validate(query=s.CompanyQuery, resp=Response(HTTP_200=s.CompanyList, **ERRORS), tags=["companies"])
def list_companies():
    """Companies in the caller's scope (a hub for staff, one's own company for a member)."""
    query = s.CompanyQuery.model_validate(request.args.to_dict())
    views = companies.company_views(db_session(), actor(), hub_key=query.hub, kind=query.kind)
    return jsonify(items=[company_json(v) for v in views])


@bp.get("/companies/<int:company_id>")
@spec.validate(resp=Response(HTTP_200=s.CompanyOut, **ERRORS), tags=["companies"])
def get_company(company_id: int):
    """One company in scope."""
    return jsonify(company_json(companies.get_company_view(db_session(), actor(), company_id)))


@bp.patch("/companies/<int:company_id>")
@spec.validate(json=s.CompanyPatch, resp=Response(HTTP_200=s.CompanyOut, **BODY_ERRORS), tags=["companies"])
def patch_company(company_id: int):
    """Change one's own profile (members only); validated like an import."""
    changes = s.CompanyPatch.model_validate(request.get_json(silent=True) or {}).model_dump(exclude_unset=True)
    return jsonify(company_json(companies.patch_own_profile(db_session(), actor(), company_id, changes)))


@bp.get("/matches")
@spec.validate(query=s.MatchQuery, resp=Response(HTTP_200=s.MatchList, **ERRORS), tags=["matches"])
def list_matches():
    """Pairs in the caller's scope, best first, with explanations; `page` and `per_page` (at most 200) page them."""
    query = s.MatchQuery.model_validate(request.args.to_dict())
    filters = pipeline.PairFilters(
        industry=query.industry, certification=query.certification, language=query.language,
        min_score=query.min_score, status=query.status,
    )
    page = pipeline.page_matches(db_session(), actor(), hub_key=query.hub, filters=filters, page=query.page,
                                 size=query.per_page)
    return jsonify(items=[match_json(m) for m in page], page=page.number, per_page=page.size, total=page.total)


@bp.get("/matches/<int:match_id>")
@spec.validate(resp=Response(HTTP_200=s.MatchOut, **ERRORS), tags=["matches"])
def get_match(match_id: int):
    """One pair with its explanation."""
    return jsonify(match_json(pipeline.get_match(db_session(), actor(), match_id)))


@bp.get("/matches/<int:match_id>/history")
@spec.validate(resp=Response(HTTP_200=s.HistoryOut, **ERRORS), tags=["pipeline"])
def match_history(match_id: int):
    """Every pipeline move of a pair."""
    rows = pipeline.history(db_session(), actor(), match_id)
    return jsonify(items=[
        {"from_status": t.from_status, "to_status": t.to_status, "actor_id": t.actor_id, "note": t.note, "at": t.at.isoformat()}
        for t in rows
    ])


@bp.post("/matches/<int:match_id>/move")
@spec.validate(json=s.MoveIn, resp=Response(HTTP_200=s.MatchOut, **BODY_ERRORS), tags=["pipeline"])
def move(match_id: int):
    """Move a pair through the pipeline (hub coordinator or admin)."""
    body = s.MoveIn.model_validate(request.get_json(silent=True) or {})
    return jsonify(match_json(pipeline.move(db_session(), actor(), match_id, body.to, note=body.note,
                                            reason=body.reason)))


@bp.get("/matches/<int:match_id>/introduction")
@spec.validate(resp=Response(HTTP_200=s.PartnerOut, **ERRORS), tags=["introductions"])
def introduction(match_id: int):
    """The other side of a member's pair; contact details and confidential notes only after both accepted (audited)."""
    view = introductions.partner_view(db_session(), actor(), match_id)
    return jsonify(
        match_id=view.match.id, side=view.side, partner=party_json(view.partner),
        introduction=introduction_json(view.introduction), revealed=view.revealed,
        contact_email=view.contact_email, website=view.website, confidential_notes=view.confidential_notes,
    )


@bp.post("/matches/<int:match_id>/introduction")
@spec.validate(json=s.AnswerIn, resp=Response(HTTP_200=s.IntroductionOut, **BODY_ERRORS), tags=["introductions"])
def answer_introduction(match_id: int):
    """Accept or decline an introduction (a member of either side)."""
    body = s.AnswerIn.model_validate(request.get_json(silent=True) or {})
    return jsonify(introduction_json(introductions.respond(db_session(), actor(), match_id, body.answer,
                                                           reason=body.reason, note=body.note)))


@docs_bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document, generated from the decorated API views."""
    return jsonify(spec.spec)
