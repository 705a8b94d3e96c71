"""API answers are checked against their OpenAPI schema under test and debug, not in production.

The check re-parses and re-encodes every answer; the contract test covers it. Requests are
validated in every mode (hostile input is normal input).
"""
from __future__ import annotations

import pytest
import spectree.plugins.flask_plugin as flask_plugin

from services.auth import issue_api_token
from tests.factories import gen_user


@pytest.fixture
def checked(monkeypatch) -> list[int]:
    """Counts the response validations SpecTree performs."""
    calls: list[int] = []
    real = flask_plugin.validate_response

    def counting(**kwargs):
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(flask_plugin, "validate_response", counting)
    return calls


def _list_matches(app, session) -> tuple[int, dict]:
    token = issue_api_token(session, gen_user(session, "coordinator", hub="ochang"))
    session.commit()
    response = app.test_client().get("/api/v1/matches", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.get_json()


def test_under_test_every_answer_is_checked_against_its_schema(app, session, checked):
    status, body = _list_matches(app, session)
    assert status == 200 and body["items"] == [] and checked


def test_in_production_answers_are_sent_as_built_and_requests_still_validated(app, session, checked):
    app.testing = False
    status, body = _list_matches(app, session)
    assert status == 200 and body == {"items": [], "page": 1, "per_page": body["per_page"], "total": 0}
    assert not checked
    token = issue_api_token(session, gen_user(session, "coordinator", hub="changwon"))
    session.commit()
    bad = app.test_client().get("/api/v1/matches?page=zero", headers={"Authorization": f"Bearer {token}"})
    assert bad.status_code in (400, 422) and bad.get_json()["error"]
