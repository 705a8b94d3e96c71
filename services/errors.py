"""Domain errors raised by services; the web layer maps each to one HTTP status in one handler."""
from __future__ import annotations


class DomainError(Exception):
    """Base class; `status` is the HTTP status the web layer should use."""

    status = 400

    def __init__(self, message: str, **detail: object) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class ValidationFailed(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Unavailable(DomainError):
    """A part the request needs is busy or down (the index being built, the database restarting)."""

    status = 503


class InvalidInput(DomainError):
    """A request that cannot be read at all (a NUL character, malformed or too deeply nested JSON)."""

    status = 400
