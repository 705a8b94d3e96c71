"""Retraining what the engine learns from decisions (the learner and the score calibrator), from the database.

Decisions are what coordinators and companies did with proposed pairs: a pair at contract, at
meeting, or accepted by both companies is a positive; a pair declined (by its coordinator or by
either company) a negative. `train` fits `matcher.learning` and `matcher.calibration` on them,
on the published index, publishes the result as the next snapshot (every process serving the
index picks it up as it picks up any index change), recomputes the proposals with it, and writes
`model.json` beside the snapshots: the model's version, the decisions it saw (count and hash) and
what it learned. The learner and calibrator are also kept in `model.pkl`, so a full rebuild of the
index keeps them (`attach_saved_model`).

Training is a background job: `_notice_decisions` flags a unit of work that records a decision,
and after its commit the runtime asks `due` whether `BATCH` new decisions have come since the last
model; if so it queues `MODEL_JOB`. The request never trains. `dxmatch model train` runs it at once.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
from pathlib import Path
from typing import Callable

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, aliased

from matcher.calibration import ScoreCalibrator
from matcher.encoder import Encoder
from matcher.engine import Matcher
from matcher.learning import POSITIVE, train_learner
from models import Company, Introduction, Match, PipelineTransition, utcnow
from services.capacity import suppliers_at_capacity
from services.commit_hooks import start_after_commit
from services.index_store import SnapshotStore
from services.matching import propose_for

log = logging.getLogger(__name__)

MODEL_JOB = "model.train"
BATCH = 20  # new decisions since the last model that make retraining worth its minutes
DECISION_STATES = ("meeting", "contract", "declined")
FLAG = "dxmatch.decision_recorded"  # session.info key: this transaction recorded a decision
ON_DECISION = "dxmatch.on_decision"  # session.info key: what to call once it is committed
INFO_FILE, MODEL_FILE = "model.json", "model.pkl"

ProgressFn = Callable[[float, str | None], None]


# ---------------------------------------------------------------------- decisions in the database
def decisions_from_database(session: Session) -> list[dict]:
    """Every decided pair as the decisions log has it (manufacturer_id, supplier_id, outcome, decided_on)."""
    maker, supplier = aliased(Company), aliased(Company)
    last_move = (select(PipelineTransition.match_id, func.max(PipelineTransition.at).label("at"))
                 .group_by(PipelineTransition.match_id).subquery())
    rows = session.execute(
        select(maker.external_id, supplier.external_id, Match.status, Introduction.manufacturer_response,
               Introduction.supplier_response, last_move.c.at, Match.updated_at)
        .join(maker, Match.manufacturer_id == maker.id).join(supplier, Match.supplier_id == supplier.id)
        .outerjoin(Introduction, Introduction.match_id == Match.id)
        .outerjoin(last_move, last_move.c.match_id == Match.id)
        .order_by(maker.external_id, supplier.external_id))
    decisions = []
    for m, s, status, ours, theirs, moved, updated in rows:
        if status in ("contract", "declined"):
            outcome = status
        elif status == "meeting" or (ours == "accepted" and theirs == "accepted"):
            outcome = "accepted"
        elif "declined" in (ours, theirs):
            outcome = "declined"
        else:
            continue
        when = moved or updated
        decisions.append({"manufacturer_id": m, "supplier_id": s, "outcome": outcome,
                          "decided_on": when.isoformat() if when else ""})
    return decisions


def decision_events(session: Session) -> int:
    """How many decisions were ever recorded (moves to meeting/contract/declined, companies' acceptances)."""
    moves = session.scalar(select(func.count(PipelineTransition.id))
                           .where(PipelineTransition.to_status.in_(DECISION_STATES))) or 0
    accepts = sum(session.scalar(select(func.count(Introduction.id)).where(column == "accepted")) or 0
                  for column in (Introduction.manufacturer_response, Introduction.supplier_response))
    return moves + accepts


def decisions_hash(decisions: list[dict]) -> str:
    """A fingerprint of the decisions a model saw (order-independent)."""
    lines = sorted(f"{d['manufacturer_id']}\t{d['supplier_id']}\t{d['outcome']}" for d in decisions)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


@event.listens_for(Session, "before_flush")
def _notice_decisions(session: Session, _context: object, _instances: object) -> None:
    """Flag a unit of work that records a decision (a decisive move, or a company accepting an introduction)."""
    if FLAG in session.info:
        return
    for obj in session.new:
        if isinstance(obj, PipelineTransition) and obj.to_status in DECISION_STATES:
            session.info[FLAG] = True
            return
    for obj in session.dirty:
        if isinstance(obj, Introduction):
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() and getattr(obj, name) == "accepted"
                   for name in ("manufacturer_response", "supplier_response")):
                session.info[FLAG] = True
                return


