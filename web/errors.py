"""One error handler: domain errors and HTTP errors become a JSON error shape or an HTML page."""
from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
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


def _passed_on_headers(exc: Exception) -> dict[str, str]:
    """Headers an HTTP error must keep in any shape (`Allow` of a 405, `Retry-After` of a 429)."""
    if not isinstance(exc, HTTPException):
        return {}
    return {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after", "www-authenticate")}


def handle_error(exc: Exception) -> Response | tuple[str, int, dict[str, str]]:
    if isinstance(exc, DomainError):
        status, message, errors = exc.status, exc.message, exc.detail.get("errors")
    elif isinstance(exc, CSRFError):
        status, message, errors = 400, "CSRF token missing or invalid", None
    elif isinstance(exc, HTTPException):
        status, message, errors = exc.code or 500, exc.name, None
        if exc.response is not None and exc.code is None:
            return exc.response
    elif isinstance(exc, DBAPIError) and (exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))):
        return _database_unavailable(exc)
    elif isinstance(exc, ValidationError):  # a request shape checked in a view (e.g. a non-JSON API body)
        status, message = 422, "invalid request"
        errors = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "reason": e["msg"]} for e in exc.errors()]
    else:  # pragma: no cover - programming errors
        raise exc
    headers = _passed_on_headers(exc)
    if wants_json():
        response = error_response(status, message, errors=errors)
        response.headers.update(headers)
        return response
    return render_template("error.html", status=status, message=translate_reason(message), errors=errors), status, headers


DATABASE_UNAVAILABLE = "The database is unavailable. Please try again in a moment."
# Served when even the error page cannot be rendered (it reads the signed-in user, whose language picks the text).
_BARE_DATABASE_PAGE = (
    '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>503 · dxmatch</title></head><body>'
    '<p>데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.</p>'
    f'<p lang="en">{DATABASE_UNAVAILABLE}</p></body></html>'
)


def _database_unavailable(exc: Exception) -> Response | tuple[str, int, dict[str, str]]:
    """A 503 while the database restarts; the pool's pre-ping replaces dead connections, so the site recovers."""
    from web.database import discard_session

    current_app.logger.warning("database unavailable: %s", type(exc).__name__)
    discard_session()  # its failed transaction would fail what the page still reads (PendingRollbackError)
    headers = {"Retry-After": "5"}
    if wants_json():
        response = error_response(503, DATABASE_UNAVAILABLE)
        response.headers.update(headers)
        return response
    try:  # the page itself may need the database (the signed-in user): fall back to a bare page
        return render_template("error.html", status=503, message=translate_reason(DATABASE_UNAVAILABLE),
                               errors=None), 503, headers
    except Exception:  # noqa: BLE001 - still down: a page that needs neither the database nor the user's language
        discard_session()
        return _BARE_DATABASE_PAGE, 503, headers


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_error)
    app.register_error_handler(HTTPException, handle_error)
    app.register_error_handler(ValidationError, handle_error)
    app.register_error_handler(DBAPIError, handle_error)

