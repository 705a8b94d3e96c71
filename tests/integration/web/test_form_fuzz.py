"""The main forms answer any input with a page or a 4xx, never a server error (issue #11, findings 5, 11).

Bounded Hypothesis runs through the Flask test client; on PostgreSQL this covers NUL bytes too.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import gen_company, gen_match, gen_user

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

NASTY = st.sampled_from(["\x00", "\r\n", "\u2028", "\u200b", "\u3164", " ", "%00", "'", "<b>", "9" * 5000, "²", "1e400",
                         "inf", "nan", "-1", "ochang", "osong", "battery", "supplier", "manufacturer", "on", "a@b.example.com"])
TEXT = st.lists(st.one_of(NASTY, st.text(max_size=10)), max_size=4).map("".join)

PROFILE_FIELDS = ["name", "language", "employees", "summary", "description", "contact_email", "website", "industry",
                  "needs", "requires_security_certification", "confidential_notes", "capabilities", "references",
                  "industries_served", "certifications"]
FORM = st.dictionaries(st.sampled_from(PROFILE_FIELDS), TEXT, max_size=8)


def _ok(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


@pytest.mark.slow  # every sign-in costs a scrypt check: ~20 s
@FUZZ
@given(email=TEXT, password=TEXT)
def test_the_sign_in_form_never_fails(client, session, email, password):
    _ok(client.post("/login", data={"email": email, "password": password}))


@FUZZ
@given(form=FORM, kind=TEXT, hub=TEXT, email=TEXT, password=TEXT, contact=TEXT)
def test_the_registration_form_never_fails(client, session, form, kind, hub, email, password, contact):
    data = {**form, "kind": kind, "hub": hub, "email": email, "password": password, "contact_name": contact}
    _ok(client.post("/register", data=data))
    client.post("/logout")


@pytest.fixture
def signed_in(session, auth):
    """Sign in as a new user of a role (fixtures are made once per test; Hypothesis reuses them across examples)."""

    def sign_in(role: str):
        user = gen_user(session, role, hub="ochang" if role == "coordinator" else None)
        auth.login(user)
        return user

    return sign_in


@pytest.fixture
def member(signed_in):
    return signed_in("member")


@pytest.fixture
def pair(session, signed_in):
    signed_in("coordinator")
    return gen_match(session, gen_company(session, "manufacturer"), gen_company(session, "supplier", hub="ochang"))


@FUZZ
@given(form=FORM)
def test_the_profile_form_never_fails(client, member, form):
    _ok(client.post("/company/profile", data=form))


@FUZZ
@given(to=TEXT, note=TEXT, action=TEXT)
def test_the_pipeline_move_and_audit_filter_never_fail(client, pair, to, note, action):
    _ok(client.post(f"/hub/ochang/matches/{pair.id}/move", data={"to": to, "note": note}))
    _ok(client.get("/hub/ochang/audit", query_string={"action": action}))
