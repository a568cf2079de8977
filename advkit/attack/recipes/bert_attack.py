"""BERT-Attack (Li, Ma, Guo, Xue, Qiu, EMNLP 2020), as TextAttack's recipe has it."""

from __future__ import annotations

from typing import Any

from advkit.attack.attack import Attack
from advkit.attack.constraints import (
    MaxWordsPerturbed,
    RepeatModification,
    SentenceSimilarity,
    StopwordModification,
    sentence_encoder,
)
from advkit.attack.transformations import MaskedLM, WordSwapMaskedLM

MAX_CANDIDATES = 48  # Li et al. 2020, Section 4 (K = 48); each is one victim query per word
MAX_PERTURBED = 0.4  # Li et al. 2020, Section 4: at most 40% of the words
USE_THRESHOLD = 0.2  # Li et al. 2020 / TextAttack: cosine of whole texts against the original


def bert_attack(
    victim: Any,
    mlm: str | MaskedLM = "bert-base-uncased",
    encoder: Any = None,
    max_candidates: int = MAX_CANDIDATES,
    max_perturb: float | None = None,
    query_budget: int | None = None,
    frozen_columns: frozenset[int] = frozenset(),
    seed: int = 0,
) -> Attack:
    model = mlm if isinstance(mlm, MaskedLM) else MaskedLM(mlm)
    constraints: list[Any] = [
        RepeatModification(),
        StopwordModification(),
        MaxWordsPerturbed(max_percent=max_perturb if max_perturb is not None else MAX_PERTURBED),
        SentenceSimilarity(
            encoder if encoder is not None else sentence_encoder(),
            threshold=USE_THRESHOLD,
            metric="cosine",
            window_size=None,
            compare_against_original=True,
        ),
    ]
    return Attack(
        victim,
        WordSwapMaskedLM(model, "bert-attack", max_candidates),
        constraints,
        wir="unk",
        query_budget=query_budget,
        frozen_columns=frozen_columns,
        seed=seed,
        name="bert-attack",
    )
