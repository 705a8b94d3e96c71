"""Every rule of shared/profile-format.md, one test each: a broken rule names its field and why."""
from __future__ import annotations

import pytest

from services.errors import ValidationFailed
from services.profiles import ManufacturerIn, ProfileIn, SupplierIn, validate_profile
from tests.factories import profile_record


def manufacturer(**overrides):
    return {**profile_record("manufacturer"), **overrides}


def supplier(**overrides):
    return {**profile_record("supplier", language="en"), **overrides}


def without(record: dict, *names: str) -> dict:
    return {k: v for k, v in record.items() if k not in names}


def errors_of(record) -> dict[str, str]:
    """field -> reason of every broken rule (the test fails if the record is valid)."""
    with pytest.raises(ValidationFailed) as caught:
        validate_profile(record)
    return {e["field"]: e["reason"] for e in caught.value.detail["errors"]}


# --- the valid shapes ----------------------------------------------------------------------


def test_a_complete_manufacturer_is_valid():
    profile = validate_profile(manufacturer())
    assert isinstance(profile, ManufacturerIn) and isinstance(profile, ProfileIn)
    assert profile.needs[0].startswith("배터리")


def test_a_complete_supplier_is_valid():
    profile = validate_profile(supplier())
    assert isinstance(profile, SupplierIn)
    assert profile.certifications == ["ISO 27001"]


def test_a_minimal_manufacturer_needs_only_the_required_fields():
    record = {"id": "m1", "kind": "manufacturer", "name": "대성기계", "hub": "changwon",
              "industry": "machinery", "needs": ["용접 품질 검사 자동화"]}
    assert validate_profile(record).to_record() == {**record, "language": "ko"}


def test_a_minimal_supplier_needs_only_the_required_fields():
    record = {"id": "s1", "kind": "supplier", "name": "Data Forge", "hub": "seoul",
              "capabilities": ["MES data platform"]}
    assert validate_profile(record).to_record() == {**record, "language": "en"}


def test_validation_failure_is_a_422_domain_error_listing_field_and_reason():
    with pytest.raises(ValidationFailed) as caught:
        validate_profile(manufacturer(hub="mars"))
    assert caught.value.status == 422
    assert caught.value.detail["errors"] == [{"field": "hub", "reason": caught.value.detail["errors"][0]["reason"]}]
    assert "mars" in caught.value.detail["errors"][0]["reason"]


def test_every_broken_rule_is_reported_at_once():
    errors = errors_of(manufacturer(name="", hub="mars", employees=0, needs=[]))
    assert set(errors) == {"name", "hub", "employees", "needs"}


def test_a_profile_that_is_not_an_object_is_rejected():
    assert errors_of(["m1", "manufacturer"]) == {"-": "expected an object, got a list"}


# --- id ------------------------------------------------------------------------------------


def test_id_is_required():
    assert errors_of(without(manufacturer(), "id")) == {"id": "required"}


def test_id_must_not_be_empty():
    assert "id" in errors_of(manufacturer(id=""))


def test_id_longer_than_64_characters_is_rejected():
    assert errors_of(manufacturer(id="a" * 65)) == {"id": "at most 64 characters"}


def test_id_of_exactly_64_characters_is_accepted():
    assert validate_profile(manufacturer(id="a" * 64)).id == "a" * 64


def test_id_with_characters_outside_the_allowed_set_is_rejected():
    assert "A-Z a-z 0-9" in errors_of(manufacturer(id="hanbit precision/1"))["id"]


def test_id_may_use_letters_digits_dots_underscores_and_dashes():
    assert validate_profile(manufacturer(id="HB_precision-2024.v1")).id == "HB_precision-2024.v1"


def test_id_must_be_a_string():
    assert errors_of(manufacturer(id=17)) == {"id": "must be a string"}


# --- kind ----------------------------------------------------------------------------------


def test_kind_is_required():
    assert errors_of(without(manufacturer(), "kind")) == {"kind": "required"}


