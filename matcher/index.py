"""FAISS inner-product search over stable int64 ids (positions in a RowStore): add, remove, search, save, load.

Vectors are L2-normalised, so inner product is cosine similarity. Small pools use exhaustive search
(under `IndexIDMap2`); from `IVF_THRESHOLD` rows on, the index is an inverted file (trained at
build time) that scans only the `nprobe` nearest cells, which keeps candidate search in the low
milliseconds at 100k rows. Both support add and remove by id. The index only gathers candidates
(exact scores come from the row store), so it stores vectors as float16: half the memory of a
second float32 copy, with candidate lists that differ only in near-ties.
"""
from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

IVF_THRESHOLD = 20_000


class VectorIndex:
    """One side's rows (capabilities or needs) for nearest-neighbour candidate search."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._index: faiss.Index = faiss.IndexIDMap2(
            faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT))

    @classmethod
    def build(cls, dimension: int, ids: np.ndarray, vectors: np.ndarray, nprobe: int = 24) -> "VectorIndex":
        """An index over the given rows: exact when small, a trained inverted file when large."""
        index = cls(dimension)
        if len(ids) >= IVF_THRESHOLD:
            nlist = int(4 * np.sqrt(len(ids)))
            quantizer = faiss.IndexFlatIP(dimension)
            ivf = faiss.IndexIVFScalarQuantizer(quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_fp16,
                                                faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)
            sample = vectors[rng.choice(len(vectors), size=min(len(vectors), 40 * nlist), replace=False)]
            ivf.train(np.ascontiguousarray(sample, dtype=np.float32))
            ivf.nprobe = nprobe
            index._index = ivf
        index.add(ids, vectors)
        return index

    def __len__(self) -> int:
        return self._index.ntotal

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self._index.remove_ids(faiss.IDSelectorArray(np.asarray(ids, dtype=np.int64)))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query row; missing slots have id -1."""
        if not len(self):
            n = len(queries)
            return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
        # A handful of query rows: OpenMP threads only spin against numpy's BLAS threads (5x slower here).
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self._index.search(np.ascontiguousarray(queries, dtype=np.float32), max(1, min(k, len(self))))
        finally:
            faiss.omp_set_num_threads(threads)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    def serialized(self) -> memoryview:
        """The bytes `save` writes (what `load` reads back)."""
        return memoryview(faiss.serialize_index(self._index))

    @classmethod
    def load(cls, path: Path, dimension: int, *, mmap: bool = False) -> "VectorIndex":
        """Read a saved index; `mmap` maps its codes read-only from the file, so the processes serving
        one snapshot share them in the page cache instead of each holding a copy (it cannot change)."""
        index = cls(dimension)
        flags = faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY if mmap else 0
        index._index = faiss.read_index(str(path), flags)
        return index
