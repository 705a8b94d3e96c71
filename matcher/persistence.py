"""An engine as a folder: FAISS files, dense rows as .npy (memory-mappable), the rest pickled in parts.

Each side (capabilities, needs) has its own files, and `parts.json` records a digest of every
file, so a publish links the files that did not change and a reader keeps the parts it holds.

The folder is what the index store publishes; `load` refuses another encoder or format, which
the store reports as an unusable snapshot (rebuilt by the builder).
"""
from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import pickle
from collections.abc import Callable, Iterator
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
# 10: acronym keywords, float16 lexicon vectors, decision evidence (older snapshots are rebuilt, not half-read);
# 11: state in parts with digests (parts.json); 12: profiles in one file per kind, Kiwi without multi-word entries
FORMAT_VERSION = 12


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


PARTS_FILE = "parts.json"  # {file name: content digest} of the files below


def _digest(data: bytes | memoryview) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _pickled(obj: object) -> bytes:
    with _gc_paused():
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _npy(array: np.ndarray) -> memoryview:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array, dtype=np.float32))
    return buffer.getbuffer()


KINDS = ("supplier", "manufacturer")
SIDE_FILES = {"supplier": ("capabilities.pkl", "capabilities.npy", "capabilities.faiss", "keywords-supplier.pkl",
                           "profiles-supplier.pkl"),
              "manufacturer": ("needs.pkl", "needs.npy", "needs.faiss", "keywords-manufacturer.pkl",
                               "profiles-manufacturer.pkl")}


def _files(matcher: "Matcher") -> dict[str, Callable[[], bytes | memoryview]]:
    """Each file of a snapshot and how to produce its bytes: one side's rows, vectors and keywords apart,
    so a change on one side (a manufacturer's edited needs) leaves the other side's files identical."""
    files: dict[str, Callable[[], bytes | memoryview]] = {
        # one file per kind: a manufacturer's edit leaves the 20,000 supplier profiles' file (and readers' copy) alone
        **{f"profiles-{kind}.pkl": lambda kind=kind: _pickled({i: p for i, p in matcher.profiles.items()
                                                                 if p.kind == kind}) for kind in KINDS},
        "lexical.pkl": lambda: _pickled(matcher._lexical),
        "model.pkl": lambda: _pickled({"sample": matcher._sample, "calibrator": matcher.calibrator,
                                       "learner": matcher.learner, "exposure": matcher.exposure}),
    }
    for side, rows, index in (("capabilities", matcher._caps, matcher._cap_index),
                              ("needs", matcher._needs, matcher._need_index)):
        files[f"{side}.pkl"] = lambda rows=rows: _pickled(rows)
        files[f"{side}.npy"] = lambda rows=rows: _npy(rows.dense)
        files[f"{side}.faiss"] = lambda index=index: index.serialized()
    for kind, keywords in matcher._keywords.items():
        files[f"keywords-{kind}.pkl"] = lambda keywords=keywords: _pickled(keywords)
    return files


def save(matcher: "Matcher", path: Path, previous: Path | None = None) -> None:
    """Write the index to a folder (FAISS files, vectors, pickled parts).

    `previous`: a folder written by `save` before (the published snapshot this one follows). When
    this engine was loaded from it (or saved as it), a file whose content is the same as there is
    hard-linked instead of written again: publishing a manufacturer's edit rewrites the
    manufacturers' side and the shared parts, not the 120 MB of supplier vectors, and the
    processes that read both versions share those pages. Any other engine writes every file.
    """
    path.mkdir(parents=True, exist_ok=True)
    for rows in (matcher._caps, matcher._needs):  # a loaded engine is read by many threads: nothing left to compact
        rows.compact()
    for keywords in matcher._keywords.values():
        keywords.compact()
    before = _read_parts(previous) if previous is not None else {}
    # Files of a side unchanged since the engine was loaded from (or saved as) `previous` are linked unread:
    # no pickling, copying or hashing of the 120 MB of supplier rows when a manufacturer edits a need.
    same_origin = previous is not None and matcher._origin is not None and \
        os.path.realpath(previous) == os.path.realpath(matcher._origin)
    untouched = {name for side, names in SIDE_FILES.items() if same_origin and side not in matcher._touched
                 for name in (*names, "lexical.pkl")}
    digests: dict[str, str] = {}
    for name, produce in _files(matcher).items():
        if name in untouched and name in before and _linked(previous, path, name):
            digests[name] = before[name]
            continue
        data = produce()
        digests[name] = _digest(data)
        # compared by content only against the folder this engine was read from (so it read well): a rebuild
        # after damage writes every file anew rather than link a damaged one its digest still vouches for
        if same_origin and before.get(name) == digests[name] and _linked(previous, path, name):
            continue
        with open(path / f"{name}.tmp", "wb") as fh:
            fh.write(data)
        (path / f"{name}.tmp").replace(path / name)
        del data
    (path / PARTS_FILE).write_text(json.dumps(digests, indent=1))
    meta = {"format": FORMAT_VERSION, "encoder": matcher.encoder.name, "dimension": matcher.encoder.dimension,
            "config": asdict(matcher.config), "profiles": len(matcher.profiles), "keywords": list(matcher._keywords)}
    (path / "meta.json").write_text(json.dumps(meta, indent=2))


