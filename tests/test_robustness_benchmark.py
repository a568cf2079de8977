"""benchmarks/robustness.py end to end on a tiny causal LM and toy data: trains, attacks, writes the table,
and a second run reuses what the first one made."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from handmade import toy_space
from test_end_to_end import saved_tiny_model, toy_folder

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "robustness.py"


def test_robustness_table_is_written_and_resumed(tmp_path):
    saved_tiny_model(tmp_path / "tiny-gpt2", "gpt2")
    data = toy_folder(tmp_path / "toy", {"train": 48, "dev": 16, "test": 6})
    toy_space(k=17).save(tmp_path / "space")
    out = tmp_path / "results"
    command = [
        sys.executable,
        str(SCRIPT),
        *("--model", str(tmp_path / "tiny-gpt2"), "--dataset", str(data), "--out", str(out)),
        *("--models-dir", str(tmp_path / "models"), "--space", str(tmp_path / "space")),
        *("--train-size", "48", "--dev-size", "16", "--test-size", "6", "--seeds", "1", "--epochs", "1"),
        *("--models", "MLP-FT,MVP", "--recipes", "textfooler,textbugger", "--lr", "1e-3"),
        *("--ood", f"toy-dev={data}:dev"),
    ]
    first = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    table = json.loads((out / "table.json").read_text())
    mvp, mlp = table["table"]["MVP"], table["table"]["MLP-FT"]
    expected = sum(
        mvp[r]["accuracy_under_attack"][0] - mlp[r]["accuracy_under_attack"][0]
        for r in ("textfooler", "textbugger")
    )
    assert abs(table["mvp_gain_over_mlp_ft"] - expected / 2) < 1e-9
    low, high = table["mvp_gain_ci95"]
    assert low <= table["mvp_gain_over_mlp_ft"] <= high
    assert set(mvp["ood_accuracy"]) == {"toy-dev"} and mvp["training"][0]["best_step"] > 0
    assert "MVP's gain over MLP-FT" in (out / "table.md").read_text()
    if importlib.util.find_spec("matplotlib"):  # plots need the optional `bench` extra
        assert (out / "robust_accuracy.png").stat().st_size > 0
    results = out / "attacks" / "MVP-seed0-textfooler" / "results.jsonl"
    assert len(results.read_text().splitlines()) == 6
    stamp = results.stat().st_mtime_ns
    second = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    assert results.stat().st_mtime_ns == stamp  # finished attacks are reused, not rerun
    evaluations = json.loads((tmp_path / "models" / "MVP-seed0" / "evaluations.json").read_text())
    assert sorted(evaluations) == [f"{data}:dev:16:auto", f"{data}:test:6:auto"]  # kept, not recomputed
    assert (
        json.loads((out / "table.json").read_text())["mvp_gain_over_mlp_ft"] == table["mvp_gain_over_mlp_ft"]
    )
