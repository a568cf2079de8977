"""`advkit` commands. Heavy imports happen inside each command, so `advkit --help` answers at once."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from advkit.errors import AdvkitError

METHODS = ["mvp", "mlp-ft", "projectcls", "clsprompt", "lpft"]


class Group(click.Group):
    """Prints an AdvkitError as one line on stderr and exits 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AdvkitError as e:
            click.echo(f"advkit: error: {e}", err=True)
            sys.exit(2)


@click.group(cls=Group)
@click.version_option(package_name="advkit")
def cli() -> None:
    """advkit: adapt a language model (MVP or MLP-FT), attack it, harden it."""


def main() -> None:
    import os

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # advkit's own progress bars are enough
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    cli(prog_name="advkit")


# --- assets -------------------------------------------------------------------------------------------


@cli.group(cls=Group)
def assets() -> None:
    """Offline assets that package-registry wheels carry."""


@assets.command("list")
def assets_list() -> None:
    """List the named assets and whether they are cached."""
    from advkit import assets as a

    for name, asset in a.ASSETS.items():
        state = "cached" if a.is_fetched(name) else "not fetched"
        click.echo(f"{name:16} {state:12} {asset.package:30} {asset.description}")


@assets.command("fetch")
@click.argument("name")
def assets_fetch(name: str) -> None:
    """Fetch NAME into $ADVKIT_HOME (default ~/.cache/advkit)."""
    from advkit import assets as a

    click.echo(a.fetch(name))


# --- train / eval ---------------------------------------------------------------------------------------


def _size(value: str | None) -> float | int | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError as e:
        raise AdvkitError(f"--train-size {value!r}: give a count (e.g. 2000) or a fraction (e.g. 0.1)") from e
    return int(number) if number >= 1 else number


def _prompts(templates: str | None) -> Any:
    if templates is None:
        return None
    from advkit.victims.templates import load_prompts

    return load_prompts(templates)


