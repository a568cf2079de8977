"""Inference speed of a victim: examples/s of `predict_proba` over the same test texts, MVP with its templates
packed into one row per input (the default) and unpacked (one row per template), MLP-FT for reference, fp32
and bf16. Also the largest difference between packed and unpacked probabilities.

Usage: python benchmarks/victim_speed.py [--model smollm2-135m] [--n 256] [--repeats 2]
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
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "victim_speed.json"))
    args = parser.parse_args()

    import numpy as np
    import torch

    from advkit.data import load_dataset
    from advkit.victims.classifier import TextClassifier
    from advkit.victims.victim import ModelVictim

    texts = load_dataset(None, "test").texts[: args.n]
    models = {
        m: TextClassifier.from_backbone(m, args.model, ["negative", "positive"], "sentiment", max_length=128)
        for m in ("mvp", "mlp-ft")
    }
    settings = {  # name: (method, packed, precision)
        "mvp-packed-fp32": ("mvp", True, "fp32"),
        "mvp-unpacked-fp32": ("mvp", False, "fp32"),
        "mlp-ft-fp32": ("mlp-ft", True, "fp32"),
        "mvp-packed-bf16": ("mvp", True, "bf16"),
        "mlp-ft-bf16": ("mlp-ft", True, "bf16"),
    }
    seconds: dict[str, list[float]] = {name: [] for name in settings}
    probs: dict[str, np.ndarray] = {}
    torch.manual_seed(0)
    for _ in range(args.repeats):  # interleaved, so background load hits every setting alike
        for name, (method, packed, precision) in settings.items():
            victim = ModelVictim(
                models[method], args.batch_size, cache_size=0, precision=precision, pack_templates=packed
            )
            start = time.perf_counter()
            probs[name] = victim.predict_proba(texts)
            seconds[name].append(time.perf_counter() - start)
    best = {name: min(s) for name, s in seconds.items()}
    result = {
        **run_info(),
        "model": args.model,
        "n": len(texts),
        "batch_size": args.batch_size,
        "examples_per_second": {name: round(len(texts) / s, 2) for name, s in best.items()},
        "seconds_all_repeats": seconds,
        "mvp_packed_speedup": round(best["mvp-unpacked-fp32"] / best["mvp-packed-fp32"], 2),
        "bf16_speedup_mvp": round(best["mvp-packed-fp32"] / best["mvp-packed-bf16"], 2),
        "bf16_speedup_mlp_ft": round(best["mlp-ft-fp32"] / best["mlp-ft-bf16"], 2),
        "max_abs_diff_packed_vs_unpacked": float(
            np.abs(probs["mvp-packed-fp32"] - probs["mvp-unpacked-fp32"]).max()
        ),
        "max_abs_diff_bf16_vs_fp32": float(np.abs(probs["mvp-packed-bf16"] - probs["mvp-packed-fp32"]).max()),
        "bf16_prediction_agreement": float(
            (probs["mvp-packed-bf16"].argmax(1) == probs["mvp-packed-fp32"].argmax(1)).mean()
        ),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
