"""Versioned index snapshots on disk: published atomically, read by every process, built by one at a time.

Layout under `<index_dir>/<database key>/`:

    v00000007/          one complete snapshot (Matcher.save), never changed once published
    CURRENT             the name of the newest published snapshot ("v00000007")
    builder.lock        the file lock that admits one builder at a time (SQLite; PostgreSQL also
                        takes an advisory lock, so builders on several machines queue too)

A builder writes a new snapshot into a temporary folder, renames it into place and then
replaces CURRENT (an atomic rename), so a reader sees either the old or the new snapshot,
never half of one. Readers notice a new version with one `stat` of CURRENT. Older versions are
pruned, keeping a few for readers still loading them.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from matcher.encoder import Encoder
from matcher.engine import Matcher

log = logging.getLogger(__name__)

KEEP_VERSIONS = 3
_ADVISORY_KEY = 0x64786D61  # "dxma": the builder's PostgreSQL advisory lock


class SnapshotMissing(LookupError):
    """No snapshot has been published yet (or the published one is unreadable)."""


@dataclass(frozen=True)
class Snapshot:
    """A loaded snapshot: the engine and the last matching-work id it reflects."""

    version: str
    matcher: Matcher
    work_upto: int


def database_key(database_url: str) -> str:
    """A short folder name for a database (so one index folder can serve several databases)."""
    return hashlib.sha1(database_url.encode()).hexdigest()[:10]


class SnapshotStore:
    """Snapshots of one database's index in one folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def _pointer(self) -> Path:
        return self.root / "CURRENT"

    def signature(self) -> tuple[int, int, int] | None:
        """A cheap fingerprint of CURRENT (inode, mtime, size): changes whenever a version is published."""
        try:
            st = os.stat(self._pointer)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def current_version(self) -> str | None:
        try:
            name = self._pointer.read_text().strip()
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:  # a damaged pointer counts as none published: the builder rebuilds
            log.warning("index pointer %s unreadable: %s", self._pointer, exc)
            return None
        if not (name.startswith("v") and name[1:].isdigit()):
            return None
        return name if (self.root / name / "meta.json").exists() else None

    def versions(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith("v"))

    def load(self, encoder: Encoder, version: str | None = None, *, read_only: bool = False,
             reuse: Snapshot | None = None) -> Snapshot:
        """Load the current (or a given) version; SnapshotMissing when there is none or it is unreadable.

        `read_only` memory-maps the vectors (readers: shared between processes); a builder, which
        changes its copy, reads them into memory. `reuse`: the read-only snapshot a reader holds,
        whose unchanged parts the new one shares.
        """
        version = version or self.current_version()
        if version is None:
            raise SnapshotMissing("no index snapshot published yet")
        folder = self.root / version
        try:
            matcher = Matcher.load(folder, encoder, read_only=read_only, reuse=reuse.matcher if reuse is not None else None)
            work_upto = int(json.loads((folder / "published.json").read_text())["work_upto"])
        except (OSError, ValueError, KeyError, EOFError, TypeError, AttributeError, ImportError) as exc:
            raise SnapshotMissing(f"index snapshot {version} unusable: {exc}") from exc
        except Exception as exc:  # noqa: BLE001 - unpickling a damaged file can raise nearly anything
            raise SnapshotMissing(f"index snapshot {version} unusable: {exc!r}") from exc
        return Snapshot(version, matcher, work_upto)

    def publish(self, matcher: Matcher, work_upto: int) -> str:
        """Write `matcher` as the next version and make it current; returns the version name."""
        self.root.mkdir(parents=True, exist_ok=True)
        existing = self.versions()
        number = int(existing[-1][1:]) + 1 if existing else 1
        version = f"v{number:08d}"
        current = self.current_version()
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
        try:
            matcher.save(staging, previous=self.root / current if current else None)
            (staging / "published.json").write_text(json.dumps({"work_upto": work_upto}))
            os.chmod(staging, 0o755)
            staging.rename(self.root / version)
            matcher.mark_saved(self.root / version)  # the next publish links what stays unchanged from here
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        pointer_tmp = self.root / f".CURRENT.{os.getpid()}"
        pointer_tmp.write_text(version)
        os.replace(pointer_tmp, self._pointer)
        self._prune(keep=version)
        return version

    def _prune(self, keep: str) -> None:
        versions = [v for v in self.versions() if v != keep]
        for old in versions[: max(0, len(versions) - (KEEP_VERSIONS - 1))]:
            shutil.rmtree(self.root / old, ignore_errors=True)
        for stale in self.root.glob(".staging-*"):  # left by a builder that was killed
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)

    @contextmanager
    def builder_lock(self, session: Session) -> Iterator[None]:
        """Admit one builder at a time: a file lock here, plus an advisory lock on PostgreSQL.

        Blocks until the lock is free; the next builder then finds the work already done.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "builder.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                if session.get_bind().dialect.name == "postgresql":
                    with session.get_bind().connect() as connection:
                        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_KEY})
                        try:
                            yield
                        finally:
                            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
                            connection.commit()
                else:
                    yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
