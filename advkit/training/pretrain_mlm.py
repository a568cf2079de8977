"""Continued masked-LM training, to give a backbone without MLM head weights (the packaged MiniLM) a head.

BERT's recipe (Devlin et al., 2019, Section 3.1): mask 15% of tokens; of those, 80% become [MASK], 10% a
random token, 10% stay. Vocabulary logits are computed only at the masked positions, several times cheaper
than over the whole sequence.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch.nn import functional as F

from advkit.errors import AdvkitError
from advkit.victims import backbone as bb

MASK_PROB = 0.15  # BERT, Section 3.1
REPLACE_MASK, REPLACE_RANDOM = 0.8, 0.1  # BERT, Section 3.1 (the rest keep their token)


@dataclass
class MLMConfig:
    steps: int = 330
    batch_size: int = 64
    max_length: int = 64
    lr: float = 2e-4
    weight_decay: float = 0.01
    train_body: bool = True  # False: only the head learns
    seed: int = 0


def mask_tokens(
    input_ids: torch.Tensor, special: torch.Tensor, tokenizer: object, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """(corrupted ids, boolean mask of the positions to predict)."""
    probs = torch.full(input_ids.shape, MASK_PROB)
    probs[special] = 0.0
    chosen = torch.bernoulli(probs, generator=generator).bool()
    corrupted = input_ids.clone()
    roll = torch.rand(input_ids.shape, generator=generator)
    to_mask = chosen & (roll < REPLACE_MASK)
    to_random = chosen & (roll >= REPLACE_MASK) & (roll < REPLACE_MASK + REPLACE_RANDOM)
    corrupted[to_mask] = tokenizer.mask_token_id  # type: ignore[attr-defined]
    vocab = len(tokenizer)  # type: ignore[arg-type]
    corrupted[to_random] = torch.randint(vocab, (int(to_random.sum()),), generator=generator)
    return corrupted, chosen


def pretrain_mlm(
    model_name: str, texts: Sequence[str], out_dir: str | Path, config: MLMConfig, progress: bool = True
) -> dict[str, float]:
    from tqdm.auto import tqdm

    if bb.lm_kind(bb.load_config(model_name)) != "masked":
        raise AdvkitError(f"{model_name} is not a masked LM; pretrain-mlm trains masked-LM heads")
    texts = [t for t in texts if t.strip()]
    if len(texts) < config.batch_size:
        raise AdvkitError(f"the corpus has {len(texts)} texts, fewer than one batch of {config.batch_size}")
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model, _ = bb.load_model(model_name, with_lm_head=True)
    tokenizer = bb.load_tokenizer(model_name)
    body, head = bb.split_lm(model)
    if head is None:
        raise AdvkitError(f"pretrain-mlm does not know the head of model type {model.config.model_type!r}")
    for p in body.parameters():
        p.requires_grad_(config.train_body)
    tied = {id(p) for p in bb.input_embeddings(model).parameters()}
    for p in model.parameters():
        if id(p) in tied:  # the decoder is tied to the input embeddings: keep them as pretrained
            p.requires_grad_(config.train_body)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    model.train()
    losses: list[float] = []
    began = time.perf_counter()
    for _ in tqdm(range(config.steps), desc="pretrain-mlm", disable=not progress):
        pick = torch.randint(len(texts), (config.batch_size,), generator=generator).tolist()
        enc = tokenizer(
            [texts[i] for i in pick],
            truncation=True,
            max_length=config.max_length,
            padding=True,
            return_tensors="pt",
            return_special_tokens_mask=True,
        )
        special = enc["special_tokens_mask"].bool() | (enc["attention_mask"] == 0)
        corrupted, chosen = mask_tokens(enc["input_ids"], special, tokenizer, generator)
        hidden = body(input_ids=corrupted, attention_mask=enc["attention_mask"]).last_hidden_state
        logits = head(hidden[chosen])  # [masked positions, V] only
        loss = F.cross_entropy(logits, enc["input_ids"][chosen])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    out_dir = Path(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    tail = losses[-max(1, len(losses) // 10) :]
    metrics = {
        "first_loss": losses[0],
        "final_loss": sum(tail) / len(tail),
        "seconds": time.perf_counter() - began,
    }
    (out_dir / "pretrain_mlm.json").write_text(
        json.dumps({"metrics": metrics, "config": asdict(config), "base": model_name}, indent=2) + "\n"
    )
    return metrics


def brown_corpus() -> list[str]:
    """Sentences of the Brown corpus from NLTK data (set NLTK_DATA, or nltk.download('brown') with a network)."""
    try:
        from nltk.corpus import brown

        return [" ".join(words) for words in brown.sents()]
    except LookupError as e:
        raise AdvkitError(
            "the Brown corpus is not in NLTK's data path; set NLTK_DATA or run nltk.download('brown')"
        ) from e
