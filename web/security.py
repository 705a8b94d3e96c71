"""Security headers on every response."""
from __future__ import annotations

from flask import Flask, Response, g, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


# Pages whose URL is itself a credential (a signed or single-use link): never kept by a browser or proxy cache.
NO_STORE_ENDPOINTS = frozenset({"auth.reset_password", "digest.unsubscribe"})


def _signed_in() -> bool:
    """Whether this request was made by a signed-in user or a bearer token (without loading anyone here)."""
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)


def security_headers(response: Response) -> Response:
    """CSP without inline script, nosniff, no framing, a strict referrer, HSTS over HTTPS; nothing of a
    signed-in user's (new token, revealed contacts, introductions) stays in a cache."""
    if request.endpoint != "static" and (_signed_in() or request.endpoint in NO_STORE_ENDPOINTS):
        response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    app.after_request(security_headers)
