"""The one write path of matching: changes are recorded durably, a builder applies them and publishes.

Every change to companies (web form, API, import, approval, CLI) calls `record_change` inside
its own unit of work, so the "matching pending" rows commit with the change or not at all. After
the commit a job runs `process_pending`, which, under the builder lock:

1. loads the newest snapshot (or builds one from every active company when there is none, when a
   rebuild was asked for, for a bulk change, or when the new text is mostly unseen words);
2. applies each changed company to it and recomputes the proposals of the manufacturers affected;
3. publishes the snapshot, then marks the work done and commits the proposals in one transaction.

With a `publish_interval` (the worker's and the in-process queue's setting), small changes are
published at most that often: the proposals commit at once, the work rows stay pending and the
working copy keeps them until the next publish (`publish_due_in` says when), so readers reload a
whole snapshot a few times a minute instead of after every saved form. A full build always
publishes at once.

A crash anywhere repeats at most step 1-3 for the same rows (applying a profile twice is
harmless), so nothing is lost and nothing needs a manual recompute.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.encoder import Encoder
from matcher.engine import Matcher
from matcher.exposure import balance_exposure
from models import Company, Match, MatchingWork, utcnow
from services.capacity import suppliers_at_capacity
from services.commit_hooks import start_after_commit
from services.index_store import SnapshotMissing, SnapshotStore
from services.model_training import attach_saved_model
from services.matching import profile_from_company, propose_for

log = logging.getLogger(__name__)

BULK_CHANGE = 1000  # more changed companies than this (a bulk import) rebuild the index instead of upserts
MIN_VOCABULARY_COVERAGE = 0.75  # changed profiles whose words the index mostly never saw trigger a rebuild
PENDING_FLAG = "dxmatch.matching_work"  # session.info key: this transaction recorded matching work
ON_COMMIT = "dxmatch.on_matching_work"  # session.info key: what to call once that work is committed

ProgressFn = Callable[[float, str | None], None]


def record_change(session: Session, external_ids: Iterable[str], reason: str = "changed") -> None:
    """Record that these companies changed; committed with the caller's unit of work."""
    for external_id in dict.fromkeys(external_ids):
        session.add(MatchingWork(company_external_id=external_id, reason=reason[:64]))
    session.info[PENDING_FLAG] = True


def request_rebuild(session: Session, reason: str = "rebuild") -> None:
    """Ask for a full rebuild (fresh vocabulary, every proposal recomputed), committed with the caller."""
    session.add(MatchingWork(company_external_id=None, reason=reason[:64]))
    session.info[PENDING_FLAG] = True


start_after_commit(PENDING_FLAG, ON_COMMIT, log, "could not start the matching job; the work stays pending")


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count(MatchingWork.id)).where(MatchingWork.done_at.is_(None))) or 0


@dataclass
class BuildResult:
    version: str | None = None
    full: bool = False
    applied: int = 0
    manufacturers: int = 0


