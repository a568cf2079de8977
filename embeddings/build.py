"""Build, cache and load synonym spaces; the attacks use `default_space()` without the user building it."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from advkit.embeddings.counterfit import (
    ANTONYM_FILES,
    SYNONYM_FILES,
    CounterFitConfig,
    lexical_file,
    read_pairs,
)
from advkit.embeddings.counterfit import (
    counter_fit as counter_fit_vectors,
)
from advkit.embeddings.space import SynonymSpace
from advkit.embeddings.vectors import TEXTFOOLER_VOCAB, load_vectors

DEFAULT_VECTORS = "glove-6b-50d"
DEFAULT_K = 50  # TextFooler keeps 50 synonym candidates (Jin et al., 2020, Section 3)


def build_space(
    vectors: str = DEFAULT_VECTORS,
    counter_fit: bool = True,
    vocab_size: int = TEXTFOOLER_VOCAB,
    k: int = DEFAULT_K,
    constraints: str | Path | None = None,
    index_kind: str = "auto",
    progress: bool = False,
) -> tuple[SynonymSpace, dict[str, Any]]:
    """(space, timings): load vectors, counter-fit them if asked, precompute the neighbour table."""
    timings: dict[str, Any] = {}
    began = time.perf_counter()
    words = load_vectors(vectors, vocab_size)
    timings["load_seconds"] = round(time.perf_counter() - began, 2)
    manifest: dict[str, Any] = {"vectors": vectors, "counter_fitted": counter_fit}
    antonyms = None
    if counter_fit:
        began = time.perf_counter()
        config = CounterFitConfig()
        synonyms = read_pairs([lexical_file(n, constraints) for n in SYNONYM_FILES], words.index)
        antonyms = read_pairs([lexical_file(n, constraints) for n in ANTONYM_FILES], words.index)
        words = counter_fit_vectors(words, synonyms, antonyms, config)
        timings["counter_fit_seconds"] = round(time.perf_counter() - began, 2)
        manifest["counter_fit"] = asdict(config)
        # Counter-fitting leaves a few antonyms close (0.4% of pairs in a top-10 with GloVe-50d, e.g. months,
        # weekdays); a known antonym is never a valid substitute, so the table leaves them out.
        manifest["excluded_antonym_pairs"] = len(antonyms)
    began = time.perf_counter()
    space = SynonymSpace.build(words, k, index_kind, manifest, exclude=antonyms, progress=progress)
    timings["table_seconds"] = round(time.perf_counter() - began, 2)
    return space, timings


def default_space_dir(
    vectors: str = DEFAULT_VECTORS, vocab_size: int = TEXTFOOLER_VOCAB, k: int = DEFAULT_K
) -> Path:
    from advkit import assets

    return assets.home() / "embeddings" / f"{Path(vectors).stem}-cf-{vocab_size}-k{k}"


def default_space(progress: bool = True) -> SynonymSpace:
    """The counter-fitted GloVe space the recipes use; built and cached on first use (about a minute)."""
    folder = default_space_dir()
    if not (folder / "manifest.json").is_file():
        space, _ = build_space(progress=progress)
        space.save(folder)
    return SynonymSpace.load(folder)


def antonym_pairs(space: SynonymSpace, constraints: str | Path | None = None) -> Any:
    return read_pairs([lexical_file(n, constraints) for n in ANTONYM_FILES], space.index)
