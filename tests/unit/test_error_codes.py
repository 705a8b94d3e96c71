"""Every error has a stable code whose message is in the catalog: a Korean page never shows English."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.errors import MESSAGES, Conflict, DomainError, ValidationFailed, placeholders
from services.i18n import translator
from web.errors import ALL_MESSAGES, WEB_MESSAGES

ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile("[가-힣]")
ERROR_CLASSES = r"(?:ValidationFailed|NotFound|Forbidden|Conflict|Unavailable|InvalidInput|IndexNotReady|DomainError)"
RAISED = re.compile(ERROR_CLASSES + r"\(\s*(f?)\"([^\"]*)\"")
CODE = re.compile(r"[a-z_]+\.[a-z_]+")


def _korean(code: str) -> str:
    return translator("ko").gettext(ALL_MESSAGES[code], **{name: "2026-W99" for name in placeholders_of(code)})


def placeholders_of(code: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", ALL_MESSAGES[code]))


@pytest.mark.parametrize("code", sorted(ALL_MESSAGES))
def test_every_error_code_reads_in_korean(code):
    korean = _korean(code)
    assert HANGUL.search(korean), f"{code}: {ALL_MESSAGES[code]!r} has no Korean in the catalog"
    assert not re.search(r"\b(the|is|must|not|only|this|please|found|request)\b", korean, re.IGNORECASE), korean
    assert "2026-W99" in korean or not placeholders_of(code)  # the value stays


def test_error_codes_are_dotted_lowercase_and_the_web_does_not_reuse_a_service_code():
    assert [c for c in ALL_MESSAGES if not CODE.fullmatch(c)] == []
    assert set(MESSAGES) & set(WEB_MESSAGES) == set()


def _raised_codes() -> list[tuple[str, str, str]]:
    """(file, code, f-prefix) of every error raised with a literal first argument in the project's code."""
    found = []
    for folder in ("services", "web", "dxmatch", "fixtures"):
        for path in (ROOT / folder).rglob("*.py"):
            for f_prefix, code in RAISED.findall(path.read_text(encoding="utf-8")):
                found.append((str(path.relative_to(ROOT)), code, f_prefix))
    return found


def test_every_raised_service_error_names_a_known_code_not_a_sentence():
    raised = _raised_codes()
    assert len(raised) > 40  # the scan sees the raise sites
    assert [(where, code) for where, code, f_prefix in raised if f_prefix or code not in MESSAGES] == []


def test_an_unknown_code_is_refused_where_it_is_raised():
    with pytest.raises(KeyError, match="unknown error code"):
        ValidationFailed("this move is not allowed")


def test_an_error_keeps_its_code_and_values_and_reads_in_english_for_the_cli_and_the_api():
    error = ValidationFailed("digest.no_such_week", week="2026-W60")
    assert (error.code, error.status, str(error)) == ("digest.no_such_week", 422, "There is no ISO week 2026-W60.")
    assert error.text(translator("ko").gettext) == "2026-W60라는 ISO 주는 없습니다."
    refused = Conflict("pipeline.move_not_allowed", from_status="proposed", to_status="contract")
    assert refused.message == "This move is not allowed." and refused.detail["to_status"] == "contract"
    assert isinstance(refused, DomainError) and placeholders("pipeline.move_not_allowed") == set()


def test_every_field_reason_a_service_writes_reads_in_korean():
    from web.i18n import localize_reason

    reasons = set()
    for folder in ("services", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            reasons.update(re.findall(r"\"reason\": \"([^\"]+)\"", path.read_text(encoding="utf-8")))
    assert len(reasons) > 10
    untranslated = sorted(r for r in reasons if not HANGUL.search(localize_reason(r, translator("ko").gettext)))
    assert untranslated == []
