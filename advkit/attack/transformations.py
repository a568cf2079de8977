"""Transformations: for a batch of (text, word index) requests, the candidate texts for each.

Batched so that a masked LM runs once for every example of an engine step. Write your own by implementing
`candidates(texts, indices, seeds) -> list[list[AttackedText]]`.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from advkit.attack.text import AttackedText
from advkit.errors import AdvkitError


class Transformation(Protocol):
    def candidates(
        self, texts: Sequence[AttackedText], indices: Sequence[int], seeds: Sequence[int]
    ) -> list[list[AttackedText]]: ...


def match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _rng(seed: int, text: AttackedText, index: int) -> random.Random:
    """A generator that depends only on the seed, the text and the position: results never depend on batching."""
    key = "\x00".join([str(seed), str(index), *text.columns]).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "little"))


def _replacements(text: AttackedText, index: int, words: Sequence[str]) -> list[AttackedText]:
    original = text.word(index)
    out, seen = [], {original}
    for w in words:
        w = match_case(original, w)
        if w and w not in seen:
            seen.add(w)
            out.append(text.replace_word(index, w))
    return out


@dataclass
class WordSwapEmbedding:
    """The nearest neighbours of the word in the (counter-fitted) synonym space (TextFooler, TextBugger)."""

    space: Any
    max_candidates: int = 50
    min_cos: float = -1.0

    def candidates(
        self, texts: Sequence[AttackedText], indices: Sequence[int], seeds: Sequence[int]
    ) -> list[list[AttackedText]]:
        out = []
        for text, i in zip(texts, indices, strict=True):
            words = [
                w for w, _ in self.space.neighbours(text.word(i).lower(), self.max_candidates, self.min_cos)
            ]
            out.append(_replacements(text, i, words))
        return out


# Visually similar characters (TextBugger, Li et al. 2019, Section 3.2 "Sub-C": o → 0, l → 1, a → @).
HOMOGLYPHS = {"o": "0", "l": "1", "a": "@", "i": "1", "e": "3", "s": "$"}


@dataclass
class CharacterBugs:
    """TextBugger's character bugs (Li et al., NDSS 2019, Section 3.2): insert a space, delete a character,
    swap two adjacent characters (never the first or last character), substitute a visually similar one.
    Random positions come from a generator seeded by (seed, text, index)."""

    bugs: tuple[str, ...] = ("insert", "delete", "swap", "substitute")

    def bugs_for(self, word: str, rng: random.Random) -> list[str]:
        out = []
        if len(word) >= 3 and "insert" in self.bugs:
            k = rng.randrange(1, len(word) - 1)
            out.append(word[:k] + " " + word[k:])
        if len(word) >= 3 and "delete" in self.bugs:
            k = rng.randrange(1, len(word) - 1)
            out.append(word[:k] + word[k + 1 :])
        if len(word) >= 4 and "swap" in self.bugs:
            k = rng.randrange(1, len(word) - 2)
            out.append(word[:k] + word[k + 1] + word[k] + word[k + 2 :])
        if "substitute" in self.bugs:
            spots = [k for k, ch in enumerate(word) if ch.lower() in HOMOGLYPHS]
            if spots:
                k = rng.choice(spots)
                out.append(word[:k] + HOMOGLYPHS[word[k].lower()] + word[k + 1 :])
        return out

    def candidates(
        self, texts: Sequence[AttackedText], indices: Sequence[int], seeds: Sequence[int]
    ) -> list[list[AttackedText]]:
        return [
            _replacements(text, i, self.bugs_for(text.word(i), _rng(seed, text, i)))
            for text, i, seed in zip(texts, indices, seeds, strict=True)
        ]


@dataclass
class CompositeTransformation:
    """The union of several transformations' candidates, in order, without duplicates."""

    parts: list[Any]

    def candidates(
        self, texts: Sequence[AttackedText], indices: Sequence[int], seeds: Sequence[int]
    ) -> list[list[AttackedText]]:
        results = [part.candidates(texts, indices, seeds) for part in self.parts]
        out = []
        for per_text in zip(*results, strict=True):
            seen, merged = set(), []
            for cand in itertools.chain.from_iterable(per_text):
                if cand.columns not in seen:
                    seen.add(cand.columns)
                    merged.append(cand)
            out.append(merged)
        return out


@dataclass
class MaskedLM:
    """A masked LM loaded once and shared by the MLM transformations."""

    name: str = "bert-base-uncased"
    batch_size: int = 64
    device: str | None = None
    _loaded: tuple[Any, Any] | None = field(default=None, repr=False)

    def load(self) -> tuple[Any, Any]:
        if self._loaded is None:
            import torch
            from transformers import AutoModelForMaskedLM, AutoTokenizer

            from advkit.victims.backbone import resolve

            try:
                tokenizer = AutoTokenizer.from_pretrained(resolve(self.name))
                model = AutoModelForMaskedLM.from_pretrained(resolve(self.name))
            except OSError as e:
                raise AdvkitError(
                    f"cannot load the attack's masked LM {self.name!r} (--mlm): {str(e).splitlines()[0]}"
                ) from e
            device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
            self._loaded = (model.to(device).eval(), tokenizer)
        return self._loaded

    def logits(self, sentences: list[str]) -> tuple[list[Any], Any]:
        """Per sentence: (encoding, log-probabilities [L, V]); batched, dynamically padded, in order."""
        import torch

        model, tokenizer = self.load()
        encodings, outputs = [], []
        for start in range(0, len(sentences), self.batch_size):
            chunk = sentences[start : start + self.batch_size]
            enc = tokenizer(
                chunk,
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=256,
                return_offsets_mapping=True,
            )
            offsets = enc.pop("offset_mapping")
            with torch.inference_mode():
                logp = torch.log_softmax(
                    model(**{k: v.to(model.device) for k, v in enc.items()}).logits.float(), -1
                ).cpu()
            for row in range(len(chunk)):
                encodings.append((enc["input_ids"][row], offsets[row], enc["attention_mask"][row]))
                outputs.append(logp[row])
        return encodings, outputs


