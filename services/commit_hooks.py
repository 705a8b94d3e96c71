"""Start background work once the transaction that recorded it has committed, never before.

A service marks the session (`session.info[flag] = True`) when it records durable work (matching work,
notifications, a decision); the session's owner (services.runtime) puts a callable under `hook`. After
the commit the callable starts the job. Without one, or when starting fails, the rows stay durable and
the next worker run, start-up or CLI command finds them: the commit always stands.
"""
from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session


def start_after_commit(flag: str, hook: str, log: logging.Logger, failure: str) -> None:
    """Register the listeners: after a commit pop `flag` and call `session.info[hook]` (logging `failure` if it
    raises); after a rollback forget `flag`, since nothing was recorded."""

    @event.listens_for(Session, "after_commit")
    def _after_commit(session: Session) -> None:
        if not session.info.pop(flag, False):
            return
        start = session.info.get(hook)
        if start is None:
            return
        try:
            start()
        except Exception:  # noqa: BLE001 - the commit stands; the recorded rows are found again later
            log.exception(failure)

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(flag, None)
