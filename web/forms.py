"""Turning HTML form posts into the plain dicts services take (profiles use the import format)."""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

from services.profile_schema import whole_number

LIST_FIELDS = ("needs", "capabilities", "references")
TEXT_FIELDS = ("name", "language", "summary", "description", "contact_email", "website", "industry", "confidential_notes")


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login or a form post."""
    if not target:
        return None
    parts = urlsplit(target)
    # a backslash or control character can turn "/\\host" into "//host" in a browser: never followed
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(c) < 32 for c in target):
        return None
    return target


def page_number(value: str | None) -> int:
    """A `?page=` value as a page number from 1; anything else is the first page (services clamp the end)."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 7 and int(value) > 0 else 1


def lines(value: str | None) -> list[str]:
    """One item per non-empty line."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def profile_from_form(form: MultiDict, kind: str) -> dict[str, Any]:
    """The profile-format record of a profile form (blank fields left out)."""
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = (form.get(name) or "").strip()
        if value:
            data[name] = value
    for name in ("employees", "monthly_capacity"):
        count = (form.get(name) or "").strip()
        if count:  # "1,200" and "-1" are numbers (the schema names the range); anything else goes on as typed
            number = whole_number(count.removeprefix("-"))
            data[name] = count if number is None else -number if count.startswith("-") else number
    if kind == "manufacturer":
        data["needs"] = lines(form.get("needs"))
        data["requires_security_certification"] = form.get("requires_security_certification") == "on"
        for key in ("capabilities", "references", "monthly_capacity"):
            data.pop(key, None)
    else:
        data["capabilities"] = lines(form.get("capabilities"))
        data["references"] = lines(form.get("references"))
        data["industries_served"] = form.getlist("industries_served")
        data["certifications"] = [c.strip() for c in (form.get("certifications") or "").replace("\n", ",").split(",") if c.strip()]
        data.pop("industry", None)
        data.pop("confidential_notes", None)
    return data


def field_errors(errors: list[dict[str, Any]] | None) -> dict[str, list[str]]:
    """Group service field errors by form field (`needs[2]` → `needs`)."""
    grouped: dict[str, list[str]] = {}
    for error in errors or []:
        field = str(error.get("field", "")).split("[")[0].split(".")[0] or "_form"
        grouped.setdefault(field, []).append(str(error.get("reason", "")))
    return grouped


def day(value: str | None) -> date | None:
    """A YYYY-MM-DD form value as a date; anything else (empty, malformed, out of range) as no date."""
    try:
        return date.fromisoformat((value or "").strip()) if value and value.strip() else None
    except ValueError:
        return None


def row_id(value: str | None) -> int | None:
    """A positive database id from a form value, or None (never a number the database cannot hold)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None

