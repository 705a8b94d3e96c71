"""Registration offers the weekly digest, ticked by default; the new member is subscribed only when it stays ticked."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import DigestSubscription, User

PASSWORD = "a long and unusual passphrase"


def _form(email: str, **extra: str) -> dict[str, str]:
    return {"kind": "supplier", "hub": "ochang", "email": email, "password": PASSWORD, "name": "새싹AI",
            "capabilities": "공정 데이터 분석\n비전 검사", **extra}


def _digest_box(html: str) -> str:
    found = re.search(r'<input id="digest"[^>]*>', html)
    assert found, "the registration form has no digest checkbox"
    return found.group(0)


def _subscription(session, email: str) -> DigestSubscription | None:  # noqa: ANN001
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None, "the registration did not create the account"
    return session.scalar(select(DigestSubscription).where(DigestSubscription.user_id == user.id))


def test_the_registration_form_offers_the_digest_ticked(client):
    html = client.get("/register").get_data(as_text=True)

    assert "checked" in _digest_box(html)
    assert "주간 매칭 소식" in html


def test_registering_with_the_digest_ticked_subscribes_the_new_member(client, session):
    response = client.post("/register", data=_form("ticked@supplier.example.com", digest="1"))

    assert response.status_code == 302
    sub = _subscription(session, "ticked@supplier.example.com")
    assert sub is not None and sub.active and sub.unsubscribed_at is None


def test_registering_with_the_digest_unticked_subscribes_nobody(client, session):
    response = client.post("/register", data=_form("unticked@supplier.example.com"))

    assert response.status_code == 302
    assert _subscription(session, "unticked@supplier.example.com") is None


def test_a_form_sent_back_with_errors_keeps_the_visitor_s_choice(client, session):
    unticked = client.post("/register", data=_form("bad", password="short")).get_data(as_text=True)
    ticked = client.post("/register", data=_form("bad", password="short", digest="1")).get_data(as_text=True)

    assert "checked" not in _digest_box(unticked)
    assert "checked" in _digest_box(ticked)
    assert session.scalars(select(DigestSubscription)).first() is None
