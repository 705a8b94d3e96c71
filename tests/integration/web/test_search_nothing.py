"""A search that nothing answers says so in the reader's language instead of listing weak companies."""
from __future__ import annotations

from tests.factories import gen_company, gen_user


def test_a_nonsense_search_shows_the_translated_empty_result_and_a_real_one_does_not(client, auth, session):
    gen_company(session, "supplier", name="클라우드회계", hub="pangyo", capabilities=["중소기업 클라우드 회계 ERP"],
                summary="중소기업용 클라우드 회계·급여 서비스")
    gen_company(session, "supplier", name="EnergyLab", hub="pangyo", language="en",
                capabilities=["Factory energy management (FEMS) with metering per machine"])
    auth.login(gen_user(session, "coordinator", hub="ochang"))

    page = client.get("/hub/ochang/search", query_string={"q": "ㅁㄴㅇㄹ"}).get_data(as_text=True)
    assert "찾은 기업이 없습니다." in page and "클라우드회계" not in page
    page = client.get("/hub/ochang/search", query_string={"q": "asdfgh qwerty"}).get_data(as_text=True)
    assert "찾은 기업이 없습니다." in page and "EnergyLab" not in page
    page = client.get("/hub/ochang/search", query_string={"q": "ERP"}).get_data(as_text=True)
    assert "클라우드회계" in page and "찾은 기업이 없습니다." not in page
    client.post("/language", data={"lang": "en"})
    assert "Nothing found." in client.get("/hub/ochang/search?q=ㅁㄴㅇㄹ").get_data(as_text=True)
