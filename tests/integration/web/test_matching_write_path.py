"""Changes made through the site reach the stored proposals and the API with no manual recompute."""
from __future__ import annotations

import dataclasses

import pytest

from sqlalchemy import select

from models import Company, Match, MatchingWork
from services import auth as auth_service
from services import index_builder
from tests.factories import gen_company, gen_user
from web import create_app

ERP_NEED = "회계 전표 처리를 클라우드 ERP로 바꾸고 싶다"
VISION_NEED = "배터리 셀 외관 불량을 AI 비전으로 자동 검사하고 싶다"


def _market(session):
    maker = gen_company(session, "manufacturer", id="m-cell", hub="ochang", industry="battery", needs=[ERP_NEED])
    gen_company(session, "supplier", id="s-vision", hub="pangyo", industries_served=["battery"],
                capabilities=["딥러닝 비전 검사로 배터리 셀 외관 결함 자동 판정"])
    gen_company(session, "supplier", id="s-erp", hub="seoul", capabilities=["클라우드 회계 ERP 구축과 전표 자동화"])
    gen_company(session, "supplier", id="s-fems", hub="daejeon", capabilities=["공장 에너지 관리 시스템 FEMS"])
    return maker


def _published(app, session) -> None:
    index_builder.request_rebuild(session, "test set-up")
    session.commit()
    app.extensions["dxmatch.runtime"].process_now()
    session.expire_all()


def _top_supplier(session, maker: Company) -> str:
    row = session.scalar(select(Match).where(Match.manufacturer_id == maker.id).order_by(Match.rank).limit(1))
    return row.supplier.external_id


