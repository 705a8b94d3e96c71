"""Text a person cannot see or a database cannot store is refused by the one profile validation (issue #11, finding 11).

Import, the web forms and the API all call `validate_profile`, so one rule here covers them all.
"""
from __future__ import annotations

import pytest

from services.errors import ValidationFailed
from services.profiles import validate_profile
from tests.factories import profile_record

INVISIBLE_NAMES = ["\u200b", "\u200b\u200c\u200d\u2060", "\ufeff", "\u3164\u3164", "\u115f", "\u2800", " \u200e\u200f ", "\u00ad"]


def errors_of(record) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_profile(record)
    return {e["field"]: e["reason"] for e in caught.value.detail["errors"]}


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_of_only_invisible_characters_is_refused(name):
    assert "visible" in errors_of(profile_record("manufacturer", name=name))["name"]


@pytest.mark.parametrize("name", INVISIBLE_NAMES[:3])
def test_a_need_or_capability_of_only_invisible_characters_is_refused(name):
    assert "needs" in errors_of(profile_record("manufacturer", needs=["실제 수요", name]))
    assert "capabilities" in errors_of(profile_record("supplier", capabilities=[name]))


@pytest.mark.parametrize("field", ["name", "summary", "description", "confidential_notes", "contact_email", "website"])
def test_a_nul_byte_in_any_text_field_is_refused(field):
    value = {"contact_email": "a\x00@example.com", "website": "https://a\x00.example.com"}.get(field, "한빛\x00정밀")
    assert field in errors_of(profile_record("manufacturer", **{field: value}))


@pytest.mark.parametrize("field", ["needs", "capabilities", "references", "certifications"])
def test_a_nul_byte_in_a_list_item_is_refused(field):
    kind = "manufacturer" if field == "needs" else "supplier"
    assert field in errors_of(profile_record(kind, **{field: ["좋은 항목", "나쁜\x00항목"]}))


def test_other_control_characters_are_refused_but_line_breaks_and_tabs_are_kept():
    assert "description" in errors_of(profile_record("manufacturer", description="벨\x07소리"))
    profile = validate_profile(profile_record("manufacturer", description="첫 줄\n둘째\t줄", name="한빛 \u200b정밀"))
    assert profile.description == "첫 줄\n둘째\t줄" and profile.name == "한빛 \u200b정밀"


def test_an_employee_count_over_ten_million_is_refused():
    assert "at most" in errors_of(profile_record("manufacturer", employees=10**30))["employees"]
