"""CSV import: what coordinators keep in spreadsheets (list cells, Korean booleans, BOM, row numbers)."""
from __future__ import annotations

import io
import json

import pytest

from services.profiles import export_jsonl, import_csv

HEADER = "id,kind,name,hub,industry,needs,requires_security_certification,capabilities,employees,summary"


def csv_text(*rows: str, header: str = HEADER) -> io.StringIO:
    return io.StringIO("\n".join([header, *rows]) + "\n")


def exported(session) -> dict[str, dict]:
    out = io.StringIO()
    export_jsonl(session, out)
    return {r["id"]: r for r in map(json.loads, out.getvalue().splitlines())}


def test_a_list_cell_holds_items_separated_by_a_spaced_bar(session):
    report = import_csv(session, csv_text("m-1,manufacturer,한빛정밀,ochang,battery,외관 검사 | 예지보전 | 생산 계획,,,,"))
    assert report.created == 1
    assert exported(session)["m-1"]["needs"] == ["외관 검사", "예지보전", "생산 계획"]


@pytest.mark.parametrize("cell, expected", [
    ("true", True), ("FALSE", False), ("예", True), ("아니오", False), ("Y", True), ("n", False),
])
def test_a_boolean_cell_may_be_true_false_ye_anio_or_y_n(session, cell, expected):
    import_csv(session, csv_text(f"m-1,manufacturer,한빛정밀,ochang,battery,검사,{cell},,,"))
    assert exported(session)["m-1"].get("requires_security_certification", False) is expected


def test_a_boolean_cell_with_another_word_names_its_row_and_column(session):
    report = import_csv(session, csv_text("m-1,manufacturer,한빛정밀,ochang,battery,검사,maybe,,,"))
    assert [str(e) for e in report.errors] == [
        "row 2: requires_security_certification: expected true/false, 예/아니오 or Y/N, not 'maybe'"
    ]


def test_errors_name_the_spreadsheet_row_with_the_header_as_row_one_and_the_column(session):
    report = import_csv(session, csv_text(
        "m-1,manufacturer,한빛정밀,ochang,battery,검사,,,,",
        "m-2,manufacturer,대성기계,mars,machinery,용접,,,,",
        "s-3,supplier,Data Forge,seoul,,,,MES | ERP,0,",
    ))
    assert [(e.line, e.field) for e in report.errors] == [(3, "hub"), (4, "employees")]
    assert str(report.errors[0]).startswith("row 3: hub: unknown hub 'mars'")
    assert (report.loaded, report.rejected) == (1, 2)


def test_a_file_with_a_byte_order_mark_reads_like_one_without(tmp_path, session):
    path = tmp_path / "hub.csv"
    path.write_bytes(("\ufeff" + HEADER + "\nm-1,manufacturer,한빛정밀,ochang,battery,검사,,,,\n").encode("utf-8"))
    report = import_csv(session, path)
    assert (report.created, report.errors) == (1, [])


def test_an_empty_cell_means_the_field_is_absent(session):
    report = import_csv(session, csv_text("s-1,supplier,데이터포지,seoul,,,,MES 구축,,"))
    assert report.created == 1
    assert exported(session)["s-1"] == {"id": "s-1", "kind": "supplier", "name": "데이터포지", "hub": "seoul",
                                        "language": "ko", "capabilities": ["MES 구축"]}


def test_blank_rows_are_skipped_but_still_counted_in_row_numbers(session):
    report = import_csv(session, csv_text("", ",,,,,,,,,", "m-1,manufacturer,한빛,ochang,battery,,,,,"))
    assert [(e.line, e.field) for e in report.errors] == [(4, "needs")]


def test_a_quoted_cell_spanning_lines_is_still_one_spreadsheet_row(session):
    report = import_csv(session, csv_text(
        'm-1,manufacturer,한빛정밀,ochang,battery,검사,,,,"첫 줄\n둘째 줄"',
        "m-2,manufacturer,대성기계,mars,machinery,용접,,,,",
    ))
    assert [(e.line, e.field) for e in report.errors] == [(3, "hub")]
    assert exported(session)["m-1"]["summary"] == "첫 줄\n둘째 줄"


def test_employee_counts_may_use_thousands_separators(session):
    import_csv(session, csv_text('s-1,supplier,Data Forge,seoul,,,,MES,"1,200",'))
    assert exported(session)["s-1"]["employees"] == 1200


def test_a_filled_cell_in_an_unknown_column_rejects_that_row(session):
    header = HEADER + ",notes"
    report = import_csv(session, csv_text(
        "m-1,manufacturer,한빛정밀,ochang,battery,검사,,,,,",
        "m-2,manufacturer,대성기계,changwon,machinery,용접,,,,,메모",
        header=header,
    ))
    assert [str(e) for e in report.errors] == ["row 3: notes: unknown field"]
    assert report.loaded == 1


def test_a_column_named_twice_in_the_header_rejects_the_file(session):
    report = import_csv(session, csv_text("m-1,manufacturer,한빛정밀,ochang,battery,검사", header="id,kind,name,hub,hub,needs"))
    assert [str(e) for e in report.errors] == ["row 1: hub: column appears twice in the header"]
    assert report.loaded == 0


def test_a_row_with_more_cells_than_columns_is_rejected(session):
    report = import_csv(session, csv_text("s-1,supplier,Data Forge,seoul,,,,MES,,,extra"))
    assert [(e.line, e.field) for e in report.errors] == [(2, "-")]


def test_a_repeated_id_in_a_spreadsheet_is_an_error_on_the_later_row(session):
    report = import_csv(session, csv_text("s-1,supplier,A,seoul,,,,MES,,", "s-1,supplier,B,seoul,,,,ERP,,"))
    assert [str(e) for e in report.errors] == ["row 3: id: repeated id 's-1' (first on row 2)"]


def test_a_spreadsheet_row_exports_as_the_same_profile_as_its_jsonl_line(session):
    import_csv(session, csv_text("m-1,manufacturer,Hanbit Precision,ochang,battery,Vision inspection | PdM,Y,,85,"))
    assert exported(session)["m-1"] == {
        "id": "m-1", "kind": "manufacturer", "name": "Hanbit Precision", "hub": "ochang", "language": "en",
        "employees": 85, "industry": "battery", "needs": ["Vision inspection", "PdM"],
        "requires_security_certification": True,
    }
