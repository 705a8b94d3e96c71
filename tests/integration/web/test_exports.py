"""Exports of a hub's lists (issue 13): files Excel opens with Korean intact, no formula ever runs, hub scope kept."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from services.exports import neutralise
from tests.factories import gen_company, gen_match, gen_user

EVIL = '=HYPERLINK("http://evil","x")'
LISTS = ["pairs", "companies", "pipeline", "audit"]


@pytest.fixture
def hub(session):
    """An ochang pair between a Korean manufacturer and a supplier whose name is a formula, and one declined pair."""
    maker = gen_company(session, "manufacturer", hub="ochang", name="한빛정밀", industry="battery")
    evil = gen_company(session, "supplier", hub="ochang", name=EVIL)
    other = gen_company(session, "supplier", hub="ochang", name="데이터포지")
    gen_match(session, maker, evil, score=0.91)
    gen_match(session, maker, other, score=0.55, status="declined")
    return maker


@pytest.fixture
def coordinator(session, auth):
    user = gen_user(session, "coordinator", hub="ochang")
    auth.login(user)
    return user


def rows_of(response) -> list[list[str]]:
    """The cells of an exported file, read back the way Excel or a script would (openpyxl, csv)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = response.get_data()
    if response.mimetype == "text/csv":
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def cells(rows: list[list[str]]) -> set[str]:
    return {cell for row in rows for cell in row}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["pairs", "companies", "pipeline"])
def test_an_export_reads_back_with_korean_intact_and_the_formula_name_neutralised(client, session, hub, coordinator, name, fmt):
    response = client.get(f"/hub/ochang/export/{name}?format={fmt}&status=all")
    rows = rows_of(response)
    assert "attachment" in response.headers["Content-Disposition"] and f".{fmt}" in response.headers["Content-Disposition"]
    assert "한빛정밀" in cells(rows)
    assert "'" + EVIL in cells(rows) and EVIL not in cells(rows)
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no cell is a formula


def test_the_pairs_export_follows_the_dashboard_filters(client, session, hub, coordinator):
    proposed = rows_of(client.get("/hub/ochang/export/pairs?format=csv"))  # the dashboard's default: proposed pairs
    everything = rows_of(client.get("/hub/ochang/export/pairs?format=csv&status=all"))
    above = rows_of(client.get("/hub/ochang/export/pairs?format=csv&status=all&min_score=80"))
    assert len(proposed) == 2 and len(everything) == 3 and len(above) == 2
    assert "데이터포지" not in cells(proposed) and "데이터포지" in cells(everything)


def test_an_xlsx_export_writes_scores_and_head_counts_as_numbers(client, session, hub, coordinator):
    pairs = openpyxl.load_workbook(io.BytesIO(client.get("/hub/ochang/export/pairs?format=xlsx&status=all").get_data()))
    scores = [row[2] for row in pairs.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert sorted(scores) == [55, 91]  # numbers Excel sorts and sums, not text
    companies = openpyxl.load_workbook(io.BytesIO(client.get("/hub/ochang/export/companies?format=xlsx").get_data()))
    sheet = companies.worksheets[0]
    column = [c.value for c in next(sheet.iter_rows(max_row=1))].index("employees")
    assert all(isinstance(row[column], int) for row in sheet.iter_rows(min_row=2, values_only=True)
               if row[column] is not None)
    assert any(row[column] is not None for row in sheet.iter_rows(min_row=2, values_only=True))


def test_the_pipeline_export_lists_every_state(client, session, hub, coordinator):
    rows = rows_of(client.get("/hub/ochang/export/pipeline?format=xlsx"))
    assert len(rows) == 3


def test_the_companies_export_is_in_the_import_format_and_never_holds_confidential_notes(client, session, coordinator):
    gen_company(session, "manufacturer", hub="ochang", name="비밀 많은 회사", confidential_notes="증설 예산 5억")
    rows = rows_of(client.get("/hub/ochang/export/companies?format=csv"))
    assert rows[0][:4] == ["id", "kind", "name", "hub"] and "confidential_notes" not in rows[0]
    assert "증설 예산 5억" not in cells(rows) and "비밀 많은 회사" in cells(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_audit_export_lists_the_hubs_events_with_korean_intact(client, session, hub, coordinator, fmt):
    client.get(f"/hub/ochang/export/companies?format={fmt}")  # an export is itself audited
    rows = rows_of(client.get(f"/hub/ochang/export/audit?format={fmt}"))
    assert any("export" in row for row in rows[1:])
    assert coordinator.email in cells(rows)


@pytest.mark.parametrize("name", LISTS)
def test_a_member_gets_403_for_every_export(client, session, auth, hub, name):
    auth.login(gen_user(session, "member"))
    assert client.get(f"/hub/ochang/export/{name}?format=csv").status_code == 403


@pytest.mark.parametrize("name", LISTS)
def test_another_hubs_coordinator_cannot_export_this_hubs_lists(client, session, auth, hub, name):
    auth.login(gen_user(session, "coordinator", hub="osong"))
    assert client.get(f"/hub/ochang/export/{name}?format=xlsx").status_code in (403, 404)


def test_an_unknown_format_or_list_is_refused(client, session, hub, coordinator):
    assert client.get("/hub/ochang/export/pairs?format=pdf").status_code == 400
    assert client.get("/hub/ochang/export/users?format=csv").status_code == 404


def test_the_dashboard_pipeline_and_audit_pages_link_to_their_exports(client, session, hub, coordinator):
    dashboard = client.get("/hub/ochang/?industry=battery").get_data(as_text=True)
    assert "/hub/ochang/export/pairs?format=xlsx&amp;industry=battery" in dashboard
    assert "/hub/ochang/export/companies?format=csv" in dashboard
    assert "/hub/ochang/export/pipeline?format=xlsx" in client.get("/hub/ochang/pipeline").get_data(as_text=True)
    assert "/hub/ochang/export/audit?format=csv" in client.get("/hub/ochang/audit").get_data(as_text=True)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_cell_a_spreadsheet_would_evaluate_gets_a_quote(text):
    assert neutralise(text) == "'" + text
    assert neutralise("한빛 = 좋은 회사") == "한빛 = 좋은 회사"
