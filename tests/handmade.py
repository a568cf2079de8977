"""A hand-made victim whose best attack is known: a linear bag-of-words sentiment classifier, and a tiny
synonym space built from hand-placed vectors."""

from __future__ import annotations

import numpy as np
from advkit.embeddings import SynonymSpace, WordVectors

from advkit.victims import CallableVictim

WEIGHTS = {
    "good": 2.0, "great": 3.0, "fine": 1.0, "decent": 0.5, "passable": -0.5, "poor": -2.5,
    "bad": -2.0, "awful": -3.0, "weak": -1.0, "movie": 0.0, "film": 0.0, "picture": -0.2,
    "acting": 0.0, "performance": 0.3, "show": -0.1, "fun": 1.0, "amusing": 0.2, "boring": -1.5,
}  # fmt: skip

# Synonym groups: close vectors within a group, the groups orthogonal.
GROUPS = [["good", "decent", "fine", "passable", "great"], ["movie", "film", "picture", "show"],
          ["acting", "performance"], ["fun", "amusing", "boring"], ["bad", "poor", "awful", "weak"]]  # fmt: skip


def bow_probs(inputs: list) -> np.ndarray:
    out = []
    for x in inputs:
        text = x if isinstance(x, str) else " ".join(x)
        score = sum(WEIGHTS.get(w.strip(".,!?").lower(), 0.0) for w in text.split())
        p = 1 / (1 + np.exp(-score))
        out.append([1 - p, p])
    return np.array(out)


def bow_victim(**kwargs) -> CallableVictim:
    return CallableVictim(bow_probs, ["negative", "positive"], **kwargs)


def toy_space(k: int = 4) -> SynonymSpace:
    words, rows = [], []
    dim = len(GROUPS)
    for g, group in enumerate(GROUPS):
        for n, word in enumerate(group):
            v = np.zeros(dim + 1, dtype=np.float32)
            v[g] = 1.0
            v[dim] = 0.1 * (n + 1)  # later group members slightly farther away
            words.append(word)
            rows.append(v)
    return SynonymSpace.build(WordVectors(words, np.stack(rows)), k=k)
