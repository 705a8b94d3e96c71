"""JSON API under /api/v1 (session cookie or bearer token) and its OpenAPI document."""
from flask import Flask

from web.api.routes import bp, docs_bp


def init_app(app: Flask) -> None:
    """Register the /openapi.json route (the API blueprint itself is registered with the others)."""
    app.register_blueprint(docs_bp)


__all__ = ["bp", "init_app"]
