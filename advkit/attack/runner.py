"""Running an attack over a dataset: results written as they finish, resume, summary, coloured examples."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from advkit.attack.attack import Attack, AttackResult
from advkit.attack.summary import summarize
from advkit.attack.text import AttackedText
from advkit.data import Dataset
from advkit.errors import AdvkitError

RESULTS = "results.jsonl"
SUMMARY = "summary.json"
# wall and victim seconds of earlier runs into the same folder, so that a resumed summary counts them
TIMING = "timing.json"


def read_results(path: Path) -> list[AttackResult]:
    """Complete lines of a results file; a line cut short by a kill is dropped (its example runs again)."""
    results: list[AttackResult] = []
    if not path.exists():
        return results
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        try:
            results.append(AttackResult.from_json(json.loads(line)))
        except (json.JSONDecodeError, TypeError, KeyError) as e:
            if number == len(lines):
                break
            raise AdvkitError(
                f"{path}:{number}: not an attack result; delete the file or run without --resume"
            ) from e
    return results


def run_attack(
    attack: Attack,
    data: Dataset,
    out_dir: str | Path | None = None,
    batch_size: int = 64,
    resume: bool = False,
    progress: bool = True,
    config: dict[str, Any] | None = None,
    shard: tuple[int, int] = (0, 1),
) -> tuple[list[AttackResult], dict[str, Any]]:
    """Attack every example of `data` (or shard i of n: the indices ≡ i mod n); with `out_dir`, write
    results.jsonl as they finish and summary.json."""
    from tqdm.auto import tqdm

    out = Path(out_dir) if out_dir else None
    done: list[AttackResult] = []
    if out:
        out.mkdir(parents=True, exist_ok=True)
        path = out / RESULTS
        if resume:
            done = [r for r in read_results(path) if r.index < len(data)]
            _check_config(out, config)
        elif path.exists():
            path.unlink()
            (out / TIMING).unlink(missing_ok=True)
        path.write_text("".join(json.dumps(r.to_json()) + "\n" for r in done), encoding="utf-8")
        (out / "config.json").write_text(json.dumps(config or {}, indent=2) + "\n")
    finished = {r.index for r in done}
    part, parts = shard
    if not 0 <= part < parts:
        raise AdvkitError(f"shard {part}/{parts}: the shard number must be in 0..{parts - 1}")
    mine = [i for i in range(len(data)) if i % parts == part]
    done = [r for r in done if r.index % parts == part]
    todo = [i for i in mine if i not in finished]
    victim = attack.victim
    earlier = json.loads((out / TIMING).read_text()) if out and resume and (out / TIMING).exists() else {}
    victim_before = getattr(victim, "model_seconds", 0.0)
    queries_before = getattr(victim, "queries", 0)
    began = time.perf_counter()
    results = list(done)
    succeeded = sum(r.status == "succeeded" for r in done)
    attacked = sum(r.status != "skipped" for r in done)
    bar = tqdm(total=len(mine), initial=len(done), desc=f"attack {attack.name}", disable=not progress)
    handle = (out / RESULTS).open("a", encoding="utf-8") if out else None
    try:
        for result in attack.run(data, batch_size=batch_size, indices=todo):
            results.append(result)
            if handle and out:
                handle.write(json.dumps(result.to_json()) + "\n")
                handle.flush()
                _write_timing(
                    out, earlier, time.perf_counter() - began, _victim_seconds(victim) - victim_before
                )
            bar.update(1)
            succeeded += result.status == "succeeded"
            attacked += result.status != "skipped"
            queries = getattr(victim, "queries", 0) - queries_before
            bar.set_postfix(
                success=f"{100 * succeeded / max(attacked, 1):.1f}%",
                queries_s=f"{queries / max(time.perf_counter() - began, 1e-9):.0f}",
            )
    finally:
        bar.close()
        if handle:
            handle.close()
    wall = earlier.get("wall", 0.0) + time.perf_counter() - began
    results.sort(key=lambda r: r.index)
    victim_seconds = (
        earlier.get("victim", 0.0) + _victim_seconds(victim) - victim_before
        if hasattr(victim, "model_seconds")
        else None
    )
    summary = summarize(results, wall, victim_seconds)
    if out:
        (out / RESULTS).write_text("".join(json.dumps(r.to_json()) + "\n" for r in results), encoding="utf-8")
        (out / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
    return results, summary


def _victim_seconds(victim: Any) -> float:
    return float(getattr(victim, "model_seconds", 0.0))


def _write_timing(out: Path, earlier: dict[str, float], wall: float, victim: float) -> None:
    timing = {"wall": earlier.get("wall", 0.0) + wall, "victim": earlier.get("victim", 0.0) + victim}
    (out / TIMING).write_text(json.dumps(timing) + "\n")


def _check_config(out: Path, config: dict[str, Any] | None) -> None:
    saved = out / "config.json"
    if config is None or not saved.exists():
        return
    previous = json.loads(saved.read_text())
    changed = sorted(
        k for k in set(previous) | set(config) if previous.get(k) != config.get(k) and k != "resume"
    )
    if changed:
        raise AdvkitError(
            f"--resume with different settings ({', '.join(changed)}) than the run in {out}; use a new --out"
        )


def show_examples(results: Sequence[AttackResult], count: int, color: bool = True) -> str:
    """Original and perturbed text of up to `count` successful attacks, changed words highlighted."""
    import difflib

    import click

    def paint(words: list[str], marked: set[int], colour: str) -> str:
        return " ".join(
            (click.style(w, fg=colour, bold=True) if color else f"[[{w}]]") if i in marked else w
            for i, w in enumerate(words)
        )

    lines = []
    for r in [r for r in results if r.status == "succeeded"][:count]:
        old, new = AttackedText.from_input(r.original).words, AttackedText.from_input(r.perturbed).words
        marked_old: set[int] = set()
        marked_new: set[int] = set()
        for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
            if tag != "equal":
                marked_old.update(range(a0, a1))
                marked_new.update(range(b0, b1))
        predicted = max(range(len(r.perturbed_probs)), key=r.perturbed_probs.__getitem__)
        lines.append(f"#{r.index}  label {r.label} -> predicted {predicted}  ({r.queries} queries)")
        lines.append("  - " + paint(old, marked_old, "red"))
        lines.append("  + " + paint(new, marked_new, "green"))
    return "\n".join(lines)


def merge_results(
    folders: Sequence[str | Path], out_dir: str | Path
) -> tuple[list[AttackResult], dict[str, Any]]:
    """Join the results of shards (or any disjoint runs) into one results.jsonl and summary.json."""
    results: dict[int, AttackResult] = {}
    wall, victim = 0.0, 0.0
    for folder in map(Path, folders):
        for r in read_results(folder / RESULTS):
            if r.index in results:
                raise AdvkitError(f"example {r.index} appears in two of the merged runs ({folder})")
            results[r.index] = r
        summary_file = folder / SUMMARY
        if summary_file.exists():
            shard_summary = json.loads(summary_file.read_text())
            wall = max(wall, shard_summary.get("Wall time (s)", 0.0))  # shards run side by side
            victim += shard_summary.get("Victim time (s)", 0.0)
    merged = [results[i] for i in sorted(results)]
    summary = summarize(merged, wall or None, victim or None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / RESULTS).write_text("".join(json.dumps(r.to_json()) + "\n" for r in merged), encoding="utf-8")
    (out / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n")
    return merged, summary
