"""Greedy search by word importance, written as a coroutine so that the engine can batch many examples.

The search never calls the victim itself. It yields requests — `Score(texts)` or `Candidates(text, index)` —
and the engine answers each step's requests of all active examples with one batched call. Its decisions
follow TextAttack's GreedyWordSwapWIR: words in order of leave-one-out importance; per word, move to the
best-scoring candidate if it beats the current score; on success, among the candidates that succeed take
the most similar (TextFooler's choice rule, Jin et al. 2020, Algorithm 1).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from advkit.attack.text import AttackedText

UNK = "[UNK]"


@dataclass
class Score:
    texts: list[AttackedText]


@dataclass
class Candidates:
    current: AttackedText
    index: int


@dataclass
class Outcome:
    status: str  # succeeded | failed | skipped
    final: AttackedText
    original_probs: np.ndarray
    final_probs: np.ndarray
    queries: int
    budget_exhausted: bool = False


@dataclass
class QueryLedger:
    """The distinct texts this example has had scored, and its query budget (TextAttack counts the same)."""

    budget: int | None
    seen: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)
    exhausted: bool = False

    def affordable(self, texts: Sequence[AttackedText]) -> list[AttackedText]:
        """The prefix of `texts` whose new (unseen) members fit the remaining budget."""
        if self.budget is None:
            return list(texts)
        left = self.budget - len(self.seen)
        out: list[AttackedText] = []
        new: set[tuple[str, ...]] = set()
        for t in texts:
            if t.columns not in self.seen and t.columns not in new:
                if len(new) >= left:
                    self.exhausted = True
                    break
                new.add(t.columns)
            out.append(t)
        return out

    def record(self, texts: Sequence[AttackedText], probs: np.ndarray) -> None:
        for t, p in zip(texts, probs, strict=True):
            self.seen.setdefault(t.columns, p)


def greedy_word_importance(
    original: AttackedText,
    label: int,
    goal: Any,
    pre_constraints: Sequence[Any],
    wir: str = "delete",
    query_budget: int | None = None,
) -> Generator[Score | Candidates, Any, Outcome]:
    ledger = QueryLedger(query_budget)

    def score(texts: list[AttackedText]) -> Generator[Score, Any, tuple[list[AttackedText], np.ndarray]]:
        texts = ledger.affordable(texts)
        if not texts:
            return texts, np.zeros((0, 0))
        probs = yield Score(texts)
        ledger.record(texts, probs)
        return texts, probs

    _, first = yield from score([original])
    original_probs = first[0]
    if goal.succeeded(original_probs, label):
        return Outcome("skipped", original, original_probs, original_probs, len(ledger.seen))

    allowed = _allowed(original, original, pre_constraints)
    if wir == "delete":
        probes = [original.delete_word(i) for i in allowed]
    elif wir == "unk":
        probes = [original.replace_word(i, UNK) if original.word(i) != UNK else original for i in allowed]
    else:
        raise ValueError(f"unknown word-importance method {wir!r}")
    probed, probs = yield from score(probes)
    if len(probed) < len(probes):
        return Outcome("failed", original, original_probs, original_probs, len(ledger.seen), True)
    importance = goal.score(probs, label) if len(probs) else np.zeros(0)
    order = [allowed[k] for k in np.argsort(-importance, kind="stable")]

    current, current_probs = original, original_probs
    current_score = float(goal.score(original_probs, label))
    for word in order:
        index = current.current_index(word)
        if index is None or index not in _allowed(current, original, pre_constraints):
            continue
        candidates = yield Candidates(current, index)
        if not candidates:
            continue
        scored, probs = yield from score(candidates)
        if len(scored):
            scores = goal.score(probs, label)
            best = int(np.argmax(scores))
            if scores[best] > current_score:
                current, current_probs, current_score = scored[best], probs[best], float(scores[best])
                if goal.succeeded(current_probs, label):
                    current, current_probs = _most_similar_success(scored, probs, scores, goal, label, best)
                    return Outcome(
                        "succeeded",
                        current,
                        original_probs,
                        current_probs,
                        len(ledger.seen),
                        ledger.exhausted,
                    )
        if ledger.exhausted:
            break
    return Outcome("failed", current, original_probs, current_probs, len(ledger.seen), ledger.exhausted)


def _allowed(text: AttackedText, original: AttackedText, pre_constraints: Sequence[Any]) -> list[int]:
    allowed = set(text.modifiable_indices())
    for constraint in pre_constraints:
        allowed &= constraint.allowed(text, original)
    return sorted(allowed)


def _most_similar_success(
    texts: list[AttackedText], probs: np.ndarray, scores: np.ndarray, goal: Any, label: int, best: int
) -> tuple[AttackedText, np.ndarray]:
    """Among the candidates that succeed, in score order, the one with the highest recorded similarity."""
    choice, best_similarity = best, -np.inf
    for k in np.argsort(-scores, kind="stable"):
        if not goal.succeeded(probs[k], label):
            break
        similarity = texts[k].attrs.get("similarity")
        if similarity is None:
            break
        if similarity > best_similarity:
            choice, best_similarity = int(k), similarity
    return texts[choice], probs[choice]
