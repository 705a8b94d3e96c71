"""One-click unsubscribe links carry a subscription id signed with the secret key."""
from __future__ import annotations

from dataclasses import replace

import pytest

from config.settings import Settings
from services.digest import unsubscribe_token, unsubscribe_url, verify_unsubscribe_token
from services.errors import ValidationFailed

SETTINGS = Settings(secret_key="unit-test-secret", base_url="https://hub.example/")


def test_a_token_names_the_subscription_it_was_made_for():
    assert verify_unsubscribe_token(unsubscribe_token(42, SETTINGS), SETTINGS) == 42


def test_the_link_is_under_the_public_base_url():
    url = unsubscribe_url(SETTINGS, 7)
    assert url.startswith("https://hub.example/digest/unsubscribe/")
    assert verify_unsubscribe_token(url.rsplit("/", 1)[1], SETTINGS) == 7


def test_a_tampered_token_is_rejected():
    token = unsubscribe_token(42, SETTINGS)
    forged = unsubscribe_token(43, SETTINGS).split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(ValidationFailed):
        verify_unsubscribe_token(forged, SETTINGS)


def test_a_token_signed_with_another_secret_is_rejected():
    other = replace(SETTINGS, secret_key="someone-else")
    with pytest.raises(ValidationFailed):
        verify_unsubscribe_token(unsubscribe_token(42, other), SETTINGS)
