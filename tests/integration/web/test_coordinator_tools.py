"""A coordinator's tools through the web client, with the real engine: a company page with its pairs and an
edit button, proposing a pair by hand from search or a company page, and "why not?" in both languages."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import AuditEvent, Company, Match
from tests.factories import gen_company, gen_match, gen_user

WELD_NEED = "용접 비드 불량을 카메라로 자동 검사하고 싶다"
WELD_CAPABILITY = "Deep-learning inspection of weld bead defects on car body parts"


def _weld_world(session, *, certified: bool = True, requires: bool = False):
    maker = gen_company(session, "manufacturer", name="오창용접", hub="ochang", needs=[WELD_NEED],
                        requires_security_certification=requires)
    supplier = gen_company(session, "supplier", name="WeldVision", hub="busan_centum", language="en",
                           capabilities=[WELD_CAPABILITY], certifications=["ISO 27001"] if certified else [])
    return maker, supplier


def test_propose_from_search_shows_the_engines_view_then_creates_the_pair_everywhere(client, auth, session):
    # the engine never proposes this pair (certification required, none held): the coordinator knows better
    maker, supplier = _weld_world(session, certified=False, requires=True)
    coordinator = gen_user(session, "coordinator", hub="ochang")
    auth.login(coordinator)

    results = client.get("/hub/ochang/search", query_string={"q": "용접 비드 비전 검사"}).get_data(as_text=True)
    link = re.search(r'href="(/hub/ochang/propose\?supplier=%d)"' % supplier.id, results)
    assert link, "each result offers 제안하기"
    assert "제안하기" in results
    picked = client.get(link.group(1) + f"&manufacturer={maker.id}").get_data(as_text=True)
    assert "오창용접" in picked and "WeldVision" in picked
    assert WELD_NEED in picked and "보안 인증 필요" in picked  # the engine's explanation and rules of this very pair
    assert 'class="score-num"' in picked and 'action="/hub/ochang/propose"' in picked
    assert session.scalar(select(Match.id)) is None

    response = client.post("/hub/ochang/propose", data={"manufacturer": maker.id, "supplier": supplier.id, "note": "박람회"})
    match = session.scalar(select(Match).where(Match.manufacturer_id == maker.id, Match.supplier_id == supplier.id))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/hub/ochang/matches/{match.id}")
    assert match.status == "proposed"
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "매칭을 제안했습니다" in detail and "박람회" in detail
    assert f'id="pair-{match.id}"' in client.get("/hub/ochang/").get_data(as_text=True)
    assert f'id="card-{match.id}"' in client.get("/hub/ochang/pipeline").get_data(as_text=True)
    assert f'id="pair-{match.id}"' in client.get(f"/hub/ochang/companies/{maker.id}").get_data(as_text=True)
    assert "매칭을 직접 제안함" in client.get("/hub/ochang/audit").get_data(as_text=True)

    again = client.post("/hub/ochang/propose", data={"manufacturer": maker.id, "supplier": supplier.id}, follow_redirects=True)
    assert "이미 진행 중입니다" in again.get_data(as_text=True)
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "pair.propose").offset(1)) is None


def test_why_not_explains_the_security_rule_in_words_in_both_languages(client, auth, session):
    maker, supplier = _weld_world(session, certified=False, requires=True)
    auth.login(gen_user(session, "coordinator", hub="ochang"))

    page = client.get(f"/hub/ochang/companies/{maker.id}").get_data(as_text=True)
    assert "왜 제안되지 않았나요?" in page and f'<option value="{supplier.id}">' in page
    korean = client.get(f"/hub/ochang/companies/{maker.id}/why-not?supplier={supplier.id}").get_data(as_text=True)
    assert "보안 인증 필요" in korean and 'class="score-num"' in korean and WELD_NEED in korean
    client.post("/language", data={"lang": "en"})
    english = client.get(f"/hub/ochang/companies/{maker.id}/why-not?supplier={supplier.id}").get_data(as_text=True)
    assert "Security certification required" in english and "ISMS-P or ISO 27001" in english
    assert "Why was this supplier not proposed?" in english


def test_why_not_without_a_supplier_shows_the_picker_and_bad_ids_are_not_errors(client, auth, session):
    maker, supplier = _weld_world(session)
    auth.login(gen_user(session, "coordinator", hub="ochang"))

    picker = client.get(f"/hub/ochang/companies/{maker.id}/why-not")
    assert picker.status_code == 200 and 'id="review"' not in picker.get_data(as_text=True)
    assert client.get(f"/hub/ochang/companies/{maker.id}/why-not?supplier=abc").status_code == 200
    assert client.get(f"/hub/ochang/companies/{maker.id}/why-not?supplier=99999999").status_code == 404
    assert client.get(f"/hub/ochang/companies/{supplier.id}/why-not?supplier={maker.id}").status_code == 404
    assert client.get("/hub/ochang/propose?manufacturer=1e9&supplier=-1").status_code == 200
    assert client.post("/hub/ochang/propose", data={"manufacturer": "x"}).status_code == 404


def test_members_and_other_hubs_cannot_propose_review_or_edit(client, auth, session):
    maker, supplier = _weld_world(session)
    other_maker = gen_company(session, "manufacturer", hub="changwon")
    member = gen_user(session, "member", company=maker)
    form = {"manufacturer": maker.id, "supplier": supplier.id}
    urls = [f"/hub/ochang/propose?manufacturer={maker.id}&supplier={supplier.id}",
            f"/hub/ochang/companies/{maker.id}/why-not?supplier={supplier.id}", f"/hub/ochang/companies/{maker.id}/edit"]

    auth.login(member)
    assert [client.get(u).status_code for u in urls] == [403, 403, 403]
    assert client.post("/hub/ochang/propose", data=form).status_code == 403
    assert client.post(f"/hub/ochang/companies/{maker.id}/edit", data={"name": "탈취"}).status_code == 403
    auth.logout()
    auth.login(gen_user(session, "coordinator", hub="changwon"))
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    assert client.post("/hub/ochang/propose", data=form).status_code == 404
    auth.logout()
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    assert client.get(f"/hub/ochang/companies/{other_maker.id}/edit").status_code == 404
    assert client.post("/hub/ochang/propose", data={"manufacturer": other_maker.id, "supplier": supplier.id}).status_code == 404
    assert session.scalar(select(Match.id)) is None
    session.expire_all()
    assert session.get(Company, maker.id).name == "오창용접"


def test_coordinator_edits_a_company_of_their_hub_and_its_confidential_notes_stay(client, auth, session):
    maker = gen_company(session, "manufacturer", name="한빛정밀", hub="ochang", confidential_notes="증설 예산 3억")
    auth.login(gen_user(session, "coordinator", hub="ochang"))

    page = client.get(f"/hub/ochang/companies/{maker.id}").get_data(as_text=True)
    assert f'href="/hub/ochang/companies/{maker.id}/edit"' in page
    form = client.get(f"/hub/ochang/companies/{maker.id}/edit").get_data(as_text=True)
    assert "증설 예산" not in form and 'name="confidential_notes"' not in form and "한빛정밀" in form

    bad = client.post(f"/hub/ochang/companies/{maker.id}/edit", data={"name": "한빛정밀", "needs": "", "industry": "battery",
                                                                       "website": "javascript:alert(1)"})
    assert bad.status_code == 422 and "aria-invalid" in bad.get_data(as_text=True)
    saved = client.post(f"/hub/ochang/companies/{maker.id}/edit", data={
        "name": "한빛정밀 2공장", "industry": "battery", "needs": "셀 외관 검사\nCNC 예지보전"})
    assert saved.status_code == 302
    session.expire_all()
    company = session.get(Company, maker.id)
    assert (company.name, company.needs, company.confidential_notes) == ("한빛정밀 2공장", ["셀 외관 검사", "CNC 예지보전"], "증설 예산 3억")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "company.update"))
    assert event.company_id == maker.id and event.detail.get("by") == "staff"
    client.post("/language", data={"lang": "en"})
    assert "Edit" in client.get(f"/hub/ochang/companies/{maker.id}").get_data(as_text=True)


def test_company_page_lists_its_pairs_with_their_states_sorted_and_paged(client, auth, session):
    from services.dashboard import PAIRS_PAGE

    maker = gen_company(session, "manufacturer", name="페이지공장", hub="ochang")
    ids = [gen_match(session, maker, gen_company(session, "supplier", name=f"짝{i:03d}"), score=0.5 + i / 100,
                     status="declined" if i == 0 else "proposed").id for i in range(PAIRS_PAGE + 1)]
    other = gen_match(session, gen_company(session, "manufacturer", hub="ochang"), gen_company(session, "supplier"), score=0.99)
    auth.login(gen_user(session, "coordinator", hub="ochang"))

    first = client.get(f"/hub/ochang/companies/{maker.id}").get_data(as_text=True)
    assert re.findall(r'id="pair-(\d+)"', first) == [str(i) for i in reversed(ids[1:])]  # best first
    assert f"({PAIRS_PAGE + 1})" in first and f'id="pair-{other.id}"' not in first
    second = client.get(f"/hub/ochang/companies/{maker.id}?page=2").get_data(as_text=True)
    assert re.findall(r'id="pair-(\d+)"', second) == [str(ids[0])] and "badge-declined" in second
    by_name = client.get(f"/hub/ochang/companies/{maker.id}?sort=company&page=2").get_data(as_text=True)
    assert re.findall(r'id="pair-(\d+)"', by_name) == [str(ids[-1])]  # same maker: by supplier name, 짝015 last
