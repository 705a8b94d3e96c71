"""The password policy (ASVS V6.2): length, the shipped common-password list, the account's own address."""
from __future__ import annotations

import pytest

from services.passwords import common_passwords, password_problems

EMAIL = "kim.minsu@hanbit.example.com"


@pytest.mark.parametrize("password", ["password", "12345678", "demo1234!", "short"])
def test_short_passwords_are_refused(password):
    assert "at least 12 characters" in password_problems(password, EMAIL)


@pytest.mark.parametrize("password", ["qwertyuiop123", "password1234", "Sunshine2026!!", "iloveyou1234!", "1q2w3e4r5t6y"])
def test_common_passwords_and_common_words_with_digits_tacked_on_are_refused(password):
    assert "too common" in password_problems(password, EMAIL)


@pytest.mark.parametrize("password", [EMAIL, EMAIL.upper(), "KIM.MINSU-secret-42", "my kim.minsu passphrase"])
def test_the_accounts_own_address_or_name_is_refused(password):
    assert "must not contain your e-mail address" in password_problems(password, EMAIL)


def test_passwords_over_128_characters_are_refused_but_128_are_fine():
    assert "at most 128 characters" in password_problems("x7-" * 43 + "x", EMAIL)  # 130
    assert password_problems(("correct horse battery staple " * 5)[:128], EMAIL) == []


@pytest.mark.parametrize("password", ["correct horse battery staple", "오창 공장의 비전 검사 2026", "Tr0ub4dor&3-xyz!"])
def test_long_uncommon_passphrases_in_any_script_are_accepted_without_composition_rules(password):
    assert password_problems(password, EMAIL) == []


def test_the_shipped_list_has_thousands_of_entries():
    assert len(common_passwords()) > 5000 and "password" in common_passwords()


def test_a_password_is_compared_exactly_as_typed_never_truncated():
    from werkzeug.security import generate_password_hash

    from services.auth import _password_matches

    stored = generate_password_hash("x" * 128, method="pbkdf2:sha256:1000")
    assert _password_matches(stored, "x" * 128)
    assert not _password_matches(stored, "x" * 127) and not _password_matches(stored, "x" * 129)
    assert not _password_matches(stored, "x" * 100_000)
