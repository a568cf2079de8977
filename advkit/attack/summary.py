"""The summary users know from TextAttack (same field names and arithmetic), plus wall time and victim time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from advkit.attack.attack import AttackResult


def summarize(
    results: Sequence[AttackResult], wall_seconds: float | None = None, victim_seconds: float | None = None
) -> dict[str, Any]:
    total = len(results)
    succeeded = [r for r in results if r.status == "succeeded"]
    failed = [r for r in results if r.status == "failed"]
    skipped = [r for r in results if r.status == "skipped"]
    attacked = succeeded + failed

    def pct(a: float, b: float) -> float:
        return round(100.0 * a / b, 2) if b else 0.0

    summary: dict[str, Any] = {
        "Number of successful attacks": len(succeeded),
        "Number of failed attacks": len(failed),
        "Number of skipped attacks": len(skipped),
        "Original accuracy": pct(total - len(skipped), total),
        "Accuracy under attack": pct(len(failed), total),
        "Attack success rate": pct(len(succeeded), len(attacked)),
        "Average perturbed word %": round(
            float(np.mean([100.0 * r.words_changed / max(r.num_words, 1) for r in succeeded])), 2
        )
        if succeeded
        else 0.0,
        "Average num. words per input": round(float(np.mean([r.num_words for r in results])), 2)
        if results
        else 0.0,
        "Avg num queries": round(float(np.mean([r.queries for r in attacked])), 2) if attacked else 0.0,
    }
    if wall_seconds is not None:
        summary["Wall time (s)"] = round(wall_seconds, 2)
        summary["Seconds per attacked example"] = round(wall_seconds / max(len(attacked), 1), 4)
    if victim_seconds is not None and wall_seconds:
        summary["Victim time (s)"] = round(victim_seconds, 2)
        summary["Share of time in victim"] = round(victim_seconds / wall_seconds, 4)
    return summary


def format_table(summary: dict[str, Any]) -> str:
    width = max(len(k) for k in summary)
    lines = ["+" + "-" * (width + 2) + "+" + "-" * 12 + "+"]
    for key, value in summary.items():
        shown = f"{value:.2f}%" if key in PERCENT_FIELDS else f"{value}"
        lines.append(f"| {key:<{width}} | {shown:>10} |")
    lines.append(lines[0])
    return "\n".join(lines)


PERCENT_FIELDS = {
    "Original accuracy",
    "Accuracy under attack",
    "Attack success rate",
    "Average perturbed word %",
}
