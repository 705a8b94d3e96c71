"""Web fixtures: the app on the test database, a client, and an `auth` helper that hides how a test logs in."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config.settings import Settings
from web import create_app


@pytest.fixture
def app(settings: Settings, session) -> Iterator[Flask]:
    """The app on the test database (hubs seeded; every row deleted after the test)."""
    app = create_app({
        "TESTING": True,
        "DXMATCH_SETTINGS": settings,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    })
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class AuthActions:
    """Log a test client in and out as a factory user."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user) -> None:
        response = self.client.post("/login", data={"email": user.email, "password": user.password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def logout(self) -> None:
        self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
