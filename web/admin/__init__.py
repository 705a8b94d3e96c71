"""Administrators: every hub at a glance and the global audit log."""
from web.admin.routes import bp

__all__ = ["bp"]