def _linked(previous: Path, path: Path, name: str) -> bool:
    """Hard-link `name` of `previous` into `path`; False when it cannot be (pruned, another file system)."""
    try:
        os.link(previous / name, path / name)
    except OSError:
        return False
    return True


def _read_parts(path: Path) -> dict[str, str]:
    try:
        parts = json.loads((path / PARTS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return parts if isinstance(parts, dict) else {}


def _unpickled(path: Path) -> object:
    with open(path, "rb") as fh, _gc_paused():
        return pickle.load(fh)  # our own file, written by save() above


def load(cls: type["Matcher"], path: Path, encoder: Encoder, *, read_only: bool = False,
         reuse: "Matcher | None" = None) -> "Matcher":
    """Read a folder written by `save`; refuses an index built with another encoder or format.

    Args:
        path: the folder.
        encoder: the encoder the index was built with.
        read_only: memory-map the dense vectors and the FAISS codes instead of reading them:
            processes serving the same snapshot share one copy in the page cache. Such an engine
            cannot be changed.
        reuse: a read-only engine loaded before (the snapshot a reader is replacing): its parts
            whose files have the same content here are taken as they are instead of being read
            again (nothing in a read-only engine changes, so two engines can share them). A reader
            then loads only what a publish changed, mostly one side's rows and profiles.
    """
    meta = json.loads((path / "meta.json").read_text())
    if meta.get("format") != FORMAT_VERSION or meta.get("encoder") != encoder.name:
        raise ValueError(f"index at {path} was built with {meta.get('encoder')!r}, format {meta.get('format')}")
    digests = _read_parts(path)
    held: dict[tuple[str, ...], tuple[tuple[str, ...], object]] = \
        getattr(reuse, "_loaded_parts", {}) if read_only and reuse is not None else {}
    loaded: dict[tuple[str, ...], tuple[tuple[str, ...], object]] = {}

    def part(names: tuple[str, ...], read: Callable[[], object]) -> object:
        key = tuple(digests.get(name, "") for name in names)
        kept = held.get(names)
        value = kept[1] if kept is not None and kept[0] == key and "" not in key else read()
        loaded[names] = (key, value)
        return value

    def rows(side: str) -> object:
        store = _unpickled(path / f"{side}.pkl")
        store.attach_dense(np.load(path / f"{side}.npy", mmap_mode="r" if read_only else None))
        return store

    matcher = cls(encoder, ScoringConfig(**meta["config"]))
    by_kind = [part((f"profiles-{kind}.pkl",), lambda kind=kind: _unpickled(path / f"profiles-{kind}.pkl"))
               for kind in KINDS]
    matcher.profiles = {profile_id: p for profiles in by_kind for profile_id, p in profiles.items()}
    matcher._caps = part(("capabilities.pkl", "capabilities.npy"), lambda: rows("capabilities"))
    matcher._needs = part(("needs.pkl", "needs.npy"), lambda: rows("needs"))
    matcher._lexical = part(("lexical.pkl",), lambda: _unpickled(path / "lexical.pkl"))
    matcher._keywords = {kind: part((f"keywords-{kind}.pkl",), lambda kind=kind: _unpickled(path / f"keywords-{kind}.pkl"))
                         for kind in meta["keywords"]}
    model = part(("model.pkl",), lambda: _unpickled(path / "model.pkl"))
    matcher._sample, matcher.calibrator = model["sample"], model["calibrator"]
    matcher.learner, matcher.exposure = model["learner"], model["exposure"]
    matcher._cap_index = part(("capabilities.faiss",), lambda: VectorIndex.load(
        path / "capabilities.faiss", encoder.dimension, mmap=read_only))
    matcher._need_index = part(("needs.faiss",), lambda: VectorIndex.load(
        path / "needs.faiss", encoder.dimension, mmap=read_only))
    if read_only:
        matcher._loaded_parts = loaded
    matcher.mark_saved(path)
    return matcher
