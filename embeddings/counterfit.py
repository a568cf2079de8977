"""Counter-fitting (Mrkšić et al., NAACL 2016): synonyms attract, antonyms repel, the rest of the space kept.

Vectorised over all constraint pairs at once. Each iteration moves every constrained word by the mean of its
updates, then re-normalises, as the released code (nmrksic/counter-fitting) does.
"""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from advkit.embeddings.vectors import WordVectors

from advkit.errors import AdvkitError

# The linguistic constraints released with counter-fitting (Apache-2.0).
CONSTRAINTS_URL = "https://raw.githubusercontent.com/nmrksic/counter-fitting/master/linguistic_constraints/"
SYNONYM_FILES = ("ppdb_synonyms.txt",)
ANTONYM_FILES = ("ppdb_antonyms.txt", "wordnet_antonyms.txt")
SIMLEX_URL = (
    "https://raw.githubusercontent.com/nmrksic/counter-fitting/master/linguistic_constraints/SimLex-999.txt"
)


@dataclass(frozen=True)
class CounterFitConfig:
    # Hyper-parameters of the paper (Section 3) and its released experiment config.
    k1: float = 0.1  # antonym repel weight
    k2: float = 0.1  # synonym attract weight
    k3: float = 0.1  # vector-space preservation weight
    delta: float = 1.0  # antonyms are pushed until their cosine distance reaches this margin
    gamma: float = 0.0  # synonyms are pulled until their cosine distance is at most this
    rho: float = 0.2  # VSP neighbourhood: pairs whose original cosine distance is below rho
    iterations: int = 20


def lexical_file(name: str, folder: str | Path | None = None) -> Path:
    """A constraint file from `folder` (or $ADVKIT_LEXICAL_DIR), else downloaded once into the advkit cache."""
    import os

    from advkit import assets

    folder = folder or os.environ.get("ADVKIT_LEXICAL_DIR")
    if folder:
        path = Path(folder) / name
        if not path.is_file():
            raise AdvkitError(f"{path} does not exist; the constraints folder needs {name}")
        return path
    cached = assets.home() / "lexical" / name
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        url = SIMLEX_URL if name == "SimLex-999.txt" else CONSTRAINTS_URL + name
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                data = response.read()
        except OSError as e:
            raise AdvkitError(
                f"could not download {name} ({e}); point ADVKIT_LEXICAL_DIR (or --constraints) at a folder with it"
            ) from e
        cached.write_bytes(data)
    return cached


def read_pairs(paths: list[Path], index: dict[str, int]) -> np.ndarray:
    """[n, 2] word-id pairs (both orders), only for pairs whose two words are in the vocabulary."""
    pairs = set()
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 2:
                raise AdvkitError(f"{path}:{number}: expected two words")
            a, b = (index.get(p.lower()) for p in parts)
            if a is not None and b is not None and a != b:
                pairs.update([(a, b), (b, a)])
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def vsp_pairs(unit: np.ndarray, words: np.ndarray, rho: float, k: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Pairs among `words` whose original cosine distance is below rho, with that distance (FAISS top-k)."""
    import faiss

    index = faiss.IndexFlatIP(unit.shape[1])
    index.add(unit)
    cos, ids = index.search(unit[words], min(k + 1, len(unit)))
    rows = np.repeat(words, ids.shape[1])
    cols, dist = ids.ravel(), 1.0 - cos.ravel()
    keep = (cols != rows) & (cols >= 0) & (dist < rho)
    return np.stack([rows[keep], cols[keep]], axis=1), dist[keep]


def counter_fit(
    vectors: WordVectors,
    synonyms: np.ndarray,
    antonyms: np.ndarray,
    config: CounterFitConfig = CounterFitConfig(),
) -> WordVectors:
    """Counter-fitted copy of `vectors`; `synonyms` and `antonyms` are [n, 2] id pairs (both orders)."""
    unit = vectors.normalized()
    constrained = (
        np.unique(np.concatenate([synonyms.ravel(), antonyms.ravel()]))
        if len(synonyms) + len(antonyms)
        else np.zeros(0, dtype=np.int64)
    )
    vsp, vsp_dist = (
        vsp_pairs(unit, constrained, config.rho)
        if len(constrained)
        else (np.zeros((0, 2), np.int64), np.zeros(0))
    )
    if len(vsp) and len(antonyms):  # an explicit antonym constraint wins over preserving their old closeness
        clash = np.isin(vsp[:, 0] * len(unit) + vsp[:, 1], antonyms[:, 0] * len(unit) + antonyms[:, 1])
        vsp, vsp_dist = vsp[~clash], vsp_dist[~clash]
    current = unit.copy()
    for _ in range(config.iterations):
        update = np.zeros_like(current)
        count = np.zeros(len(current), dtype=np.float32)

        for pairs, kind in ((antonyms, "ant"), (synonyms, "syn"), (vsp, "vsp")):
            if not len(pairs):
                continue
            a, b = current[pairs[:, 0]], current[pairs[:, 1]]
            distance = 1.0 - np.sum(a * b, axis=1)
            if kind == "ant":  # antonym repel: push a away from b while they are closer than delta
                _push(update, count, pairs, distance < config.delta, a - b, config.k1)
            elif kind == "syn":  # synonym attract: pull a towards b while farther than gamma
                _push(update, count, pairs, distance > config.gamma, b - a, config.k2)
            else:  # vector-space preservation: pull back pairs that drifted apart
                _push(update, count, pairs, distance > vsp_dist, b - a, config.k3)
        moved = count > 0
        current[moved] += update[moved] / count[moved, None]
        current /= np.maximum(np.linalg.norm(current, axis=1, keepdims=True), 1e-12)
    return WordVectors(vectors.words, current.astype(np.float32), vectors.source + "+counter-fitted")


def _push(
    update: np.ndarray,
    count: np.ndarray,
    pairs: np.ndarray,
    active: np.ndarray,
    direction: np.ndarray,
    weight: float,
) -> None:
    """Add each active pair's weighted direction to its first word's update."""
    if active.any():
        np.add.at(update, pairs[active, 0], weight * direction[active])
        np.add.at(count, pairs[active, 0], 1.0)
