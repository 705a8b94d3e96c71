"""The audit page, shared by a hub's staff (their hub) and admins (every hub)."""
from __future__ import annotations

from flask import render_template, request

from services import audit
from web.database import db_session
from web.forms import day, page_number, row_id
from web.login import actor


def audit_filters() -> audit.AuditFilters:
    """The request's audit filters (the page and its export read the same); bad values mean no filter."""
    args = request.args
    return audit.AuditFilters(action=args.get("action") or None, actor_id=row_id(args.get("who")),
                              since=day(args.get("since")), until=day(args.get("until")),
                              order=audit.audit_order(args.get("order")))


def audit_page(hub_key: str | None) -> str:
    """The audit page of one hub, or of every hub for an admin (`hub_key` None)."""
    filters = audit_filters()
    events = audit.page_events(db_session(), actor(), hub_key=hub_key, filters=filters,
                               page=page_number(request.args.get("page")))
    return render_template(
        "audit.html", hub_key=hub_key, events=events, filters=filters,
        people=audit.actors(db_session(), actor(), hub_key=hub_key),
        company_names=audit.company_names(db_session(), events.items),
        pair_names=audit.pair_names(db_session(), events.items), action=filters.action or "",
    )
