"""Quality of a synonym space: Spearman's ρ on SimLex-999 and the share of antonym pairs among top-10 neighbours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from advkit.embeddings.space import SynonymSpace

from advkit.errors import AdvkitError


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks with ties averaged (as Spearman's ρ needs)."""
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(len(values))
    for v in np.unique(values):
        tie = values == v
        if tie.sum() > 1:
            ranks[tie] = ranks[tie].mean()
    return ranks


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = _ranks(np.asarray(a, float)), _ranks(np.asarray(b, float))
    return float(np.corrcoef(ra, rb)[0, 1])


def read_simlex(path: str | Path) -> list[tuple[str, str, float]]:
    """SimLex-999's tab-separated file (header line; word1, word2, POS, score) or any `w1 w2 score` lines."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split("\t") if "\t" in line else line.split()
        if number == 1 and parts and parts[0] == "word1":
            continue
        if len(parts) < 3:
            continue
        try:
            score = float(parts[3] if len(parts) > 3 else parts[2])
        except ValueError as e:
            raise AdvkitError(f"{path}:{number}: expected a similarity score") from e
        rows.append((parts[0].lower(), parts[1].lower(), score))
    return rows


def simlex_rho(space: SynonymSpace, pairs: list[tuple[str, str, float]]) -> tuple[float, int]:
    """(ρ, pairs covered): cosine against human similarity, over the pairs whose words are both in the space."""
    scored = [(space.cosine(a, b), s) for a, b, s in pairs]
    kept = [(c, s) for c, s in scored if c is not None]
    if len(kept) < 3:
        raise AdvkitError("fewer than 3 SimLex pairs are in the vocabulary")
    cos, gold = zip(*kept, strict=True)
    return spearman(np.array(cos), np.array(gold)), len(kept)


def antonym_share(space: SynonymSpace, antonyms: np.ndarray, k: int = 10) -> float:
    """The share of antonym pairs (a, b) with b among a's top-k neighbours."""
    if not len(antonyms):
        return 0.0
    top = np.asarray(space.neighbour_ids[:, :k])
    hits = (top[antonyms[:, 0]] == antonyms[:, 1:2]).any(axis=1)
    return float(hits.mean())
