"""How strong one PGD step is on trained models: accuracy and loss on dev reviews, clean and with the
perturbation of `PGDObjective` (L2, one step, random start) at several radii ε. The MVP paper trains with
ε = 1; this shows what that radius does to a SmolLM2 (and a MiniLM) classifier trained here.

Usage: python benchmarks/pgd_strength.py runs/smollm2-rt/mlp-ft runs/smollm2-rt/mvp runs/minilm-rt-mlp-ft
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from meta import run_info  # noqa: E402


def measure(model: Any, batch: dict[str, Any], labels: Any, delta: Any) -> dict[str, float]:
    """Loss and accuracy of `model` on `batch`, its input embeddings shifted by `delta` (None: clean)."""
    import torch
    import torch.nn.functional as F

    from advkit.victims import backbone as bb

    with torch.no_grad():
        embeds = bb.input_embeddings(model.model)(batch["input_ids"])
        scores = model(
            batch["input_ids"],
            batch["attention_mask"],
            batch["readout"],
            inputs_embeds=embeds if delta is None else embeds + delta,
        )
        logits = model.pool(scores, len(labels))
    return {
        "loss": round(F.cross_entropy(logits, labels).item(), 4),
        "accuracy": round((logits.argmax(1) == labels).float().mean().item(), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("victims", nargs="+", help="trained advkit victim folders")
    parser.add_argument("--epsilons", default="1,0.3,0.1")
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "pgd_strength.json"))
    args = parser.parse_args()

    import torch

    from advkit.data import load_dataset
    from advkit.training.adversarial import PGDConfig, PGDObjective
    from advkit.victims.classifier import TextClassifier

    data = load_dataset(None, "dev").take(args.n, seed=3)
    labels = torch.tensor(data.labels)
    rows = {}
    for folder in args.victims:
        model = TextClassifier.from_pretrained(folder)
        flat = [v for per in model.featurize(data.texts, [[0]] * len(data)) for v in per]  # first template
        batch = model.collate(flat)
        row = {"clean": measure(model, batch, labels, None)}
        for epsilon in [float(e) for e in args.epsilons.split(",")]:
            torch.manual_seed(0)
            delta = PGDObjective(PGDConfig(epsilon=epsilon)).perturbation(model, batch, labels, len(data))
            row[f"pgd1_eps{epsilon:g}"] = measure(model, batch, labels, delta)
        rows[folder] = row
        print(folder, json.dumps(row))
    Path(args.out).write_text(json.dumps({**run_info(), "n": len(data), "victims": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
