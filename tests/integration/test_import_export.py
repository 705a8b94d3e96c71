"""JSONL import and export against a real database (SQLite, or PostgreSQL with DXMATCH_DATABASE_URL)."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from models import Company, MatchingWork
from services.profiles import (
    RowProblem,
    company_to_record,
    export_jsonl,
    import_file,
    import_jsonl,
    upsert_company,
    validate_profile,
)
from tests.factories import gen_company, profile_record

HANBIT = {
    "id": "m-hanbit", "kind": "manufacturer", "name": "한빛정밀", "hub": "ochang", "language": "ko",
    "employees": 85, "summary": "이차전지 셀 케이스 정밀 가공", "description": "오창 산단 소재, 월 40만 개 생산",
    "contact_email": "dx@hanbit.example.com", "website": "https://hanbit.example.com", "industry": "battery",
    "needs": ["셀 케이스 외관 불량 자동 검출", "CNC 설비 예지보전"], "requires_security_certification": True,
    "confidential_notes": "2026년 증설 예산 5억 원",
}
OSONG = {
    "id": "m-osong-bio", "kind": "manufacturer", "name": "Osong BioPack", "hub": "osong", "language": "en",
    "industry": "bio", "needs": ["Cold-chain temperature monitoring for biologics"],
}
VISION = {
    "id": "s-vision", "kind": "supplier", "name": "비전에이아이", "hub": "pangyo", "language": "ko",
    "employees": 30, "summary": "딥러닝 외관 검사", "capabilities": ["딥러닝 외관 불량 검사", "불량 데이터 라벨링"],
    "industries_served": ["battery", "semiconductor"], "certifications": ["ISMS-P", "GS인증"],
    "references": ["A사 배터리 셀 검사 자동화 (2024)"],
}
FORGE = {
    "id": "s-forge", "kind": "supplier", "name": "Data Forge", "hub": "daejeon", "language": "en",
    "website": "http://dataforge.example.com", "capabilities": ["Vibration-based predictive maintenance"],
}
GOOD = [HANBIT, OSONG, VISION, FORGE]


def jsonl(*records) -> io.StringIO:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    return io.StringIO("\n".join(lines) + "\n")


def exported(session) -> list[dict]:
    out = io.StringIO()
    export_jsonl(session, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def company_count(session) -> int:
    return session.scalar(select(func.count(Company.id)))


def test_every_valid_line_loads_and_is_counted_as_created(session):
    report = import_jsonl(session, jsonl(*GOOD))
    assert (report.loaded, report.created, report.updated, report.rejected) == (4, 4, 0, 0)
    assert report.ok and report.errors == [] and str(report) == "loaded 4, rejected 0"
    assert exported(session) == GOOD


def test_a_bad_line_is_reported_with_its_number_field_and_reason_and_the_rest_still_loads(session):
    report = import_jsonl(session, jsonl(HANBIT, {**OSONG, "hub": "mars"}, VISION))
    assert (report.loaded, report.rejected) == (2, 1)
    [error] = report.errors
    assert (error.line, error.field) == (2, "hub")
    assert str(error).startswith("line 2: hub: unknown hub 'mars'")
    assert [r["id"] for r in exported(session)] == ["m-hanbit", "s-vision"]


def test_import_error_reads_as_line_field_reason():
    assert str(RowProblem(7, "needs", "at least 1 item")) == "line 7: needs: at least 1 item"


def test_blank_lines_are_skipped_silently_and_do_not_shift_line_numbers(session):
    text = "\n".join(["", json.dumps(HANBIT), "   ", "", json.dumps({**VISION, "kind": "vendor"}), ""])
    report = import_jsonl(session, io.StringIO(text))
    assert (report.loaded, report.rejected) == (1, 1)
    assert [(e.line, e.field) for e in report.errors] == [(5, "kind")]


def test_broken_json_and_a_non_object_line_are_errors_of_their_own_lines(session):
    report = import_jsonl(session, jsonl(HANBIT, '{"id": "m-2", "kind": ', '["m-3", "manufacturer"]', "42", VISION))
    assert [(e.line, e.field) for e in report.errors] == [(2, "json"), (3, "json"), (4, "json")]
    assert "invalid JSON" in report.errors[0].reason
    assert "not an array" in report.errors[1].reason
    assert report.loaded == 2


def test_a_field_given_twice_in_one_object_is_an_error(session):
    report = import_jsonl(session, jsonl('{"id": "m-1", "id": "m-2", "kind": "manufacturer"}'))
    assert [(e.line, e.field, e.reason) for e in report.errors] == [(1, "json", "field 'id' appears twice")]


def test_a_repeated_id_inside_one_file_is_an_error_on_the_later_line_and_the_first_wins(session):
    report = import_jsonl(session, jsonl(HANBIT, VISION, {**HANBIT, "name": "복제 한빛"}))
    assert [str(e) for e in report.errors] == ["line 3: id: repeated id 'm-hanbit' (first on line 1)"]
    assert session.scalar(select(Company.name).where(Company.external_id == "m-hanbit")) == "한빛정밀"


def test_importing_an_existing_id_updates_that_company_instead_of_adding_one(session):
    import_jsonl(session, jsonl(HANBIT, VISION))
    changed = {**without(HANBIT, "website", "confidential_notes"), "name": "한빛정밀(주)", "needs": ["용접 검사"]}
    report = import_jsonl(session, jsonl(changed))
    assert (report.created, report.updated) == (0, 1)
    assert company_count(session) == 2
    assert exported(session)[0] == changed  # cleared fields are gone, not kept from before


def test_an_update_keeps_the_platform_status_of_the_company(session):
    gen_company(session, id="m-hanbit", status="pending")
    import_jsonl(session, jsonl(HANBIT))
    assert session.scalar(select(Company.status).where(Company.external_id == "m-hanbit")) == "pending"


def test_a_company_can_change_kind_and_loses_the_fields_of_its_old_kind(session):
    import_jsonl(session, jsonl(HANBIT))
    as_supplier = {"id": "m-hanbit", "kind": "supplier", "name": "한빛정밀", "hub": "ochang", "language": "ko",
                   "capabilities": ["정밀 가공 데이터 분석"]}
    import_jsonl(session, jsonl(as_supplier))
    company = session.scalar(select(Company).where(Company.external_id == "m-hanbit"))
    assert (company.kind, company.industry, company.needs, company.confidential_notes) == ("supplier", None, [], None)
    assert company_to_record(company) == as_supplier


def test_upsert_company_reports_whether_it_created_the_company(session):
    profile = validate_profile(OSONG)
    company, created = upsert_company(session, profile)
    again, created_again = upsert_company(session, profile)
    assert (created, created_again) == (True, False)
    assert again.id == company.id and company.status == "active"


def test_upsert_company_gives_a_new_company_the_status_asked_for(session):
    company, _ = upsert_company(session, validate_profile(FORGE), status="pending")
    assert company.status == "pending"


def test_import_export_import_export_round_trip_is_exact(session):
    first = io.StringIO()
    import_jsonl(session, jsonl(*GOOD, without(HANBIT | {"id": "m-nolang"}, "language")))
    export_jsonl(session, first)
    import_jsonl(session, io.StringIO(first.getvalue()))
    second = io.StringIO()
    export_jsonl(session, second)
    assert second.getvalue() == first.getvalue()
    assert first.getvalue().count("\n") == 5


def test_export_of_a_company_reimports_to_the_same_company_in_an_empty_database(session):
    import_jsonl(session, jsonl(*GOOD))
    text = io.StringIO()
    export_jsonl(session, text)
    for company in session.scalars(select(Company)):
        session.delete(company)
    session.commit()
    report = import_jsonl(session, io.StringIO(text.getvalue()))
    assert report.created == 4
    assert exported(session) == GOOD


def test_export_leaves_out_empty_optional_fields_and_keeps_korean_readable(tmp_path, session):
    import_jsonl(session, jsonl(OSONG, VISION))
    path = tmp_path / "out.jsonl"
    assert export_jsonl(session, path) == 2
    text = path.read_text(encoding="utf-8")
    assert "비전에이아이" in text
    assert json.loads(text.splitlines()[0]) == OSONG  # no nulls, no [] and no false


def test_company_to_record_returns_the_profile_format_of_a_company(session):
    company = gen_company(session, "supplier", language="en", id="s-42", certifications=["CSAP"])
    record = company_to_record(company)
    assert record["id"] == "s-42" and record["kind"] == "supplier" and record["certifications"] == ["CSAP"]
    assert validate_profile(record).to_record() == record


def test_a_row_the_database_refuses_is_rolled_back_alone(session):
    def write_then_fail_for_osong(session_, profile, *, status):
        company, created = upsert_company(session_, profile, status=status)
        if profile.id == OSONG["id"]:  # half of this row is written when the database refuses the rest
            session_.add(Company(external_id="orphan", kind="supplier", name="x", hub_key="no-such-hub"))
            session_.flush()
        return company, created, True

    report = import_file(session, jsonl(HANBIT, OSONG, VISION), "jsonl", write=write_then_fail_for_osong)
    assert (report.loaded, report.rejected) == (2, 1)
    assert (report.errors[0].line, report.errors[0].field) == (2, "-")
    assert "database refused" in report.errors[0].reason
    assert [r["id"] for r in exported(session)] == ["m-hanbit", "s-vision"]


def test_an_import_that_crashes_half_way_leaves_the_database_unchanged(session):
    def killed_at_vision(profile):
        if profile.id == VISION["id"]:
            raise KeyboardInterrupt
        return []

    with pytest.raises(KeyboardInterrupt):
        import_jsonl(session, jsonl(HANBIT, OSONG, VISION), check=killed_at_vision)
    session.rollback()
    assert company_count(session) == 0


def test_an_import_records_the_matching_work_of_changed_companies_with_its_rows(session):
    import_jsonl(session, jsonl(HANBIT, VISION))
    import_jsonl(session, jsonl(HANBIT, {**VISION, "summary": "비전 검사 전문"}))
    session.rollback()  # only what was committed counts
    work = session.scalars(select(MatchingWork.company_external_id).order_by(MatchingWork.id)).all()
    assert work == ["m-hanbit", "s-vision", "s-vision"]


def test_import_reads_a_path_a_binary_stream_and_a_leading_bom(tmp_path, session):
    path = tmp_path / "companies.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(HANBIT, ensure_ascii=False).encode() + b"\n")
    assert import_jsonl(session, path).created == 1
    stream = io.BytesIO(("\ufeff" + json.dumps(VISION, ensure_ascii=False) + "\n").encode("utf-8"))
    assert import_jsonl(session, stream).created == 1


def test_a_line_that_is_not_utf8_is_an_error_of_that_line(session):
    stream = io.BytesIO(json.dumps(HANBIT).encode() + b"\n" + "{\"name\": \"한빛\"}".encode("cp949") + b"\n")
    report = import_jsonl(session, stream)
    assert [(e.line, e.field) for e in report.errors] == [(2, "json")]
    assert "UTF-8" in report.errors[0].reason and report.loaded == 1


def test_import_file_chooses_the_format_from_the_extension(tmp_path, session):
    (tmp_path / "a.jsonl").write_text(json.dumps(OSONG) + "\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id,kind,name,hub,capabilities\ns-b,supplier,B Soft,seoul,RPA\n", encoding="utf-8")
    assert import_file(session, tmp_path / "a.jsonl").created == 1
    assert import_file(session, tmp_path / "b.csv").created == 1
    with pytest.raises(ValueError, match="cannot tell the format"):
        import_file(session, tmp_path / "c.ods")


def test_factory_records_are_valid_in_both_languages():
    for kind in ("manufacturer", "supplier"):
        for language in ("ko", "en"):
            assert validate_profile(profile_record(kind, language=language)).language == language


def without(record: dict, *names: str) -> dict:
    return {k: v for k, v in record.items() if k not in names}
