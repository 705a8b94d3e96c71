"""The SpecTree instance: request validation for the API and the OpenAPI document at /openapi.json."""
from __future__ import annotations

from typing import Any

from flask import current_app
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin

from services.errors import ValidationFailed
from web.api.schemas import ErrorOut


def _raise_validation(_req: Any, _resp: Any, error: Exception | None, _instance: Any, model_adapter: Any = None) -> None:
    """Turn SpecTree's validation failure into our domain error (one error shape)."""
    if error is None:
        return
    errors = []
    for item in getattr(error, "errors", lambda: [])():
        field = ".".join(str(part) for part in item.get("loc", ())) or "body"
        errors.append({"field": field, "reason": str(item.get("msg", "invalid"))})
    raise ValidationFailed("request.invalid", errors=errors)


class _RequestValidatingPlugin(FlaskPlugin):
    """Requests are validated always; responses against their schema only under test or debug.

    A response is the server's own output: checking it is a contract test (tests/…/test_api_contract.py
    runs every operation with schemathesis), not a guard against the client. In production it re-parsed
    and re-serialised each answer (a 50-pair page: a second JSON encoding and a pydantic validation).
    """

    def validate_response(self, resp: Any, resp_model: Any, skip_validation: bool, force_resp_serialize: bool):
        if not (current_app.testing or current_app.debug):
            skip_validation = True
        return super().validate_response(resp, resp_model, skip_validation, force_resp_serialize)


spec = SpecTree(
    "flask",
    backend=_RequestValidatingPlugin,
    title="dxmatch API",
    version="v1",
    description="Hub coordinators and company members: companies, proposed pairs, pipeline, introductions.",
    before=_raise_validation,
    validation_error_model=ErrorOut,  # _raise_validation answers in the one error shape, so document that
    annotations=False,
    mode="strict",  # document only the decorated API views
    security_schemes=[
        SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer")),
        SecurityScheme(name="session", data=SecuritySchemeData(type="apiKey", name="session", field_in="cookie")),
    ],
    security={"bearer": [], "session": []},
)
