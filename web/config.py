"""Bridge from config.settings.Settings (the one place configuration lives) to Flask's app.config."""
from __future__ import annotations

import dataclasses
from typing import Any

from flask import Flask

from config.settings import SECRET_KEY_FILE, Settings, weak_secret_key

LANGUAGES: tuple[str, ...] = ("ko", "en")
# Debug and test apps without a key of their own sign with this one; a served app never does.
TESTING_SECRET_KEY = "testing-only-not-secret-dxmatch-key-0000"


class InsecureConfiguration(RuntimeError):
    """The app would run with a setting that lets anyone forge sessions or links."""


def require_strong_secret_key(app: Flask) -> None:
    """Refuse to build a serving app whose signing key is empty, published or short (forged sessions, links)."""
    settings: Settings = app.config["DXMATCH_SETTINGS"]
    problem = weak_secret_key(app.config.get("SECRET_KEY")) or weak_secret_key(settings.secret_key)
    if problem is None:
        return
    if app.debug or app.testing:
        app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or TESTING_SECRET_KEY
        return
    raise InsecureConfiguration(
        f"refusing to start: {problem}. Set DXMATCH_SECRET_KEY to at least 32 random characters, "
        f"or run `dxmatch secret-key` once to generate {settings.instance_dir / SECRET_KEY_FILE}."
    )


def settings_with_overrides(settings: Settings, overrides: dict[str, Any]) -> Settings:
    """Apply the test_config keys that name a Settings field (DATABASE_URL → database_url)."""
    fields = {f.name for f in dataclasses.fields(Settings)}
    changes = {k.lower(): v for k, v in overrides.items() if k.lower() in fields}
    return dataclasses.replace(settings, **changes) if changes else settings


def flask_config(settings: Settings) -> dict[str, Any]:
    """Flask, Flask-WTF, Flask-Babel and Flask-Limiter settings derived from Settings."""
    return {
        "DXMATCH_SETTINGS": settings,
        "SECRET_KEY": settings.secret_key,
        "DATABASE_URL": settings.database_url,
        "BASE_URL": settings.base_url,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.base_url.startswith("https://"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_IDLE_TIMEOUT": 30 * 60,  # seconds without a request before a session ends
        "SESSION_ABSOLUTE_TIMEOUT": 12 * 60 * 60,  # seconds after sign-in when a session ends regardless
        "PERMANENT_SESSION_LIFETIME": 12 * 60 * 60,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "ko",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "LANGUAGES": LANGUAGES,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": settings.redis_url or "memory://",
        # Redis down: count in this process's memory meanwhile (Redis is retried), never fail or hang a request
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1} if settings.redis_url else {},
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10 per minute",  # per IP address
        "LOGIN_ACCOUNT_RATE_LIMIT": "5 per minute;20 per hour",  # failed sign-ins per account, from any address
        "REGISTER_RATE_LIMIT": "5 per hour",  # per IP address
        "RESET_RATE_LIMIT": "5 per hour",  # reset requests per IP address and per account
        "JSON_SORT_KEYS": False,
    }
