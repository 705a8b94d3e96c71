"""The SpecTree instance: request validation for the API and the OpenAPI document at /openapi.json."""
from __future__ import annotations

from typing import Any

from spectree import SecurityScheme, SecuritySchemeData, SpecTree

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


spec = SpecTree(
    "flask",
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
