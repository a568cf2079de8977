"""Goal functions: what counts as success, and the score the search climbs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class UntargetedClassification:
    """Succeed when the predicted label differs from the true one; score = 1 − p(true label) (TextAttack)."""

    def score(self, probs: np.ndarray, label: int) -> np.ndarray:
        return 1.0 - probs[..., label]

    def succeeded(self, probs: np.ndarray, label: int) -> np.ndarray:
        return np.asarray(probs.argmax(axis=-1) != label)


@dataclass(frozen=True)
class TargetedClassification:
    """Succeed when the predicted label is `target`; score = p(target)."""

    target: int

    def score(self, probs: np.ndarray, label: int) -> np.ndarray:
        return probs[..., self.target]

    def succeeded(self, probs: np.ndarray, label: int) -> np.ndarray:
        return np.asarray(probs.argmax(axis=-1) == self.target)
