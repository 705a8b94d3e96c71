"""A coordinator's Excel and decision journeys in chromium (issue 13): an .xlsx import previewed with its bad
row and confirmed, the companies list downloaded as .xlsx and CSV (Korean page), and a pair declined with a
reason, then reopened with its history kept (English page). Screenshots go to test-artifacts/."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from models import Company, Match, PipelineTransition
from tests.e2e.demo import build_demo
from tests.e2e.test_introduction_flow import _login, _switch_language
from tests.factories import gen_user

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # the import recomputes matching inline: ~1 min

FORMULA_NAME = '=HYPERLINK("http://evil.example","클릭")'
HEADER = ["id", "kind", "name", "hub", "employees", "summary", "industry", "needs", "capabilities"]
ROWS = [  # row 2 and 3 load; row 4 (the third data row) has a non-numeric head count
    ["m-e2e-cheongju", "manufacturer", "청주정밀부품", "ochang", 120, "자동차 부품 가공", "auto_parts",
     "CNC 가공 불량 예측 | 설비 가동률 모니터링", None],
    ["s-e2e-formula", "supplier", FORMULA_NAME, "ochang", 15, "MES 구축", None, None, "중소 제조 MES 구축"],
    ["s-e2e-bad", "supplier", "직원수오류랩", "ochang", "많음", "비전 검사", None, None, "딥러닝 비전 검사"],
]


def _workbook() -> bytes:
    """The coordinator's spreadsheet, as Excel saves it: a header row of field names, then one company a row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text (as a web form would give it), not a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _download(page, selector: str, folder: Path) -> Path:
    """Click a download link and keep the file under the name the server gave it."""
    with page.expect_download() as info:
        page.click(selector)
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_a_coordinator_imports_an_xlsx_with_a_preview_then_downloads_the_companies(live_server, browser, session,
                                                                                     artifacts, tmp_path):
    coordinator = gen_user(session, "coordinator", hub="ochang", name="오창 코디네이터")
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="ko-KR", accept_downloads=True)
    page = context.new_page()
    _login(page, live_server, coordinator)

    # --- upload, preview: what would be created and what is rejected (row, column, reason) -------
    page.goto(f"{live_server}/hub/ochang/import")
    page.set_input_files("#file", files=[{"name": "기업목록.xlsx", "buffer": _workbook(),
                                           "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("button[name=action][value=preview]")
    page.wait_for_load_state()
    report = page.locator("section[aria-labelledby=report-h]")
    assert "미리 보기" in report.locator("h2").inner_text() or "미리보기" in report.locator("h2").inner_text()
    stats = [s.inner_text() for s in report.locator(".stat-num").all()]
    assert stats == ["2", "0", "1"]  # to create, to update, to reject
    bad = report.locator("table.import-errors tbody tr")
    assert bad.count() == 1
    line, field, why = (bad.locator("td").nth(i).inner_text() for i in range(3))
    assert (line, field) == ("4", "employees")  # the sheet's row 4, the column's name
    assert "많음" in why and "must" not in why and "정수" in why
    assert session.scalar(select(Company).where(Company.external_id == "m-e2e-cheongju")) is None  # nothing yet
    page.screenshot(path=str(artifacts / "journey-import-preview-ko.png"), full_page=True)

    # --- confirm: the two good rows load, and the companies list shows them -----------------------
    # importing recomputes the hub's matching before the page answers (jobs run inline in tests): 40-80 s here
    page.click("form.import-confirm button[type=submit]", timeout=300_000)
    page.wait_for_load_state()
    assert [s.inner_text() for s in page.locator(".stat-num").all()] == ["2", "1"]  # loaded, rejected
    session.expire_all()
    loaded = set(session.scalars(select(Company.external_id).where(Company.external_id.like("%-e2e-%"))))
    assert loaded == {"m-e2e-cheongju", "s-e2e-formula"}
    page.goto(f"{live_server}/hub/ochang/")
    companies = page.locator("section[aria-labelledby=companies-h]")
    assert "청주정밀부품" in companies.inner_text() and FORMULA_NAME in companies.inner_text()
    assert "직원수오류랩" not in companies.inner_text()
    page.screenshot(path=str(artifacts / "journey-import-companies-ko.png"), full_page=True)

    # --- download the companies list: Excel opens both files, Hangul intact, no formula ----------
    xlsx = _download(page, "section[aria-labelledby=companies-h] .export-links a[href*='format=xlsx']", tmp_path)
    assert xlsx.name.startswith("dxmatch-ochang-companies-") and xlsx.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(xlsx).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    names = {row[rows[0].index("name")] for row in rows[1:]}
    assert {"청주정밀부품", "'" + FORMULA_NAME} <= names
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]  # no formula cell

    raw = _download(page, "section[aria-labelledby=companies-h] .export-links a[href*='format=csv']", tmp_path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Korean Excel reads Hangul, not CP949 mojibake
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {"청주정밀부품", "'" + FORMULA_NAME} <= {row["name"] for row in table}
    context.close()


def test_a_coordinator_declines_a_pair_with_a_reason_then_reopens_it_with_the_history_kept(live_server, browser,
                                                                                          session, artifacts):
    demo = build_demo(session)
    pair = demo.pair
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    page = context.new_page()
    _login(page, live_server, demo.coordinator)
    _switch_language(page, "en")
    detail = f"{live_server}/hub/ochang/matches/{pair.id}"

    # --- decline goes through a confirmation page that asks why ------------------------------------
    page.goto(detail)
    page.click(f".move-form a[href*='/matches/{pair.id}/decline']")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Decline this pair"
    page.click("form.form-stack button[type=submit]")  # no reason chosen: the browser refuses to send it
    session.expire_all()
    assert session.get(Match, pair.id).status == pair.status
    page.check("#reason-no_capacity")
    page.fill("#note", "Fully booked until spring")
    page.screenshot(path=str(artifacts / "journey-decline-confirm-en.png"), full_page=True)
    page.click("form.form-stack button[type=submit]")
    page.wait_for_load_state()
    assert "Declined" in page.locator(".flash-success").inner_text()

    page.goto(detail)
    assert page.locator(".page-head .meta-row").inner_text().count("Declined") == 1
    history = page.locator("ol.timeline").first.inner_text()
    assert "The supplier cannot take it on now" in history and "Fully booked until spring" in history
    page.screenshot(path=str(artifacts / "journey-declined-en.png"), full_page=True)

    # --- undo: the pair reopens where it was, and the history keeps the decline --------------------
    page.click(".move-form button[value=reopen]")
    page.wait_for_load_state()
    page.goto(detail)
    assert "Declined" not in page.locator(".page-head .meta-row").inner_text()
    entries = page.locator("ol.timeline").first.locator("li")
    assert entries.count() == 2
    assert "The supplier cannot take it on now" in entries.nth(0).inner_text() + entries.nth(1).inner_text()
    page.screenshot(path=str(artifacts / "journey-reopened-en.png"), full_page=True)
    session.expire_all()
    assert session.get(Match, pair.id).status == "proposed"
    moves = session.scalars(select(PipelineTransition).where(PipelineTransition.match_id == pair.id)
                            .order_by(PipelineTransition.id)).all()
    assert [(t.from_status, t.to_status, t.reason) for t in moves] == [
        ("proposed", "declined", "no_capacity"), ("declined", "proposed", None)]
    context.close()
