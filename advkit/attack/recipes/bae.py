"""BAE (Garg & Ramakrishnan, "BAE: BERT-based Adversarial Examples", EMNLP 2020), as TextAttack's recipe has it."""

from __future__ import annotations

from typing import Any

from advkit.attack.attack import Attack
from advkit.attack.constraints import (
    MaxWordsPerturbed,
    PartOfSpeech,
    RepeatModification,
    SentenceSimilarity,
    StopwordModification,
    sentence_encoder,
)
from advkit.attack.transformations import CompositeTransformation, MaskedLM, WordSwapMaskedLM

MAX_CANDIDATES = 50  # Garg & Ramakrishnan 2020, Section 3 (top K = 50 tokens)
USE_THRESHOLD = 0.936338023  # TextAttack's recipe: cosine over a window of 15 words, against the original
USE_WINDOW = 15  # Garg & Ramakrishnan 2020, Section 3
VARIANTS = ("R", "I", "R/I")


def bae(
    victim: Any,
    mlm: str | MaskedLM = "bert-base-uncased",
    variant: str = "R",
    encoder: Any = None,
    max_perturb: float | None = None,
    query_budget: int | None = None,
    frozen_columns: frozenset[int] = frozenset(),
    seed: int = 0,
) -> Attack:
    """BAE-R replaces a word with the MLM's proposals for its mask; BAE-I inserts a proposal before it;
    BAE-R/I offers both at each position."""
    from advkit.errors import AdvkitError

    if variant not in VARIANTS:
        raise AdvkitError(f"unknown BAE variant {variant!r}; use one of {', '.join(VARIANTS)}")
    model = mlm if isinstance(mlm, MaskedLM) else MaskedLM(mlm)
    replace = WordSwapMaskedLM(model, "bae", MAX_CANDIDATES)
    insert = WordSwapMaskedLM(model, "bae", MAX_CANDIDATES, insert=True)
    transformation: Any = {"R": replace, "I": insert, "R/I": CompositeTransformation([replace, insert])}[
        variant
    ]
    constraints: list[Any] = [RepeatModification(), StopwordModification()]
    if max_perturb is not None:
        constraints.append(MaxWordsPerturbed(max_percent=max_perturb))
    constraints += [
        PartOfSpeech(allow_verb_noun_swap=True),
        SentenceSimilarity(
            encoder if encoder is not None else sentence_encoder(),
            threshold=USE_THRESHOLD,
            metric="cosine",
            window_size=USE_WINDOW,
            compare_against_original=True,
        ),
    ]
    return Attack(
        victim,
        transformation,
        constraints,
        wir="delete",
        query_budget=query_budget,
        frozen_columns=frozen_columns,
        seed=seed,
        name=f"bae-{variant.lower().replace('/', '')}",
    )
