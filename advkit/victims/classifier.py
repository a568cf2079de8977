"""The two ways to adapt a pretrained LM to classification, as one `nn.Module`.

- **MLP-FT** (`mlp-ft`, and `lpft` which only trains differently): a randomly initialised head on [CLS]
  (on the last token for causal LMs).
- **MVP** (`mvp`): each input is wrapped in prompt templates and the class scores are the LM head's logits
  for the answer words at the mask: max over a class's words, then mean over templates (Raman et al., 2023).
- The paper's ablations (Section 6): `projectcls` reads the answer words through the pretrained LM head at
  [CLS] without a template; `clsprompt` adds the templates but reads at [CLS].

The module owns its encoding: `featurize` turns one input into one token sequence per template ("view"),
`collate` pads a list of them dynamically, `forward` returns class scores per view, `pool` combines views.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from advkit.data import TextInput
from advkit.errors import AdvkitError
from advkit.victims import backbone as bb
from advkit.victims.templates import PromptSet, Template, prompts_for

METHODS = ("mvp", "mlp-ft", "projectcls", "clsprompt", "lpft")
PROMPT_METHODS = ("mvp", "projectcls", "clsprompt")  # read the label through the LM head
TEMPLATE_METHODS = ("mvp", "clsprompt")


@dataclass
class ClassifierConfig:
    method: str
    backbone: str
    kind: str  # masked | causal
    labels: list[str]
    templates: list[str] = field(default_factory=list)
    answer_words: list[list[str]] = field(default_factory=list)
    max_length: int = 256
    lowercase: bool = True  # the MVP paper lower-cases text
    word_pool: str = "max"  # over a class's answer words (paper: max)
    template_pool: str = "mean"  # over templates (paper: mean)
    head_pretrained: bool = True


@dataclass
class View:
    """One token sequence and the position whose hidden state gives the class scores."""

    input_ids: list[int]
    readout: int


class ClassificationHead(nn.Module):
    """dropout → dense → tanh → dropout → linear, as Hugging Face's RobertaClassificationHead."""

    def __init__(self, hidden: int, num_labels: int, dropout: float):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.dense = nn.Linear(hidden, hidden)
        self.out_proj = nn.Linear(hidden, num_labels)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.out_proj(self.dropout(torch.tanh(self.dense(self.dropout(h)))))


