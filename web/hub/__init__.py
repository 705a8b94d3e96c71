"""A hub coordinator's pages: dashboard, pipeline board, pair detail, import, supply gaps, audit."""
from web.hub.routes import bp
from web.hub import coordinator  # noqa: F401 - registers the coordinator's tools on bp

__all__ = ["bp"]
