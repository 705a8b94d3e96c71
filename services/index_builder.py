"""The one write path of matching: changes are recorded durably, a builder applies them and publishes.

Every change to companies (web form, API, import, approval, CLI) calls `record_change` inside
its own unit of work, so the "matching pending" rows commit with the change or not at all. After
the commit a job runs `process_pending`, which, under the builder lock:

1. loads the newest snapshot (or builds one from every active company when there is none, when a
   rebuild was asked for, for a bulk change, or when the new text is mostly unseen words);
2. applies each changed company to it and recomputes the proposals of the manufacturers affected;
3. publishes the snapshot, then marks the work done and commits the proposals in one transaction.

A crash anywhere repeats at most step 1-3 for the same rows (applying a profile twice is
harmless), so nothing is lost and nothing needs a manual recompute.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from matcher.encoder import Encoder
from matcher.engine import Matcher
from models import Company, Match, MatchingWork, utcnow
from services.index_store import SnapshotMissing, SnapshotStore
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


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """Start the job for committed matching work (if the session's owner gave a way to start one)."""
    if not session.info.pop(PENDING_FLAG, False):
        return
    start = session.info.get(ON_COMMIT)
    if start is None:
        return  # the work is durable: a worker, `dxmatch index process` or the next start picks it up
    try:
        start()
    except Exception:  # noqa: BLE001 - the commit stands; the pending rows are found again later
        log.exception("could not start the matching job; the work stays pending")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_FLAG, None)


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

    def __init__(self, store: SnapshotStore, encoder: Callable[[], Encoder]) -> None:
        self.store = store
        self._encoder = encoder
        self._working: tuple[str, Matcher] | None = None  # (version, engine) this builder published last

    def process_pending(self, session: Session, progress: ProgressFn | None = None) -> BuildResult:
        """Finish every pending change (and the first build); returns what the last round did."""
        progress = progress or (lambda _f, _m=None: None)
        result = BuildResult()
        with self.store.builder_lock(session):
            while True:
                session.expire_all()
                work = list(session.scalars(select(MatchingWork).where(MatchingWork.done_at.is_(None))
                                            .order_by(MatchingWork.id)))
                if not work and self._working_copy() is not None:  # a published snapshot that loads
                    return result
                result = self._apply(session, work, progress)

    def _working_copy(self) -> Matcher | None:
        current = self.store.current_version()
        if current is None:
            return None
        if self._working is not None and self._working[0] == current:
            return self._working[1]
        try:
            matcher = self.store.load(self._encoder(), current).matcher
        except SnapshotMissing as exc:
            log.warning("%s; rebuilding", exc)
            return None
        self._working = (current, matcher)  # `_apply` drops it before changing it
        return matcher

    def _apply(self, session: Session, work: list[MatchingWork], progress: ProgressFn) -> BuildResult:
        ids = list(dict.fromkeys(w.company_external_id for w in work if w.company_external_id is not None))
        reasons = sorted({w.reason for w in work})
        matcher = None if any(w.company_external_id is None for w in work) or len(ids) > BULK_CHANGE \
            else self._working_copy()
        changed = list(session.scalars(select(Company).where(Company.external_id.in_(ids)))) if matcher else []
        if matcher is not None and matcher.vocabulary_coverage(
                profile_from_company(c) for c in changed if c.status == "active") < MIN_VOCABULARY_COVERAGE:
            log.info("the changed profiles bring many words the index never saw; rebuilding")
            matcher = None
        self._working = None  # mutated below: never reuse a half-applied copy after an error
        if matcher is None:
            progress(0.0, "index")
            matcher = Matcher(self._encoder()).index(
                profile_from_company(c) for c in session.scalars(
                    select(Company).where(Company.status == "active").order_by(Company.external_id)))
            manufacturers = list(session.scalars(select(Company).where(
                Company.kind == "manufacturer", Company.status == "active")))
            full = True
        else:
            manufacturers = self._apply_changes(session, matcher, ids, changed)
            full = False
        # Written at the commit below, not as they come: on SQLite a flushed row takes the one write lock, and the
        # job's progress (another connection) would wait for it and fail with "database is locked".
        with session.no_autoflush:
            for number, manufacturer in enumerate(manufacturers, start=1):
                propose_for(session, matcher, manufacturer)
                if number % 25 == 0:
                    progress(0.3 + 0.65 * number / len(manufacturers), None)
        version = self.store.publish(matcher, max((w.id for w in work), default=0))
        now = utcnow()
        for row in work:
            row.done_at = now
        session.commit()
        self._working = (version, matcher)
        progress(1.0, None)
        log.info("index %s published (%s, %d changes: %s; %d manufacturers re-proposed)", version,
                 "full build" if full else "incremental", len(work), ", ".join(reasons), len(manufacturers))
        return BuildResult(version, full, len(work), len(manufacturers))

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
