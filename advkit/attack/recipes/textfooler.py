"""TextFooler (Jin, Jin, Zhou, Szolovits, "Is BERT Really Robust?", AAAI 2020), as TextAttack's recipe has it."""

from __future__ import annotations

from typing import Any

from advkit.attack.attack import Attack
from advkit.attack.constraints import (
    MaxWordsPerturbed,
    PartOfSpeech,
    RepeatModification,
    SentenceSimilarity,
    StopwordModification,
    WordEmbeddingDistance,
    sentence_encoder,
)
from advkit.attack.transformations import WordSwapEmbedding

MAX_CANDIDATES = 50  # Jin et al. 2020, Section 3 (N = 50 synonyms)
MIN_WORD_COS = 0.5  # Jin et al. 2020, Section 3 (δ = 0.5)
USE_THRESHOLD = 0.840845057  # the released code and TextAttack's recipe: angular similarity, window 15
USE_WINDOW = 15  # Jin et al. 2020, released code (half window 7 either side)


def textfooler(
    victim: Any,
    space: Any = None,
    encoder: Any = None,
    max_perturb: float | None = None,
    query_budget: int | None = None,
    frozen_columns: frozenset[int] = frozenset(),
    seed: int = 0,
) -> Attack:
    """`max_perturb`: the largest share of words changed (the MVP paper: 0.1 for SST-2, BoolQ and IMDB; 0.3 for
    AG News). `space` defaults to the counter-fitted synonym space; `encoder` to MiniLM (USE thresholds)."""
    from advkit.embeddings import default_space

    space = space if space is not None else default_space()
    # Stopwords: NLTK's English list; TextFooler's code ships its own list of about 240 words.
    constraints: list[Any] = [RepeatModification(), StopwordModification()]
    if max_perturb is not None:
        constraints.append(MaxWordsPerturbed(max_percent=max_perturb))
    constraints += [
        WordEmbeddingDistance(space, min_cos=MIN_WORD_COS),
        PartOfSpeech(allow_verb_noun_swap=True),  # TextAttack's recipe allows NOUN <-> VERB
        SentenceSimilarity(
            encoder if encoder is not None else sentence_encoder(),
            threshold=USE_THRESHOLD,
            metric="angular",
            window_size=USE_WINDOW,
            skip_text_shorter_than_window=True,
            compare_against_original=False,
        ),
    ]
    return Attack(
        victim,
        WordSwapEmbedding(space, MAX_CANDIDATES),
        constraints,
        wir="delete",
        query_budget=query_budget,
        frozen_columns=frozen_columns,
        seed=seed,
        name="textfooler",
    )