class TextClassifier(nn.Module):
    def __init__(self, config: ClassifierConfig, model: Any, tokenizer: Any):
        super().__init__()
        if config.method not in METHODS:
            raise AdvkitError(f"unknown method {config.method!r}; use one of {', '.join(METHODS)}")
        if config.method == "clsprompt" and config.kind == "causal":
            raise AdvkitError(
                "clsprompt reads the LM head at [CLS], which a causal LM does not have; use mvp"
            )
        self.config = config
        self.model = model
        self.tokenizer = tokenizer
        self.uses_lm_head = config.method in PROMPT_METHODS
        if self.uses_lm_head:
            self.body, self.lm_head = bb.split_lm(model)
            self.answer_ids = self._answer_ids()
            self.head = None
        else:
            self.body, self.lm_head = model, None
            hidden = model.config.hidden_size
            dropout = getattr(model.config, "hidden_dropout_prob", None) or 0.1
            self.head = ClassificationHead(hidden, len(config.labels), dropout)
        self.templates = (
            [Template.parse(t) for t in config.templates] if config.method in TEMPLATE_METHODS else []
        )
        self._template_ids = [(self._piece(t.before_mask), self._piece(t.after_mask)) for t in self.templates]
        self._bos = bb.causal_adds_bos(tokenizer) if config.kind == "causal" else False
        if self.uses_lm_head and not config.head_pretrained:
            warnings.warn(
                f"{config.backbone}: the LM head is NOT pretrained (randomly initialised); MVP reads labels "
                "through it, so results are meaningless until you run `advkit pretrain-mlm` on this backbone",
                stacklevel=2,
            )

    # --- construction and persistence ---------------------------------------------------------------------

    @classmethod
    def from_backbone(
        cls,
        method: str,
        backbone: str,
        labels: list[str],
        task: str | None = None,
        prompts: PromptSet | None = None,
        **options: Any,
    ) -> TextClassifier:
        """Adapt the pretrained LM `backbone` (HF id, local folder, or an offline asset) with `method`."""
        model, head_pretrained = bb.load_model(backbone, with_lm_head=method in PROMPT_METHODS)
        return cls.build(
            method,
            model,
            bb.load_tokenizer(backbone),
            labels,
            backbone,
            bb.lm_kind(model.config),
            task,
            prompts,
            head_pretrained=head_pretrained,
            **options,
        )

    @classmethod
    def build(
        cls,
        method: str,
        model: Any,
        tokenizer: Any,
        labels: list[str],
        backbone: str = "custom",
        kind: str | None = None,
        task: str | None = None,
        prompts: PromptSet | None = None,
        **options: Any,
    ) -> TextClassifier:
        """From an already built Hugging Face model (tests build tiny ones from configs)."""
        kind = kind or bb.lm_kind(model.config)
        if method in PROMPT_METHODS:
            prompts = prompts or prompts_for(task)
            if len(prompts.answer_words) != len(labels):
                raise AdvkitError(f"{len(prompts.answer_words)} answer-word classes for {len(labels)} labels")
            templates = list(prompts.templates) if method in TEMPLATE_METHODS else []
            words = [list(w) for w in prompts.answer_words]
        else:
            templates, words = [], []
            model = model.base_model  # MLP-FT keeps the body only; a given LM head would be dead weight
        config = ClassifierConfig(method, backbone, kind, list(labels), templates, words, **options)
        return cls(config, model, tokenizer)

    def save_pretrained(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(path / "backbone", safe_serialization=True)
        self.tokenizer.save_pretrained(path / "backbone")
        if self.head is not None:
            save_file(
                {k: v.contiguous() for k, v in self.head.state_dict().items()}, str(path / "head.safetensors")
            )
        (path / "advkit.json").write_text(json.dumps(asdict(self.config), indent=2) + "\n")

    @classmethod
    def from_pretrained(cls, path: str | Path) -> TextClassifier:
        from transformers import AutoModel, AutoModelForCausalLM, AutoModelForMaskedLM, AutoTokenizer

        path = bb.check_path(path)
        try:
            config = ClassifierConfig(**json.loads((path / "advkit.json").read_text()))
        except (TypeError, json.JSONDecodeError) as e:
            raise AdvkitError(f"{path / 'advkit.json'} is malformed ({e})") from e
        if config.method not in PROMPT_METHODS:
            auto: Any = AutoModel
        else:
            auto = AutoModelForMaskedLM if config.kind == "masked" else AutoModelForCausalLM
        model = auto.from_pretrained(path / "backbone")
        tokenizer = AutoTokenizer.from_pretrained(path / "backbone")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            classifier = cls(config, model, tokenizer)
        if classifier.head is not None:
            classifier.head.load_state_dict(load_file(str(path / "head.safetensors")))
        classifier.eval()
        return classifier

    # --- encoding -------------------------------------------------------------------------------------------

    @property
    def labels(self) -> list[str]:
        return self.config.labels

    @property
    def num_views(self) -> int:
        return max(len(self.templates), 1)

    @property
    def packs_views(self) -> bool:
        """Whether `collate(..., views_per_row=num_views)` packs an input's views into one row (causal LMs)."""
        return self.config.kind == "causal" and self.num_views > 1

    def _piece(self, text: str) -> list[int]:
        """Token ids of a template piece; a leading space so BPE tokenizers (RoBERTa, GPT-2) see a new word."""
        if not text:
            return []
        if self.config.lowercase:
            text = text.lower()
        return list(self.tokenizer(" " + text, add_special_tokens=False)["input_ids"])

    def _answer_ids(self) -> list[list[int]]:
        ids = []
        for words in self.config.answer_words:
            class_ids = []
            for word in words:
                pieces = self.tokenizer(" " + word, add_special_tokens=False)["input_ids"]
                if len(pieces) != 1:
                    raise AdvkitError(
                        f"answer word {word!r} is {len(pieces)} tokens for this tokenizer; choose one-token words"
                    )
                class_ids.append(pieces[0])
            ids.append(class_ids)
        return ids

    def _text_ids(self, texts: list[str], leading_space: bool) -> list[list[int]]:
        if self.config.lowercase:
            texts = [t.lower() for t in texts]
        if leading_space:
            texts = [" " + t for t in texts]
        if not texts:
            return []
        return [list(ids) for ids in self.tokenizer(texts, add_special_tokens=False)["input_ids"]]

    def featurize(self, inputs: list[TextInput], views: list[list[int]] | None = None) -> list[list[View]]:
        """For each input, one View per template index in `views[i]` (all templates when None)."""
        chosen = views or [list(range(self.num_views))] * len(inputs)
        firsts = [x if isinstance(x, str) else x[0] for x in inputs]
        seconds = [None if isinstance(x, str) else x[1] for x in inputs]
        masked = self.config.kind == "masked"
        ids_first = self._text_ids(firsts, leading_space=masked)
        pair_idx = [i for i, s in enumerate(seconds) if s is not None]
        ids_second = dict(
            zip(
                pair_idx,
                self._text_ids([seconds[i] or "" for i in pair_idx], leading_space=True),
                strict=False,
            )
        )
        out = []
        for i in range(len(inputs)):
            segments = [ids_first[i]] + ([ids_second[i]] if i in ids_second else [])
            out.append([self._view(segments, t) for t in chosen[i]])
        return out

    def _view(self, segments: list[list[int]], template_index: int) -> View:
        tok = self.tokenizer
        template = self.templates[template_index] if self.templates else None
        before, after = self._template_ids[template_index] if template else ([], [])
        mask = [tok.mask_token_id] if template and self.config.kind == "masked" else []
        if self.config.kind == "causal":
            # The template follows the input; the label is the next token after the words before the mask.
            fixed = int(self._bos) + len(before)
            segments = _truncate(segments, self.config.max_length - fixed, separators=len(segments) - 1)
            text = segments[0] + sum(([tok.eos_token_id] + s for s in segments[1:]), [])
            ids = ([tok.bos_token_id] if self._bos else []) + text + before
            return View(ids, len(ids) - 1)
        prompt = before + mask + after
        cls_id, sep_id = tok.cls_token_id, tok.sep_token_id
        after_input = template is not None and template.after_input
        fixed = 2 + len(prompt) + (1 if after_input else 0)
        segments = _truncate(segments, self.config.max_length - fixed, separators=len(segments) - 1)
        text = segments[0] + sum(([sep_id] + s for s in segments[1:]), [])
        if template is None:
            ids = [cls_id] + text + [sep_id]
        elif after_input:
            ids = [cls_id] + text + [sep_id] + prompt + [sep_id]
        else:
            ids = [cls_id] + prompt + text + [sep_id]
        readout = ids.index(tok.mask_token_id) if self.config.method == "mvp" else 0
        return View(ids, readout)

    def collate(
        self, views: list[View], device: torch.device | str = "cpu", views_per_row: int = 1
    ) -> dict[str, torch.Tensor]:
        """Right-pad to the longest sequence in this batch only (never to a fixed length).

        Causal LMs with `views_per_row > 1`: each run of that many consecutive views (one input's templates)
        becomes one packed row — their shared prefix once, then each view's own suffix — with an attention
        mask that lets a suffix see only the prefix and itself, and positions that continue the prefix. The
        scores equal those of the unpacked views; an MVP input costs its text once instead of once per template.
        """
        if self.packs_views and views_per_row > 1:
            return pack_views(views, views_per_row, self.tokenizer.pad_token_id, device)
        ids, attention = pad_views(views, self.tokenizer.pad_token_id, device)
        readout = torch.tensor([v.readout for v in views], dtype=torch.long)
        return {"input_ids": ids, "attention_mask": attention, "readout": readout.to(device)}

    # --- scoring --------------------------------------------------------------------------------------------

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        readout: torch.Tensor,
        inputs_embeds: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        readout_row: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Class scores [m, n_labels] for m views. Pass `inputs_embeds` to score perturbed embeddings.

        `readout_row` and `position_ids` come from packed batches (`collate(..., views_per_row=n)`): view k is
        read at row `readout_row[k]`, column `readout[k]`.
        """
        rows = (
            readout_row if readout_row is not None else torch.arange(readout.shape[0], device=readout.device)
        )
        kwargs: dict[str, Any] = {"attention_mask": attention_mask}
        kwargs.update(inputs_embeds=inputs_embeds) if inputs_embeds is not None else kwargs.update(
            input_ids=input_ids
        )
        if position_ids is not None:
            kwargs["position_ids"] = position_ids
        if attention_mask.dim() == 4 and torch.is_autocast_enabled(attention_mask.device.type):
            # an additive mask in the compute dtype keeps attention on its fast kernels under autocast
            kwargs["attention_mask"] = attention_mask.to(torch.get_autocast_dtype(attention_mask.device.type))
        if self.uses_lm_head and self.lm_head is None:  # a masked LM whose head we cannot split off
            vocab_logits = self.model(**kwargs).logits[rows, readout]
            return self._answer_scores(vocab_logits)
        hidden = self.body(**kwargs).last_hidden_state[rows, readout]
        if self.head is not None:
            return self.head(hidden)
        assert self.lm_head is not None
        return self._answer_scores(self.lm_head(hidden))

    def _answer_scores(self, vocab_logits: torch.Tensor) -> torch.Tensor:
        per_class = [vocab_logits[:, ids] for ids in self.answer_ids]
        if self.config.word_pool == "max":
            return torch.stack([s.max(dim=1).values for s in per_class], dim=1)
        return torch.stack([s.mean(dim=1) for s in per_class], dim=1)

    def pool(self, scores: torch.Tensor, n_inputs: int) -> torch.Tensor:
        """[n * views, C] → [n, C]: mean (or max) over an input's templates."""
        grouped = scores.view(n_inputs, -1, scores.shape[-1])
        return grouped.mean(dim=1) if self.config.template_pool == "mean" else grouped.max(dim=1).values

    def score(self, inputs: list[TextInput], views: list[list[int]] | None = None) -> torch.Tensor:
        """Class logits [n, C] for a small list of inputs in one forward pass (training and tests)."""
        featurized = self.featurize(inputs, views)
        flat = [v for per_input in featurized for v in per_input]
        device = next(self.parameters()).device
        per_row = len(featurized[0]) if len({len(f) for f in featurized}) == 1 else 1
        return self.pool(self(**self.collate(flat, device, views_per_row=per_row)), len(inputs))


def pad_views(
    views: list[View], pad_id: int, device: torch.device | str
) -> tuple[torch.Tensor, torch.Tensor]:
    """(input ids, attention mask), right-padded to the longest view of the batch."""
    width = max(len(v.input_ids) for v in views)
    ids = torch.full((len(views), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(views), width), dtype=torch.long)
    for row, v in enumerate(views):
        ids[row, : len(v.input_ids)] = torch.tensor(v.input_ids)
        attention[row, : len(v.input_ids)] = 1
    return ids.to(device), attention.to(device)


def pack_views(
    views: list[View], views_per_row: int, pad_id: int, device: torch.device | str
) -> dict[str, torch.Tensor]:
    """Causal views packed `views_per_row` to a row: the group's common prefix, then each view's suffix.

    The 4-D additive mask lets prefix tokens attend causally within the prefix and each suffix token attend
    the prefix and the earlier tokens of its own suffix; position ids restart after the prefix for every
    suffix, so each view is computed exactly as it would be alone.
    """
    if len(views) % views_per_row:
        raise ValueError(f"{len(views)} views do not split into rows of {views_per_row}")
    rows = []  # (token ids, position ids, segment of each token: -1 prefix / k suffix of view k, readouts)
    for start in range(0, len(views), views_per_row):
        group = views[start : start + views_per_row]
        shared = _common_prefix_length([v.input_ids for v in group])
        ids, positions, segment, readouts = (
            list(group[0].input_ids[:shared]),
            list(range(shared)),
            [-1] * shared,
            [],
        )
        for k, view in enumerate(group):
            suffix = view.input_ids[shared:]
            offset = len(ids)
            readouts.append(view.readout if view.readout < shared else offset + view.readout - shared)
            ids += suffix
            positions += range(shared, shared + len(suffix))
            segment += [k] * len(suffix)
        rows.append((ids, positions, segment, readouts))
    width = max(len(r[0]) for r in rows)
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    position_ids = torch.zeros((len(rows), width), dtype=torch.long)
    segments = torch.full((len(rows), width), -2, dtype=torch.long)  # -2: padding
    for r, (ids, positions, segment, _) in enumerate(rows):
        input_ids[r, : len(ids)] = torch.tensor(ids)
        position_ids[r, : len(ids)] = torch.tensor(positions)
        segments[r, : len(ids)] = torch.tensor(segment)
    query, key = segments[:, :, None], segments[:, None, :]
    causal = torch.ones(width, width, dtype=torch.bool).tril()
    allowed = causal & (key != -2) & ((key == -1) | (key == query))
    allowed |= torch.eye(width, dtype=torch.bool)  # padding rows attend to themselves: no empty softmax
    mask = torch.zeros(allowed.shape, dtype=torch.float32).masked_fill(
        ~allowed, torch.finfo(torch.float32).min
    )
    readout = torch.tensor([i for r in rows for i in r[3]], dtype=torch.long)
    readout_row = torch.arange(len(rows)).repeat_interleave(views_per_row)
    return {
        "input_ids": input_ids.to(device),
        "attention_mask": mask[:, None].to(device),
        "position_ids": position_ids.to(device),
        "readout": readout.to(device),
        "readout_row": readout_row.to(device),
    }


def _common_prefix_length(sequences: list[list[int]]) -> int:
    shortest = min(len(s) for s in sequences)
    for i in range(shortest):
        if any(s[i] != sequences[0][i] for s in sequences[1:]):
            return i
    return shortest


def _truncate(segments: list[list[int]], budget: int, separators: int) -> list[list[int]]:
    """Cut input tokens, longest segment first, so that template and mask always survive."""
    budget -= separators
    if budget < len(segments):
        raise AdvkitError(f"max_length leaves no room for the input after the template ({budget} tokens)")
    segments = [list(s) for s in segments]
    while sum(len(s) for s in segments) > budget:
        longest = max(range(len(segments)), key=lambda i: len(segments[i]))
        excess = sum(len(s) for s in segments) - budget
        keep = max(len(segments[longest]) - excess, 1)
        segments[longest] = segments[longest][:keep]
    return segments
