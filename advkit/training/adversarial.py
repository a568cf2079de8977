"""Adversarial training objectives: embedding-space PGD and discrete examples made on the fly.

PGD (the MVP paper's "+Adv", Section 4, after Zhu et al.'s FreeLB-style embedding attacks): perturb the input
word embeddings inside an L2 (or L∞) ball, with dropout off while the perturbation is computed and no gradient
of the attack step reaching the weights, then train on the perturbed inputs (or a mix with clean ones). The
reference code leaks the attack step's gradients into the update and mis-scales its random start; here the
attack step differentiates only the perturbation, and the random start is uniform in the ball.

Discrete: a fraction of each batch is attacked with a recipe of the attack engine (batched, small query
budget) against the current weights in eval mode; the model trains on clean plus the adversarial examples found.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.nn import functional as F

from advkit.data import TextInput
from advkit.errors import AdvkitError
from advkit.victims import backbone as bb
from advkit.victims.classifier import TextClassifier


@dataclass
class PGDConfig:
    epsilon: float = 1.0  # MVP paper, Section 4: L2, ε = 1
    steps: int = 1  # MVP paper: one step
    step_size: float | None = None  # default 1.5 ε / steps (MVP paper)
    norm: str = "l2"  # l2 | linf
    random_start: bool = True
    clean_weight: float = 0.0  # 0: train on perturbed inputs only (paper); w: (1 - w) adversarial + w clean

    def __post_init__(self) -> None:
        if self.norm not in ("l2", "linf"):
            raise AdvkitError(f"unknown norm {self.norm!r}; use l2 or linf")
        if self.epsilon <= 0 or self.steps < 1:
            raise AdvkitError("PGD needs epsilon > 0 and at least one step")

    @property
    def alpha(self) -> float:
        return self.step_size if self.step_size is not None else 1.5 * self.epsilon / self.steps


def _per_example_norm(x: torch.Tensor) -> torch.Tensor:
    return x.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (x.dim() - 1)))


def project(delta: torch.Tensor, config: PGDConfig) -> torch.Tensor:
    if config.norm == "l2":
        return delta * (config.epsilon / _per_example_norm(delta)).clamp(max=1.0)
    return delta.clamp(-config.epsilon, config.epsilon)


def random_start(
    shape: torch.Size, mask: torch.Tensor, config: PGDConfig, device: torch.device
) -> torch.Tensor:
    """Uniform in the ball over the unpadded positions: for L2, a uniform direction with radius ε·U^(1/d)."""
    if config.norm == "linf":
        return (torch.rand(shape, device=device) * 2 - 1) * config.epsilon * mask
    direction = torch.randn(shape, device=device) * mask
    direction = direction / _per_example_norm(direction)
    dims = mask.flatten(1).sum(dim=1).clamp_min(1) * shape[-1]
    radius = torch.rand(shape[0], device=device) ** (1.0 / dims) * config.epsilon
    return direction * radius.view(-1, 1, 1)


class PGDObjective:
    def __init__(self, config: PGDConfig | None = None):
        self.config = config or PGDConfig()
        self.stats: dict[str, float] = {}
        self.last_delta: torch.Tensor | None = None  # kept for tests and diagnostics

    def perturbation(
        self, model: TextClassifier, batch: dict[str, torch.Tensor], labels: torch.Tensor, n: int
    ) -> torch.Tensor:
        """The adversarial perturbation of the input embeddings; no gradient reaches the weights."""
        config = self.config
        embeddings = bb.input_embeddings(model.model)
        with torch.no_grad():
            clean = embeddings(batch["input_ids"])
        mask = batch["attention_mask"].unsqueeze(-1).to(clean.dtype)
        delta = (
            random_start(clean.shape, mask, config, clean.device)
            if config.random_start
            else torch.zeros_like(clean)
        )
        was_training = model.training
        model.eval()  # dropout off while the perturbation is computed (attention dropout too)
        try:
            for _ in range(config.steps):
                delta.requires_grad_(True)
                scores = model(
                    batch["input_ids"], batch["attention_mask"], batch["readout"], inputs_embeds=clean + delta
                )
                loss = F.cross_entropy(model.pool(scores, n), labels)
                (grad,) = torch.autograd.grad(loss, [delta])  # only the perturbation is differentiated
                with torch.no_grad():
                    step = grad / _per_example_norm(grad) if config.norm == "l2" else grad.sign()
                    delta = project(delta + config.alpha * step * mask, config) * mask
        finally:
            model.train(was_training)
        return delta.detach()

    def loss(
        self, model: TextClassifier, texts: list[TextInput], labels: torch.Tensor, views: list[list[int]]
    ) -> torch.Tensor:
        began = time.perf_counter()
        device = next(model.parameters()).device
        flat = [v for per in model.featurize(texts, views) for v in per]
        batch = model.collate(flat, device)
        delta = self.perturbation(model, batch, labels, len(texts))
        self.last_delta = delta
        attacked = time.perf_counter()
        self._add("adversary_seconds", attacked - began)
        embedded = bb.input_embeddings(model.model)(batch["input_ids"])  # with gradient: the weights learn
        scores = model(
            batch["input_ids"], batch["attention_mask"], batch["readout"], inputs_embeds=embedded + delta
        )
        loss = F.cross_entropy(model.pool(scores, len(texts)), labels)
        weight = self.config.clean_weight
        if weight > 0:
            clean = F.cross_entropy(model.pool(model(**batch), len(texts)), labels)
            loss = (1 - weight) * loss + weight * clean
        self._add("clean_seconds", time.perf_counter() - attacked)
        return loss

    def _add(self, key: str, value: float) -> None:
        self.stats[key] = self.stats.get(key, 0.0) + value


@dataclass
class DiscreteConfig:
    recipe: str = "textfooler"
    fraction: float = 0.5  # share of each batch attacked
    weight: float = 1.0  # α: weight of the adversarial examples' loss
    query_budget: int = 50  # per example: a cheap, A2T-style setting (Yoo & Qi, 2021)
    max_perturb: float = 0.1  # MVP paper's budget for SST-2-like data
    use_cache: bool = (
        False  # reuse examples found in earlier epochs, refreshed when the attack finds new ones
    )
    seed: int = 0
    options: dict[str, Any] = field(default_factory=dict)  # extra recipe options (e.g. space, encoder)


class DiscreteObjective:
    def __init__(self, config: DiscreteConfig | None = None, attack: Any = None):
        self.config = config or DiscreteConfig()
        if not 0 < self.config.fraction <= 1:
            raise AdvkitError("the attacked fraction must be in (0, 1]")
        self.attack = attack  # built lazily: the recipe's encoder and synonym space load once
        self.cache: dict[TextInput, TextInput] = {}
        self.stats: dict[str, float] = {}
        self.calls = 0

    def _attack_for(self, model: TextClassifier) -> Any:
        from advkit.attack.recipes import build_recipe

        config = self.config
        self.attack = aimed_at(
            model,
            self.attack,
            lambda victim: build_recipe(
                config.recipe,
                victim,
                query_budget=config.query_budget,
                max_perturb=config.max_perturb,
                seed=config.seed,
                **config.options,
            ),
        )
        return self.attack

    def adversarial_examples(
        self, model: TextClassifier, texts: list[TextInput], labels: list[int]
    ) -> list[tuple[TextInput, int]]:
        """Attack a seeded `fraction` of the batch against the current weights (eval mode)."""
        count = max(1, round(self.config.fraction * len(texts)))
        chosen = sorted(
            random.Random(self.config.seed * 1_000_003 + self.calls).sample(range(len(texts)), count)
        )
        self.calls += 1
        was_training = model.training
        model.eval()
        try:
            results = list(
                self._attack_for(model).run([(texts[i], labels[i]) for i in chosen], batch_size=len(chosen))
            )
        finally:
            model.train(was_training)
        found = []
        for r in sorted(results, key=lambda r: r.index):
            original = texts[chosen[r.index]]
            if r.status == "succeeded":
                found.append((r.perturbed, r.label))
                if self.config.use_cache:
                    self.cache[original] = r.perturbed
            elif self.config.use_cache and original in self.cache:
                found.append((self.cache[original], r.label))
        return found

    def loss(
        self, model: TextClassifier, texts: list[TextInput], labels: torch.Tensor, views: list[list[int]]
    ) -> torch.Tensor:
        began = time.perf_counter()
        found = self.adversarial_examples(model, texts, labels.tolist())
        attacked = time.perf_counter()
        self.stats["adversary_seconds"] = self.stats.get("adversary_seconds", 0.0) + attacked - began
        self.stats["adversarial_examples"] = self.stats.get("adversarial_examples", 0.0) + len(found)
        loss = F.cross_entropy(model.score(texts, views), labels)
        if found:
            adv_views = [[v[0]] for v in views[: len(found)]]  # one sampled template each, as for clean ones
            adv_labels = torch.tensor([y for _, y in found], device=labels.device)
            loss = loss + self.config.weight * F.cross_entropy(
                model.score([t for t, _ in found], adv_views), adv_labels
            )
        self.stats["clean_seconds"] = self.stats.get("clean_seconds", 0.0) + time.perf_counter() - attacked
        return loss


def robust_accuracy_hook(dev: Any, size: int, max_perturb: float) -> Any:
    """An `on_eval` hook: accuracy under TextFooler on a fixed sample of `size` dev examples."""
    from advkit.attack.recipes import build_recipe
    from advkit.attack.summary import summarize

    sample = dev.subset(range(min(size, len(dev))))
    attack: Any = None

    def hook(model: TextClassifier) -> dict[str, Any]:
        nonlocal attack
        attack = aimed_at(
            model, attack, lambda v: build_recipe("textfooler", v, task=dev.task, max_perturb=max_perturb)
        )
        summary = summarize(list(attack.run(sample, batch_size=len(sample))))
        return {"robust_accuracy": summary["Accuracy under attack"] / 100}

    return hook


def aimed_at(model: TextClassifier, attack: Any, build: Any) -> Any:
    """`attack` (built by `build(victim)` the first time, so its encoder and synonym space load once) pointed at
    a fresh victim over the current weights: no cached answer outlives a weight update."""
    from advkit.victims.victim import ModelVictim

    victim = ModelVictim(model, batch_size=64, cache_size=0)
    attack = attack if attack is not None else build(victim)
    attack.victim = victim
    return attack
