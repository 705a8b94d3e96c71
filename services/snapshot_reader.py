"""A process's read-only view of the published index: one immutable snapshot, swapped atomically.

Request threads share the Matcher of the current snapshot and never change it (a change builds
the next snapshot elsewhere and publishes it). Each call to `get()` costs one `stat` of the
CURRENT pointer; when a newer version appears, a background thread loads it while requests keep
using the previous one, and the reference is swapped when the load is complete. Only the very
first load of a process waits.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from matcher.encoder import Encoder
from services.errors import Unavailable
from services.index_store import Snapshot, SnapshotMissing, SnapshotStore

log = logging.getLogger(__name__)


class IndexNotReady(Unavailable):
    """The index is being built; pages answer "matching is being computed" meanwhile."""


class SnapshotReader:
    """Thread-safe holder of the current snapshot for one process."""

    def __init__(self, store: SnapshotStore, encoder: Callable[[], Encoder],
                 on_missing: Callable[[], None] | None = None) -> None:
        self.store = store
        self._encoder = encoder
        self._on_missing = on_missing  # asks for a (background) build when nothing is published
        self._snapshot: Snapshot | None = None
        self._signature: tuple[int, int, int] | None = None
        self._failed: tuple[int, int, int] | None = None  # a published version that would not load
        self._lock = threading.Lock()  # held while loading
        self._flag = threading.Lock()  # guards `_loading` only, so requests never wait for a load
        self._loading = False

    def get(self) -> Snapshot:
        """The newest snapshot this process has loaded (IndexNotReady when none is published)."""
        signature = self.store.signature()
        snapshot = self._snapshot
        if snapshot is not None and signature in (self._signature, self._failed):
            return snapshot
        if snapshot is None:
            with self._lock:
                if self._snapshot is None or self.store.signature() != self._signature:
                    self._load_now()
                if self._snapshot is None:
                    raise IndexNotReady("matching.not_ready")
                return self._snapshot
        self._reload_in_background()
        return snapshot

    def refresh(self) -> Snapshot:
        """Load the newest version now (the CLI, tests, and a builder that just published)."""
        with self._lock:
            self._load_now()
            if self._snapshot is None:
                raise IndexNotReady("matching.not_ready")
            return self._snapshot

    def _load_now(self) -> None:
        for first_try in (True, False):
            signature = self.store.signature()
            try:
                snapshot = self.store.load(self._encoder(), read_only=True, reuse=self._snapshot)
            except SnapshotMissing as exc:
                if signature is not None:
                    log.warning("%s; asking for a rebuild", exc)
                self._failed = signature
                if first_try and self._on_missing is not None:
                    self._on_missing()  # a background job; with jobs run inline the snapshot exists now
                    continue
                return
            self._snapshot, self._signature, self._failed = snapshot, signature, None
            return

    def _reload_in_background(self) -> None:
        with self._flag:
            if self._loading:
                return
            self._loading = True

        def load() -> None:
            try:
                with self._lock:
                    self._load_now()
            finally:
                with self._flag:
                    self._loading = False

        threading.Thread(target=load, name="dxmatch-snapshot-load", daemon=True).start()
