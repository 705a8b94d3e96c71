"""An engine as a folder: FAISS files, dense rows as .npy (memory-mappable), the rest pickled.

The folder is what the index store publishes; `load` refuses another encoder or format, which
the store reports as an unusable snapshot (rebuilt by the builder).
"""
from __future__ import annotations

import gc
import json
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from matcher.encoder import Encoder
from matcher.index import VectorIndex
from matcher.scoring import ScoringConfig

if TYPE_CHECKING:
    from matcher.engine import Matcher

# 3: lexicon; 4: .npy rows; 5: keyword index; 6: calibrator; 7: learner; 8: exposure; 9: no re-ranker;
# 10: acronym keywords, float16 lexicon vectors, decision evidence (older snapshots are rebuilt, not half-read)
FORMAT_VERSION = 10


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a state of millions of small objects is (un)pickled.

    Every allocation counts towards the next collection and each one walks the growing heap: with
    the collector on, loading a 20,000-supplier state took 0.8-2.2 s of CPU instead of 0.3-0.4 s, in
    every serving worker at every published version. Pickling creates no garbage cycles to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def save(matcher: "Matcher", path: Path) -> None:
    """Write the index to a folder (FAISS files plus the row stores)."""
    path.mkdir(parents=True, exist_ok=True)
    for rows in (matcher._caps, matcher._needs):  # a loaded engine is read by many threads: nothing left to compact
        rows.compact()
    for keywords in matcher._keywords.values():
        keywords.compact()
    matcher._cap_index.save(path / "capabilities.faiss")
    matcher._need_index.save(path / "needs.faiss")
    state = {"profiles": matcher.profiles, "caps": matcher._caps, "needs": matcher._needs, "lexical": matcher._lexical,
             "sample": matcher._sample, "keywords": matcher._keywords,
             "calibrator": matcher.calibrator, "learner": matcher.learner, "exposure": matcher.exposure}
    for name, rows in (("capabilities", matcher._caps), ("needs", matcher._needs)):
        np.save(path / f"{name}.npy", np.ascontiguousarray(rows.dense, dtype=np.float32))
    with open(path / "state.pkl.tmp", "wb") as fh, _gc_paused():
        pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
    (path / "state.pkl.tmp").replace(path / "state.pkl")
    meta = {"format": FORMAT_VERSION, "encoder": matcher.encoder.name, "dimension": matcher.encoder.dimension,
            "config": asdict(matcher.config), "profiles": len(matcher.profiles)}
    (path / "meta.json").write_text(json.dumps(meta, indent=2))


def load(cls: type["Matcher"], path: Path, encoder: Encoder, *, read_only: bool = False) -> "Matcher":
    """Read a folder written by `save`; refuses an index built with another encoder or format.

    Args:
        path: the folder.
        encoder: the encoder the index was built with.
        read_only: memory-map the dense vectors and the FAISS codes instead of reading them:
            processes serving the same snapshot share one copy in the page cache. Such an engine
            cannot be changed.
    """
    meta = json.loads((path / "meta.json").read_text())
    if meta.get("format") != FORMAT_VERSION or meta.get("encoder") != encoder.name:
        raise ValueError(f"index at {path} was built with {meta.get('encoder')!r}, format {meta.get('format')}")
    matcher = cls(encoder, ScoringConfig(**meta["config"]))
    with open(path / "state.pkl", "rb") as fh, _gc_paused():
        state = pickle.load(fh)  # our own file, written by save() above
    matcher.profiles, matcher._caps, matcher._needs = state["profiles"], state["caps"], state["needs"]
    for name, rows in (("capabilities", matcher._caps), ("needs", matcher._needs)):
        rows.attach_dense(np.load(path / f"{name}.npy", mmap_mode="r" if read_only else None))
    matcher._lexical, matcher._sample = state["lexical"], state["sample"]
    matcher._keywords, matcher.calibrator, matcher.learner = state["keywords"], state["calibrator"], state["learner"]
    matcher.exposure = state["exposure"]
    matcher._cap_index = VectorIndex.load(path / "capabilities.faiss", encoder.dimension, mmap=read_only)
    matcher._need_index = VectorIndex.load(path / "needs.faiss", encoder.dimension, mmap=read_only)
    return matcher
