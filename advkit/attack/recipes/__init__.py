"""Published attacks, one readable file each; every constant cites its source."""

from typing import Any

from advkit.attack.attack import Attack
from advkit.attack.recipes.bae import bae
from advkit.attack.recipes.bert_attack import bert_attack
from advkit.attack.recipes.textbugger import textbugger
from advkit.attack.recipes.textfooler import textfooler

RECIPES = {"textfooler": textfooler, "textbugger": textbugger, "bert-attack": bert_attack, "bae": bae}
MLM_RECIPES = ("bert-attack", "bae")

__all__ = ["MLM_RECIPES", "RECIPES", "bae", "bert_attack", "build_recipe", "textbugger", "textfooler"]


def build_recipe(
    name: str,
    victim: Any,
    task: str | None = None,
    query_budget: int | None = None,
    max_perturb: float | None = None,
    mlm: str = "bert-base-uncased",
    encoder: str = "minilm",
    space_dir: str | None = None,
    bae_variant: str = "R",
    word_only: bool = False,
    seed: int = 0,
) -> Attack:
    """A recipe by name with the command line's options. BoolQ's question stays frozen, as in the MVP paper."""
    from advkit.attack.constraints import sentence_encoder
    from advkit.errors import AdvkitError

    if name not in RECIPES:
        raise AdvkitError(f"unknown recipe {name!r}; use one of {', '.join(RECIPES)}")
    frozen: frozenset[int] = frozenset({0}) if task == "boolq" else frozenset()
    sentence = sentence_encoder(encoder)
    if name in MLM_RECIPES:
        if name == "bae":
            return bae(
                victim,
                mlm,
                bae_variant,
                sentence,
                max_perturb=max_perturb,
                query_budget=query_budget,
                frozen_columns=frozen,
                seed=seed,
            )
        return bert_attack(
            victim,
            mlm,
            sentence,
            max_perturb=max_perturb,
            query_budget=query_budget,
            frozen_columns=frozen,
            seed=seed,
        )
    from advkit.embeddings import SynonymSpace

    space = SynonymSpace.load(space_dir) if space_dir else None
    if name == "textbugger":
        return textbugger(
            victim,
            space,
            sentence,
            word_only=word_only,
            max_perturb=max_perturb,
            query_budget=query_budget,
            frozen_columns=frozen,
            seed=seed,
        )
    return textfooler(
        victim,
        space,
        sentence,
        max_perturb=max_perturb,
        query_budget=query_budget,
        frozen_columns=frozen,
        seed=seed,
    )
