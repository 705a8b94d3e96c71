"""What a shared computer's cache or a forwarded link gives away (ASVS V14.3, V8): nothing of a signed-in user's."""
from __future__ import annotations

import pytest
from flask import current_app

from services.digest import unsubscribe_token
from services.subscriptions import subscribe
from tests.factories import gen_user
from tests.integration.web.world import SECRET_EMAIL, build_world


def test_the_new_api_token_page_is_not_stored(client, auth, session):
    user = gen_user(session, "member")
    auth.login(user)
    response = client.post("/account/token")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/account", "/company/", "/"])
def test_every_signed_in_page_is_not_stored(client, auth, session, path):
    auth.login(gen_user(session, "member"))
    assert client.get(path, follow_redirects=True).headers["Cache-Control"] == "no-store"


def test_revealed_contact_pages_and_the_introduction_api_are_not_stored(client, auth, session):
    world = build_world(session)
    for key in ("m1", "s1"):
        client.post(f"/company/matches/{world.match.id}/respond", data={"answer": "accepted"},
                    headers={"Authorization": f"Bearer {world.tokens[key]}"})
    auth.login(world.users["s1"])
    page = client.get(f"/company/matches/{world.match.id}")
    assert SECRET_EMAIL in page.get_data(as_text=True) and page.headers["Cache-Control"] == "no-store"
    api = client.get(f"/api/v1/matches/{world.match.id}/introduction",
                     headers={"Authorization": f"Bearer {world.tokens['s1']}"})
    assert api.status_code == 200 and api.headers["Cache-Control"] == "no-store"


def test_public_pages_may_be_cached_but_static_files_are_not_marked(client):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


def test_the_unsubscribe_page_masks_the_address_and_is_not_stored(app, client, session):
    user = gen_user(session, "coordinator", email="kim.minsu@hanbit.example.com")
    sub = subscribe(session, user)
    with app.app_context():
        token = unsubscribe_token(sub.id, current_app.config["DXMATCH_SETTINGS"])
    response = client.get(f"/digest/unsubscribe/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "k***@hanbit.example.com" in html
    assert "kim.minsu" not in html and response.headers["Cache-Control"] == "no-store"
