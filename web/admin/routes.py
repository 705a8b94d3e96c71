from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from services import dashboard
from web.audit_page import audit_page
from web.database import db_session
from web.login import actor

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user; services check the admin role."""
    return None


@bp.get("/")
def index():
    """All hubs with their company and pair counts."""
    return render_template("admin/index.html", hubs=dashboard.hubs_summary(db_session(), actor()))


@bp.get("/audit")
def audit_log():
    """The audit trail of every hub, newest first."""
    return audit_page(None)
