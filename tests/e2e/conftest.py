"""A live server in a thread (werkzeug on 127.0.0.1, random port) and Debian's chromium via Playwright."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT, Settings
from tests.serving import serving
from web import create_app

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture
def live_server(settings: Settings, session) -> Iterator[str]:
    """The real app (CSRF and rate limits on) served on a random local port; yields its base URL."""
    # no start-up build: the demo's pairs are crafted, and tests/e2e/demo.py publishes the index itself
    app = create_app({"DXMATCH_SETTINGS": settings, "SECRET_KEY": secrets.token_urlsafe(32),
                      "DXMATCH_START_BACKGROUND": False})
    with serving(app) as base_url:
        yield base_url


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
