"""`AttackedText`: a text as words with character offsets, so that edits keep punctuation and spacing.

A text has one or two columns (a pair such as (question, passage)); each word knows its column and span.
Edits return a new AttackedText (immutable); each remembers which original words were modified and maps its
words back to the original ones, so constraints such as "no repeat modification" survive insertions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advkit.data import TextInput

WORD = re.compile(r"[\w]+(?:['’\-][\w]+)*", re.UNICODE)


@dataclass(frozen=True)
class AttackedText:
    columns: tuple[str, ...]
    spans: tuple[tuple[int, int, int], ...]  # per word: (column, start, end)
    frozen_columns: frozenset[int] = frozenset()
    origin: tuple[int | None, ...] = ()  # per word: its index in the original text, None if inserted
    modified: frozenset[int] = frozenset()  # original word indices changed so far
    last_modified: int | None = None  # current index of the word changed by the last edit
    inserted: int = 0  # words inserted so far
    attrs: dict[str, float] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_input(cls, text: TextInput, frozen_columns: frozenset[int] = frozenset()) -> AttackedText:
        columns = (text,) if isinstance(text, str) else tuple(text)
        spans = tuple((c, m.start(), m.end()) for c, col in enumerate(columns) for m in WORD.finditer(col))
        return cls(columns, spans, frozen_columns, tuple(range(len(spans))))

    # --- reading ----------------------------------------------------------------------------------------

    @property
    def input(self) -> TextInput:
        return self.columns[0] if len(self.columns) == 1 else (self.columns[0], self.columns[1])

    @property
    def words(self) -> list[str]:
        return [self.columns[c][s:e] for c, s, e in self.spans]

    def word(self, i: int) -> str:
        c, s, e = self.spans[i]
        return self.columns[c][s:e]

    def __len__(self) -> int:
        return len(self.spans)

    def modifiable(self, i: int) -> bool:
        return self.spans[i][0] not in self.frozen_columns

    def modifiable_indices(self) -> list[int]:
        return [i for i in range(len(self.spans)) if self.modifiable(i)]

    def window(self, i: int, size: int) -> list[str]:
        """Up to `size` words centred on word i (TextAttack's window around the changed word)."""
        words = self.words
        half = size // 2
        start = max(0, min(i - half, len(words) - size))
        return words[start : start + size]

    def current_index(self, original: int) -> int | None:
        try:
            return self.origin.index(original)
        except ValueError:
            return None

    def words_changed(self) -> int:
        return len(self.modified) + self.inserted

    # --- editing ---------------------------------------------------------------------------------------

    def replace_word(self, i: int, new: str) -> AttackedText:
        """Replace word i by `new` (which may contain spaces or punctuation, as character bugs do)."""
        if not new or new == self.word(i):
            raise ValueError("a replacement must differ from the word and be non-empty")
        column, start, end = self.spans[i]
        text = self.columns[column]
        columns = list(self.columns)
        columns[column] = text[:start] + new + text[end:]
        shift = len(new) - (end - start)
        spans = [
            (c, s + shift, e + shift)
            if c == column and s >= end
            else (c, s, e + shift)
            if j == i
            else (c, s, e)
            for j, (c, s, e) in enumerate(self.spans)
        ]
        original = self.origin[i]
        modified = self.modified | {original} if original is not None else self.modified
        return AttackedText(
            tuple(columns), tuple(spans), self.frozen_columns, self.origin, modified, i, self.inserted
        )

    def insert_before(self, i: int, new: str) -> AttackedText:
        """Insert the word `new` (and a space) before word i."""
        column, start, _ = self.spans[i]
        text = self.columns[column]
        columns = list(self.columns)
        columns[column] = text[:start] + new + " " + text[start:]
        shift = len(new) + 1
        spans = [
            (c, s + shift, e + shift) if c == column and s >= start else (c, s, e) for c, s, e in self.spans
        ]
        spans.insert(i, (column, start, start + len(new)))
        origin = self.origin[:i] + (None,) + self.origin[i:]
        return AttackedText(
            tuple(columns), tuple(spans), self.frozen_columns, origin, self.modified, i, self.inserted + 1
        )

    def delete_word(self, i: int) -> AttackedText:
        """The text without word i (and one adjacent space), for leave-one-out word importance."""
        column, start, end = self.spans[i]
        text = self.columns[column]
        if end < len(text) and text[end] == " ":
            end += 1
        elif start > 0 and text[start - 1] == " ":
            start -= 1
        columns = list(self.columns)
        columns[column] = text[:start] + text[end:]
        shift = end - start
        spans = [
            (c, s - shift, e - shift) if c == column and s >= end else (c, s, e) for c, s, e in self.spans
        ]
        del spans[i]
        origin = self.origin[:i] + self.origin[i + 1 :]
        return AttackedText(
            tuple(columns), tuple(spans), self.frozen_columns, origin, self.modified, None, self.inserted
        )

    def with_attrs(self, **attrs: float) -> AttackedText:
        self.attrs.update(attrs)
        return self

    def changed_indices(self, original: AttackedText) -> list[int]:
        """Current indices of words that differ from the original (inserted words included)."""
        old = original.words
        return [
            j
            for j, (o, w) in enumerate(zip(self.origin, self.words, strict=True))
            if o is None or old[o] != w
        ]
