"""Time per training step of adversarial training over clean training, on the same batches.

MVP on SmolLM2-135M, rotten-tomatoes, batch 8 (the paper's), the first `--steps` batches of one shuffled
epoch: clean, PGD-1 (the paper's L2, eps 1, one step) and discrete on-the-fly TextFooler examples (half of
each batch attacked, 50 queries per example). Usage: python benchmarks/adv_train_speed.py [--steps 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from meta import run_info  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--method", default="mvp")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "adv_train_speed.json"))
    args = parser.parse_args()

    import torch

    from advkit.data import load_dataset
    from advkit.training.adversarial import DiscreteConfig, DiscreteObjective, PGDConfig, PGDObjective
    from advkit.training.trainer import CleanObjective
    from advkit.victims.classifier import TextClassifier

    data = load_dataset(None, "train").take(8 * args.steps, seed=0)
    objectives = {
        "clean": CleanObjective(),
        "pgd-1": PGDObjective(PGDConfig()),
        "discrete-textfooler": DiscreteObjective(DiscreteConfig()),
    }
    timings = {}
    for name, objective in objectives.items():
        torch.manual_seed(0)
        model = TextClassifier.from_backbone(
            args.method, args.model, data.label_names, "sentiment", max_length=128
        )
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.01)
        model.train()
        seconds = []
        for step in range(args.steps):
            texts = data.texts[8 * step : 8 * step + 8]
            labels = torch.tensor(data.labels[8 * step : 8 * step + 8])
            began = time.perf_counter()
            loss = objective.loss(model, texts, labels, [[k % model.num_views] for k in range(len(texts))])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            seconds.append(time.perf_counter() - began)
        warm = seconds[1:] if len(seconds) > 1 else seconds
        timings[name] = {
            "seconds_per_step": sum(warm) / len(warm),
            "stats": {k: round(v, 2) for k, v in objective.stats.items()},
        }
        print(name, timings[name], flush=True)
    clean = timings["clean"]["seconds_per_step"]
    result = {
        **run_info(),
        "model": args.model,
        "method": args.method,
        "batch_size": 8,
        "steps": args.steps,
        "timings": timings,
        "pgd_over_clean": timings["pgd-1"]["seconds_per_step"] / clean,
        "discrete_over_clean": timings["discrete-textfooler"]["seconds_per_step"] / clean,
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
