"""The paper's comparison, reproduced and kept: MLP-FT, MVP, MLP-FT+Adv and MVP+Adv (embedding PGD), each
attacked with TextFooler, TextBugger, BERT-Attack and BAE on the same test examples.

It resumes where it stopped: trained models and finished attacks are reused. Writes table.md, table.json
(with `mvp_gain_over_mlp_ft`: MVP's accuracy under attack minus MLP-FT's, averaged over the attacks, in
points, and `mvp_gain_ci95`, its paired bootstrap interval), plots, and out-of-distribution accuracy.

Example (this machine):
  python benchmarks/robustness.py --model smollm2-135m --dataset ../shared/data/sst2 --train-size 2000 \
      --test-size 300 --seeds 1 --mlm runs/mlm --out benchmarks/results/smollm2-sst2
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from meta import run_info  # noqa: E402

MODELS = {  # name: (method, adversary)
    "MLP-FT": ("mlp-ft", None),
    "MVP": ("mvp", None),
    "MLP-FT+Adv": ("mlp-ft", "pgd"),
    "MVP+Adv": ("mvp", "pgd"),
}
RECIPES = ["textfooler", "textbugger", "bert-attack", "bae"]
BUDGETS = [0.05, 0.1, 0.2, 0.3]


def train_model(name: str, seed: int, args: argparse.Namespace, folder: Path) -> Path:
    from advkit.data import load_dataset
    from advkit.training.adversarial import PGDConfig, PGDObjective
    from advkit.training.trainer import TrainConfig, train
    from advkit.victims.classifier import TextClassifier

    if (folder / "metrics.json").exists():
        return folder
    method, adversary = MODELS[name]
    train_data = load_dataset(args.dataset, "train", seed=seed, task="sentiment").take(args.train_size, seed)
    dev_data = load_dataset(args.dataset, "dev", seed=seed, task="sentiment").take(args.dev_size, seed)
    model = TextClassifier.from_backbone(
        method, args.model, train_data.label_names, "sentiment", max_length=128
    )
    objective = PGDObjective(PGDConfig(epsilon=args.epsilon)) if adversary == "pgd" else None
    config = TrainConfig(
        lr=args.lr, epochs=args.epochs, eval_every=args.eval_every, patience=args.patience, seed=seed
    )
    train(model, train_data, dev_data, config, folder, objective, resume=(folder / "checkpoint").exists())
    return folder


def attack_model(
    folder: Path, recipe: str, test: Any, args: argparse.Namespace, max_perturb: float, out: Path
) -> dict[str, Any]:
    from advkit.attack.recipes import build_recipe
    from advkit.attack.runner import read_results, run_attack
    from advkit.victims import load_victim

    config = {"recipe": recipe, "max_perturb": max_perturb, "n": len(test), "precision": args.precision}
    finished = (out / "summary.json").exists() and len(read_results(out / "results.jsonl")) == len(test)
    if finished and json.loads((out / "config.json").read_text()) == config:
        return json.loads((out / "summary.json").read_text())  # finished earlier
    victim = load_victim(str(folder), batch_size=64, precision=args.precision)
    attack = build_recipe(
        recipe, victim, task="sentiment", max_perturb=max_perturb, mlm=args.mlm, space_dir=args.space, seed=0
    )
    _, summary = run_attack(
        attack,
        test,
        out,
        batch_size=args.batch_size,
        resume=True,
        config=config,
    )
    return summary


@functools.lru_cache(maxsize=1)  # a model's test and OOD evaluations load it once
def load_classifier(folder: Path) -> Any:
    from advkit.victims.classifier import TextClassifier

    return TextClassifier.from_pretrained(folder)


def accuracy(folder: Path, dataset: str, split: str, data: Any, precision: str) -> float:
    """Clean accuracy (%) of the model in `folder`, kept in its evaluations.json so a rerun reuses it."""
    from advkit.training.trainer import evaluate

    kept = folder / "evaluations.json"
    evaluations = json.loads(kept.read_text()) if kept.exists() else {}
    key = f"{dataset}:{split}:{len(data)}:{precision}"
    if key not in evaluations:
        evaluations[key] = 100 * evaluate(load_classifier(folder), data, precision=precision)["accuracy"]
        kept.write_text(json.dumps(evaluations, indent=2) + "\n")
    return float(evaluations[key])


def gain_interval(attacks: Path, recipes: list[str], seeds: int, resamples: int = 10_000) -> list[float]:
    """95% interval of MVP's gain by a paired bootstrap over the attacked examples: an example's gain is
    MVP's robust correctness minus MLP-FT's, averaged over the attacks and seeds, so resampling examples
    keeps the pairing that a per-cell standard error ignores."""
    import numpy as np

    from advkit.attack.runner import read_results

    def robust(name: str, seed: int, recipe: str) -> Any:
        results = sorted(
            read_results(attacks / f"{name}-seed{seed}-{recipe}" / "results.jsonl"), key=lambda r: r.index
        )
        return np.array([r.status == "failed" for r in results], dtype=float)

    per_example = np.mean(
        [robust("MVP", s, r) - robust("MLP-FT", s, r) for s in range(seeds) for r in recipes], axis=0
    )
    rng = np.random.default_rng(0)
    means = per_example[rng.integers(0, len(per_example), (resamples, len(per_example)))].mean(axis=1)
    return [100 * float(np.percentile(means, 2.5)), 100 * float(np.percentile(means, 97.5))]


def mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--train-size", type=int, default=2000)
    parser.add_argument("--dev-size", type=int, default=300)
    parser.add_argument("--test-size", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--eval-every", type=int, default=None)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument(
        "--max-perturb", type=float, default=0.1, help="MVP paper: 0.1 (SST-2, BoolQ, IMDB), 0.3 (AG News)"
    )
    parser.add_argument(
        "--epsilon",
        type=float,
        default=1.0,
        help="PGD radius of the +Adv models (MVP paper: 1, L2, one step); another value needs a new --out",
    )
    parser.add_argument("--recipes", default=",".join(RECIPES))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--mlm", default="bert-base-uncased", help="masked LM for bert-attack and bae")
    parser.add_argument("--space", help="synonym space folder [default: counter-fitted GloVe-50d]")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--precision",
        choices=["auto", "fp32", "bf16"],
        default="auto",
        help="victim arithmetic in evaluation and attacks (auto: bf16 on CUDA, fp32 on CPU); training is fp32",
    )
    parser.add_argument("--budget-curve", action="store_true", help="also TextFooler at budgets 0.05 ... 0.3")
    parser.add_argument(
        "--ood", action="append", default=[], help="NAME=DATASET[:SPLIT] evaluated out of distribution"
    )
    parser.add_argument("--out", required=True, help="results: tables, plots, attack results (committed)")
    parser.add_argument(
        "--models-dir", help="trained models (large, not committed) [default: runs/<out name>]"
    )
    args = parser.parse_args()

    from advkit.data import load_dataset

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    models_dir = Path(args.models_dir or Path("runs") / out.name)
    began = time.perf_counter()
    test = load_dataset(args.dataset, "test", task="sentiment")
    test = test.subset(range(min(args.test_size, len(test))))
    models, recipes = args.models.split(","), args.recipes.split(",")
    cells: dict[str, dict[str, list[dict[str, Any]]]] = {m: {r: [] for r in recipes} for m in models}
    clean: dict[str, list[float]] = {m: [] for m in models}
    training: dict[str, list[dict[str, Any]]] = {m: [] for m in models}
    ood: dict[str, dict[str, list[float]]] = {m: {} for m in models}
    curve: dict[str, dict[float, list[float]]] = {m: {b: [] for b in BUDGETS} for m in models}
    for seed in range(args.seeds):
        for name in models:
            folder = train_model(name, seed, args, models_dir / f"{name}-seed{seed}")
            trained = json.loads((folder / "metrics.json").read_text())["train"]
            training[name].append(
                {k: trained[k] for k in ("best_dev_accuracy", "best_step", "seconds_per_epoch")}
            )
            clean[name].append(accuracy(folder, args.dataset, "test", test, args.precision))
            for spec in args.ood:
                label, _, source = spec.partition("=")
                dataset, _, split = source.partition(":")
                ood_data = load_dataset(dataset or None, split or "test", task="sentiment")
                ood[name].setdefault(label, []).append(
                    accuracy(folder, dataset, split or "test", ood_data, args.precision)
                )
            load_classifier.cache_clear()  # the attacks load their own victim
            for recipe in recipes:
                summary = attack_model(
                    folder,
                    recipe,
                    test,
                    args,
                    args.max_perturb,
                    out / "attacks" / f"{name}-seed{seed}-{recipe}",
                )
                cells[name][recipe].append(summary)
            write_outputs(
                out, args, models, recipes, cells, clean, training, ood, curve, time.perf_counter() - began
            )
    if not args.budget_curve:
        return
    for seed in range(args.seeds):  # after every model's table cells: a stopped curve leaves the table whole
        for name in models:
            folder = models_dir / f"{name}-seed{seed}"
            for budget in BUDGETS:
                cell = f"{name}-seed{seed}-textfooler" + ("" if budget == args.max_perturb else f"-{budget}")
                summary = attack_model(folder, "textfooler", test, args, budget, out / "attacks" / cell)
                curve[name][budget].append(summary["Accuracy under attack"])
            write_outputs(
                out, args, models, recipes, cells, clean, training, ood, curve, time.perf_counter() - began
            )


def write_outputs(
    out: Path,
    args: argparse.Namespace,
    models: list[str],
    recipes: list[str],
    cells: Any,
    clean: Any,
    training: Any,
    ood: Any,
    curve: Any,
    wall: float,
) -> None:
    fields = {
        "accuracy_under_attack": "Accuracy under attack",
        "attack_success_rate": "Attack success rate",
        "perturbed_word_percent": "Average perturbed word %",
        "queries": "Avg num queries",
    }
    table: dict[str, Any] = {}
    for name in models:
        row: dict[str, Any] = {"clean_accuracy": mean_std(clean[name]) if clean[name] else None}
        row["training"] = training[name]
        for recipe in recipes:
            runs = cells[name][recipe]
            if runs:
                row[recipe] = {key: mean_std([r[field] for r in runs]) for key, field in fields.items()}
        row["ood_accuracy"] = {k: mean_std(v) for k, v in ood[name].items()}
        row["budget_curve"] = {str(b): mean_std(v) for b, v in curve[name].items() if v}
        table[name] = row
    done = [r for r in recipes if all(r in table[m] for m in ("MVP", "MLP-FT") if m in table)]
    gain = None
    if "MVP" in table and "MLP-FT" in table and done:
        gain = statistics.fmean(
            table["MVP"][r]["accuracy_under_attack"][0] - table["MLP-FT"][r]["accuracy_under_attack"][0]
            for r in done
        )
    interval = gain_interval(out / "attacks", done, len(clean.get("MVP", []))) if gain is not None else None
    mlm_note = f"BERT-Attack and BAE use the masked LM {args.mlm!r}"
    grown = Path(args.mlm) / "pretrain_mlm.json"
    if grown.exists():  # a head grown here with `advkit pretrain-mlm`, not a published MLM
        made = json.loads(grown.read_text())
        mlm_note += (
            f" ({made['base']} with an MLM head grown by `advkit pretrain-mlm`: {made['config']['steps']} steps, "
            f"final loss {made['metrics']['final_loss']:.2f})"
        )
    result = {
        **run_info(),
        "wall_seconds": round(wall, 1),
        "settings": vars(args),
        "mlm_note": mlm_note,
        "seeds_done": max((len(v) for v in clean.values()), default=0),
        "mvp_gain_over_mlp_ft": gain,
        "mvp_gain_ci95": interval,
        "table": table,
    }
    (out / "table.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "table.md").write_text(markdown(result, models, recipes))
    plots(out, table, models, recipes)


def markdown(result: dict[str, Any], models: list[str], recipes: list[str]) -> str:
    def fmt(pair: Any) -> str:
        return "–" if not pair else f"{pair[0]:.1f} ± {pair[1]:.1f}" if pair[1] else f"{pair[0]:.1f}"

    table = result["table"]
    lines = [
        f"# Robustness: {result['settings']['model']} on {result['settings']['dataset']}",
        "",
        f"Seeds: {result['seeds_done']}; {result['settings']['test_size']} attacked test examples; max perturbation "
        f"{result['settings']['max_perturb']}; victims in {result['settings']['precision']} precision; {result['mlm_note']}. Commit {result['commit']}; {result['wall_seconds']:.0f} s.",
        "",
        "Accuracy under attack (%) — clean accuracy first:",
        "",
        "| model | clean | " + " | ".join(recipes) + " |",
        "|---" * (len(recipes) + 2) + "|",
    ]
    for name in models:
        row = table[name]
        lines.append(
            f"| {name} | {fmt(row['clean_accuracy'])} | "
            + " | ".join(fmt(row.get(r, {}).get("accuracy_under_attack")) for r in recipes)
            + " |"
        )
    lines += [
        "",
        "Attack success rate (%) / average perturbed words (%) / average queries:",
        "",
        "| model | " + " | ".join(recipes) + " |",
        "|---" * (len(recipes) + 1) + "|",
    ]
    for name in models:
        row = table[name]
        cells = [
            f"{fmt(row[r]['attack_success_rate'])} / {fmt(row[r]['perturbed_word_percent'])} / {fmt(row[r]['queries'])}"
            if r in row
            else "–"
            for r in recipes
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    ood_names = sorted({k for name in models for k in table[name]["ood_accuracy"]})
    if ood_names:
        lines += [
            "",
            "Out-of-distribution clean accuracy (%):",
            "",
            "| model | " + " | ".join(ood_names) + " |",
        ]
        lines.append("|---" * (len(ood_names) + 1) + "|")
        for name in models:
            lines.append(
                f"| {name} | " + " | ".join(fmt(table[name]["ood_accuracy"].get(k)) for k in ood_names) + " |"
            )
    lines += ["", "Training (per seed): best dev accuracy, step chosen, seconds per epoch:", ""]
    for name in models:
        runs = ", ".join(
            f"{100 * t['best_dev_accuracy']:.1f}% @ {t['best_step']}, {t['seconds_per_epoch']:.0f} s"
            for t in table[name]["training"]
        )
        lines.append(f"- {name}: {runs or '–'}")
    gain, ci = result["mvp_gain_over_mlp_ft"], result["mvp_gain_ci95"]
    lines += [
        "",
        f"MVP's gain over MLP-FT in accuracy under attack, averaged over the attacks: "
        f"{'–' if gain is None else f'{gain:+.1f} points'} (the paper: about +8)"
        + (
            f"; 95% paired bootstrap interval over the attacked examples: [{ci[0]:+.1f}, {ci[1]:+.1f}]."
            if ci
            else "."
        ),
        "",
        f"Command: `{result['command']}`",
        "",
    ]
    return "\n".join(lines)


def plots(out: Path, table: dict[str, Any], models: list[str], recipes: list[str]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(models)
    for k, name in enumerate(models):
        values = [table[name].get(r, {}).get("accuracy_under_attack", (0, 0)) for r in recipes]
        ax.bar(
            [i + k * width for i in range(len(recipes))],
            [v[0] for v in values],
            width,
            yerr=[v[1] for v in values],
            label=name,
        )
    ax.set_xticks([i + width * (len(models) - 1) / 2 for i in range(len(recipes))], recipes)
    ax.set_ylabel("accuracy under attack (%)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "robust_accuracy.png", dpi=120)
    plt.close(fig)
    if any(table[m]["budget_curve"] for m in models):
        fig, ax = plt.subplots(figsize=(6, 4))
        for name in models:
            points = sorted((float(b), v[0]) for b, v in table[name]["budget_curve"].items())
            if points:
                ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name)
        ax.set_xlabel("max share of words perturbed (TextFooler)")
        ax.set_ylabel("accuracy under attack (%)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "budget_curve.png", dpi=120)
        plt.close(fig)


if __name__ == "__main__":
    main()
