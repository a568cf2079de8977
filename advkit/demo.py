"""`advkit demo`: the main job on the offline default, small enough for 2 CPU cores in about 10 minutes.

Train MVP and MLP-FT on rotten-tomatoes with the same data and settings, evaluate both on the same test
examples, attack both with TextFooler and TextBugger (MVP paper budget: at most 10% of words), print the table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from advkit.attack.recipes import build_recipe
from advkit.attack.runner import run_attack
from advkit.data import load_dataset
from advkit.training.trainer import TrainConfig, evaluate, train
from advkit.victims.classifier import TextClassifier
from advkit.victims.victim import ModelVictim

RECIPES = ("textfooler", "textbugger")
MAX_PERTURB = 0.1  # MVP paper, Section 4: at most 10% of the words for SST-2-like sentiment data


def run_demo(
    model_name: str, train_size: int, dev_size: int, test_size: int, attack_size: int, epochs: int, out: Path
) -> dict[str, Any]:
    train_data = load_dataset(None, "train").take(train_size)
    dev_data = load_dataset(None, "dev").take(dev_size)
    test_data = load_dataset(None, "test").take(test_size)
    attacked = test_data.subset(range(min(attack_size, len(test_data))))
    rows: dict[str, dict[str, Any]] = {}
    for method in ("mvp", "mlp-ft"):
        click.echo(f"== {method}: training on {len(train_data)} rotten-tomatoes reviews with {model_name}")
        model = TextClassifier.from_backbone(
            method, model_name, train_data.label_names, "sentiment", max_length=128
        )
        result = train(model, train_data, dev_data, TrainConfig(epochs=epochs, patience=epochs), out / method)
        best = TextClassifier.from_pretrained(out / method)
        row: dict[str, Any] = {
            "clean accuracy": 100 * evaluate(best, test_data)["accuracy"],
            "s/epoch": result.seconds_per_epoch,
        }
        for recipe in RECIPES:
            victim = ModelVictim(best, batch_size=64)
            attack = build_recipe(recipe, victim, task="sentiment", max_perturb=MAX_PERTURB)
            _, summary = run_attack(attack, attacked, out / f"attack-{method}-{recipe}", batch_size=32)
            row[f"{recipe} acc."] = summary["Accuracy under attack"]
            row[f"{recipe} success %"] = summary["Attack success rate"]
            row[f"{recipe} queries"] = summary["Avg num queries"]
        rows[method] = row
    click.echo(
        f"\nRobustness on rotten-tomatoes ({len(test_data)} test reviews for clean accuracy, the first "
        f"{len(attacked)} attacked; at most {int(100 * MAX_PERTURB)}% of words changed)"
    )
    click.echo(format_rows(rows))
    gain = sum(rows["mvp"][f"{r} acc."] - rows["mlp-ft"][f"{r} acc."] for r in RECIPES) / len(RECIPES)
    click.echo(
        f"MVP's gain over MLP-FT in accuracy under attack, averaged over the attacks: {gain:+.1f} points"
    )
    (out / "demo.json").write_text(json.dumps({"rows": rows, "mvp_gain_over_mlp_ft": gain}, indent=2) + "\n")
    return rows


def format_rows(rows: dict[str, dict[str, Any]]) -> str:
    columns = list(next(iter(rows.values())))
    header = ["model", *columns]
    body = [[name, *(f"{row[c]:.1f}" for c in columns)] for name, row in rows.items()]
    widths = [max(len(r[k]) for r in [header, *body]) for k in range(len(header))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in [header, *body]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