class IndexBuilder:
    """Applies pending matching work to the published index; keeps its working copy between runs."""

    def __init__(self, store: SnapshotStore, encoder: Callable[[], Encoder], *, publish_interval: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._encoder = encoder
        self.publish_interval = publish_interval
        self._clock = clock
        self._working: tuple[str, Matcher] | None = None  # (version it was loaded as, engine) kept between runs
        self._unpublished: list[int] = []  # work applied to the working copy, proposals committed, not yet published
        self._published_at = float("-inf")

    def process_pending(self, session: Session, progress: ProgressFn | None = None, *,
                        publish: bool = False) -> BuildResult:
        """Finish every pending change (and the first build); returns what the last round did.

        `publish=True` publishes changes held back by `publish_interval` now.
        """
        progress = progress or (lambda _f, _m=None: None)
        result = BuildResult()
        with self.store.builder_lock(session):
            while True:
                session.expire_all()
                copy = self._working_copy()  # first: it forgets held-back work another builder published
                work = [w for w in session.scalars(select(MatchingWork).where(MatchingWork.done_at.is_(None))
                                                   .order_by(MatchingWork.id)) if w.id not in self._unpublished]
                if not work and copy is not None:  # a published snapshot that loads
                    if self._unpublished and (publish or self._due()):
                        result = self._publish(session, copy, [])
                    return result
                result = self._apply(session, work, progress, publish)

    def publish_due_in(self) -> float | None:
        """Seconds until held-back changes should be published (None: nothing held back)."""
        if not self._unpublished:
            return None
        return max(0.0, self._published_at + self.publish_interval - self._clock())

    def _due(self) -> bool:
        return self._clock() >= self._published_at + self.publish_interval

    def _working_copy(self) -> Matcher | None:
        current = self.store.current_version()
        if current is None:
            self._working, self._unpublished = None, []
            return None
        if self._working is not None and self._working[0] == current:
            return self._working[1]
        # another builder published since (it applied our held-back rows too, or they are still pending)
        self._working, self._unpublished = None, []
        try:
            matcher = self.store.load(self._encoder(), current).matcher
        except SnapshotMissing as exc:
            log.warning("%s; rebuilding", exc)
            return None
        self._working = (current, matcher)  # `_apply` drops it before changing it
        return matcher

    def _apply(self, session: Session, work: list[MatchingWork], progress: ProgressFn,
               publish: bool = False) -> BuildResult:
        ids = list(dict.fromkeys(w.company_external_id for w in work if w.company_external_id is not None))
        reasons = sorted({w.reason for w in work})
        matcher = None if any(w.company_external_id is None for w in work) or len(ids) > BULK_CHANGE \
            else self._working_copy()
        changed = list(session.scalars(select(Company).where(Company.external_id.in_(ids)))) if matcher else []
        if matcher is not None and matcher.vocabulary_coverage(
                profile_from_company(c) for c in changed if c.status == "active") < MIN_VOCABULARY_COVERAGE:
            log.info("the changed profiles bring many words the index never saw; rebuilding")
            matcher = None
        base = self._working[0] if matcher is not None and self._working is not None else None
        held_back = list(self._unpublished)  # applied already (or covered by a full build): marked done with these
        # mutated below: never reuse a half-applied copy after an error (its rows are still pending in the database)
        self._working, self._unpublished = None, []
        if matcher is None:
            progress(0.0, "index")
            matcher = balance_exposure(Matcher(self._encoder()).index(
                profile_from_company(c) for c in session.scalars(
                    select(Company).where(Company.status == "active").order_by(Company.external_id))))
            manufacturers = list(session.scalars(select(Company).where(
                Company.kind == "manufacturer", Company.status == "active")))
            attach_saved_model(self.store.root, matcher)  # a rebuild keeps what was learned from decisions
            full = True
        else:
            manufacturers = self._apply_changes(session, matcher, ids, changed)
            full = False
        # Written at the commit below, not as they come: on SQLite a flushed row takes the one write lock, and the
        # job's progress (another connection) would wait for it and fail with "database is locked".
        with session.no_autoflush:
            at_capacity = set(suppliers_at_capacity(session).values())  # one count for the whole run
            for number, manufacturer in enumerate(manufacturers, start=1):
                propose_for(session, matcher, manufacturer, at_capacity=at_capacity)
                if number % 25 == 0:
                    progress(0.3 + 0.65 * number / len(manufacturers), None)
        applied = [*held_back, *(w.id for w in work)]
        if full or publish or self._due():
            result = self._publish(session, matcher, applied)
        else:  # the proposals count now; the snapshot follows within publish_interval
            session.commit()
            self._working, self._unpublished = (base, matcher), applied
            result = BuildResult(None, False, len(work), len(manufacturers))
        progress(1.0, None)
        log.info("%s (%s, %d changes: %s; %d manufacturers re-proposed)",
                 f"index {result.version} published" if result.version else "index publish held back",
                 "full build" if full else "incremental", len(work), ", ".join(reasons), len(manufacturers))
        return BuildResult(result.version, full, len(work), len(manufacturers))

    def _publish(self, session: Session, matcher: Matcher, applied: list[int]) -> BuildResult:
        """Publish the working copy, then mark its work (and what was held back) done in one commit."""
        done = [*self._unpublished, *applied]
        self._working, self._unpublished = None, []
        version = self.store.publish(matcher, max(done, default=0))
        now = utcnow()
        for start in range(0, len(done), 1000):
            for row in session.scalars(select(MatchingWork).where(MatchingWork.id.in_(done[start:start + 1000]))):
                row.done_at = now
        session.commit()
        self._working, self._published_at = (version, matcher), self._clock()
        return BuildResult(version, False, len(done), 0)

    @staticmethod
    def _apply_changes(session: Session, matcher: Matcher, ids: list[str], changed: list[Company]) -> list[Company]:
        """Upsert or remove each changed company; the manufacturers whose proposals may differ now."""
        affected: set[str] = set()
        found = {c.external_id for c in changed}
        for missing in set(ids) - found:  # deleted outright
            matcher.remove(missing)
        for company in changed:
            if company.status == "active":
                matcher.upsert(profile_from_company(company))
            else:
                matcher.remove(company.external_id)
            if company.kind == "manufacturer":
                affected.add(company.external_id)
            elif company.external_id in matcher.profiles:
                affected.update(m.partner_id for m in matcher.match(company.external_id, top=50))
        suppliers = [c.id for c in changed if c.kind == "supplier"]
        if suppliers:  # pairs they already have must be refreshed or dropped too
            affected.update(session.scalars(select(Company.external_id).join(Match, Match.manufacturer_id == Company.id)
                                            .where(Match.supplier_id.in_(suppliers))))
        return list(session.scalars(select(Company).where(Company.external_id.in_(affected),
                                                          Company.kind == "manufacturer")))
