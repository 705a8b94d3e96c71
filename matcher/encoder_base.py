"""What every encoder shares: the protocol the engine sees and a per-text vector cache.

Kept apart from the backends (`matcher.encoder` for sentence-transformers, `matcher.e5` for
multilingual-e5-small) so a backend and the blend of two backends import it without importing each other.
"""
from __future__ import annotations

import hashlib
from typing import Protocol, Sequence

import numpy as np

CACHED_BATCH = 256  # batches up to this size (a profile, a query) are cached by text
CACHE_LIMIT = 50_000  # vectors kept per process before the cache starts afresh


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised float32 row vectors."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class CachedEncoder:
    """Small batches (one profile, a query) cached by text, so re-indexing one profile is cheap.

    Subclasses set `name` and `dimension` and implement `_encode_uncached`.
    """

    name: str
    dimension: int
    _cache: dict[str, np.ndarray]

    def _encode_uncached(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Encode texts (normalised); small batches are cached by text.

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
        if not hasattr(self, "_cache"):
            self._cache = {}
        keys = [text_key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self._cache}.items())
        if missing:
            if len(self._cache) > CACHE_LIMIT:
                self._cache = {}  # swap, not clear: a thread reading the old dict keeps it whole
            vectors = self._encode_uncached([t for _, t in missing])
            for (k, _), v in zip(missing, vectors):
                self._cache[k] = v
        cache = self._cache
        return np.stack([cache[k] if k in cache else self._encode_uncached([t])[0] for k, t in zip(keys, texts)])


def text_key(text: str) -> str:
    """A short digest of a text, the cache key (texts can be long; 16 bytes cannot collide in practice)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
