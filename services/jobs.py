"""Background jobs: RQ on Redis when DXMATCH_REDIS_URL is set, an in-process worker thread otherwise.

Every job has a `BackgroundJob` row (status and progress the pages show, as microblog's Task
row). `submit` writes the row, commits, and hands the job id to a backend:

- "rq": the `dxmatch` queue on Redis, run by `dxmatch worker`; when Redis cannot be reached, or no
  worker listens, the job runs in-process instead, so pages keep working and work never waits
  for a worker that is not there;
- "thread": one daemon worker thread in this process (the embedded default, `make run`);
- "inline": at once, in the caller's thread (the CLI, and tests that want determinism).

Jobs are idempotent (they finish whatever durable work is pending), so running one twice, or
again after a crash, is harmless.
"""
from __future__ import annotations

import logging
import queue
import threading
import uuid
from datetime import timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import BackgroundJob, User, utcnow
from services import access

log = logging.getLogger(__name__)

MODES: tuple[str, ...] = ("rq", "thread", "inline")
RQ_QUEUE = "dxmatch"
RQ_TIMEOUT = 3 * 3600  # a full build of 50,000 suppliers takes minutes, not hours
SHOWN_FOR = timedelta(minutes=2)  # a failed job stays on the page this long
DEDUPE_WINDOW = timedelta(minutes=1)  # a queued job younger than this absorbs a new submission


class JobQueue:
    """Submit jobs by name; `run` executes a job id in whatever process picks it up."""

    def __init__(self, sessions: sessionmaker[Session], run: Callable[[str], None], mode: str = "thread",
                 redis_url: str | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"job mode must be one of {MODES}, not {mode!r}")
        self.sessions = sessions
        self.mode = mode
        self.redis_url = redis_url
        self._run = run
        self._lock = threading.Lock()
        self._inbox: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, name: str, hub_key: str | None = None, *, dedupe: bool = True) -> str:
        """Queue job `name` (unless the same job is already queued and not started); returns its id."""
        with self.sessions() as session:
            if dedupe:  # a recent queued run will do this work too; an old one may have been lost with Redis
                queued = session.scalar(select(BackgroundJob.id).where(
                    BackgroundJob.name == name, BackgroundJob.status == "queued",
                    BackgroundJob.created_at >= utcnow() - DEDUPE_WINDOW).limit(1))
                if queued is not None:
                    return queued
            job = BackgroundJob(id=str(uuid.uuid4()), name=name, hub_key=hub_key, status="queued")
            session.add(job)
            session.commit()
            job_id = job.id
        self._dispatch(job_id)
        return job_id

    def _dispatch(self, job_id: str) -> None:
        if self.mode == "inline":
            self._run(job_id)
            return
        if self.mode == "rq":
            try:
                from rq import Worker

                rq_queue = self._rq_queue()
                if Worker.count(queue=rq_queue):
                    rq_queue.enqueue("services.tasks.run_job", job_id, job_timeout=RQ_TIMEOUT)
                    return
                log.warning("no `dxmatch worker` is listening on Redis; running job %s in-process", job_id)
            except Exception as exc:  # noqa: BLE001 - redis.ConnectionError and friends: degrade, keep serving
                log.warning("Redis unavailable (%s); running job %s in-process", exc, job_id)
        self._start_thread()
        self._inbox.put(job_id)

    def _rq_queue(self):  # noqa: ANN202 - rq.Queue
        from redis import Redis
        from rq import Queue

        connection = Redis.from_url(self.redis_url or "redis://127.0.0.1:6379/0", socket_connect_timeout=1,
                                    socket_timeout=5)
        return Queue(RQ_QUEUE, connection=connection)

    def _start_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="dxmatch-jobs", daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            job_id = self._inbox.get()
            try:
                self._run(job_id)
            except Exception:  # noqa: BLE001 - recorded on the job row; the worker thread lives on
                log.exception("job %s failed", job_id)
            finally:
                self._inbox.task_done()

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until the in-process worker has nothing left (tests, and a graceful stop)."""
        done = threading.Event()

        def waiter() -> None:
            self._inbox.join()
            done.set()

        threading.Thread(target=waiter, daemon=True).start()
        return done.wait(timeout)


class Progress:
    """Writes a job's progress to its row (at most every 2 %, so a long loop does not hammer the database)."""

    def __init__(self, sessions: sessionmaker[Session], job_id: str | None) -> None:
        self.sessions = sessions
        self.job_id = job_id
        self._last = -1

    def __call__(self, fraction: float, message: str | None = None) -> None:
        percent = max(0, min(100, int(fraction * 100)))
        if self.job_id is None or (percent - self._last < 2 and message is None):
            return
        self._last = percent
        try:
            with self.sessions() as session:
                job = session.get(BackgroundJob, self.job_id)
                if job is not None:
                    job.progress = percent
                    if message is not None:
                        job.message = message[:500]
                    session.commit()
        except Exception:  # noqa: BLE001 - progress is for show: never fail the job over it
            log.warning("could not record the progress of job %s", self.job_id, exc_info=True)


def hub_jobs(session: Session, actor: User, hub_key: str) -> list[BackgroundJob]:
    """Jobs a hub's staff see on the dashboard: queued or running, and failures of the last minutes.

    Matching jobs serve every hub (one index), so they are shown to each hub's staff.
    """
    access.require_hub(actor, hub_key)
    recent = utcnow() - SHOWN_FOR
    query = select(BackgroundJob).where(
        BackgroundJob.status.in_(("queued", "running"))
        | ((BackgroundJob.status == "failed") & (BackgroundJob.finished_at >= recent)),
        (BackgroundJob.hub_key == hub_key) | BackgroundJob.hub_key.is_(None),
    ).order_by(BackgroundJob.created_at.desc()).limit(3)
    return list(session.scalars(query))
