"""Any Hugging Face sequence classifier as a victim: the same batching, padding and bookkeeping as MVP and
MLP-FT models get from `ModelVictim`."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from advkit.data import TextInput
from advkit.victims.classifier import View, pad_views


class HFSequenceClassifier(nn.Module):
    """Wraps `AutoModelForSequenceClassification` (and its tokenizer) in the featurize / collate / forward /
    pool interface; one view per input, no templates."""

    def __init__(self, model: Any, tokenizer: Any, max_length: int = 512):
        super().__init__()
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.num_views = 1
        labels = model.config.id2label
        self.labels = [labels[i] for i in range(model.config.num_labels)]
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token

    @classmethod
    def from_pretrained(cls, name: str, max_length: int = 512) -> HFSequenceClassifier:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        return cls(
            AutoModelForSequenceClassification.from_pretrained(name),
            AutoTokenizer.from_pretrained(name),
            max_length,
        )

    def featurize(self, inputs: list[TextInput], views: Any = None) -> list[list[View]]:
        """One view per input; texts and pairs are each tokenized in one batched call."""
        ids: dict[int, list[int]] = {}
        singles = [i for i, x in enumerate(inputs) if isinstance(x, str)]
        pairs = [i for i, x in enumerate(inputs) if not isinstance(x, str)]
        if singles:
            encoded = self.tokenizer(
                [inputs[i] for i in singles], truncation=True, max_length=self.max_length
            )
            ids.update(zip(singles, encoded["input_ids"], strict=True))
        if pairs:
            firsts, seconds = [inputs[i][0] for i in pairs], [inputs[i][1] for i in pairs]
            encoded = self.tokenizer(firsts, seconds, truncation=True, max_length=self.max_length)
            ids.update(zip(pairs, encoded["input_ids"], strict=True))
        return [[View(list(ids[i]), len(ids[i]) - 1)] for i in range(len(inputs))]

    def collate(
        self, views: list[View], device: torch.device | str = "cpu", views_per_row: int = 1
    ) -> dict[str, torch.Tensor]:
        """One view per input here, so `views_per_row` has nothing to pack."""
        ids, attention = pad_views(views, self.tokenizer.pad_token_id, device)
        return {"input_ids": ids, "attention_mask": attention}

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits

    def pool(self, scores: torch.Tensor, n_inputs: int) -> torch.Tensor:
        return scores
