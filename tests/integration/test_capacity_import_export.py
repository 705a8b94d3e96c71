"""`monthly_capacity`: an optional supplier field of the profile format, imported and exported only when set."""
from __future__ import annotations

import io
import json

import pytest

from services.profiles import export_jsonl, import_csv, import_jsonl

SUPPLIER = {"id": "s-cap", "kind": "supplier", "name": "비전에이아이", "hub": "pangyo", "language": "ko",
            "capabilities": ["딥러닝 외관 불량 검사"]}
MAKER = {"id": "m-cap", "kind": "manufacturer", "name": "한빛정밀", "hub": "ochang", "language": "ko",
         "industry": "battery", "needs": ["셀 외관 불량 검출"]}


def _jsonl(*records: dict) -> io.StringIO:
    return io.StringIO("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def _exported(session) -> list[dict]:
    out = io.StringIO()
    export_jsonl(session, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_stated_capacity_round_trips_and_an_unstated_one_leaves_the_export_unchanged(session):
    other = {**SUPPLIER, "id": "s-open"}
    report = import_jsonl(session, _jsonl({**SUPPLIER, "monthly_capacity": 0}, other, MAKER), notify=False)
    assert report.ok
    assert _exported(session) == [{**SUPPLIER, "monthly_capacity": 0}, other, MAKER]


@pytest.mark.parametrize("value, reason", [(-1, "must be at least 0"), (1001, "must be at most 1,000"),
                                           ("3", "must be an integer"), (2.5, "must be an integer"),
                                           (True, "must be an integer")])
def test_a_bad_capacity_is_a_line_and_field_error_and_the_other_lines_load(session, value, reason):
    report = import_jsonl(session, _jsonl(MAKER, {**SUPPLIER, "monthly_capacity": value}), notify=False)
    assert report.rejected == 1 and [str(e) for e in report.errors] == [f"line 2: monthly_capacity: {reason}"]
    assert [r["id"] for r in _exported(session)] == ["m-cap"]


def test_a_manufacturer_cannot_state_a_capacity(session):
    report = import_jsonl(session, _jsonl({**MAKER, "monthly_capacity": 3}), notify=False)
    assert [str(e) for e in report.errors] == ["line 1: monthly_capacity: only for a supplier, not a manufacturer"]


def test_a_csv_column_of_capacities_is_read_as_whole_numbers(session):
    sheet = ("id,kind,name,hub,capabilities,monthly_capacity\n"
             "s-a,supplier,에이,pangyo,MES 구축,5\n"
             "s-b,supplier,비,pangyo,ERP 구축,\n"
             "s-c,supplier,씨,pangyo,PLM 구축,다섯\n")
    report = import_csv(session, io.StringIO(sheet), notify=False)
    assert [str(e) for e in report.errors] == ["row 4: monthly_capacity: must be a whole number, not '다섯'"]
    assert {r["id"]: r.get("monthly_capacity") for r in _exported(session)} == {"s-a": 5, "s-b": None}
