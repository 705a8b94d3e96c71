"""A hub coordinator's pages: dashboard, pipeline board, pair detail, import, supply gaps, audit."""
from web.hub.routes import bp

__all__ = ["bp"]