def train_options(function: Any) -> Any:
    """The options `train` and `adv-train` share."""
    options = [
        click.option(
            "--model",
            "model_name",
            default="smollm2-135m",
            show_default=True,
            help="HF id, local folder, or minilm / smollm2-135m",
        ),
        click.option(
            "--dataset", default=None, help="a dataset name, file or folder [default: rotten-tomatoes]"
        ),
        click.option(
            "--task",
            default=None,
            help="template family (sentiment, ag_news, boolq) when the dataset does not say",
        ),
        click.option(
            "--templates", default=None, help="JSON/YAML file with your own templates and answer words"
        ),
        click.option("--out", default=None, help="output folder [default: runs/<method>]"),
        click.option(
            "--train-size", default=None, help="a count or a fraction of the training set (few-shot)"
        ),
        click.option("--dev-size", default=None, help="a count or a fraction of the dev set"),
        click.option("--epochs", default=20, show_default=True),
        click.option("--lr", default=1e-5, show_default=True),
        click.option("--weight-decay", default=0.01, show_default=True),
        click.option("--batch-size", default=8, show_default=True),
        click.option(
            "--eval-every", default=None, type=int, help="steps between dev evaluations [default: each epoch]"
        ),
        click.option("--patience", default=3, show_default=True),
        click.option("--max-length", default=256, show_default=True),
        click.option("--max-steps", default=None, type=int),
        click.option("--seed", default=0, show_default=True),
        click.option("--resume", is_flag=True, help="continue from the checkpoint in --out"),
        click.option(
            "--accumulation-steps", default=1, show_default=True, help="micro-batches per optimizer step"
        ),
        click.option("--bf16", is_flag=True, help="bf16 autocast on CUDA"),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _fit(
    method: str,
    options: dict[str, Any],
    objective: Any = None,
    init: str | None = None,
    default_out: str | None = None,
    on_eval: Any = None,
) -> None:
    from advkit.data import load_dataset
    from advkit.training.trainer import TrainConfig, evaluate
    from advkit.training.trainer import train as run
    from advkit.victims.classifier import TextClassifier

    o = options
    train_data = load_dataset(o["dataset"], "train", seed=o["seed"], task=o["task"]).take(
        _size(o["train_size"]), o["seed"]
    )
    dev_data = load_dataset(o["dataset"], "dev", seed=o["seed"], task=o["task"]).take(
        _size(o["dev_size"]), o["seed"]
    )
    if init:
        model = TextClassifier.from_pretrained(init)
    else:
        model = TextClassifier.from_backbone(
            method,
            o["model_name"],
            train_data.label_names,
            o["task"] or train_data.task,
            _prompts(o["templates"]),
            max_length=o["max_length"],
        )
    config = TrainConfig(
        lr=o["lr"],
        weight_decay=o["weight_decay"],
        batch_size=o["batch_size"],
        epochs=o["epochs"],
        eval_every=o["eval_every"],
        patience=o["patience"],
        seed=o["seed"],
        max_steps=o["max_steps"],
        accumulation_steps=o["accumulation_steps"],
        bf16=o["bf16"],
    )
    out_dir = Path(o["out"] or default_out or Path("runs") / method)
    hook = on_eval(dev_data) if on_eval else None
    result = run(model, train_data, dev_data, config, out_dir, objective, resume=o["resume"], on_eval=hook)
    dev = evaluate(TextClassifier.from_pretrained(out_dir), dev_data)
    click.echo(
        f"{model.config.method}: best dev accuracy {dev['accuracy']:.4f} at step {result.best_step}; "
        f"{result.seconds_per_epoch:.1f} s/epoch; saved to {out_dir}"
    )


@cli.command()
@click.option("--method", type=click.Choice(METHODS), default="mvp", show_default=True)
@train_options
def train(method: str, **options: Any) -> None:
    """Fine-tune MODEL on DATASET with METHOD; keep the best dev checkpoint."""
    _fit(method, options)


@cli.command("adv-train")
@click.option("--method", type=click.Choice(["mvp", "mlp-ft"]), default="mvp", show_default=True)
@click.option(
    "--adversary", type=click.Choice(["pgd", "textfooler", "textbugger"]), default="pgd", show_default=True
)
@click.option(
    "--init", default=None, help="start from a trained victim folder instead of the pretrained backbone"
)
@click.option(
    "--epsilon", default=1.0, show_default=True, help="PGD: radius of the perturbation ball (MVP paper: 1)"
)
@click.option("--pgd-steps", default=1, show_default=True, help="PGD: steps (MVP paper: 1)")
@click.option("--step-size", default=None, type=float, help="PGD: step size [default: 1.5 * epsilon / steps]")
@click.option("--norm", default="l2", type=click.Choice(["l2", "linf"]), show_default=True)
@click.option(
    "--clean-weight",
    default=0.0,
    show_default=True,
    help="PGD: weight of the clean loss (0: perturbed only, as the paper)",
)
@click.option("--adv-fraction", default=0.5, show_default=True, help="discrete: share of each batch attacked")
@click.option(
    "--adv-weight", default=1.0, show_default=True, help="discrete: weight of the adversarial examples' loss"
)
@click.option(
    "--adv-query-budget", default=50, show_default=True, help="discrete: queries per attacked example"
)
@click.option(
    "--max-perturb", default=0.1, show_default=True, help="discrete: largest share of words changed"
)
@click.option("--adv-cache", is_flag=True, help="discrete: reuse examples found in earlier epochs")
@click.option(
    "--robust-eval-size",
    default=0,
    show_default=True,
    help="dev examples attacked (textfooler) at each evaluation",
)
@train_options
def adv_train(
    method: str,
    adversary: str,
    init: str | None,
    epsilon: float,
    pgd_steps: int,
    step_size: float | None,
    norm: str,
    clean_weight: float,
    adv_fraction: float,
    adv_weight: float,
    adv_query_budget: int,
    max_perturb: float,
    adv_cache: bool,
    robust_eval_size: int,
    **options: Any,
) -> None:
    """Adversarial training with examples made on the fly against the current weights."""
    from advkit.training.adversarial import (
        DiscreteConfig,
        DiscreteObjective,
        PGDConfig,
        PGDObjective,
        robust_accuracy_hook,
    )

    if adversary == "pgd":
        objective: Any = PGDObjective(PGDConfig(epsilon, pgd_steps, step_size, norm, True, clean_weight))
    else:
        objective = DiscreteObjective(
            DiscreteConfig(
                adversary, adv_fraction, adv_weight, adv_query_budget, max_perturb, adv_cache, options["seed"]
            )
        )
    hook = (
        (lambda dev: robust_accuracy_hook(dev, robust_eval_size, max_perturb)) if robust_eval_size else None
    )
    _fit(method, options, objective, init, str(Path("runs") / f"{method}-adv-{adversary}"), hook)


@cli.command("eval")
@click.option(
    "--victim", required=True, help="a saved victim folder, or mvp / mlp-ft / ... for runs/<method>"
)
@click.option("--dataset", default=None)
@click.option("--split", default="test", show_default=True, type=click.Choice(["train", "dev", "test"]))
@click.option("--task", default=None)
@click.option("--num-examples", default=None, type=int)
@click.option("--batch-size", default=32, show_default=True)
def eval_(
    victim: str, dataset: str | None, split: str, task: str | None, num_examples: int | None, batch_size: int
) -> None:
    """Clean accuracy (and per class) of a saved victim."""
    import time

    from advkit.data import load_dataset
    from advkit.training.trainer import evaluate
    from advkit.victims import load_victim

    model = load_victim(victim).model
    data = load_dataset(dataset, split, task=task).take(num_examples)
    if len(model.labels) != len(data.label_names):
        raise AdvkitError(f"the victim has {len(model.labels)} labels, the dataset {len(data.label_names)}")
    began = time.perf_counter()
    result = evaluate(model, data, batch_size)
    seconds = time.perf_counter() - began
    result.update(examples_per_second=len(data) / seconds)
    click.echo(json.dumps(result, indent=2))


# --- attack ---------------------------------------------------------------------------------------------

RECIPE_NAMES = ["textfooler", "textbugger", "bert-attack", "bae"]


@cli.command()
@click.option(
    "--victim", required=True, help="a saved victim folder, or mvp / mlp-ft / ... for runs/<method>"
)
@click.option("--recipe", required=True, type=click.Choice(RECIPE_NAMES))
@click.option("--dataset", default=None, help="a dataset name, file or folder [default: rotten-tomatoes]")
@click.option("--split", default="test", show_default=True, type=click.Choice(["train", "dev", "test"]))
@click.option("--task", default=None)
@click.option("--num-examples", default=None, type=int, help="attack the first N examples")
@click.option("--query-budget", default=None, type=int, help="queries per example")
@click.option(
    "--max-perturb",
    default=None,
    type=float,
    help="largest share of words changed (MVP paper: 0.1, AG News 0.3)",
)
@click.option("--batch-size", default=32, show_default=True, help="examples attacked together")
@click.option("--victim-batch-size", default=64, show_default=True, help="texts per forward pass")
@click.option(
    "--mlm", default="bert-base-uncased", show_default=True, help="masked LM of bert-attack and bae"
)
@click.option(
    "--encoder",
    default="minilm",
    show_default=True,
    help="sentence encoder: minilm, use, or a sentence-transformers name",
)
@click.option(
    "--space",
    "space_dir",
    default=None,
    help="a synonym space folder [default: counter-fitted GloVe, built on first use]",
)
@click.option("--bae-variant", default="R", show_default=True, type=click.Choice(["R", "I", "R/I"]))
@click.option("--word-only", is_flag=True, help="textbugger: word-level bugs only")
@click.option("--seed", default=0, show_default=True)
@click.option("--out", default=None, help="output folder [default: runs/attack/<victim>-<recipe>]")
@click.option("--resume", is_flag=True, help="continue an interrupted run in --out")
@click.option(
    "--show", default=0, show_default=True, help="print N successful examples with the changed words coloured"
)
@click.option(
    "--precision",
    default="auto",
    type=click.Choice(["auto", "fp32", "bf16"]),
    show_default=True,
    help="victim arithmetic: auto = bf16 on CUDA, fp32 on CPU",
)
@click.option(
    "--shard",
    default="0/1",
    show_default=True,
    help="i/n: attack the examples whose index is i mod n; join with attack-merge",
)
def attack(
    victim: str,
    recipe: str,
    dataset: str | None,
    split: str,
    task: str | None,
    num_examples: int | None,
    query_budget: int | None,
    max_perturb: float | None,
    batch_size: int,
    victim_batch_size: int,
    mlm: str,
    encoder: str,
    space_dir: str | None,
    bae_variant: str,
    word_only: bool,
    seed: int,
    out: str | None,
    resume: bool,
    show: int,
    precision: str,
    shard: str,
) -> None:
    """Attack a victim with a recipe; write results.jsonl and summary.json; print the summary."""
    from advkit.attack.recipes import build_recipe
    from advkit.attack.runner import run_attack, show_examples
    from advkit.attack.summary import format_table
    from advkit.data import load_dataset
    from advkit.victims import load_victim

    data = load_dataset(dataset, split, task=task)
    if num_examples is not None:
        data = data.subset(range(min(num_examples, len(data))))
    target = load_victim(victim, batch_size=victim_batch_size, precision=precision)
    options = {
        "recipe": recipe,
        "victim": victim,
        "dataset": data.name,
        "split": split,
        "num_examples": len(data),
        "query_budget": query_budget,
        "max_perturb": max_perturb,
        "mlm": mlm,
        "encoder": encoder,
        "space": space_dir,
        "bae_variant": bae_variant,
        "word_only": word_only,
        "seed": seed,
    }
    the_attack = build_recipe(
        recipe,
        target,
        task=data.task,
        query_budget=query_budget,
        max_perturb=max_perturb,
        mlm=mlm,
        encoder=encoder,
        space_dir=space_dir,
        bae_variant=bae_variant,
        word_only=word_only,
        seed=seed,
    )
    part, parts = _shard(shard)
    default_out = (
        Path("runs")
        / "attack"
        / (f"{Path(victim).name}-{recipe}" + (f"-shard{part}of{parts}" if parts > 1 else ""))
    )
    out_dir = Path(out) if out else default_out
    results, summary = run_attack(
        the_attack, data, out_dir, batch_size, resume, config=options, shard=(part, parts)
    )
    click.echo(format_table(summary))
    if show:
        click.echo(show_examples(results, show, color=sys.stdout.isatty()))
    click.echo(f"results in {out_dir}")


def _shard(value: str) -> tuple[int, int]:
    try:
        part, parts = (int(x) for x in value.split("/"))
    except ValueError as e:
        raise AdvkitError(f"--shard {value!r}: write it as i/n, e.g. 0/4") from e
    if parts < 1 or not 0 <= part < parts:
        raise AdvkitError(f"--shard {value!r}: need 0 <= i < n")
    return part, parts


@cli.command("attack-merge")
@click.argument("folders", nargs=-1, required=True)
@click.option("--out", required=True, help="folder for the joined results.jsonl and summary.json")
def attack_merge(folders: tuple[str, ...], out: str) -> None:
    """Join the results of `advkit attack --shard` runs into one summary."""
    from advkit.attack.runner import merge_results
    from advkit.attack.summary import format_table

    _, summary = merge_results(folders, out)
    click.echo(format_table(summary))


# --- pretrain-mlm ---------------------------------------------------------------------------------------


@cli.command("pretrain-mlm")
@click.option("--model", "model_name", default="minilm", show_default=True)
@click.option(
    "--corpus",
    default="brown",
    show_default=True,
    help="brown (NLTK), a dataset name/file/folder (train texts), or a .txt file",
)
@click.option("--out", default="runs/mlm", show_default=True)
@click.option("--steps", default=330, show_default=True)
@click.option("--batch-size", default=64, show_default=True)
@click.option("--max-length", default=64, show_default=True)
@click.option("--lr", default=2e-4, show_default=True)
@click.option("--head-only", is_flag=True, help="train only the MLM head, keep the body frozen")
@click.option("--seed", default=0, show_default=True)
def pretrain_mlm(
    model_name: str,
    corpus: str,
    out: str,
    steps: int,
    batch_size: int,
    max_length: int,
    lr: float,
    head_only: bool,
    seed: int,
) -> None:
    """Give a backbone without MLM head weights a head: continued masked-LM training on unlabeled text."""
    from advkit.training.pretrain_mlm import MLMConfig, brown_corpus
    from advkit.training.pretrain_mlm import pretrain_mlm as run

    if corpus == "brown":
        texts = brown_corpus()
    elif corpus.endswith(".txt") and Path(corpus).is_file():
        texts = Path(corpus).read_text(encoding="utf-8").splitlines()
    else:
        from advkit.data import load_dataset

        texts = [t if isinstance(t, str) else " ".join(t) for t in load_dataset(corpus, "train").texts]
    config = MLMConfig(
        steps=steps, batch_size=batch_size, max_length=max_length, lr=lr, train_body=not head_only, seed=seed
    )
    metrics = run(model_name, texts, out, config)
    click.echo(
        f"masked-LM loss {metrics['first_loss']:.2f} → {metrics['final_loss']:.2f} in {metrics['seconds']:.0f} s; "
        f"use it with --model {out}"
    )


# --- embeddings -----------------------------------------------------------------------------------------


@cli.group(cls=Group)
def embeddings() -> None:
    """The synonym space: counter-fitted word vectors and a precomputed neighbour table."""


@embeddings.command("build")
@click.option(
    "--vectors", default="glove-6b-50d", show_default=True, help="glove-6b-50d or a text-format vectors file"
)
@click.option("--counter-fit/--no-counter-fit", default=True, show_default=True)
@click.option("--vocab-size", default=65_713, show_default=True, help="keep the N most frequent words")
@click.option("--k", default=50, show_default=True, help="neighbours stored per word")
@click.option(
    "--index",
    "index_kind",
    default="auto",
    type=click.Choice(["auto", "flat", "hnsw", "ivf"]),
    show_default=True,
)
@click.option(
    "--constraints",
    default=None,
    help="folder with the counter-fitting constraint files [default: $ADVKIT_LEXICAL_DIR or download]",
)
@click.option("--out", default=None, help="output folder [default: the cache the attacks use]")
def embeddings_build(
    vectors: str,
    counter_fit: bool,
    vocab_size: int,
    k: int,
    index_kind: str,
    constraints: str | None,
    out: str | None,
) -> None:
    """Build a synonym space and save it (memory-mapped .npy files and a JSON manifest)."""
    from advkit.embeddings.build import build_space, default_space_dir

    space, timings = build_space(vectors, counter_fit, vocab_size, k, constraints, index_kind, progress=True)
    folder = Path(out) if out else default_space_dir(vectors, vocab_size, k)
    space.save(folder)
    click.echo(f"{len(space)} words, k = {k}, {json.dumps(timings)}; saved to {folder}")


@embeddings.command("neighbours")
@click.argument("word")
@click.option("--k", default=10, show_default=True)
@click.option("--min-cos", default=-1.0, show_default=True)
@click.option("--space", "space_dir", default=None, help="a built space folder [default: the attacks' space]")
def embeddings_neighbours(word: str, k: int, min_cos: float, space_dir: str | None) -> None:
    """Print the k nearest neighbours of WORD."""
    from advkit.embeddings import SynonymSpace, default_space

    space = SynonymSpace.load(space_dir) if space_dir else default_space()
    if word not in space:
        raise AdvkitError(f"{word!r} is not in the synonym space's vocabulary")
    for neighbour, cos in space.neighbours(word, k, min_cos):
        click.echo(f"{neighbour}\t{cos:.3f}")


@embeddings.command("evaluate")
@click.option("--space", "space_dir", default=None, help="a built space folder [default: the attacks' space]")
@click.option("--simlex", default=None, help="SimLex-999 file [default: $ADVKIT_LEXICAL_DIR or download]")
@click.option(
    "--constraints",
    default=None,
    help="folder with the antonym files [default: $ADVKIT_LEXICAL_DIR or download]",
)
@click.option(
    "--compare-plain/--no-compare-plain",
    default=True,
    show_default=True,
    help="also score the same vectors before counter-fitting",
)
def embeddings_evaluate(
    space_dir: str | None, simlex: str | None, constraints: str | None, compare_plain: bool
) -> None:
    """Spearman's rho on SimLex-999 and the share of antonym pairs among top-10 neighbours."""
    from advkit.embeddings import SynonymSpace, build_space, default_space
    from advkit.embeddings.build import antonym_pairs
    from advkit.embeddings.counterfit import lexical_file
    from advkit.embeddings.evaluate import antonym_share, read_simlex, simlex_rho

    space = SynonymSpace.load(space_dir) if space_dir else default_space()
    pairs = read_simlex(simlex or lexical_file("SimLex-999.txt", constraints))
    spaces = {"counter-fitted" if space.manifest.get("counter_fitted") else "space": space}
    if compare_plain and space.manifest.get("counter_fitted"):
        plain, _ = build_space(space.manifest["vectors"], False, space.manifest["vocab_size"], 10)
        spaces = {"plain": plain, **spaces}
    for name, s in spaces.items():
        rho, covered = simlex_rho(s, pairs)
        share = antonym_share(s, antonym_pairs(s, constraints))
        click.echo(
            f"{name:15} SimLex-999 rho {rho:.3f} ({covered} pairs)   antonym pairs in top-10 {100 * share:.2f}%"
        )


# --- demo -----------------------------------------------------------------------------------------------


@cli.command()
@click.option("--model", "model_name", default="smollm2-135m", show_default=True)
@click.option("--train-size", default=400, show_default=True)
@click.option("--dev-size", default=200, show_default=True)
@click.option("--test-size", default=300, show_default=True)
@click.option(
    "--attack-size", default=25, show_default=True, help="test examples attacked per model and recipe"
)
@click.option("--epochs", default=1, show_default=True)
@click.option("--out", default="runs/demo", show_default=True)
def demo(
    model_name: str, train_size: int, dev_size: int, test_size: int, attack_size: int, epochs: int, out: str
) -> None:
    """The main job on the offline default: train MVP and MLP-FT, evaluate and attack both, print the table."""
    from advkit.demo import run_demo

    run_demo(model_name, train_size, dev_size, test_size, attack_size, epochs, Path(out))


if __name__ == "__main__":
    main()
