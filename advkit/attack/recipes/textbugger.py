"""TextBugger, black-box (Li, Ji, Du, Li, Wang, "TextBugger", NDSS 2019), as TextAttack's recipe has it."""

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
from advkit.attack.transformations import CharacterBugs, CompositeTransformation, WordSwapEmbedding

EMBEDDING_NEIGHBOURS = 5  # Li et al. 2019, Section 3.2 "Sub-W": the top-5 nearest neighbours
USE_THRESHOLD = 0.8  # Li et al. 2019, Section 4 (semantic similarity ε = 0.8); TextAttack: cosine, whole text


def textbugger(
    victim: Any,
    space: Any = None,
    encoder: Any = None,
    word_only: bool = False,
    max_perturb: float | None = None,
    query_budget: int | None = None,
    frozen_columns: frozenset[int] = frozenset(),
    seed: int = 0,
) -> Attack:
    """The five bugs (insert space, delete, swap adjacent, visually similar characters, top-5 embedding
    neighbours), best bug per word by the victim's score; `word_only` keeps only the embedding swap."""
    from advkit.embeddings import default_space

    space = space if space is not None else default_space()
    words = WordSwapEmbedding(space, EMBEDDING_NEIGHBOURS)
    transformation: Any = words if word_only else CompositeTransformation([CharacterBugs(), words])
    constraints: list[Any] = [RepeatModification(), StopwordModification()]
    if max_perturb is not None:
        constraints.append(MaxWordsPerturbed(max_percent=max_perturb))
    constraints.append(
        SentenceSimilarity(
            encoder if encoder is not None else sentence_encoder(),
            threshold=USE_THRESHOLD,
            metric="cosine",
            window_size=None,
        )
    )
    return Attack(
        victim,
        transformation,
        constraints,
        wir="delete",
        query_budget=query_budget,
        frozen_columns=frozen_columns,
        seed=seed,
        name="textbugger-word" if word_only else "textbugger",
    )
