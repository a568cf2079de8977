"""`Attack`: goal + transformation + constraints + search, run across many examples at once.

Every engine step gathers the requests of all active examples: candidate generation and each constraint run
once over all of them, then one victim call scores every text asked for. Finished examples leave and new ones
join, so the batch stays full. Each example's search depends only on its own text and the victim's answers,
so results do not depend on the batch size, the order of examples, or on resuming.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from advkit.attack.goal import UntargetedClassification
from advkit.attack.search import Candidates, Outcome, greedy_word_importance
from advkit.attack.text import AttackedText
from advkit.data import Dataset, TextInput
from advkit.errors import AdvkitError


@dataclass
class AttackResult:
    index: int
    original: TextInput
    perturbed: TextInput
    label: int
    original_probs: list[float]
    perturbed_probs: list[float]
    status: str  # succeeded | failed | skipped
    queries: int
    words_changed: int
    num_words: int
    changed_indices: list[int] = field(default_factory=list)  # word indices in the perturbed text
    budget_exhausted: bool = False
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        row = asdict(self)
        for key in ("original", "perturbed"):
            if isinstance(row[key], tuple):
                row[key] = list(row[key])
        return row

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> AttackResult:
        for key in ("original", "perturbed"):
            if isinstance(row[key], list):
                row[key] = tuple(row[key])
        return cls(**row)


@dataclass
class Attack:
    """An attack against `victim`. Constraints with `allowed` narrow which words may change; constraints with
    `check` filter candidates (order them cheap first: each sees only the survivors of the previous one)."""

    victim: Any
    transformation: Any
    constraints: list[Any]
    goal: Any = field(default_factory=UntargetedClassification)
    wir: str = "delete"  # word importance by deletion, or "unk" for replacement by [UNK]
    query_budget: int | None = None  # per example, as TextAttack counts: distinct texts scored
    frozen_columns: frozenset[int] = frozenset()  # e.g. {0} keeps BoolQ's question unchanged
    seed: int = 0
    name: str = "custom"

    @property
    def pre_constraints(self) -> list[Any]:
        return [c for c in self.constraints if hasattr(c, "allowed")]

    @property
    def post_constraints(self) -> list[Any]:
        return [c for c in self.constraints if hasattr(c, "check")]

    def run(
        self,
        dataset: Dataset | Iterable[tuple[TextInput, int]],
        batch_size: int = 64,
        indices: Sequence[int] | None = None,
    ) -> Iterator[AttackResult]:
        """Attack examples (all, or those at `indices`), `batch_size` at a time; yields results as they finish."""
        items = (
            list(zip(dataset.texts, dataset.labels, strict=True))
            if isinstance(dataset, Dataset)
            else list(dataset)
        )
        order = list(range(len(items))) if indices is None else list(indices)
        if batch_size < 1:
            raise AdvkitError("batch size must be at least 1")
        n_labels = len(self.victim.labels)
        for i in order:
            if not 0 <= items[i][1] < n_labels:
                raise AdvkitError(
                    f"example {i}: label {items[i][1]} out of range for a victim with {n_labels} labels"
                )
        waiting = iter(order)
        active: dict[
            int, tuple[Any, Any, AttackedText, float]
        ] = {}  # index -> (search, request, original, start)

        def admit() -> Iterator[AttackResult]:
            while len(active) < batch_size:
                i = next(waiting, None)
                if i is None:
                    return
                text, label = items[i]
                original = AttackedText.from_input(text, self.frozen_columns)
                search = greedy_word_importance(
                    original, label, self.goal, self.pre_constraints, self.wir, self.query_budget
                )
                active[i] = (search, None, original, time.perf_counter())
                yield from self._advance(i, active, items, None)

        yield from admit()
        while active:
            yield from self._answer_candidates(active, items)
            unique = {t.columns: t.input for _, request, _, _ in active.values() for t in request.texts}
            probs = self.victim.predict_proba(list(unique.values())) if unique else []
            lookup = dict(zip(unique, probs, strict=True))
            for i in list(active):
                request = active[i][1]
                answer = np.stack([lookup[t.columns] for t in request.texts])
                yield from self._advance(i, active, items, answer)
            yield from admit()

    def _answer_candidates(self, active: dict[int, Any], items: list[Any]) -> Iterator[AttackResult]:
        """Answer every pending Candidates request, in batched rounds, until all searches wait on Score."""
        while True:
            asking = [i for i, (_, request, _, _) in active.items() if isinstance(request, Candidates)]
            if not asking:
                return
            requests = [active[i][1] for i in asking]
            proposals = self.transformation.candidates(
                [r.current for r in requests], [r.index for r in requests], [self.seed] * len(requests)
            )
            owners = [k for k, per in enumerate(proposals) for _ in per]
            flat = [c for per in proposals for c in per]
            alive = np.ones(len(flat), dtype=bool)
            for constraint in self.post_constraints:
                keep = np.flatnonzero(alive)
                if not len(keep):
                    break
                refs = [
                    active[asking[owners[k]]][2]
                    if constraint.compare_against_original
                    else requests[owners[k]].current
                    for k in keep
                ]
                alive[keep] = constraint.check(refs, [flat[k] for k in keep])
            survivors: list[list[AttackedText]] = [[] for _ in asking]
            for k in np.flatnonzero(alive):
                survivors[owners[k]].append(flat[k])
            for i, kept in zip(asking, survivors, strict=True):
                yield from self._advance(i, active, items, kept)

    def _advance(
        self, i: int, active: dict[int, Any], items: list[Any], answer: Any
    ) -> Iterator[AttackResult]:
        search, _, original, started = active[i]
        try:
            request = search.send(answer)
        except StopIteration as stop:
            del active[i]
            yield self._result(i, items[i], original, stop.value, time.perf_counter() - started)
            return
        active[i] = (search, request, original, started)

    @staticmethod
    def _result(
        index: int, item: tuple[TextInput, int], original: AttackedText, outcome: Outcome, seconds: float
    ) -> AttackResult:
        final = outcome.final
        return AttackResult(
            index=index,
            original=item[0],
            perturbed=final.input,
            label=int(item[1]),
            original_probs=[round(float(p), 6) for p in outcome.original_probs],
            perturbed_probs=[round(float(p), 6) for p in outcome.final_probs],
            status=outcome.status,
            queries=outcome.queries,
            words_changed=final.words_changed() if outcome.status == "succeeded" else 0,
            num_words=len(original),
            changed_indices=final.changed_indices(original) if outcome.status == "succeeded" else [],
            budget_exhausted=outcome.budget_exhausted,
            seconds=round(seconds, 4),
        )