def test_kind_other_than_manufacturer_or_supplier_is_rejected():
    assert "'robot'" in errors_of(manufacturer(kind="robot"))["kind"]


# --- name, hub, language -------------------------------------------------------------------


def test_name_is_required():
    assert errors_of(without(manufacturer(), "name")) == {"name": "required"}


def test_name_of_only_spaces_is_rejected():
    assert errors_of(manufacturer(name="   ")) == {"name": "must not be empty"}


def test_name_longer_than_200_characters_is_rejected():
    assert errors_of(manufacturer(name="가" * 201)) == {"name": "at most 200 characters"}


def test_name_must_be_a_string():
    assert errors_of(manufacturer(name=42)) == {"name": "must be a string"}


def test_hub_is_required():
    assert errors_of(without(manufacturer(), "hub")) == {"hub": "required"}


def test_hub_must_be_one_of_the_hub_keys():
    assert errors_of(manufacturer(hub="Ochang"))["hub"].startswith("unknown hub 'Ochang'")


def test_language_other_than_ko_or_en_is_rejected():
    assert errors_of(manufacturer(language="fr")) == {"language": "must be 'ko' or 'en'"}


def test_absent_language_is_detected_as_korean_from_hangul_text():
    record = without(manufacturer(), "language")
    assert validate_profile(record).language == "ko"


def test_absent_language_is_detected_as_english_from_latin_text():
    record = without(supplier(), "language")
    assert validate_profile(record).language == "en"


def test_given_language_wins_over_detection():
    assert validate_profile(supplier(language="en", summary="한국어 요약")).language == "en"


# --- optional common fields ----------------------------------------------------------------


def test_employees_must_be_an_integer_not_a_numeric_string():
    assert errors_of(manufacturer(employees="120")) == {"employees": "must be an integer"}


def test_employees_must_not_be_a_boolean():
    assert errors_of(manufacturer(employees=True)) == {"employees": "must be an integer"}


def test_employees_must_be_at_least_one():
    assert errors_of(manufacturer(employees=0)) == {"employees": "must be at least 1"}


def test_summary_longer_than_200_characters_is_rejected():
    assert errors_of(manufacturer(summary="x" * 201)) == {"summary": "at most 200 characters"}


def test_description_longer_than_4000_characters_is_rejected():
    assert errors_of(manufacturer(description="x" * 4001)) == {"description": "at most 4000 characters"}


def test_description_of_4000_characters_is_accepted():
    assert len(validate_profile(manufacturer(description="설" * 4000)).description) == 4000


def test_contact_email_must_be_a_valid_address():
    assert errors_of(manufacturer(contact_email="sales at hanbit"))["contact_email"].startswith("not a valid e-mail")


def test_website_must_use_http_or_https():
    assert errors_of(supplier(website="ftp://visionai.example.com")) == {"website": "not a valid http(s) URL"}


def test_website_without_a_scheme_is_rejected():
    assert errors_of(supplier(website="www.visionai.example.com")) == {"website": "not a valid http(s) URL"}


def test_unknown_field_is_rejected_so_a_typo_never_drops_data():
    assert errors_of(manufacturer(nedds=["오타"])) == {"nedds": "unknown field"}


def test_null_optional_field_counts_as_absent():
    assert validate_profile(manufacturer(summary=None, website=None)).summary is None


# --- manufacturer only ---------------------------------------------------------------------


def test_manufacturer_needs_an_industry():
    assert errors_of(without(manufacturer(), "industry")) == {"industry": "required"}


def test_manufacturer_industry_must_be_an_industry_key():
    assert errors_of(manufacturer(industry="배터리"))["industry"].startswith("unknown industry")


def test_manufacturer_needs_are_required():
    assert errors_of(without(manufacturer(), "needs")) == {"needs": "required"}


def test_manufacturer_needs_at_least_one_need():
    assert errors_of(manufacturer(needs=[])) == {"needs": "at least 1 item"}


