"""Victims: the common interface, MVP and MLP-FT classifiers, and the batched wrapper."""

from advkit.victims.victim import (
    CallableVictim,
    CountingVictim,
    ModelVictim,
    QueryBudgetExceeded,
    Victim,
    load_victim,
)

__all__ = ["CallableVictim", "CountingVictim", "ModelVictim", "QueryBudgetExceeded", "Victim", "load_victim"]
