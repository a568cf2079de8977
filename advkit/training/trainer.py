"""Fine-tuning a TextClassifier: AdamW, evaluation every N steps, early stopping on dev accuracy, resume.

Reference hyper-parameters (MVP paper, Section 4 and its released code): AdamW, lr 1e-5, weight decay 0.01,
batch 8, up to 20 epochs, early stopping on validation accuracy; MVP samples one template per training
example and averages all templates at test time. The objective is pluggable: clean cross-entropy here,
adversarial objectives in `advkit.training.adversarial`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch.nn import functional as F

from advkit.data import Dataset, TextInput
from advkit.errors import AdvkitError
from advkit.training.checkpoint import CHECKPOINT, load_checkpoint, save_checkpoint
from advkit.victims.classifier import TextClassifier
from advkit.victims.victim import ModelVictim


@dataclass
class TrainConfig:
    lr: float = 1e-5  # MVP paper, Section 4
    weight_decay: float = 0.01  # MVP paper, Section 4
    batch_size: int = 8  # MVP paper, Section 4
    epochs: int = 20  # MVP paper: up to 20 epochs with early stopping
    eval_every: int | None = None  # steps between dev evaluations; None = once per epoch
    patience: int = 3  # evaluations without a better dev accuracy before stopping
    seed: int = 0
    max_steps: int | None = None
    eval_batch_size: int = 32
    lp_epochs: int = 1  # LPFT (Kumar et al., ICLR 2022): epochs of linear probing before full fine-tuning
    lp_lr: float = 1e-3  # our choice: the probe trains a fresh head only, so a larger step is safe
    device: str | None = None
    accumulation_steps: int = 1  # micro-batches per process and optimizer step (same update, less memory)
    bf16: bool = False  # bf16 autocast on CUDA


@dataclass
class TrainResult:
    best_dev_accuracy: float
    best_step: int
    steps: int
    epochs_run: float
    seconds_per_epoch: float
    history: list[dict[str, Any]] = field(default_factory=list)


class Objective(Protocol):
    """A training loss. `stats` accumulates what it wants logged (seconds by phase, examples found, ...)."""

    stats: dict[str, float]

    def loss(
        self, model: TextClassifier, texts: list[TextInput], labels: torch.Tensor, views: list[list[int]]
    ) -> torch.Tensor: ...


class CleanObjective:
    def __init__(self) -> None:
        self.stats: dict[str, float] = {}

    def loss(
        self, model: TextClassifier, texts: list[TextInput], labels: torch.Tensor, views: list[list[int]]
    ) -> torch.Tensor:
        return F.cross_entropy(model.score(texts, views), labels)


def evaluate(
    model: TextClassifier, data: Dataset, batch_size: int = 32, precision: str = "auto"
) -> dict[str, Any]:
    """Clean accuracy and per-class accuracy; a fresh victim so no cached prediction outlives the weights."""
    victim = ModelVictim(model, batch_size=batch_size, cache_size=0, precision=precision)
    predictions = victim.predict(data.texts)
    labels = np.asarray(data.labels)
    per_class = {
        name: float((predictions[labels == c] == c).mean()) if (labels == c).any() else None
        for c, name in enumerate(data.label_names)
    }
    return {"accuracy": float((predictions == labels).mean()), "per_class": per_class, "n": len(labels)}


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(
    model: TextClassifier,
    train_data: Dataset,
    dev_data: Dataset,
    config: TrainConfig,
    out_dir: str | Path,
    objective: Objective | None = None,
    progress: bool = True,
    resume: bool = False,
    on_eval: Callable[[TextClassifier], dict[str, Any]] | None = None,
) -> TrainResult:
    """Train, evaluate on dev every `eval_every` steps, keep the best weights in `out_dir` and a checkpoint
    in `out_dir/checkpoint` for `resume`. `on_eval` adds its own figures (e.g. robust accuracy) to each log."""
    from tqdm.auto import tqdm

    if len(train_data) == 0 or len(dev_data) == 0:
        raise AdvkitError("training needs a non-empty train and dev split")
    if max(train_data.labels) >= len(model.labels):
        raise AdvkitError(
            f"labels go up to {max(train_data.labels)} but the model has {len(model.labels)} classes"
        )
    objective = objective or CleanObjective()
    parallel = DataParallel()
    set_seed(config.seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    device = torch.device(config.device) if config.device else parallel.device
    model.to(device)
    steps_per_epoch = -(-len(train_data) // config.batch_size)
    eval_every = config.eval_every or steps_per_epoch
    total = steps_per_epoch * config.epochs if config.max_steps is None else config.max_steps
    lp_steps = steps_per_epoch * config.lp_epochs if model.config.method == "lpft" else 0
    optimizer = _optimizer(model, config, linear_probe=lp_steps > 0)
    state: dict[str, Any] = {
        "step": 0,
        "best": -1.0,
        "best_step": 0,
        "stale": 0,
        "train_seconds": 0.0,
        "history": [],
    }
    if resume:
        if lp_steps and (out_dir / CHECKPOINT / "trainer_state.json").is_file():
            step_done = json.loads((out_dir / CHECKPOINT / "trainer_state.json").read_text())["step"]
            optimizer = _optimizer(model, config, linear_probe=step_done < lp_steps)
        model.load_state_dict(type(model).from_pretrained(out_dir / CHECKPOINT).state_dict())
        state = load_checkpoint(out_dir, optimizer)
    bar = tqdm(
        total=total,
        initial=state["step"],
        desc=f"train {model.config.method}",
        disable=not progress or not parallel.is_main,
    )
    while state["step"] < total and state["stale"] < config.patience:
        step = state["step"]
        epoch, offset = divmod(step, steps_per_epoch)
        order = list(range(len(train_data)))
        random.Random(config.seed * 1_000_003 + epoch).shuffle(order)
        start = offset * config.batch_size
        batch = order[start : start + config.batch_size]
        if step == lp_steps and lp_steps > 0:  # LPFT: the probe is done, now fine-tune everything
            optimizer = _optimizer(model, config, linear_probe=False)
        sampler = random.Random(config.seed * 1_000_003 + 7919 * step)
        views = [[sampler.randrange(model.num_views)] for _ in batch]  # one sampled template per example
        model.train()
        began = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = _accumulate(model, objective, train_data, batch, views, config, device, parallel)
        updated = time.perf_counter()
        parallel.average_gradients(model)
        optimizer.step()
        objective.stats["update_seconds"] = (
            objective.stats.get("update_seconds", 0.0) + time.perf_counter() - updated
        )
        state["train_seconds"] += time.perf_counter() - began
        state["step"] = step = step + 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.3f}", best_dev=f"{max(state['best'], 0):.3f}")
        if step % eval_every == 0 or step == total:
            entry = {
                "step": step,
                "epoch": round(step / steps_per_epoch, 3),
                "loss": loss,
                "dev_accuracy": evaluate(model, dev_data, config.eval_batch_size)["accuracy"],
            }
            entry.update(on_eval(model) if on_eval else {})
            entry.update({k: round(v, 3) for k, v in objective.stats.items()})
            state["history"].append(entry)
            if entry["dev_accuracy"] > state["best"]:
                state.update(best=entry["dev_accuracy"], best_step=step, stale=0)
                if parallel.is_main:
                    model.save_pretrained(out_dir)
            else:
                state["stale"] += 1
            if parallel.is_main:
                save_checkpoint(out_dir, model, optimizer, state)
            parallel.wait()
    bar.close()
    epochs_run = state["step"] / steps_per_epoch
    result = TrainResult(
        state["best"],
        state["best_step"],
        state["step"],
        epochs_run,
        state["train_seconds"] / max(epochs_run, 1e-9),
        state["history"],
    )
    if parallel.is_main:
        (out_dir / "metrics.json").write_text(
            json.dumps(
                {"train": asdict(result), "config": asdict(config), "train_size": len(train_data)}, indent=2
            )
            + "\n"
        )
    return result


class DataParallel:
    """Data parallelism under Hugging Face Accelerate (`accelerate launch` or torchrun, any backend): each
    process takes a slice of every global batch, and gradients are summed across processes. Losses are
    scaled by the global batch size, so any number of processes gives the update of one process."""

    def __init__(self) -> None:
        from accelerate import PartialState

        self.state = PartialState(cpu=not torch.cuda.is_available())  # CPU processes join over gloo
        self.rank, self.world = self.state.process_index, self.state.num_processes
        self.is_main = self.state.is_main_process
        self.device = torch.device("cpu") if self.state.device.type == "cpu" else self.state.device

    def local(self, items: list[Any]) -> list[Any]:
        return items[self.rank :: self.world]

    def average_gradients(self, model: torch.nn.Module) -> None:
        if self.world == 1:
            return
        import torch.distributed as dist

        for p in model.parameters():
            if p.requires_grad:
                grad = p.grad if p.grad is not None else torch.zeros_like(p)
                dist.all_reduce(grad, op=dist.ReduceOp.SUM)
                p.grad = grad

    def wait(self) -> None:
        self.state.wait_for_everyone()


def _accumulate(
    model: TextClassifier,
    objective: Objective,
    data: Dataset,
    batch: list[int],
    views: list[list[int]],
    config: TrainConfig,
    device: torch.device,
    parallel: DataParallel,
) -> float:
    """Backward this process's share of the global batch in micro-batches; the global mean loss (this share)."""
    mine = parallel.local(list(range(len(batch))))
    chunks = [mine[k :: config.accumulation_steps] for k in range(config.accumulation_steps)]
    total = 0.0
    autocast = (
        torch.autocast("cuda", dtype=torch.bfloat16)
        if config.bf16 and device.type == "cuda"
        else nullcontext()
    )
    for chunk in (c for c in chunks if c):
        texts = [data.texts[batch[k]] for k in chunk]
        labels = torch.tensor([data.labels[batch[k]] for k in chunk], device=device)
        with autocast:
            loss = objective.loss(model, texts, labels, [views[k] for k in chunk]) * (len(chunk) / len(batch))
        loss.backward()
        total += loss.item()
    return total * parallel.world  # this share, scaled to estimate the global mean loss


def _optimizer(model: TextClassifier, config: TrainConfig, linear_probe: bool) -> torch.optim.Optimizer:
    if linear_probe:
        if model.head is None:
            raise AdvkitError("linear probing needs a classification head (method lpft)")
        for p in model.parameters():
            p.requires_grad_(False)
        for p in model.head.parameters():
            p.requires_grad_(True)
        return torch.optim.AdamW(model.head.parameters(), lr=config.lp_lr, weight_decay=config.weight_decay)
    for p in model.parameters():
        p.requires_grad_(True)
    return torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
