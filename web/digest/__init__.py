"""Weekly digest subscribe/unsubscribe pages (sending lives in services.digest)."""
from web.digest.routes import bp

__all__ = ["bp"]
