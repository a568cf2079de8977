"""The attack engine: AttackedText, goals, transformations, constraints, batched search, recipes, runner."""

from advkit.attack import recipes
from advkit.attack.attack import Attack, AttackResult
from advkit.attack.goal import TargetedClassification, UntargetedClassification
from advkit.attack.runner import run_attack
from advkit.attack.summary import summarize
from advkit.attack.text import AttackedText

__all__ = [
    "Attack",
    "AttackResult",
    "AttackedText",
    "TargetedClassification",
    "UntargetedClassification",
    "recipes",
    "run_attack",
    "summarize",
]
