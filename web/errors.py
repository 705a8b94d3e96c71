"""One error handler: domain errors and HTTP errors become a JSON error shape or an HTML page.

Every error has a stable code: a service error its own (services.errors.MESSAGES), the others one of
WEB_MESSAGES here. The JSON answer carries the code and its English message; a page shows the message
of the code in the reader's language, from the Babel catalog.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from services.errors import MESSAGES, DomainError
from services.i18n import N_

# Errors that are not raised by a service: the web's own, and HTTP errors by status (others: "http.error").
WEB_MESSAGES: dict[str, str] = {
    "auth.required": N_("Authentication required: sign in, or send an API token."),
    "csrf.invalid": N_("The form expired. Please try again."),
    "database.unavailable": N_("The database is unavailable. Please try again in a moment."),
    "http.bad_request": N_("Bad request"),
    "http.unauthorized": N_("Please sign in."),
    "http.forbidden": N_("You do not have access to this page."),
    "http.not_found": N_("Not found"),
    "http.method_not_allowed": N_("Method not allowed"),
    "http.payload_too_large": N_("The upload is too large (at most 10 MB)."),
    "http.unsupported_media_type": N_("This kind of request body is not accepted."),
    "http.too_many_requests": N_("Too many attempts. Please wait a minute."),
    "http.error": N_("The request could not be completed (HTTP %(status)s)."),
}
HTTP_CODES = {400: "http.bad_request", 401: "http.unauthorized", 403: "http.forbidden", 404: "http.not_found",
              405: "http.method_not_allowed", 413: "http.payload_too_large", 415: "http.unsupported_media_type",
              429: "http.too_many_requests"}
ALL_MESSAGES: dict[str, str] = {**MESSAGES, **WEB_MESSAGES}  # every code a user or client can get


def wants_json() -> bool:
    """API and machine endpoints answer errors in JSON."""
    return request.path.startswith("/api/") or request.path in ("/openapi.json", "/healthz")


def error_text(code: str, **params: object) -> str:
    """The message of an error code in the request's language (English for the API and when untranslated)."""
    return gettext(ALL_MESSAGES[code], **params)


def error_response(status: int, code: str, message: str | None = None, **extra: object) -> Response:
    """The one error shape: {"error": {"status": N, "code": "...", "message": "..."}} (plus field errors when any).

    `message` defaults to the English text of `code`: API clients branch on the code, people read the message.
    """
    body: dict[str, object] = {"status": status, "code": code, "message": message or ALL_MESSAGES[code]}
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
    params: dict[str, object] = {}
    if isinstance(exc, DomainError):
        status, code, errors, params = exc.status, exc.code, exc.detail.get("errors"), exc.params
    elif isinstance(exc, CSRFError):
        status, code, errors = 400, "csrf.invalid", None
    elif isinstance(exc, HTTPException):
        if exc.response is not None and exc.code is None:
            return exc.response
        status, errors = exc.code or 500, None
        code = HTTP_CODES.get(status, "http.error")
        params = {"status": status} if code == "http.error" else {}
    elif isinstance(exc, DBAPIError) and (exc.connection_invalidated or isinstance(exc, (OperationalError, InterfaceError))):
        return _database_unavailable(exc)
    elif isinstance(exc, ValidationError):  # a request shape checked in a view (e.g. a non-JSON API body)
        status, code = 422, "request.invalid"
        errors = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "reason": e["msg"]} for e in exc.errors()]
    else:  # pragma: no cover - programming errors
        raise exc
    headers = _passed_on_headers(exc)
    if wants_json():
        message = ALL_MESSAGES[code] % params if params else ALL_MESSAGES[code]
        response = error_response(status, code, message, errors=errors)
        response.headers.update(headers)
        return response
    return render_template("error.html", status=status, message=error_text(code, **params), errors=errors), status, headers


DATABASE_UNAVAILABLE = WEB_MESSAGES["database.unavailable"]
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
        response = error_response(503, "database.unavailable")
        response.headers.update(headers)
        return response
    try:  # the page itself may need the database (the signed-in user): fall back to a bare page
        return render_template("error.html", status=503, message=error_text("database.unavailable"),
                               errors=None), 503, headers
    except Exception:  # noqa: BLE001 - still down: a page that needs neither the database nor the user's language
        discard_session()
        return _BARE_DATABASE_PAGE, 503, headers


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_error)
    app.register_error_handler(HTTPException, handle_error)
    app.register_error_handler(ValidationError, handle_error)
    app.register_error_handler(DBAPIError, handle_error)

