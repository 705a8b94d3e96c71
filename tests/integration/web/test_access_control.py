"""Every route and API endpoint, tried as anonymous, wrong role, wrong hub and wrong company.

The table below is checked against app.url_map: a new route without a row here fails the suite.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from tests.integration.web.world import SECRET_EMAIL, SECRET_NOTES, World, build_world
from web.errors import WEB_MESSAGES

ACTORS = ("anon", "admin", "coord", "coord_other", "m1", "s1", "m2", "m3")
LOGGED_IN = frozenset(ACTORS) - {"anon"}
PUBLIC = frozenset(ACTORS)
HUB = frozenset({"admin", "coord"})
PARTY = frozenset({"m1", "s1"})
MEMBERS = frozenset({"m1", "s1", "m2", "m3"})
ADMIN = frozenset({"admin"})


@dataclass(frozen=True)
class Case:
    url: Callable[[World], str]
    allowed: frozenset[str]
    data: dict | Callable[[World], dict] | None = None
    json: dict | None = None


def _reset_url(w: World) -> str:
    from services.auth import start_password_reset
    from web.database import db_session

    _user, token = start_password_reset(db_session(), w.users["m1"].email)
    return f"/reset-password/{token}"


def _x(w: World) -> int:
    return w.match.id


def _unsubscribe_url(w: World) -> str:
    from flask import current_app

    from services.digest import unsubscribe_token
    from services.subscriptions import subscribe
    from web.database import db_session

    sub = subscribe(db_session(), w.users["m1"])
    return f"/digest/unsubscribe/{unsubscribe_token(sub.id, current_app.config['DXMATCH_SETTINGS'])}"


def _notification_unsubscribe_url(w: World) -> str:
    from flask import current_app

    from services.notifications import KINDS, unsubscribe_url

    link = unsubscribe_url(current_app.config["DXMATCH_SETTINGS"], w.users["m1"].id, KINDS[0])
    return "/notifications/" + link.split("/notifications/", 1)[1]


ROUTES: dict[tuple[str, str], Case] = {
    ("main.index", "GET"): Case(lambda w: "/", LOGGED_IN),
    ("main.healthz", "GET"): Case(lambda w: "/healthz", PUBLIC),
    ("main.match", "GET"): Case(lambda w: f"/matches/{_x(w)}", HUB | PARTY),
    ("main.set_language", "POST"): Case(lambda w: "/language", PUBLIC, data={"lang": "en"}),
    ("auth.login", "GET"): Case(lambda w: "/login", PUBLIC),
    ("auth.login", "POST"): Case(lambda w: "/login", PUBLIC, data={"email": "x@example.com", "password": "nope"}),
    ("auth.logout", "POST"): Case(lambda w: "/logout", PUBLIC),
    ("auth.register", "GET"): Case(lambda w: "/register", PUBLIC),
    ("auth.register", "POST"): Case(lambda w: "/register", PUBLIC, data={"kind": "supplier"}),
    ("auth.request_reset", "GET"): Case(lambda w: "/reset-password", PUBLIC),
    ("auth.request_reset", "POST"): Case(lambda w: "/reset-password", PUBLIC, data={"email": "x@example.com"}),
    ("auth.reset_password", "GET"): Case(_reset_url, PUBLIC),
    ("auth.reset_password", "POST"): Case(_reset_url, PUBLIC, data={"password": "a", "password_again": "b"}),
    ("auth.account", "GET"): Case(lambda w: "/account", LOGGED_IN),
    ("auth.change_password", "POST"): Case(lambda w: "/account/password", LOGGED_IN, data={"current_password": "no"}),
    ("auth.create_token", "POST"): Case(lambda w: "/account/token", LOGGED_IN),
    ("auth.revoke_token", "POST"): Case(lambda w: "/account/token/revoke", LOGGED_IN),
    ("company.home", "GET"): Case(lambda w: "/company/", MEMBERS),
    ("company.profile", "GET"): Case(lambda w: "/company/profile", MEMBERS),
    ("company.profile", "POST"): Case(lambda w: "/company/profile", MEMBERS, data={"name": ""}),
    ("company.match_detail", "GET"): Case(lambda w: f"/company/matches/{_x(w)}", PARTY),
    ("company.decline_page", "GET"): Case(lambda w: f"/company/matches/{_x(w)}/decline", PARTY),
    ("company.respond", "POST"): Case(lambda w: f"/company/matches/{_x(w)}/respond", PARTY, data={"answer": "accepted"}),
    ("hub.overview", "GET"): Case(lambda w: "/hub/ochang/", HUB),
    ("hub.board", "GET"): Case(lambda w: "/hub/ochang/pipeline", HUB),
    ("hub.search_page", "GET"): Case(lambda w: "/hub/ochang/search?q=MES", HUB),
    ("hub.jobs_status", "GET"): Case(lambda w: "/hub/ochang/jobs", HUB),
    ("hub.match_detail", "GET"): Case(lambda w: f"/hub/ochang/matches/{_x(w)}", HUB),
    ("hub.add_note", "POST"): Case(lambda w: f"/hub/ochang/matches/{_x(w)}/notes", HUB, data={"body": "메모"}),
    ("hub.decline_page", "GET"): Case(lambda w: f"/hub/ochang/matches/{_x(w)}/decline", HUB),
    ("hub.move", "POST"): Case(lambda w: f"/hub/ochang/matches/{_x(w)}/move", HUB, data={"to": "declined", "reason": "not_a_fit"}),
    ("hub.review", "POST"): Case(lambda w: f"/hub/ochang/companies/{w.companies['pending'].id}/review", HUB, data={"decision": "reject", "reason": "incomplete"}),
    ("hub.reject_page", "GET"): Case(lambda w: f"/hub/ochang/companies/{w.companies['pending'].id}/reject", HUB),
    ("hub.company_detail", "GET"): Case(lambda w: f"/hub/ochang/companies/{w.companies['m1'].id}", HUB),
    ("hub.recompute", "POST"): Case(lambda w: "/hub/ochang/recompute", HUB),
    ("hub.column", "GET"): Case(lambda w: "/hub/ochang/pipeline/proposed", HUB),
    ("hub.propose_page", "GET"): Case(lambda w: f"/hub/ochang/propose?manufacturer={w.companies['m3'].id}", HUB),
    ("hub.propose", "POST"): Case(lambda w: "/hub/ochang/propose", HUB,
                                  data=lambda w: {"manufacturer": w.companies["m1"].id, "supplier": w.companies["s1"].id}),
    ("hub.why_not", "GET"): Case(lambda w: f"/hub/ochang/companies/{w.companies['m3'].id}/why-not", HUB),
    ("hub.edit_company", "GET"): Case(lambda w: f"/hub/ochang/companies/{w.companies['m1'].id}/edit", HUB),
    ("hub.edit_company", "POST"): Case(lambda w: f"/hub/ochang/companies/{w.companies['s1'].id}/edit", HUB, data={"name": ""}),
    ("hub.import_page", "GET"): Case(lambda w: "/hub/ochang/import", HUB),
    ("hub.import_page", "POST"): Case(lambda w: "/hub/ochang/import", HUB, data={}),
    ("hub.gaps_page", "GET"): Case(lambda w: "/hub/ochang/gaps", HUB),
    ("hub.audit_log", "GET"): Case(lambda w: "/hub/ochang/audit", HUB),
    ("hub.export", "GET"): Case(lambda w: "/hub/ochang/export/companies?format=csv", HUB),
    ("hub.import_template", "GET"): Case(lambda w: "/hub/ochang/import/template?format=csv", HUB),
    ("hub.import_confirm", "POST"): Case(lambda w: "/hub/ochang/import/confirm", HUB, data={}),
    ("admin.index", "GET"): Case(lambda w: "/admin/", ADMIN),
    ("admin.audit_log", "GET"): Case(lambda w: "/admin/audit", ADMIN),
    ("digest.subscribe", "POST"): Case(lambda w: "/digest/subscribe", LOGGED_IN),
    ("digest.unsubscribe_me", "POST"): Case(lambda w: "/digest/unsubscribe", LOGGED_IN),
    ("digest.unsubscribe", "GET"): Case(_unsubscribe_url, PUBLIC),
    ("digest.unsubscribe", "POST"): Case(_unsubscribe_url, PUBLIC),
    ("notifications.save", "POST"): Case(lambda w: "/notifications/settings", LOGGED_IN),
    ("notifications.unsubscribe", "GET"): Case(_notification_unsubscribe_url, PUBLIC),
    ("notifications.unsubscribe", "POST"): Case(_notification_unsubscribe_url, PUBLIC),
    ("api.me", "GET"): Case(lambda w: "/api/v1/me", LOGGED_IN),
    ("api.list_companies", "GET"): Case(lambda w: "/api/v1/companies", LOGGED_IN),
    ("api.get_company", "GET"): Case(lambda w: f"/api/v1/companies/{w.companies['m1'].id}", frozenset({"admin", "coord", "m1"})),
    ("api.patch_company", "PATCH"): Case(lambda w: f"/api/v1/companies/{w.companies['m1'].id}", frozenset({"m1"}), json={"summary": "changed"}),
    ("api.list_matches", "GET"): Case(lambda w: "/api/v1/matches", LOGGED_IN),
    ("api.get_match", "GET"): Case(lambda w: f"/api/v1/matches/{_x(w)}", HUB | PARTY),
    ("api.match_history", "GET"): Case(lambda w: f"/api/v1/matches/{_x(w)}/history", HUB | PARTY),
    ("api.move", "POST"): Case(lambda w: f"/api/v1/matches/{_x(w)}/move", HUB, json={"to": "declined", "reason": "not_a_fit"}),
    ("api.introduction", "GET"): Case(lambda w: f"/api/v1/matches/{_x(w)}/introduction", PARTY),
    ("api.answer_introduction", "POST"): Case(lambda w: f"/api/v1/matches/{_x(w)}/introduction", PARTY, json={"answer": "accepted"}),
    ("api_docs.openapi", "GET"): Case(lambda w: "/openapi.json", PUBLIC),
}
IGNORED_ENDPOINTS = {"static"}


def test_every_route_has_an_access_case(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in IGNORED_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - ROUTES.keys() == set(), "routes without an access-control case"
    assert ROUTES.keys() - routes == set(), "access cases for routes that no longer exist"


@pytest.fixture
def fake_matching(app):
    """The recompute button only records work in an access test: no engine runs."""
    from services.index_builder import ON_COMMIT

    runtime = app.extensions["dxmatch.runtime"]
    runtime.session = runtime.sessions  # sessions without ON_COMMIT: committed work stays pending
    assert ON_COMMIT not in runtime.session().info


def _call(client, method: str, url: str, case: Case, token: str | None, world: World):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = case.data(world) if callable(case.data) else case.data  # a form naming the world's rows
    return client.open(url, method=method, headers=headers, data=data, json=case.json)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("endpoint, method", sorted(ROUTES), ids=[f"{e}-{m}" for e, m in sorted(ROUTES)])
def test_route_allows_only_its_audience(app, client, session, fake_matching, endpoint, method):
    world = build_world(session)
    case = ROUTES[(endpoint, method)]
    is_api = endpoint.startswith("api.")
    # Denied callers first, so a state change by an allowed caller cannot mask a leak.
    order = sorted(ACTORS, key=lambda a: a in case.allowed)
    for who in order:
        with app.test_request_context():
            url = case.url(world)
        response = _call(client, method, url, case, world.tokens.get(who), world)
        body = response.get_data(as_text=True)
        label = f"{who} {method} {url} -> {response.status_code}"
        if who in case.allowed:
            assert response.status_code not in (401, 403, 404, 405), label
            assert not _is_login_redirect(response) or endpoint in ("auth.logout", "main.set_language"), label
        elif who == "anon":
            if is_api:
                assert response.status_code == 401, label
                assert response.get_json()["error"] == {"status": 401, "code": "auth.required", "message": WEB_MESSAGES["auth.required"]}
            else:
                assert _is_login_redirect(response), label
        else:
            assert response.status_code in (403, 404), label
            if is_api:
                assert set(response.get_json()) == {"error"}, label
        if who not in ("m1", "admin", "coord"):
            assert SECRET_NOTES not in body, label
        if who not in ("m1", "admin", "coord") and not (who == "s1" and endpoint in ("company.match_detail", "api.introduction")):
            assert SECRET_EMAIL not in body, label
