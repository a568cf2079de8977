"""`advkit train` then `advkit attack --victim mvp` from the command line, on a tiny model and toy data."""

import json

from advkit.cli.main import cli
from click.testing import CliRunner
from handmade import toy_space
from test_training import toy
from tiny import tiny_model, word_tokenizer


def saved_tiny_model(folder, model_type):
    """A tiny model and its word tokenizer saved as a Hugging Face folder, for `--model FOLDER`."""
    tok = word_tokenizer("masked" if model_type in ("bert", "roberta") else "causal")
    tiny_model(model_type, len(tok)).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def toy_folder(folder, sizes):
    """A dataset folder with one toy .jsonl per split: sizes = {split: number of examples}."""
    folder.mkdir()
    for seed, (name, n) in enumerate(sizes.items()):
        data = toy(n, seed)
        rows = [json.dumps({"text": t, "label": y}) for t, y in zip(data.texts, data.labels, strict=True)]
        (folder / f"{name}.jsonl").write_text("\n".join(rows) + "\n")
    return folder


def test_train_then_attack_then_resume(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    saved_tiny_model(tmp_path / "tiny-bert", "bert")
    data = toy_folder(tmp_path / "toy-sst", {"train": 96, "dev": 32, "test": 12})
    toy_space(k=17).save(tmp_path / "space")  # every other word: a complete table
    runner = CliRunner()
    trained = runner.invoke(
        cli,
        [
            "train",
            "--method",
            "mvp",
            "--model",
            "tiny-bert",
            "--dataset",
            str(data),
            "--task",
            "sentiment",
            "--epochs",
            "2",
            "--lr",
            "3e-3",
            "--batch-size",
            "16",
        ],
    )
    assert trained.exit_code == 0, trained.output
    assert (tmp_path / "runs" / "mvp" / "advkit.json").exists()
    evaluated = runner.invoke(cli, ["eval", "--victim", "mvp", "--dataset", str(data)])
    assert evaluated.exit_code == 0 and json.loads(evaluated.stdout)["n"] == 12
    command = [
        "attack",
        "--victim",
        "mvp",
        "--recipe",
        "textfooler",
        "--dataset",
        str(data),
        "--space",
        str(tmp_path / "space"),
        "--num-examples",
        "12",
        "--show",
        "2",
    ]
    attacked = runner.invoke(cli, command)
    assert attacked.exit_code == 0, attacked.output
    assert "Attack success rate" in attacked.output and "Share of time in victim" in attacked.output
    folder = tmp_path / "runs" / "attack" / "mvp-textfooler"
    first = (folder / "results.jsonl").read_text().splitlines()
    assert (
        len(first) == 12
        and json.loads((folder / "summary.json").read_text())["Number of skipped attacks"] >= 0
    )
    (folder / "results.jsonl").write_text("\n".join(first[:5]) + "\n")
    resumed = runner.invoke(cli, [*command, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    strip = [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in first]
    again = [
        {k: v for k, v in json.loads(line).items() if k != "seconds"}
        for line in (folder / "results.jsonl").read_text().splitlines()
    ]
    assert again == strip
    unknown = runner.invoke(cli, ["attack", "--victim", "mvp", "--recipe", "textfooler", "--dataset", "nope"])
    assert unknown.exit_code == 2