def test_a_needs_edit_through_the_web_form_changes_stored_proposals_and_the_api_at_once(app, client, auth, session):
    maker = _market(session)
    _published(app, session)
    assert _top_supplier(session, maker) == "s-erp"
    member = gen_user(session, "member", company=maker)
    auth.login(member)
    saved = client.post("/company/profile", data={"name": maker.name, "industry": "battery", "needs": VISION_NEED})
    assert saved.status_code == 302
    session.expire_all()
    assert _top_supplier(session, maker) == "s-vision"
    token = auth_service.issue_api_token(session, member)
    api = client.get("/api/v1/matches", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert api["items"][0]["supplier"]["external_id"] == "s-vision"
    assert index_builder.pending_count(session) == 0


def test_approving_three_manufacturers_in_a_row_gives_each_its_proposals(app, client, auth, session):
    _market(session)
    _published(app, session)
    waiting = [gen_company(session, "manufacturer", id=f"m-new-{i}", hub="ochang", status="pending", needs=[need])
               for i, need in enumerate([VISION_NEED, ERP_NEED, "에너지 사용량을 실시간으로 관리하고 싶다"])]
    auth.login(gen_user(session, "coordinator", hub="ochang"))
    for company in waiting:
        answer = client.post(f"/hub/ochang/companies/{company.id}/review", data={"decision": "approve"})
        assert answer.status_code == 302
    session.expire_all()
    proposed = {c.external_id: session.scalar(select(Match.id).where(Match.manufacturer_id == c.id).limit(1))
                for c in waiting}
    assert all(proposed.values()), proposed


def test_in_the_embedded_default_the_request_returns_before_matching_and_the_worker_finishes_it(
        settings, session):
    app = create_app({"TESTING": True, "DXMATCH_SETTINGS": settings, "SECRET_KEY": "test-secret",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "DXMATCH_JOBS": "thread"})
    runtime = app.extensions["dxmatch.runtime"]
    maker = _market(session)
    _published(app, session)
    member = gen_user(session, "member", company=maker)
    client = app.test_client()
    client.post("/login", data={"email": member.email, "password": member.password})
    assert client.post("/company/profile", data={"name": maker.name, "industry": "battery",
                                                 "needs": VISION_NEED}).status_code == 302
    assert runtime.jobs.wait_idle(timeout=120)
    session.expire_all()
    assert _top_supplier(session, maker) == "s-vision"
    assert session.scalar(select(MatchingWork.id).where(MatchingWork.done_at.is_(None))) is None


REDIS_TEST_URL = "redis://127.0.0.1:6379/11"  # a database of its own, emptied by the test


def test_a_recompute_request_only_enqueues_on_redis_and_the_dashboard_shows_the_job(settings, session):
    from redis import Redis
    from rq import Queue, Worker

    from services.jobs import RQ_QUEUE

    queue = Queue(RQ_QUEUE, connection=Redis.from_url(REDIS_TEST_URL))
    queue.empty()
    busy_worker = Worker([queue], connection=queue.connection)  # listed as listening, never takes a job
    busy_worker.register_birth()
    rq_settings = dataclasses.replace(settings, redis_url=REDIS_TEST_URL, jobs="rq")
    app = create_app({"TESTING": True, "DXMATCH_SETTINGS": rq_settings, "SECRET_KEY": "test-secret",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    _market(session)
    coordinator = gen_user(session, "coordinator", hub="ochang")
    client = app.test_client()
    client.post("/login", data={"email": coordinator.email, "password": coordinator.password})
    try:
        answer = client.post("/hub/ochang/recompute", headers={"Accept-Language": "ko"}, follow_redirects=True)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "매칭 갱신 대기 중" in page and "<progress" in page  # no worker runs
        assert queue.count == 1
        assert client.get("/hub/ochang/jobs").get_json()["jobs"][0]["status"] == "queued"
        assert session.scalar(select(Match.id).limit(1)) is None  # nothing was matched inside the request
    finally:
        queue.empty()
        busy_worker.register_death()


def test_with_redis_but_no_worker_listening_the_job_runs_in_process(settings, session):
    from redis import Redis
    from rq import Queue

    from services.jobs import RQ_QUEUE

    queue = Queue(RQ_QUEUE, connection=Redis.from_url(REDIS_TEST_URL))
    queue.empty()
    rq_settings = dataclasses.replace(settings, redis_url=REDIS_TEST_URL, jobs="rq")
    app = create_app({"TESTING": True, "DXMATCH_SETTINGS": rq_settings, "SECRET_KEY": "test-secret",
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    maker = _market(session)
    index_builder.request_rebuild(session, "test")
    session.commit()
    app.extensions["dxmatch.runtime"].kick()
    assert app.extensions["dxmatch.runtime"].jobs.wait_idle(timeout=120) and queue.count == 0
    session.expire_all()
    assert _top_supplier(session, maker) == "s-erp"


def test_a_needs_change_through_the_api_refreshes_the_proposals_the_api_lists(app, client, session):
    maker = _market(session)
    _published(app, session)
    member = gen_user(session, "member", company=maker)
    token = auth_service.issue_api_token(session, member)
    headers = {"Authorization": f"Bearer {token}"}
    changed = client.patch(f"/api/v1/companies/{maker.id}", json={"needs": [VISION_NEED]}, headers=headers)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    listed = client.get("/api/v1/matches", headers=headers).get_json()
    assert listed["items"][0]["supplier"]["external_id"] == "s-vision"


def test_pages_keep_answering_while_an_import_holds_the_sqlite_write_lock(app, client, auth, session, engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers; WAL is the SQLite setting under test")
    maker = _market(session)
    coordinator = gen_user(session, "coordinator", hub="ochang")
    auth.login(coordinator)
    with engine.connect() as importer:  # what `dxmatch import` holds for the length of a file
        importer.exec_driver_sql("BEGIN IMMEDIATE")
        importer.exec_driver_sql("UPDATE companies SET name = 'importing' WHERE id = :id".replace(":id", str(maker.id)))
        page = client.get(f"/hub/ochang/companies/{maker.id}")
        assert page.status_code == 200 and "importing" not in page.get_data(as_text=True)
        importer.exec_driver_sql("ROLLBACK")
    assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
