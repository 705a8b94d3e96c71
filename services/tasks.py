"""Entry point of RQ jobs: `dxmatch worker` runs `run_job(job_id)` in a process of its own.

The worker keeps one Runtime per process (settings from the environment, as every entry point),
so the encoder and the builder's working copy of the index stay loaded between jobs.
"""
from __future__ import annotations

import threading

from config.settings import Settings
from models.session import shared_session_factory
from services.runtime import Runtime

_lock = threading.Lock()
_runtimes: dict[str, Runtime] = {}  # per worker process, keyed by database; guarded by _lock


def worker_runtime(settings: Settings | None = None) -> Runtime:
    """This worker process's Runtime (made on first use); RQ runs jobs here, so this is an entry point."""
    settings = settings or Settings.from_env()
    with _lock:
        runtime = _runtimes.get(settings.database_url)
        if runtime is None:
            runtime = Runtime(settings, shared_session_factory(settings.database_url), jobs="inline")
            _runtimes[settings.database_url] = runtime
        return runtime


def run_job(job_id: str) -> None:
    """Run one job submitted by any process (RQ calls this by name)."""
    worker_runtime().run_job(job_id)
