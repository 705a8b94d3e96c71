"""Excel in (issue 13): an .xlsx workbook and a CSV saved by Korean Excel (CP949) load exactly what their JSONL does."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dxmatch.cli import main
from models import Company
from services.profiles import company_to_record
from tests.integration.test_import_export import FORGE, HANBIT, VISION

# One hub, so a coordinator of ochang may upload the same files on the web page.
RECORDS: list[dict[str, Any]] = [HANBIT, {**VISION, "hub": "ochang"}, {**FORGE, "hub": "ochang"}]
COLUMNS: list[str] = list(dict.fromkeys(key for record in RECORDS for key in record))
BAD_ROW = {"id": "s-bad", "kind": "supplier", "name": "잘못된 허브", "hub": "jeju", "capabilities": ["MES"]}


def _cell(value: Any) -> Any:
    """A profile value as a spreadsheet holds it: lists joined by ' | ', the rest as it is."""
    return " | ".join(value) if isinstance(value, list) else value


def sheet_rows(records: list[dict[str, Any]]) -> list[list[Any]]:
    """The header row and one row per record, as a coordinator's spreadsheet holds them."""
    columns = list(dict.fromkeys([*COLUMNS, *(key for r in records for key in r)]))
    return [columns, *([_cell(r.get(c)) if c in r else None for c in columns] for r in records)]


def as_jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def as_xlsx(records: list[dict[str, Any]]) -> bytes:
    """A workbook as Excel saves it: numbers and booleans typed, empty cells empty."""
    workbook = openpyxl.Workbook()
    for row in sheet_rows(records):
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def as_csv(records: list[dict[str, Any]], encoding: str) -> bytes:
    """A CSV as Korean Excel saves it ("cp949"), or as UTF-8 with a BOM ("utf-8-sig")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in sheet_rows(records):
        writer.writerow(["true" if v is True else "false" if v is False else "" if v is None else v for v in row])
    return out.getvalue().encode(encoding)


FILES = {
    "jsonl": ("companies.jsonl", lambda records: as_jsonl(records)),
    "xlsx": ("companies.xlsx", lambda records: as_xlsx(records)),
    "csv-cp949": ("companies.csv", lambda records: as_csv(records, "cp949")),
    "csv-utf8-bom": ("companies.csv", lambda records: as_csv(records, "utf-8-sig")),
}


def loaded_records(session) -> list[dict[str, Any]]:
    """Every company in the database as a profile record, in id order."""
    session.expire_all()
    return [company_to_record(c) for c in session.scalars(select(Company).order_by(Company.external_id))]


def expected_records() -> list[dict[str, Any]]:
    return sorted(RECORDS, key=lambda r: r["id"])


def test_a_korean_excel_csv_is_really_cp949_and_not_utf8():
    data = as_csv(RECORDS, "cp949")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


@pytest.mark.parametrize("kind", FILES)
def test_dxmatch_import_loads_the_same_companies_from_jsonl_xlsx_and_korean_excel_csv(tmp_path: Path, session, kind):
    name, build = FILES[kind]
    source = tmp_path / name
    source.write_bytes(build(RECORDS))
    result = CliRunner().invoke(main, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "loaded 3, rejected 0"
    assert loaded_records(session) == expected_records()
    if kind == "csv-cp949":
        assert "read as CP949 (EUC-KR)" in result.stdout


@pytest.mark.parametrize("kind", ["xlsx", "csv-cp949"])
def test_dxmatch_import_names_the_bad_row_and_column_and_loads_the_good_rows(tmp_path: Path, session, kind):
    name, build = FILES[kind]
    source = tmp_path / name
    source.write_bytes(build([RECORDS[0], BAD_ROW, *RECORDS[1:]]))
    result = CliRunner().invoke(main, ["import", str(source)])
    assert result.exit_code == 1
    assert result.stderr.startswith("row 3: hub: unknown hub 'jeju'")
    assert loaded_records(session) == expected_records()


def test_dxmatch_import_of_a_csv_neither_utf8_nor_cp949_exits_two_and_says_why(tmp_path: Path, session):
    source = tmp_path / "hub.csv"
    source.write_bytes("id,kind,name\nm-1,manufacturer,Café\n".encode("latin-1"))
    result = CliRunner().invoke(main, ["import", str(source)])
    assert result.exit_code == 2
    assert "neither UTF-8 nor CP949" in result.stderr
    assert loaded_records(session) == []


def test_dxmatch_import_of_a_broken_workbook_exits_two(tmp_path: Path, session):
    source = tmp_path / "hub.xlsx"
    source.write_bytes(b"PK\x03\x04 not really a workbook")
    result = CliRunner().invoke(main, ["import", str(source)])
    assert result.exit_code == 2
    assert "not an Excel .xlsx workbook" in result.stderr


def test_excel_rows_are_numbered_as_excel_shows_them_even_after_blank_rows(tmp_path: Path, session):
    workbook = openpyxl.Workbook()
    rows = sheet_rows([RECORDS[0], BAD_ROW])
    workbook.active.append(rows[0])
    workbook.active.append(rows[1])
    workbook.active.append([])  # row 3 left blank
    workbook.active.cell(row=4, column=1, value=None)
    for column, value in enumerate(rows[2], start=1):
        workbook.active.cell(row=5, column=column, value=value)
    source = tmp_path / "gaps.xlsx"
    workbook.save(source)
    result = CliRunner().invoke(main, ["import", str(source)])
    assert result.stderr.startswith("row 5: hub: unknown hub 'jeju'")
