"""The web import page reads what `dxmatch import` reads (issue 13): .xlsx, CP949 CSV, with the encoding named."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from services.profile_schema import ALL_FIELDS
from tests.factories import gen_user
from tests.integration.test_import_excel import BAD_ROW, FILES, RECORDS, expected_records, loaded_records
from tests.integration.web.pages import upload


@pytest.fixture
def coordinator(session, auth):
    user = gen_user(session, "coordinator", hub="ochang")
    auth.login(user)
    return user


def _post(client, name: str, content: bytes):
    return client.post("/hub/ochang/import", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


@pytest.mark.parametrize("kind", FILES)
def test_an_upload_loads_the_same_companies_from_jsonl_xlsx_and_korean_excel_csv(client, session, coordinator, kind):
    name, build = FILES[kind]
    page = upload(client, name, build(RECORDS))
    assert loaded_records(session) == expected_records()
    assert '<span class="stat-num">3</span>' in page
    if kind == "csv-cp949":
        assert "CP949 (EUC-KR)" in page


@pytest.mark.parametrize("kind", ["xlsx", "csv-cp949"])
def test_an_upload_lists_the_bad_row_with_its_column_and_loads_the_good_rows(client, session, coordinator, kind):
    name, build = FILES[kind]
    page = upload(client, name, build([RECORDS[0], BAD_ROW, *RECORDS[1:]]))
    assert "<td>3</td><td><code>hub</code></td>" in page
    assert loaded_records(session) == expected_records()


def test_a_csv_neither_utf8_nor_cp949_is_a_400_that_names_the_problem(client, session, coordinator, auth):
    response = _post(client, "c.csv", "id,kind,name\nm-1,manufacturer,Café\n".encode("latin-1"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<code>file</code>" in page and "CP949" in page and "UTF-8" in page
    assert loaded_records(session) == []


def test_a_broken_workbook_is_a_400_not_a_500(client, session, coordinator):
    response = _post(client, "c.xlsx", b"PK\x03\x04 not a workbook")
    assert response.status_code == 400
    assert "<code>file</code>" in response.get_data(as_text=True)


def test_a_file_of_another_type_is_a_400_that_lists_the_accepted_ones(client, session, coordinator):
    response = _post(client, "c.ods", b"whatever")
    assert response.status_code == 400
    assert "<code>file</code>" in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("lang, example", [("ko", "예시정밀"), ("en", "Example Precision")])
def test_the_import_template_holds_the_contract_columns_and_an_example_row_that_loads(client, session, coordinator, fmt, lang, example):
    client.post("/language", data={"lang": lang})
    page = client.get("/hub/ochang/import").get_data(as_text=True)
    assert f"/hub/ochang/import/template?format={fmt}" in page
    response = client.get(f"/hub/ochang/import/template?format={fmt}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    content = response.get_data()
    if fmt == "csv":
        header, row = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        header, row = [list(r) for r in openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]
    assert header == list(ALL_FIELDS) and example in row
    upload(client, f"template.{fmt}", content)
    assert [r["name"] for r in loaded_records(session)] == [example]


def test_a_member_cannot_download_the_import_template(client, session, auth):
    auth.login(gen_user(session, "member"))
    assert client.get("/hub/ochang/import/template?format=xlsx").status_code == 403


def _preview(client, name: str, content: bytes):
    data = {"file": (io.BytesIO(content), name), "action": "preview"}
    return client.post("/hub/ochang/import", data=data, content_type="multipart/form-data")


def test_a_preview_lists_what_would_be_created_updated_and_rejected_and_writes_nothing(client, session, coordinator):
    name, build = FILES["xlsx"]
    upload(client, "first.jsonl", FILES["jsonl"][1](RECORDS[:1]))  # HANBIT exists: the preview must call it an update
    response = _preview(client, name, build([RECORDS[0], BAD_ROW, *RECORDS[1:]]))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<span class="stat-num">2</span><span class="stat-label">' in page  # two to create
    assert "<td>3</td><td><code>hub</code></td>" in page and "/hub/ochang/import/confirm" in page
    assert [r["id"] for r in loaded_records(session)] == ["m-hanbit"]


def test_confirming_a_preview_imports_the_same_file_once(client, session, coordinator):
    name, build = FILES["csv-cp949"]
    _preview(client, name, build([RECORDS[0], BAD_ROW, *RECORDS[1:]]))
    assert loaded_records(session) == []
    page = client.post("/hub/ochang/import/confirm").get_data(as_text=True)
    assert loaded_records(session) == expected_records()
    assert "<td>3</td><td><code>hub</code></td>" in page
    again = client.post("/hub/ochang/import/confirm")  # the kept file is gone once used
    assert again.status_code == 400 and "<code>file</code>" in again.get_data(as_text=True)


def test_a_preview_cannot_be_confirmed_on_another_hubs_page(client, session, auth):
    admin = gen_user(session, "admin")
    auth.login(admin)
    name, build = FILES["jsonl"]
    _preview(client, name, build(RECORDS))
    assert client.post("/hub/osong/import/confirm").status_code == 400
    assert loaded_records(session) == []


def test_a_preview_of_an_unreadable_file_is_a_400_with_nothing_to_confirm(client, session, coordinator):
    response = _preview(client, "c.xlsx", b"PK\x03\x04 broken")
    assert response.status_code == 400 and "/import/confirm" not in response.get_data(as_text=True)
