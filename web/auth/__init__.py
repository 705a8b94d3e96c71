"""Sign in, sign out, self-registration and the account page (language, API token, digest)."""
from web.auth.routes import bp

__all__ = ["bp"]
