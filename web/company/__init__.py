"""A company member's pages: their partners, a pair's explanation and introduction, their profile."""
from web.company.routes import bp

__all__ = ["bp"]
