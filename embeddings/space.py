"""The synonym space: normalised word vectors and a precomputed neighbour table `[V, K]`.

One batched FAISS search over the whole vocabulary fills the table (int32 ids, float16 cosines); it is saved
as memory-mapped `.npy` files with a JSON manifest, so a lookup during an attack is an array index, never a
FAISS call. The original TextFooler code held a 65k × 65k cosine matrix (about 30 GB of RAM instead).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from advkit.embeddings.vectors import WordVectors

from advkit.errors import AdvkitError

FORMAT_VERSION = 1


def make_index(dim: int, size: int, kind: str = "auto") -> Any:
    """Exact inner product by default; HNSW for large vocabularies (approximate); on GPU when FAISS has one."""
    import faiss

    index: Any
    if kind == "auto":
        kind = "flat" if size <= 200_000 else "hnsw"
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
        if hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0:
            index = faiss.index_cpu_to_gpu(faiss.StandardGpuResources(), 0, index)
        return index
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = 128
        return index
    if kind == "ivf":
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, max(1, int(4 * np.sqrt(size))), faiss.METRIC_INNER_PRODUCT)
        index.nprobe = 16
        return index
    raise AdvkitError(f"unknown index kind {kind!r}; use auto, flat, hnsw or ivf")


def neighbour_table(
    unit: np.ndarray,
    k: int,
    kind: str = "auto",
    exclude: np.ndarray | None = None,
    batch: int = 8192,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(ids int32 [V, k], cosines float16 [V, k]): each word's k nearest other words, most similar first.
    `exclude` is an [n, 2] array of (word, neighbour) pairs never to list, e.g. the known antonyms."""
    from tqdm.auto import tqdm

    index = make_index(unit.shape[1], len(unit), kind)
    if not index.is_trained:
        index.train(unit)
    index.add(unit)
    size = len(unit)
    banned = (
        np.unique(exclude[:, 0].astype(np.int64) * size + exclude[:, 1])
        if exclude is not None
        else np.zeros(0, np.int64)
    )
    extra = int(np.bincount(exclude[:, 0], minlength=1).max()) if exclude is not None and len(exclude) else 0
    search_k = min(k + 1 + extra, size)
    ids = np.empty((size, k), dtype=np.int32)
    cos = np.empty((size, k), dtype=np.float16)
    for start in tqdm(range(0, size, batch), desc="neighbours", disable=not progress):
        block = unit[start : start + batch]
        c, i = index.search(block, search_k)
        own = np.arange(start, start + len(block))[:, None]
        keep = (i != own) & (i >= 0) & ~np.isin(own * size + i, banned)
        # stable sort puts kept neighbours first, in similarity order; a row short of k (tiny vocabularies with
        # many exclusions) is padded with its last kept neighbour
        order = np.argsort(~keep, axis=1, kind="stable")[:, :k]
        ids[start : start + len(block)] = np.take_along_axis(i, order, axis=1)
        cos[start : start + len(block)] = np.take_along_axis(c, order, axis=1)
    return ids, cos


@dataclass
class SynonymSpace:
    words: list[str]
    vectors: np.ndarray  # [V, d] float32, unit norm
    neighbour_ids: np.ndarray  # [V, K] int32
    neighbour_cos: np.ndarray  # [V, K] float16
    manifest: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def build(
        cls,
        vectors: WordVectors,
        k: int = 50,
        index_kind: str = "auto",
        manifest: dict[str, Any] | None = None,
        exclude: np.ndarray | None = None,
        progress: bool = False,
    ) -> SynonymSpace:
        if k >= len(vectors):
            raise AdvkitError(f"k = {k} needs more than {len(vectors)} words")
        began = time.perf_counter()
        unit = vectors.normalized()
        ids, cos = neighbour_table(unit, k, index_kind, exclude, progress=progress)
        info = {
            "format": FORMAT_VERSION,
            "source": vectors.source,
            "vocab_size": len(vectors),
            "dim": int(unit.shape[1]),
            "k": k,
            "index": index_kind,
            "table_seconds": round(time.perf_counter() - began, 2),
        }
        info.update(manifest or {})
        return cls(vectors.words, unit, ids, cos, info)

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.npy", self.vectors)
        np.save(folder / "neighbour_ids.npy", self.neighbour_ids)
        np.save(folder / "neighbour_cos.npy", self.neighbour_cos)
        (folder / "words.txt").write_text("\n".join(self.words) + "\n", encoding="utf-8")
        digest = hashlib.sha256(self.vectors.tobytes()).hexdigest()
        (folder / "manifest.json").write_text(
            json.dumps({**self.manifest, "vectors_sha256": digest}, indent=2) + "\n"
        )

    @classmethod
    def load(cls, folder: str | Path) -> SynonymSpace:
        folder = Path(folder)
        if not (folder / "manifest.json").is_file():
            raise AdvkitError(
                f"{folder} is not a synonym space (no manifest.json); build one with `advkit embeddings build`"
            )
        manifest = json.loads((folder / "manifest.json").read_text())
        words = (folder / "words.txt").read_text(encoding="utf-8").splitlines()
        arrays = [
            np.load(folder / f"{n}.npy", mmap_mode="r") for n in ("vectors", "neighbour_ids", "neighbour_cos")
        ]
        if not all(len(a) == len(words) for a in arrays):
            raise AdvkitError(f"{folder}: the arrays and words.txt disagree in length; rebuild the space")
        vectors, ids, cos = arrays
        return cls(words, vectors, ids, cos, manifest=manifest)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def neighbours(self, word: str, k: int = 50, min_cos: float = -1.0) -> list[tuple[str, float]]:
        """Up to k nearest words with cosine ≥ min_cos, most similar first. An array lookup."""
        i = self.index.get(word)
        if i is None:
            return []
        width = self.neighbour_ids.shape[1]
        if k > width and width < len(self.words) - 1:  # a table of every other word is complete: clip
            raise AdvkitError(
                f"the table holds {self.neighbour_ids.shape[1]} neighbours per word; asked for {k}"
            )
        ids, cos = self.neighbour_ids[i, :k], self.neighbour_cos[i, :k].astype(np.float32)
        return [(self.words[j], float(c)) for j, c in zip(ids, cos, strict=True) if c >= min_cos]

    def cosine(self, a: str, b: str) -> float | None:
        i, j = self.index.get(a), self.index.get(b)
        if i is None or j is None:
            return None
        return float(np.dot(self.vectors[i], self.vectors[j]))
