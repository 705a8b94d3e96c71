"""Landing, health check and the language switch."""
from web.main.routes import bp

__all__ = ["bp"]
