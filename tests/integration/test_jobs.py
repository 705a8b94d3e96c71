"""The job queue: one queued run absorbs repeats, a run lost with Redis does not block new work."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import BackgroundJob, make_session_factory, utcnow
from services.jobs import JobQueue


def _queue(engine, ran: list[str]) -> JobQueue:
    return JobQueue(make_session_factory(engine), ran.append, mode="inline")


def test_a_recent_queued_job_absorbs_a_second_submission(session, engine):
    session.add(BackgroundJob(id="waiting", name="matching.process", status="queued"))
    session.commit()
    ran: list[str] = []
    assert _queue(engine, ran).submit("matching.process") == "waiting"
    assert ran == []  # the queued run will do this work


def test_a_queued_job_lost_long_ago_does_not_swallow_new_work(session, engine):
    session.add(BackgroundJob(id="lost", name="matching.process", status="queued",
                              created_at=utcnow() - timedelta(hours=1)))
    session.commit()
    ran: list[str] = []
    job_id = _queue(engine, ran).submit("matching.process")
    assert job_id != "lost" and ran == [job_id]
    assert session.scalar(select(BackgroundJob.status).where(BackgroundJob.id == job_id)) == "queued"  # the fake ran nothing


def test_redis_down_runs_the_job_in_process(session, engine):
    ran: list[str] = []
    queue = JobQueue(make_session_factory(engine), ran.append, mode="rq", redis_url="redis://127.0.0.1:1/0")
    job_id = queue.submit("matching.process")
    assert queue.wait_idle(timeout=30)
    assert ran == [job_id]
