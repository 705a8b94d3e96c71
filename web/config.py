"""Bridge from dxmatch.config.Settings (the one place configuration lives) to Flask's app.config."""
from __future__ import annotations

import dataclasses
from typing import Any

from dxmatch.config import Settings

LANGUAGES: tuple[str, ...] = ("ko", "en")


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
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "ko",
        "BABEL_TRANSLATION_DIRECTORIES": "translations",
        "LANGUAGES": LANGUAGES,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": settings.redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10 per minute",
        "GAP_THRESHOLD": 0.5,
        "JSON_SORT_KEYS": False,
    }