start_after_commit(FLAG, ON_DECISION, log, "could not check whether the model is due for retraining")


# ---------------------------------------------------------------------- the model's files
def read_info(root: Path) -> dict | None:
    """What the current model saw and learned (None before the first training)."""
    try:
        return json.loads((Path(root) / INFO_FILE).read_text())
    except (OSError, ValueError):
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def attach_saved_model(root: Path, matcher: Matcher) -> bool:
    """Give a freshly built engine the last trained learner and calibrator (False when there is none to give)."""
    info = read_info(root)
    if info is None or info.get("encoder") != matcher.encoder.name:
        return False
    try:
        with open(Path(root) / MODEL_FILE, "rb") as fh:
            saved = pickle.load(fh)  # our own file, written by train() below
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        log.warning("saved model unreadable (%s); the engine runs without it until the next training", exc)
        return False
    matcher.learner, matcher.calibrator = saved["learner"], saved["calibrator"]
    return True


def due(session: Session, root: Path, batch: int | None = None) -> bool:
    """Whether `batch` (default `BATCH`) decisions were recorded since the last model."""
    info = read_info(root) or {}
    return decision_events(session) - int(info.get("events", 0)) >= (batch or BATCH)


# ---------------------------------------------------------------------- training
def train(session: Session, store: SnapshotStore, encoder: Callable[[], Encoder],
          progress: ProgressFn | None = None) -> dict:
    """Fit the learner and the calibrator on the database's decisions, publish them, re-propose; returns model.json.

    Runs under the builder lock, on the published snapshot (with no index yet there is nothing to
    train on: the first build comes first).
    """
    progress = progress or (lambda _f, _m=None: None)
    with store.builder_lock(session):
        events = decision_events(session)
        decisions = decisions_from_database(session)
        snapshot = store.load(encoder())
        matcher = snapshot.matcher
        progress(0.05, "learning")
        train_learner(matcher, decisions)
        learner = matcher.learner
        progress(0.4, "calibrating")
        calibrated = _calibrate(matcher, decisions)
        version = store.publish(matcher, snapshot.work_upto)
        previous = read_info(store.root) or {}
        info = {"version": int(previous.get("version", 0)) + 1, "snapshot": version, "encoder": matcher.encoder.name,
                "trained_at": utcnow().isoformat(), "decisions": len(decisions), "hash": decisions_hash(decisions),
                "events": events, "learner": learner.status_, "fusion": learner.fusion_.__dict__,
                "cv_ndcg": learner.cv_ndcg_, "calibrated": calibrated}
        _write_atomically(store.root / MODEL_FILE, pickle.dumps(
            {"learner": matcher.learner, "calibrator": matcher.calibrator}, protocol=pickle.HIGHEST_PROTOCOL))
        _write_atomically(store.root / INFO_FILE, json.dumps(info, indent=2).encode())
        manufacturers = list(session.scalars(select(Company).where(Company.kind == "manufacturer",
                                                                   Company.status == "active")))
        with session.no_autoflush:
            at_capacity = set(suppliers_at_capacity(session).values())  # one count for the whole run
            for number, manufacturer in enumerate(manufacturers, start=1):
                propose_for(session, matcher, manufacturer, at_capacity=at_capacity)
                if number % 25 == 0:
                    progress(0.5 + 0.45 * number / len(manufacturers), None)
        session.commit()
    progress(1.0, None)
    log.info("model %s", describe(info))
    return info


def _calibrate(matcher: Matcher, decisions: list[dict]) -> bool:
    """Fit the calibrator on the decided pairs' scores as a new manufacturer would get them; False: too few."""
    pairs = [(d["manufacturer_id"], d["supplier_id"], d["outcome"] in POSITIVE) for d in decisions
             if d["manufacturer_id"] in matcher.profiles and d["supplier_id"] in matcher.profiles]
    matcher.calibrator = None  # fitted on raw (learned) scores, never on calibrated ones
    scores = matcher.learner.held_out_scores(matcher, [(m, s) for m, s, _ in pairs])
    try:
        matcher.calibrator = ScoreCalibrator().fit(scores, [good for _, _, good in pairs])
    except ValueError:
        return False  # too few pairs, or only one kind: scores stay the engine's own
    return True


def describe(info: dict) -> str:
    """One line on what a model learned, for the CLI and the job's message."""
    learned = {"learned": "decisions re-rank the engine's proposals",
               "no_gain": "engine alone (learning from the decisions did not improve the ranking)",
               "too_few": "engine alone (too few decisions to learn from)"}[info["learner"]]
    calibrated = "scores calibrated" if info["calibrated"] else "scores not calibrated (too few decisions)"
    return (f"model v{info['version']} on index {info['snapshot']}: {info['decisions']} decisions "
            f"(hash {info['hash']}); {learned}; {calibrated}")
