"""Sessions end when they should (ASVS V7): sign-out, password change, deactivation, role change, timeouts.

The session lives in a signed cookie, so "ending" it means the server refuses a replayed copy.
"""
from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from models import User
from services import auth as accounts
from tests.factories import gen_user


def _signed_in(app, user) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": user.password})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    return client


def _cookie(client: FlaskClient) -> str:
    return client.get_cookie("session").value


def _refused(client: FlaskClient) -> bool:
    response = client.get("/account")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_copied_session_cookie_no_longer_works_after_sign_out(app, session):
    user = gen_user(session, "coordinator")
    client = _signed_in(app, user)
    stolen = _cookie(client)
    client.post("/logout")
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    assert _refused(attacker)


def test_a_password_change_signs_out_every_other_session_but_keeps_this_one(app, session):
    user = gen_user(session, "member")
    here, elsewhere = _signed_in(app, user), _signed_in(app, user)
    response = here.post("/account/password", data={
        "current_password": user.password, "password": "a fresh passphrase 42", "password_again": "a fresh passphrase 42"})
    assert response.status_code == 302
    assert here.get("/account").status_code == 200
    assert _refused(elsewhere)
    session.expire_all()
    assert accounts.authenticate(session, user.email, "a fresh passphrase 42") is not None


def test_deactivating_an_account_ends_its_sessions_even_after_reactivation(app, session):
    user = gen_user(session, "member")
    client = _signed_in(app, user)
    account = session.get(User, user.id)
    accounts.set_active(session, account, False)
    session.commit()
    accounts.set_active(session, account, True)
    session.commit()
    assert _refused(client)


def test_a_role_change_ends_the_sessions_of_the_account(app, session: Session):
    user = gen_user(session, "coordinator")
    client = _signed_in(app, user)
    session.get(User, user.id).hub_key = "changwon"
    session.commit()
    assert _refused(client)


def test_a_session_idle_for_more_than_30_minutes_ends(app, session):
    user = gen_user(session, "member")
    client = _signed_in(app, user)
    with client.session_transaction() as cookie:
        cookie["_session_seen"] -= 31 * 60
    assert _refused(client)


def test_a_session_ends_12_hours_after_sign_in_however_busy(app, session):
    user = gen_user(session, "member")
    client = _signed_in(app, user)
    with client.session_transaction() as cookie:
        cookie["_session_started"] -= 12 * 60 * 60 + 1
    assert _refused(client)


def test_a_signed_cookie_without_session_version_is_refused(app, session):
    user = gen_user(session, "admin")
    forged = app.test_client()
    with forged.session_transaction() as cookie:  # what a cookie signed with a leaked key used to need
        cookie.update({"_user_id": str(user.id), "_fresh": True})
    assert _refused(forged)


def test_the_session_cookie_is_http_only_and_same_site(app, session):
    user = gen_user(session, "member")
    response = app.test_client().post("/login", data={"email": user.email, "password": user.password})
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
