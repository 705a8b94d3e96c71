"""One error handler: domain errors and HTTP errors become a JSON error shape or an HTML page."""
from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from services.errors import DomainError
from web.i18n import translate_reason


def wants_json() -> bool:
    """API and machine endpoints answer errors in JSON."""
    return request.path.startswith("/api/") or request.path in ("/openapi.json", "/healthz")


def error_response(status: int, message: str, **extra: object) -> Response:
    """The one error shape: {"error": {"status": N, "message": "..."}} (plus field errors when any)."""
    body: dict[str, object] = {"status": status, "message": message}
    body.update({k: v for k, v in extra.items() if v})
    response = jsonify({"error": body})
    response.status_code = status
    return response


def handle_error(exc: Exception) -> Response | tuple[str, int]:
    if isinstance(exc, DomainError):
        status, message, errors = exc.status, exc.message, exc.detail.get("errors")
    elif isinstance(exc, CSRFError):
        status, message, errors = 400, "CSRF token missing or invalid", None
    elif isinstance(exc, HTTPException):
        status, message, errors = exc.code or 500, exc.name, None
        if exc.response is not None and exc.code is None:
            return exc.response
    else:  # pragma: no cover - programming errors
        raise exc
    if wants_json():
        return error_response(status, message, errors=errors)
    return render_template("error.html", status=status, message=translate_reason(message), errors=errors), status


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_error)
    app.register_error_handler(HTTPException, handle_error)

