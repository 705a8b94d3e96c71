"""A failing action reads in Korean on a Korean page (translated by its error code); the API keeps the code
and its English message, so a client can branch on it whatever the caller's language."""
from __future__ import annotations

import html
import io
import re

from services import pipeline
from services.errors import MESSAGES
from services.i18n import translator
from tests.factories import gen_company, gen_match, gen_user
from tests.integration.test_import_excel import FILES, RECORDS
from tests.integration.web.world import build_world
from web.i18n import localize_reason

KO = translator("ko")


def _korean(code: str) -> str:
    return KO.gettext(MESSAGES[code])


def _visible_text(page: str) -> str:
    """What a reader sees: the page without its tags, scripts and styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_a_refused_pipeline_move_is_explained_in_korean_on_the_page(client, auth, session):
    maker = gen_company(session, "manufacturer", hub="ochang")
    pair = gen_match(session, maker, gen_company(session, "supplier"))
    coordinator = gen_user(session, "coordinator", hub="ochang")
    pipeline.move(session, coordinator, pair.id, "introduced")  # neither company has accepted yet
    auth.login(coordinator)
    refused = client.post(f"/hub/ochang/matches/{pair.id}/move", data={"to": "meeting"}, follow_redirects=True)
    text = _visible_text(refused.get_data(as_text=True))
    assert refused.status_code == 200
    assert _korean("pipeline.needs_both_accepts") in text
    assert MESSAGES["pipeline.needs_both_accepts"] not in text


def test_answering_an_introduction_twice_says_so_in_korean(client, auth, session):
    world = build_world(session)
    auth.login(world.users["m1"])
    first = client.post(f"/company/matches/{world.match.id}/respond", data={"answer": "accepted"})
    assert first.status_code == 302
    again = client.post(f"/company/matches/{world.match.id}/respond", data={"answer": "accepted"})
    text = _visible_text(again.get_data(as_text=True))
    assert again.status_code == 409
    assert _korean("introduction.already_answered") in text and "already answered" not in text.lower()


def test_a_bad_import_field_is_named_in_korean_on_the_preview(client, auth, session):
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    name, build = FILES["csv-cp949"]
    bad = {**RECORDS[1], "id": "s-bad-employees", "employees": "많음", "website": "ftp://example.com"}
    response = client.post("/hub/ochang/import", data={"file": (io.BytesIO(build([RECORDS[0], bad])), name),
                                                       "action": "preview"}, content_type="multipart/form-data")
    text = _visible_text(response.get_data(as_text=True))
    assert response.status_code == 200
    for english in ("must be a whole number, not '많음'", "not a valid http(s) URL"):
        korean = localize_reason(english, KO.gettext)
        assert korean != english and korean in text, korean
        assert english not in text


def test_an_error_page_reads_in_korean_and_the_api_answers_the_code_with_its_english_message(client, auth, session):
    world = build_world(session)
    auth.login(world.users["m1"])
    page = client.get("/hub/ochang/pipeline")
    assert page.status_code in (403, 404)
    text = _visible_text(page.get_data(as_text=True))
    assert not re.search(r"\b(Forbidden|Not found|coordinators only|Only hub coordinators)\b", text, re.I), text
    assert _korean("access.coordinators_only") in text or _korean("hub.not_found") in text

    auth.logout()  # the API call below is the other member's, by its token
    headers = {"Authorization": f"Bearer {world.tokens['m3']}", "Accept-Language": "ko"}
    answer = client.post(f"/api/v1/matches/{world.match.id}/introduction", json={"answer": "accepted"}, headers=headers)
    body = answer.get_json()["error"]
    assert answer.status_code in (403, 404) and body["code"] in MESSAGES
    assert body["message"] == MESSAGES[body["code"]]  # English for clients, whatever the caller's language


def test_every_error_code_renders_in_korean_on_the_error_page(app):
    """The page a Korean reader gets for each code (English msgid left over: the code is named)."""
    from services.errors import ValidationFailed, placeholders
    from web.errors import WEB_MESSAGES, error_text, handle_error

    untranslated = []
    with app.test_request_context("/hub/ochang/", headers={"Accept-Language": "ko-KR,ko"}):
        for code in MESSAGES:
            error = ValidationFailed(code, **{name: "2026-W99" for name in placeholders(code)})
            page, status, _headers = handle_error(error)
            text = _visible_text(page)
            if status != 422 or error.message in text or not re.search("[가-힣]", error.text(KO.gettext)) \
                    or error.text(KO.gettext) not in text:
                untranslated.append(code)
        for code in WEB_MESSAGES:
            if not re.search("[가-힣]", error_text(code, status=418)):
                untranslated.append(code)
    assert untranslated == []
