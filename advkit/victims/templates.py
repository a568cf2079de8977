"""MVP's prompt templates and answer words, per task, as the reference code of Raman et al. (2023) has them.

A template beginning with `[SEP]` goes after the input; any other goes right after [CLS]. `[MASK]` marks
where the label is read. Users give their own as JSON or YAML: {"templates": [...], "answer_words": [[...], ...]}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from advkit.errors import AdvkitError

MASK = "[MASK]"
SEP = "[SEP]"


@dataclass(frozen=True)
class PromptSet:
    templates: tuple[str, ...]
    answer_words: tuple[tuple[str, ...], ...]  # one tuple of words per class, in label order


# Templates and answer words: MVP paper, Appendix (Table of templates) and its released code (acmi-lab/mvp).
TASK_PROMPTS: dict[str, PromptSet] = {
    "sentiment": PromptSet(
        (
            "Sentiment of the statement is [MASK] .",
            "[SEP] [MASK]",
            "This is a [MASK] statement",
            "[SEP] The statement is [MASK]",
        ),
        (("negative",), ("positive",)),
    ),
    "ag_news": PromptSet(
        (
            "A [MASK] news :",
            "[SEP] This topic is about [MASK]",
            "Category : [MASK] :",
            "[SEP] The category of this news is [MASK]",
        ),
        (("politics",), ("sports",), ("business",), ("technology",)),
    ),
    "boolq": PromptSet(
        ("Answer to the question is [MASK]", "[SEP] [MASK]", "I think [MASK]", "[SEP] The answer is [MASK]"),
        (("false",), ("true",)),
    ),
}


@dataclass(frozen=True)
class Template:
    """A parsed template: the words before and after the mask, and whether it follows the input."""

    text: str
    after_input: bool
    before_mask: str
    after_mask: str

    @classmethod
    def parse(cls, text: str) -> Template:
        body = text.strip()
        after_input = body.startswith(SEP)
        if after_input:
            body = body[len(SEP) :].strip()
        if body.count(MASK) != 1:
            raise AdvkitError(f"template {text!r} must contain exactly one {MASK}")
        before, after = body.split(MASK)
        return cls(text, after_input, before.strip(), after.strip())


def prompts_for(task: str | None) -> PromptSet:
    if task not in TASK_PROMPTS:
        raise AdvkitError(
            f"no built-in MVP templates for task {task!r}; pass --task ({', '.join(TASK_PROMPTS)}) "
            "or --templates FILE with your own templates and answer words"
        )
    return TASK_PROMPTS[task]


def load_prompts(path: str | Path) -> PromptSet:
    """Templates and answer words from a JSON or YAML file."""
    path = Path(path)
    if not path.is_file():
        raise AdvkitError(f"templates file {path} does not exist")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix in (".yaml", ".yml"):
            import yaml

            raw = yaml.safe_load(text)
        else:
            raw = json.loads(text)
    except Exception as e:  # both parsers' errors mean a malformed file
        raise AdvkitError(f"{path}: not valid {path.suffix.lstrip('.').upper() or 'JSON'} ({e})") from e
    if not isinstance(raw, dict) or "templates" not in raw or "answer_words" not in raw:
        raise AdvkitError(
            f"{path}: expected keys 'templates' (list) and 'answer_words' (a list of words per class)"
        )
    templates = tuple(str(t) for t in raw["templates"])
    words = tuple(tuple([w] if isinstance(w, str) else [str(x) for x in w]) for w in raw["answer_words"])
    if not templates or any(not w for w in words) or len(words) < 2:
        raise AdvkitError(
            f"{path}: need at least one template and at least one answer word for each of ≥ 2 classes"
        )
    for t in templates:
        Template.parse(t)
    return PromptSet(templates, words)
