"""What one process needs to match: the database, the published index, the builder and the job queue.

Each entry point makes one Runtime from its Settings (the web app in `create_app`, the CLI per
command, an RQ worker per process) and passes it down; nothing here lives at module level.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from config.settings import Settings
from matcher.encoder import Encoder, load_encoder
from matcher.engine import Matcher
from models import BackgroundJob, Company, utcnow
from services import model_training, notifications
from services.index_builder import ON_COMMIT, BuildResult, IndexBuilder, pending_count
from services.index_store import SnapshotStore, database_key
from services.jobs import JobQueue, Progress
from services.mailer import mailer_from_settings
from services.snapshot_reader import IndexNotReady, SnapshotReader

log = logging.getLogger(__name__)

MATCHING_JOB = "matching.process"
NOTIFY_JOB = "notifications.send"
MODEL_JOB = model_training.MODEL_JOB


class Runtime:
    """Sessions, snapshot reader, builder and job queue for one database in one process."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], *, jobs: str | None = None,
                 publish_interval: float | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        root = Path(settings.index_dir or settings.instance_dir / "index") / database_key(settings.database_url)
        self.store = SnapshotStore(root)
        self.reader = SnapshotReader(self.store, self.encoder, on_missing=self.kick)
        self.builder = IndexBuilder(self.store, self.encoder, publish_interval=(
            settings.publish_interval if publish_interval is None else publish_interval))
        self.jobs = JobQueue(sessions, self.run_job, jobs or settings.jobs, settings.redis_url)
        # mails get a queue (an in-process thread) of their own, so they never wait behind an index build
        self.mail_jobs = JobQueue(sessions, self.run_job, jobs or settings.jobs, settings.redis_url)
        self._build_lock = threading.Lock()  # one builder per process; the store's lock covers processes
        self._timer_lock = threading.Lock()
        self._publish_timer: threading.Timer | None = None
        self._retry_timer: threading.Timer | None = None
        self.mail_retry_after = notifications.RETRY_AFTER  # seconds before mails that failed for now are retried

    def encoder(self) -> Encoder:
        return load_encoder(self.settings.model, offline=self.settings.model_offline)

    def matcher(self) -> Matcher:
        """The current published engine (IndexNotReady while the first build runs)."""
        return self.reader.get().matcher

    def session(self) -> Session:
        """A session whose committed matching work starts the matching job."""
        session = self.sessions()
        session.info[ON_COMMIT] = self.kick
        session.info[notifications.ON_COMMIT] = self.notify
        session.info[model_training.ON_DECISION] = self.decision_recorded
        return session

    def kick(self) -> str:
        """Queue the matching job (deduplicated: one queued at a time)."""
        return self.jobs.submit(MATCHING_JOB)

    def decision_recorded(self) -> str | None:
        """After a decision is committed: queue the model's retraining once a batch of new decisions came."""
        with self.sessions() as session:
            if not model_training.due(session, self.store.root):
                return None
        return self.jobs.submit(MODEL_JOB)

    def train_model(self, progress: Progress | None = None) -> dict:
        """Retrain the learner and the calibrator from the decisions and publish them (the job's body)."""
        with self._build_lock, self.sessions() as session:
            return model_training.train(session, self.store, self.encoder, progress)

    def notify(self) -> str:
        """Queue the notification sender (deduplicated like the matching job)."""
        return self.mail_jobs.submit(NOTIFY_JOB)

    def recover(self) -> str | None:
        """At start: finish work a crash left pending (mails too), and build the first index if there is none."""
        with self.sessions() as session:
            needed = pending_count(session) > 0 or (
                self.store.current_version() is None
                and session.scalar(select(Company.id).where(Company.status == "active").limit(1)) is not None)
            mails = notifications.pending_notifications(session) > 0
        if mails:
            self.notify()
        return self.kick() if needed else None

    def send_notifications(self) -> str:
        """The sender job's body: send what is pending; what failed for now or is still claimed is looked at again
        after `mail_retry_after` seconds."""
        with self.sessions() as session:
            summary = notifications.send_pending(session, mailer_from_settings(self.settings), self.settings)
        if summary.retry_later or summary.in_flight:  # failed for now, or claimed by a sender that may have died
            with self._timer_lock:
                if self._retry_timer is None or not self._retry_timer.is_alive():
                    self._retry_timer = threading.Timer(self.mail_retry_after, self._retry_notifications)
                    self._retry_timer.name, self._retry_timer.daemon = "dxmatch-mail-retry", True
                    self._retry_timer.start()
        return summary.line()

    def warm_up_in_background(self, then: Callable[[], None] | None = None) -> None:
        """Load the model, the tokenizer and the published snapshot before the first search asks for them;
        `then` runs after (a serving process moves what it loaded out of the garbage collector's way)."""

        def warm() -> None:
            from matcher.text import tokenize_many

            try:
                self.encoder().encode(["준비 / warm-up"])
                tokenize_many(["준비"])
                self.reader.get()
            except IndexNotReady:
                pass  # the first build was queued; the reader loads it when it is published
            except Exception:  # noqa: BLE001 - a warm-up failure only costs the first search its speed
                log.warning("warm-up failed", exc_info=True)
            if then is not None:
                then()

        threading.Thread(target=warm, name="dxmatch-warm-up", daemon=True).start()

    def process_now(self, progress: Progress | None = None, *, publish: bool = False) -> BuildResult:
        """Run the builder in this thread (the job body; `dxmatch index process|rebuild` pass publish=True).

        Changes the builder holds back (its `publish_interval`) are published by a timer thread of this
        process when due; if the process ends first, their rows are still pending and the next builder
        publishes them.
        """
        with self._build_lock, self.sessions() as session:
            result = self.builder.process_pending(session, progress, publish=publish)
        self._schedule_publish()
        return result

    def _schedule_publish(self) -> None:
        due = self.builder.publish_due_in()
        with self._timer_lock:
            if due is None or (self._publish_timer is not None and self._publish_timer.is_alive()):
                return
            self._publish_timer = threading.Timer(due, self._publish_held_back)
            self._publish_timer.name, self._publish_timer.daemon = "dxmatch-publish", True
            self._publish_timer.start()

    def _publish_held_back(self) -> None:
        with self._timer_lock:
            self._publish_timer = None
        try:
            self.process_now(publish=True)
        except Exception:  # noqa: BLE001 - the rows stay pending: the next job or start publishes them
            log.exception("publishing held-back matching changes failed")

    def _retry_notifications(self) -> None:
        try:
            self.notify()
        except Exception:  # noqa: BLE001 - the rows stay pending: the next event, start or worker sends them
            log.exception("could not queue the retry of failed notification mails")

    def run_job(self, job_id: str) -> None:
        """Execute one BackgroundJob row: mark it running, do it, record done or failed."""
        with self.sessions() as session:
            job = session.get(BackgroundJob, job_id)
            if job is None or job.status in ("done", "running"):
                return
            job.status, job.started_at, job.attempts = "running", utcnow(), job.attempts + 1
            name = job.name
            session.commit()
        try:
            if name == NOTIFY_JOB:
                status, message = "done", self.send_notifications()
            elif name == MODEL_JOB:
                status, message = "done", model_training.describe(self.train_model(Progress(self.sessions, job_id)))
            elif name == MATCHING_JOB:
                status, message = "done", _describe(self.process_now(Progress(self.sessions, job_id)))
            else:
                raise ValueError(f"unknown job {name!r}")
        except Exception as exc:  # noqa: BLE001 - recorded for the page; the pending work stays for a retry
            log.exception("job %s (%s) failed", job_id, name)
            status, message = "failed", f"{type(exc).__name__}: {exc}"[:500]
        with self.sessions() as session:
            job = session.get(BackgroundJob, job_id)
            if job is not None:
                job.status, job.finished_at, job.message = status, utcnow(), message
                if status == "done":
                    job.progress = 100
                    # older runs still marked running died with their process; older queued ones were lost
                    # (a Redis restart) or will find nothing left to do: this run did their work
                    for stale in session.scalars(select(BackgroundJob).where(
                            BackgroundJob.name == name, BackgroundJob.status.in_(("running", "queued")),
                            BackgroundJob.created_at < job.started_at, BackgroundJob.id != job_id)):
                        stale.finished_at = utcnow()
                        stale.status, stale.message = ("failed", "interrupted") if stale.status == "running" \
                            else ("done", f"done by {job_id}")
                session.commit()
        if status == "failed":
            raise RuntimeError(message)


def _describe(result: BuildResult) -> str:
    if result.version is None:
        if result.applied:  # proposals stored; the snapshot follows within the publish interval
            return f"{result.applied} changes, {result.manufacturers} manufacturers; index published shortly"
        return "nothing to do"
    kind = "full build" if result.full else "incremental"
    return f"{result.version}: {kind}, {result.applied} changes, {result.manufacturers} manufacturers"


__all__ = ["IndexNotReady", "MATCHING_JOB", "MODEL_JOB", "NOTIFY_JOB", "Runtime"]
