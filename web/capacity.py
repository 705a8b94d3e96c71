"""Pages mark a supplier at capacity this month; the count behind it runs once per request (services.capacity)."""
from __future__ import annotations

from typing import Any

from flask import g

from services.capacity import suppliers_at_capacity
from web.database import db_session


def at_capacity(company: Any) -> bool:
    """Whether this supplier (a Company row or view; anything with an `id`) has no room for new introductions."""
    full = g.get("_dxmatch_at_capacity")
    if full is None:
        full = g._dxmatch_at_capacity = frozenset(suppliers_at_capacity(db_session()))
    return getattr(company, "id", None) in full
