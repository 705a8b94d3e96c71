"""Hub staff keep internal notes on a pair; the companies never see them, and each note is audited."""
from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent, PairNote
from tests.factories import gen_company, gen_match, gen_user

SECRET = "공급기업 대표가 단가를 20% 낮출 수 있다고 구두로 언급"


def test_a_coordinators_note_stays_inside_the_hub(client, auth, session):
    maker = gen_company(session, "manufacturer", hub="ochang", needs=["외관 검사"])
    supplier = gen_company(session, "supplier", capabilities=["비전 검사"])
    pair = gen_match(session, maker, supplier)
    coordinator = gen_user(session, "coordinator", hub="ochang", name="김코디")
    auth.login(coordinator)
    assert client.post(f"/hub/ochang/matches/{pair.id}/notes", data={"body": SECRET}).status_code == 302
    page = client.get(f"/hub/ochang/matches/{pair.id}").get_data(as_text=True)
    assert SECRET in page and "김코디" in page and "내부 메모" in page
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "pair.note", AuditEvent.match_id == pair.id))
    assert client.post(f"/hub/ochang/matches/{pair.id}/notes", data={"body": "  "}).status_code == 302
    assert len(list(session.scalars(select(PairNote)))) == 1  # an empty note is refused, on the page

    for member_company in (maker, supplier):  # neither company sees it, on its page or in the API
        auth.logout()
        member = gen_user(session, "member", company=member_company)
        auth.login(member)
        assert SECRET not in client.get(f"/company/matches/{pair.id}").get_data(as_text=True)
        assert SECRET not in client.get(f"/api/v1/matches/{pair.id}").get_data(as_text=True)
        assert client.post(f"/hub/ochang/matches/{pair.id}/notes", data={"body": "x"}).status_code in (403, 404)

    auth.logout()
    auth.login(gen_user(session, "coordinator", hub="osong"))
    assert client.post(f"/hub/ochang/matches/{pair.id}/notes", data={"body": "x"}).status_code == 404
    assert len(list(session.scalars(select(PairNote)))) == 1
