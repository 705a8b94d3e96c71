"""Output encoding and redirects (ASVS V1.2, V3.7): what a company types is shown as text; sign-in stays on site."""
from __future__ import annotations

import pytest

from tests.factories import gen_company, gen_user

MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_markup_in_a_company_profile_is_shown_as_text_not_run(client, auth, session):
    company = gen_company(session, "manufacturer", hub="ochang", name=MARKUP, summary=MARKUP)
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    html = client.get(f"/hub/ochang/companies/{company.id}").get_data(as_text=True)
    assert "&lt;script&gt;" in html and "<script>alert" not in html and "<img src=x" not in html


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_sign_in_never_redirects_off_the_site(client, session, target):
    user = gen_user(session, "member")
    response = client.post(f"/login?next={target}", data={"email": user.email, "password": user.password})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]
    assert not response.headers["Location"].startswith(("javascript:", "//", "http"))