def test_manufacturer_may_list_at_most_ten_needs():
    assert errors_of(manufacturer(needs=[f"need {i}" for i in range(11)])) == {"needs": "at most 10 items"}


def test_manufacturer_may_list_exactly_ten_needs():
    assert len(validate_profile(manufacturer(needs=[f"need {i}" for i in range(10)])).needs) == 10


def test_a_need_longer_than_1000_characters_is_rejected_with_its_position():
    assert errors_of(manufacturer(needs=["ok", "x" * 1001])) == {"needs": "item 2: at most 1000 characters"}


def test_an_empty_need_is_rejected():
    assert errors_of(manufacturer(needs=["검사 자동화", " "])) == {"needs": "item 2: must not be empty"}


def test_needs_must_be_a_list_not_a_single_string():
    assert errors_of(manufacturer(needs="검사 자동화")) == {"needs": "must be a list of strings"}


def test_a_need_must_be_a_string():
    assert errors_of(manufacturer(needs=["검사", 3])) == {"needs": "item 2: must be a string"}


def test_security_certification_requirement_must_be_a_boolean():
    assert errors_of(manufacturer(requires_security_certification="yes")) == {
        "requires_security_certification": "must be true or false"
    }


def test_security_certification_requirement_defaults_to_false():
    assert validate_profile(manufacturer()).requires_security_certification is False


def test_confidential_notes_longer_than_4000_characters_are_rejected():
    assert errors_of(manufacturer(confidential_notes="x" * 4001)) == {"confidential_notes": "at most 4000 characters"}


def test_a_supplier_field_on_a_manufacturer_is_rejected():
    assert errors_of(manufacturer(capabilities=["비전 검사"])) == {
        "capabilities": "only for a supplier, not a manufacturer"
    }


# --- supplier only -------------------------------------------------------------------------


def test_supplier_capabilities_are_required():
    assert errors_of(without(supplier(), "capabilities")) == {"capabilities": "required"}


def test_supplier_needs_at_least_one_capability():
    assert errors_of(supplier(capabilities=[])) == {"capabilities": "at least 1 item"}


def test_supplier_may_list_at_most_ten_capabilities():
    assert errors_of(supplier(capabilities=[f"c{i}" for i in range(11)])) == {"capabilities": "at most 10 items"}


def test_a_capability_longer_than_1000_characters_is_rejected():
    assert errors_of(supplier(capabilities=["x" * 1001])) == {"capabilities": "item 1: at most 1000 characters"}


def test_industries_served_must_be_industry_keys():
    assert errors_of(supplier(industries_served=["battery", "steel"]))["industries_served"].startswith(
        "item 2: unknown industry 'steel'"
    )


def test_an_industry_served_listed_twice_is_rejected():
    assert "twice" in errors_of(supplier(industries_served=["bio", "bio"]))["industries_served"]


def test_certifications_are_a_list_of_strings():
    assert errors_of(supplier(certifications="ISMS-P")) == {"certifications": "must be a list of strings"}


def test_certifications_accept_korean_names():
    assert validate_profile(supplier(certifications=["GS인증", "ISMS-P"])).certifications == ["GS인증", "ISMS-P"]


def test_supplier_may_list_at_most_ten_references():
    assert errors_of(supplier(references=[f"project {i}" for i in range(11)])) == {"references": "at most 10 items"}


def test_a_manufacturer_field_on_a_supplier_is_rejected():
    errors = errors_of(supplier(industry="battery", needs=["x"]))
    assert errors == {"industry": "only for a manufacturer, not a supplier",
                      "needs": "only for a manufacturer, not a supplier"}


def test_confidential_notes_are_for_manufacturers_only():
    assert errors_of(supplier(confidential_notes="비밀")) == {
        "confidential_notes": "only for a manufacturer, not a supplier"
    }


def test_surrounding_spaces_are_trimmed_from_text():
    profile = validate_profile(manufacturer(name="  한빛정밀  ", needs=["  검사 자동화 "]))
    assert (profile.name, profile.needs) == ("한빛정밀", ["검사 자동화"])
