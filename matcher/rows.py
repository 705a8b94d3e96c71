"""Append-only storage of one side's texts: dense vectors, lexical rows, owners, with tombstones.

Rows live at stable integer positions (the FAISS ids), so scoring a set of candidates is a
few fancy-indexed matrix products instead of per-row Python work; a changed profile appends
new rows and tombstones its old ones, which keeps a re-index of one company cheap.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse


class RowStore:
    """Rows of capabilities (suppliers) or needs (manufacturers)."""

    def __init__(self, dimension: int, vocabulary_size: int) -> None:
        self.dimension = dimension
        self.vocabulary_size = vocabulary_size
        self._dense = np.zeros((0, dimension), dtype=np.float32)
        self.size = 0
        self._lex_chunks: list[sparse.csr_matrix] = []
        self._lex: sparse.csr_matrix | None = sparse.csr_matrix((0, vocabulary_size), dtype=np.float32)
        self._lex_t: sparse.csr_matrix | None = None
        self.owner: list[str] = []
        self.text: list[str] = []
        self._weight = np.zeros(0, dtype=np.float64)
        self._alive = np.zeros(0, dtype=bool)
        self.by_owner: dict[str, np.ndarray] = {}

    @property
    def dense(self) -> np.ndarray:
        return self._dense[: self.size]

    @property
    def weight(self) -> np.ndarray:
        return self._weight[: self.size]

    @property
    def alive(self) -> np.ndarray:
        return self._alive[: self.size]

    @property
    def lex(self) -> sparse.csr_matrix:
        if self._lex is None or self._lex_chunks:
            parts = ([self._lex] if self._lex is not None else []) + self._lex_chunks
            self._lex = sparse.vstack(parts, format="csr", dtype=np.float32)
            self._lex_chunks = []
            self._lex_t = None
        return self._lex

    @property
    def lex_transposed(self) -> sparse.csr_matrix:
        """(vocabulary x rows), kept ready so a query against every row is one sparse product."""
        lex = self.lex
        if self._lex_t is None:
            self._lex_t = lex.T.tocsr()
        return self._lex_t

    def __getstate__(self) -> dict:
        """Everything but the dense vectors, which `Matcher.save` writes as .npy (loadable memory-mapped)."""
        state = self.__dict__.copy()
        state["_dense"] = None
        return state

    def attach_dense(self, dense: np.ndarray) -> None:
        """Give a loaded store its vectors (an array, or a read-only memory map shared between processes)."""
        self._dense = dense

    def compact(self) -> None:
        """Merge appended lexical chunks and build the transposed matrix now, not lazily under a reader."""
        _ = self.lex_transposed

    def reserve(self, rows: int) -> None:
        """Make room for this many more rows at once (a build appends in chunks without regrowing)."""
        end = self.size + rows
        if end > len(self._dense):
            self._dense = _grow(self._dense, end)
            self._weight = _grow(self._weight, end)
            self._alive = _grow(self._alive, end)

    def append(self, owners: list[str], texts: list[str], weights: list[float], vectors: np.ndarray,
               lexical: sparse.csr_matrix) -> np.ndarray:
        """Store new rows; returns their positions."""
        n = len(owners)
        start, end = self.size, self.size + n
        if end > len(self._dense):
            capacity = max(end, 2 * len(self._dense), 64)
            self._dense = _grow(self._dense, capacity)
            self._weight = _grow(self._weight, capacity)
            self._alive = _grow(self._alive, capacity)
        self._dense[start:end] = vectors
        self._weight[start:end] = weights
        self._alive[start:end] = True
        self._lex_chunks.append(lexical.astype(np.float32).tocsr())
        self.owner += owners
        self.text += texts
        self.size = end
        positions = np.arange(start, end, dtype=np.int64)
        grouped: dict[str, list[int]] = {}
        for pos, owner in zip(positions.tolist(), owners):
            grouped.setdefault(owner, []).append(pos)
        for owner, pos in grouped.items():
            self.by_owner[owner] = np.asarray(pos, dtype=np.int64)
        return positions

    def kill(self, owner: str) -> np.ndarray:
        """Tombstone an owner's rows; returns their positions."""
        positions = self.by_owner.pop(owner, np.zeros(0, dtype=np.int64))
        self._alive[positions] = False
        return positions

    def positions_of(self, owners: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """All positions of the owners, grouped by owner, and the start offset of each group."""
        groups = [self.by_owner[o] for o in owners]
        lengths = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(groups) else np.zeros(0, dtype=np.int64)
        flat = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
        return flat, starts


def _grow(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown
