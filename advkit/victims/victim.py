"""The common victim interface and the batched wrapper that turns a model into one.

A Victim maps inputs to class probabilities. `ModelVictim` wraps a `TextClassifier` (MVP or MLP-FT) or any
Hugging Face sequence classifier: it tokenizes with dynamic padding, sorts by length into batches, runs under
`torch.inference_mode()` (bf16 autocast on CUDA), packs a causal MVP input's templates into one row, counts
queries, enforces a query budget and caches repeated inputs. `CallableVictim` makes a user's own function a
victim with the same bookkeeping.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any, Protocol, runtime_checkable

import numpy as np

from advkit.data import TextInput
from advkit.errors import AdvkitError


@runtime_checkable
class Victim(Protocol):
    labels: Sequence[str]

    def predict_proba(self, inputs: Sequence[TextInput]) -> np.ndarray: ...  # [n, n_labels]


class QueryBudgetExceeded(AdvkitError):
    """The victim's total query budget would be exceeded by this call."""


class CountingVictim:
    """Query counting, a total budget, an LRU cache of repeated inputs, and time spent inside the model."""

    labels: Sequence[str]

    def __init__(self, labels: Sequence[str], query_budget: int | None = None, cache_size: int = 100_000):
        self.labels = list(labels)
        self.query_budget = query_budget
        self.cache_size = cache_size
        self.queries = 0  # inputs the model actually scored (cache hits are free)
        self.calls = 0
        self.model_seconds = 0.0
        self._cache: OrderedDict[TextInput, np.ndarray] = OrderedDict()

    def reset_counters(self) -> None:
        self.queries, self.calls, self.model_seconds = 0, 0, 0.0

    def clear_cache(self) -> None:
        self._cache.clear()

    def predict_proba(self, inputs: Sequence[TextInput]) -> np.ndarray:
        inputs = [_check_input(x) for x in inputs]
        self.calls += 1
        missing = list(dict.fromkeys(x for x in inputs if x not in self._cache))
        if self.query_budget is not None and self.queries + len(missing) > self.query_budget:
            raise QueryBudgetExceeded(
                f"query budget of {self.query_budget} would be exceeded ({self.queries} used, {len(missing)} asked)"
            )
        if missing:
            start = time.perf_counter()
            probs = self._score(missing)
            self.model_seconds += time.perf_counter() - start
            self.queries += len(missing)
            for x, p in zip(missing, probs, strict=False):
                self._cache[x] = p
        out = np.stack([self._cache[x] for x in inputs]) if inputs else np.zeros((0, len(self.labels)))
        for x in missing:  # keep the newest entries; evict only after this call's results are read
            self._cache.move_to_end(x)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return out

    def predict(self, inputs: Sequence[TextInput]) -> np.ndarray:
        return self.predict_proba(inputs).argmax(axis=1)

    def _score(self, inputs: list[TextInput]) -> np.ndarray:
        raise NotImplementedError


def _check_input(x: TextInput) -> TextInput:
    if isinstance(x, str):
        if not x.strip():
            raise AdvkitError("empty text given to the victim")
        return x
    if isinstance(x, tuple) and len(x) == 2 and all(isinstance(p, str) for p in x):
        return x
    raise AdvkitError(f"a victim input is a string or a pair of strings, not {type(x).__name__}")


class ModelVictim(CountingVictim):
    """Batched inference over a TextClassifier (or any module with featurize / collate / forward / pool)."""

    def __init__(
        self,
        model: Any,
        batch_size: int = 32,
        query_budget: int | None = None,
        cache_size: int = 100_000,
        device: str | None = None,
        precision: str = "auto",
        pack_templates: bool = True,
    ):
        super().__init__(model.labels, query_budget, cache_size)
        import torch

        if precision not in ("auto", "fp32", "bf16"):
            raise AdvkitError(f"unknown precision {precision!r}; use auto, fp32 or bf16")
        self.model = model
        self.batch_size = batch_size
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        # auto: bf16 autocast on CUDA; fp32 on CPU (bf16 is 2.4-2.5x faster on CPUs with AMX but changes 1-2%
        # of SmolLM2's predictions: benchmarks/results/victim_speed.json)
        self.bf16 = precision == "bf16" or (precision == "auto" and self.device.type == "cuda")
        self.pack_templates = pack_templates  # causal MVP: an input's templates share its text (pack_views)
        self.model.to(self.device)

    def _score(self, inputs: list[TextInput]) -> np.ndarray:
        import torch

        self.model.eval()
        views = self.model.featurize(inputs)
        n_views = len(views[0])
        lengths = [sum(len(v.input_ids) for v in per) for per in views]
        order = np.argsort(lengths, kind="stable")  # similar lengths share a batch: little padding
        probs = np.zeros((len(inputs), len(self.labels)), dtype=np.float32)
        packed = self.pack_templates and getattr(self.model, "packs_views", False)
        per_batch = self.batch_size if packed else max(1, self.batch_size // n_views)  # rows per forward
        autocast = torch.autocast(self.device.type, dtype=torch.bfloat16) if self.bf16 else nullcontext()
        with torch.inference_mode(), autocast:
            for start in range(0, len(order), per_batch):
                chunk = order[start : start + per_batch]
                flat = [v for i in chunk for v in views[i]]
                scores = self.model(
                    **self.model.collate(flat, self.device, views_per_row=n_views if packed else 1)
                )
                logits = self.model.pool(scores.float(), len(chunk))
                probs[chunk] = torch.softmax(logits, dim=-1).cpu().numpy()
        return probs


class CallableVictim(CountingVictim):
    """A user's function from a list of inputs to probabilities [n, n_labels], with the same bookkeeping."""

    def __init__(
        self,
        fn: Callable[[list[TextInput]], np.ndarray],
        labels: Sequence[str],
        query_budget: int | None = None,
        cache_size: int = 100_000,
    ):
        super().__init__(labels, query_budget, cache_size)
        self.fn = fn

    def _score(self, inputs: list[TextInput]) -> np.ndarray:
        out = np.asarray(self.fn(inputs), dtype=np.float32)
        if out.shape != (len(inputs), len(self.labels)):
            raise AdvkitError(
                f"victim function returned shape {out.shape}, expected {(len(inputs), len(self.labels))}"
            )
        return out


def load_victim(
    name_or_path: str, batch_size: int = 32, query_budget: int | None = None, precision: str = "auto"
) -> ModelVictim:
    """A saved advkit victim (a folder, or `mvp` / `mlp-ft` / ... for `runs/<method>`), or any Hugging Face
    sequence classifier (a folder or a hub id)."""
    from pathlib import Path

    from advkit.victims.classifier import METHODS, TextClassifier

    path = (
        Path("runs") / name_or_path
        if name_or_path in METHODS and not Path(name_or_path).exists()
        else Path(name_or_path)
    )
    if (path / "advkit.json").is_file():
        model: Any = TextClassifier.from_pretrained(path)
    elif name_or_path in METHODS:
        raise AdvkitError(f"no victim at {path}; train it with `advkit train --method {name_or_path}`")
    else:
        from advkit.victims.hf import HFSequenceClassifier

        try:
            model = HFSequenceClassifier.from_pretrained(name_or_path)
        except (OSError, ValueError) as e:
            raise AdvkitError(
                f"no victim at {name_or_path}: neither an advkit victim (advkit.json) nor a Hugging Face sequence classifier"
            ) from e
    return ModelVictim(model, batch_size=batch_size, query_budget=query_budget, precision=precision)
