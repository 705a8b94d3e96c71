"""`dxmatch serve --workers N`: gunicorn with threaded workers, each building its own app after the fork."""
from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # noqa: ANN201 - the WSGI app, made in each worker (no state shared across the fork)
        from dxmatch.process_tuning import long_lived_heap, short_thread_switches, single_threaded_native_code
        from web import create_app

        single_threaded_native_code()
        short_thread_switches()
        return create_app({"DXMATCH_AFTER_WARM_UP": long_lived_heap})


def serve_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped (SIGTERM/SIGINT stops gracefully)."""
    _Server({
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "preload_app": False,
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
    }).run()
