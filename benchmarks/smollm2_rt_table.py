"""The table of benchmarks/smollm2_rotten_tomatoes.sh, made from the JSON files it wrote: clean accuracy,
accuracy under TextFooler and TextBugger, success rate and queries, per model.

Usage: python benchmarks/smollm2_rt_table.py [results folder]  (prints markdown, writes table.json there)
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

MODELS = {  # file prefix: label
    "mlp-ft": "MLP-FT",
    "mlp-ft-adv-pgd": "MLP-FT+Adv (PGD, ε=1)",
    "mlp-ft-adv-pgd-eps0.1": "MLP-FT+Adv (PGD, ε=0.1)",
    "mvp": "MVP",
    "mvp-adv-pgd": "MVP+Adv (PGD, ε=1)",
    "mvp-adv-pgd-eps0.1": "MVP+Adv (PGD, ε=0.1)",
    "mvp-adv-textfooler": "MVP+Adv (on-the-fly TextFooler)",
}
RECIPES = ("textfooler", "textbugger")


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results" / "smollm2-rt")
    rows = {}
    for prefix, label in MODELS.items():
        if not (folder / f"{prefix}-eval.json").exists():
            continue
        row = {
            "clean_test_accuracy": 100 * json.loads((folder / f"{prefix}-eval.json").read_text())["accuracy"],
            "train": json.loads((folder / f"{prefix}-train-metrics.json").read_text())["train"],
        }
        for recipe in RECIPES:
            path = folder / f"{prefix}-{recipe}-summary.json"
            if path.exists():
                row[recipe] = json.loads(path.read_text())
        rows[label] = row
    lines = [
        "| model | clean test acc. (1,276) | clean (200 attacked) | best dev acc. | TextFooler acc. | TF success | "
        "TF queries | TextBugger acc. | TB success | TB queries |",
        "|---" * 10 + "|",
    ]
    for label, row in rows.items():
        cells = [label, f"{row['clean_test_accuracy']:.1f}"]
        first = row.get("textfooler") or row.get("textbugger") or {}
        cells.append(f"{first.get('Original accuracy', float('nan')):.1f}")
        cells.append(f"{100 * row['train']['best_dev_accuracy']:.1f}")
        for recipe in RECIPES:
            s = row.get(recipe)
            cells += (
                [
                    f"{s['Accuracy under attack']:.1f}",
                    f"{s['Attack success rate']:.1f}",
                    f"{s['Avg num queries']:.1f}",
                ]
                if s
                else ["–"] * 3
            )
        lines.append("| " + " | ".join(cells) + " |")
    gain = None
    if all(r in rows.get(m, {}) for m in ("MVP", "MLP-FT") for r in RECIPES):
        gain = statistics.fmean(
            rows["MVP"][r]["Accuracy under attack"] - rows["MLP-FT"][r]["Accuracy under attack"]
            for r in RECIPES
        )
    (folder / "table.json").write_text(
        json.dumps({"mvp_gain_over_mlp_ft": gain, "models": rows}, indent=2) + "\n"
    )
    print("\n".join(lines))
    if gain is not None:
        print(
            f"\nMVP minus MLP-FT in accuracy under attack, averaged over the two attacks: {gain:+.1f} points"
        )


if __name__ == "__main__":
    main()
