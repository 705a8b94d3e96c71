"""A live server in a thread (werkzeug on 127.0.0.1, random port) and Debian's chromium via Playwright."""
from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from config.settings import PROJECT_ROOT, Settings
from web import create_app

ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture
def live_server(settings: Settings, session) -> Iterator[str]:
    """The real app (CSRF and rate limits on) served on a random local port; yields its base URL."""
    # no start-up build: the demo's pairs are crafted, and tests/e2e/demo.py publishes the index itself
    app = create_app({"DXMATCH_SETTINGS": settings, "SECRET_KEY": secrets.token_urlsafe(32),
                      "DXMATCH_START_BACKGROUND": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
