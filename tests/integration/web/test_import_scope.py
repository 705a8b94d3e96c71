"""A coordinator's upload can only touch their own hub, however the file is spelled (issue #11, finding 1)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Company
from tests.factories import gen_company, gen_user
from tests.integration.web.pages import upload

OSONG_ROW = '{"id": "sneak-1", "kind": "supplier", "name": "남의 회사", "hub": "osong", "capabilities": ["MES"]}'


def _company(session, external_id: str) -> Company | None:
    session.expire_all()
    return session.scalar(select(Company).where(Company.external_id == external_id))


@pytest.fixture
def coordinator(session, auth):
    user = gen_user(session, "coordinator", hub="ochang")
    auth.login(user)
    return user


@pytest.mark.parametrize("name, content", [
    ("c.csv", " id,kind,name, hub,capabilities\nsneak-1,supplier,남의 회사,osong,MES\n".encode()),
    ("c.jsonl", OSONG_ROW.replace(", ", ",\r ").encode()),
    ("c.jsonl", OSONG_ROW.replace("남의 회사", "남의\u2028회사").encode()),
    ("c.jsonl", OSONG_ROW.replace('"hub"', '"h\\u0075b"').encode()),
    ("c.jsonl", ("\ufeff" + OSONG_ROW).encode()),
])
def test_a_row_of_another_hub_is_refused_however_the_file_is_spelled(client, session, coordinator, name, content):
    page = upload(client, name, content)
    assert _company(session, "sneak-1") is None
    assert "import-errors" in page


def test_an_existing_company_of_another_hub_cannot_be_taken_over(client, session, coordinator):
    victim = gen_company(session, "manufacturer", hub="osong", confidential_notes="비밀 메모", contact_email="a@osong.example.com")
    header = " id,kind,name, hub,industry,needs,contact_email\n"
    row = f"{victim.external_id},manufacturer,빼앗은 회사,ochang,battery,MES 도입,evil@example.com\n"
    upload(client, "c.csv", (header + row).encode())
    company = _company(session, victim.external_id)
    assert (company.hub_key, company.contact_email, company.confidential_notes) == (
        "osong", "a@osong.example.com", "비밀 메모")


def test_out_of_scope_rows_are_reported_with_line_and_field_while_good_rows_load(client, session, coordinator):
    victim = gen_company(session, "supplier", hub="osong")
    good = '{"id": "mine-1", "kind": "supplier", "name": "우리 회사", "hub": "ochang", "capabilities": ["MES"]}'
    taken = ('{"id": "%s", "kind": "supplier", "name": "빼앗기", "hub": "ochang", "capabilities": ["MES"]}'
             % victim.external_id)
    page = upload(client, "c.jsonl", f"{good}\n{OSONG_ROW}\n{taken}\n".encode())
    assert _company(session, "mine-1") is not None and _company(session, "sneak-1") is None
    assert _company(session, victim.external_id).name == victim.name
    assert "<td>2</td><td><code>hub</code></td>" in page and "<td>3</td><td><code>id</code></td>" in page
