"""A coordinator's decision on a registration reaches the company's members by mail, with the reason of a
rejection (never the coordinator's note), sent by the background worker after the page answered."""
from __future__ import annotations

from tests.factories import gen_company, gen_user
from tests.integration.notifications.conftest import text_of


def test_an_approved_registration_mails_its_member_in_their_language(client, auth, pair, mailbox, session):
    company = gen_company(session, "supplier", hub="ochang", status="pending", language="en")
    member = gen_user(session, company=company, language="en", email="new@supplier.example")
    auth.login(pair.coordinator)

    response = client.post(f"/hub/ochang/companies/{company.id}/review", data={"decision": "approve"})

    assert response.status_code == 302
    [mail] = mailbox.to(member.email)
    assert mail["Subject"] == "[dxmatch] Your registration was approved"
    assert company.name in text_of(mail) and "https://dxmatch.test/login" in text_of(mail)
    assert [m["X-Envelope-To"] for m in mailbox.delivered()] == [member.email]  # nobody else is told


def test_a_rejected_registration_names_its_reason_and_keeps_the_note_to_the_hub(client, auth, pair, mailbox, session):
    company = gen_company(session, "manufacturer", hub="ochang", status="pending")
    member = gen_user(session, company=company, language="ko", email="new@maker.example")
    auth.login(pair.coordinator)

    client.post(f"/hub/ochang/companies/{company.id}/review",
                data={"decision": "reject", "reason": "outside_region", "note": "코디네이터 메모-4417"})

    [mail] = mailbox.to(member.email)
    assert mail["Subject"] == "[dxmatch] 등록이 반려되었습니다"
    body = text_of(mail)
    assert "사유: 이 거점의 지역이 아닌 기업" in body and "오창 거점" in body
    assert "메모-4417" not in body and "outside_region" not in body


def test_a_rejection_without_a_reason_changes_nothing_and_mails_nobody(client, auth, pair, mailbox, session):
    company = gen_company(session, "manufacturer", hub="ochang", status="pending")
    gen_user(session, company=company, email="waiting@maker.example")
    auth.login(pair.coordinator)

    response = client.post(f"/hub/ochang/companies/{company.id}/review", data={"decision": "reject"})

    assert response.status_code == 302 and "/reject" in response.headers["Location"]  # to the confirmation page
    assert mailbox.delivered() == []
