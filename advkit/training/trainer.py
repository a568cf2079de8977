"""Fine-tuning a TextClassifier: AdamW, evaluation every N steps, early stopping on dev accuracy.

Reference hyper-parameters (MVP paper, Section 4 and its released code): AdamW, lr 1e-5, weight decay 0.01,
batch 8, up to 20 epochs, early stopping on validation accuracy; MVP samples one template per training
example and averages all templates at test time.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from advkit.data import Dataset, TextInput
from advkit.errors import AdvkitError
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


@dataclass
class TrainResult:
    best_dev_accuracy: float
    best_step: int
    steps: int
    epochs_run: float
    seconds_per_epoch: float
    history: list[dict[str, Any]] = field(default_factory=list)


LossFn = Callable[[TextClassifier, list[TextInput], torch.Tensor, list[list[int]]], torch.Tensor]


def clean_loss(
    model: TextClassifier, texts: list[TextInput], labels: torch.Tensor, views: list[list[int]]
) -> torch.Tensor:
    return F.cross_entropy(model.score(texts, views), labels)


def evaluate(model: TextClassifier, data: Dataset, batch_size: int = 32) -> dict[str, Any]:
    """Clean accuracy and per-class accuracy; a fresh victim so no cached prediction outlives the weights."""
    predictions = ModelVictim(model, batch_size=batch_size, cache_size=0).predict(data.texts)
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
    loss_fn: LossFn = clean_loss,
    progress: bool = True,
) -> TrainResult:
    """Train, evaluate on dev every `eval_every` steps, keep the best checkpoint in `out_dir`."""
    from tqdm.auto import tqdm

    if len(train_data) == 0 or len(dev_data) == 0:
        raise AdvkitError("training needs a non-empty train and dev split")
    if max(train_data.labels) >= len(model.labels):
        raise AdvkitError(
            f"labels go up to {max(train_data.labels)} but the model has {len(model.labels)} classes"
        )
    set_seed(config.seed)
    out_dir = Path(out_dir)
    device = torch.device(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model.to(device)
    rng = random.Random(config.seed)
    steps_per_epoch = -(-len(train_data) // config.batch_size)
    eval_every = config.eval_every or steps_per_epoch
    total = steps_per_epoch * config.epochs if config.max_steps is None else config.max_steps
    lp_steps = steps_per_epoch * config.lp_epochs if model.config.method == "lpft" else 0
    optimizer = _optimizer(model, config, linear_probe=lp_steps > 0)
    history: list[dict[str, Any]] = []
    best, best_step, stale, step, train_seconds = -1.0, 0, 0, 0, 0.0
    bar = tqdm(total=total, desc=f"train {model.config.method}", disable=not progress)
    while step < total and stale < config.patience:
        order = list(range(len(train_data)))
        rng.shuffle(order)
        for start in range(0, len(order), config.batch_size):
            if step == lp_steps and lp_steps > 0:  # LPFT: the probe is done, now fine-tune everything
                optimizer = _optimizer(model, config, linear_probe=False)
            batch = order[start : start + config.batch_size]
            texts = [train_data.texts[i] for i in batch]
            labels = torch.tensor([train_data.labels[i] for i in batch], device=device)
            views = [[rng.randrange(model.num_views)] for _ in batch]  # one sampled template per example
            model.train()
            began = time.perf_counter()
            loss = loss_fn(model, texts, labels, views)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            train_seconds += time.perf_counter() - began
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}", best_dev=f"{max(best, 0):.3f}")
            if step % eval_every == 0 or step == total:
                dev = evaluate(model, dev_data, config.eval_batch_size)
                history.append(
                    {
                        "step": step,
                        "epoch": step / steps_per_epoch,
                        "loss": loss.item(),
                        "dev_accuracy": dev["accuracy"],
                    }
                )
                if dev["accuracy"] > best:
                    best, best_step, stale = dev["accuracy"], step, 0
                    model.save_pretrained(out_dir)
                else:
                    stale += 1
            if step >= total or stale >= config.patience:
                break
    bar.close()
    epochs_run = step / steps_per_epoch
    result = TrainResult(best, best_step, step, epochs_run, train_seconds / max(epochs_run, 1e-9), history)
    (out_dir / "metrics.json").write_text(
        json.dumps(
            {"train": asdict(result), "config": asdict(config), "train_size": len(train_data)}, indent=2
        )
        + "\n"
    )
    return result


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
