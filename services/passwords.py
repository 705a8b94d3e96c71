"""Password policy in the spirit of ASVS 5.0 V6.2: long enough, not common, not the account's own name.

No composition rules (they make passwords weaker, not stronger), every character allowed, at
least 64 characters accepted. The common-password list ships in the repo (services/data/).
"""
from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt"
# What people tack onto a common word to pass a length rule ("sunshine2026!"): stripped before the list check.
_SUFFIX_CHARS = "0123456789!@#$%^&*()-_=+.,?~ "


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case (read once per process, immutable)."""
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip() and not line.startswith("#"))


def password_problems(password: str, email: str = "") -> list[str]:
    """Why a new password is refused (English reasons the pages translate); empty when it is fine."""
    text = unicodedata.normalize("NFC", password)
    problems = []
    if len(text) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    elif len(text) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    lowered = text.casefold()
    stem = lowered.rstrip(_SUFFIX_CHARS)
    common = common_passwords()
    if lowered in common or (len(stem) >= 6 and stem in common):
        problems.append("too common")
    address = email.strip().casefold()
    local = address.split("@")[0]
    if address and (lowered == address or (len(local) >= 3 and local in lowered)):
        problems.append("must not contain your e-mail address")
    return problems