def _is_word_piece(token: str) -> bool:
    return token.startswith("##") or not token.replace("Ġ", "").replace("▁", "").isalpha()


@dataclass
class WordSwapMaskedLM:
    """Masked-LM proposals for a word.

    method "bae" (Garg & Ramakrishnan, EMNLP 2020): replace the word by [MASK], take the top-K whole-word
    predictions. method "bert-attack" (Li et al., EMNLP 2020): feed the unmasked text once; a one-piece
    word takes the top-K predictions at its position; a word of n sub-word pieces takes combinations of the
    top `combination_k` pieces per position (combination_k^n texts), ranked by their MLM log-probability
    (the paper's perplexity ranking), best K kept. Cost: one MLM forward per example (bert-attack, cached)
    or per requested word (bae), plus K victim queries per word.
    """

    mlm: MaskedLM
    method: str = "bae"
    max_candidates: int = 50
    combination_k: int = 4
    insert: bool = False  # BAE-I: insert a [MASK] before the word instead of replacing it
    _cache: dict[tuple[str, ...], tuple[Any, Any]] = field(default_factory=dict, repr=False)

    def candidates(
        self, texts: Sequence[AttackedText], indices: Sequence[int], seeds: Sequence[int]
    ) -> list[list[AttackedText]]:
        if self.method == "bae":
            return self._masked(texts, indices)
        if self.method == "bert-attack":
            return self._unmasked(texts, indices)
        raise AdvkitError(f"unknown masked-LM method {self.method!r}; use bae or bert-attack")

    def _sentence(self, text: AttackedText, index: int, placeholder: str | None) -> tuple[str, int]:
        """The text as one string (pairs joined by the separator), with word `index` replaced by (or, when
        inserting, preceded by) `placeholder`; and the character offset of the word in that string."""
        _, tokenizer = self.mlm.load()
        column, start, end = text.spans[index]
        columns = list(text.columns)
        if placeholder is not None:
            col = columns[column]
            columns[column] = col[:start] + placeholder + (" " + col[start:] if self.insert else col[end:])
        sep = f" {tokenizer.sep_token} " if tokenizer.sep_token else " "
        offset = sum(len(c) + len(sep) for c in columns[:column]) + start
        return sep.join(columns), offset

    def _masked(self, texts: Sequence[AttackedText], indices: Sequence[int]) -> list[list[AttackedText]]:
        _, tokenizer = self.mlm.load()
        sentences = [
            self._sentence(t, i, tokenizer.mask_token)[0] for t, i in zip(texts, indices, strict=True)
        ]
        encodings, logps = self.mlm.logits(sentences)
        out: list[list[AttackedText]] = []
        for text, i, (ids, _, _), logp in zip(texts, indices, encodings, logps, strict=True):
            where = (ids == tokenizer.mask_token_id).nonzero()
            if len(where) == 0:  # truncated away
                out.append([])
                continue
            top = logp[int(where[0])].topk(self.max_candidates * 2).indices.tolist()
            words = [tokenizer.convert_ids_to_tokens(t) for t in top]
            words = [w.replace("Ġ", "").replace("▁", "") for w in words if not _is_word_piece(w)][
                : self.max_candidates
            ]
            if self.insert:
                original = text.word(i).lower()
                out.append([text.insert_before(i, w) for w in dict.fromkeys(words) if w.lower() != original])
            else:
                out.append(_replacements(text, i, words))
        return out

    def _unmasked(self, texts: Sequence[AttackedText], indices: Sequence[int]) -> list[list[AttackedText]]:
        _, tokenizer = self.mlm.load()
        todo = list(dict.fromkeys(t.columns for t in texts if t.columns not in self._cache))
        if todo:
            by_columns = {t.columns: t for t in texts}
            encodings, logps = self.mlm.logits([self._sentence(by_columns[c], 0, None)[0] for c in todo])
            for c, enc, logp in zip(todo, encodings, logps, strict=True):
                self._cache[c] = (enc, logp)
            if len(self._cache) > 10_000:
                self._cache = {c: self._cache[c] for c in todo}
        out: list[list[AttackedText]] = []
        for text, i in zip(texts, indices, strict=True):
            (ids, offsets, mask), logp = self._cache[text.columns]
            _, char = self._sentence(text, i, None)
            length = len(text.word(i))
            pieces = [
                p
                for p in range(len(ids))
                if mask[p]
                and offsets[p][1] > offsets[p][0]
                and offsets[p][0] >= char
                and offsets[p][1] <= char + length
            ]
            if not pieces:
                out.append([])
                continue
            if len(pieces) == 1:
                top = logp[pieces[0]].topk(self.max_candidates * 2).indices.tolist()
                words = [tokenizer.convert_ids_to_tokens(t) for t in top]
                words = [w.replace("Ġ", "").replace("▁", "") for w in words if not _is_word_piece(w)]
            else:
                tops = [logp[p].topk(self.combination_k) for p in pieces]
                combos = []
                for choice in itertools.product(range(self.combination_k), repeat=len(pieces)):
                    score = sum(float(tops[n].values[c]) for n, c in enumerate(choice))
                    token_ids = [int(tops[n].indices[c]) for n, c in enumerate(choice)]
                    combos.append((score, tokenizer.decode(token_ids).replace(" ", "")))
                combos.sort(key=lambda sc: -sc[0])
                words = [w for _, w in combos if w.isalpha()]
            out.append(_replacements(text, i, words[: self.max_candidates]))
        return out
