"""Pretrained backbones: resolve a name, tell masked from causal LMs, load them, split body and LM head."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from advkit import assets
from advkit.errors import AdvkitError

MODEL_ASSETS = ("minilm", "smollm2-135m")
log = logging.getLogger(__name__)


def resolve(name: str) -> str:
    """A local folder for the offline assets, else the name unchanged (a Hugging Face id or a local folder)."""
    if name in MODEL_ASSETS:
        return str(assets.model_path(name))
    return name


def lm_kind(config: Any) -> str:
    """'masked' or 'causal', from the model type's registered heads."""
    from transformers.models.auto.modeling_auto import (
        MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
        MODEL_FOR_MASKED_LM_MAPPING_NAMES,
    )

    if config.model_type in MODEL_FOR_MASKED_LM_MAPPING_NAMES and not getattr(config, "is_decoder", False):
        return "masked"
    if config.model_type in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        return "causal"
    raise AdvkitError(f"model type {config.model_type!r} is neither a masked nor a causal LM")


def load_config(name: str) -> Any:
    from transformers import AutoConfig

    path = resolve(name)
    try:
        return AutoConfig.from_pretrained(path)
    except OSError as e:
        hint = (
            " (no network: use a local folder or an offline asset: minilm, smollm2-135m)"
            if _offline()
            else ""
        )
        raise AdvkitError(f"cannot load model {name!r}{hint}: {str(e).splitlines()[0]}") from e


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false")


def load_tokenizer(name: str) -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(resolve(name))
    if tokenizer.pad_token_id is None:  # GPT-2 and Llama-style tokenizers have none; padding is masked anyway
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(name: str, with_lm_head: bool) -> tuple[Any, bool]:
    """The backbone (with its LM head or without) and whether the LM head came pretrained."""
    from transformers import AutoModel, AutoModelForCausalLM, AutoModelForMaskedLM

    config = load_config(name)
    if not with_lm_head:
        return AutoModel.from_pretrained(resolve(name)), True
    from transformers.utils import logging as hf_logging

    cls = AutoModelForMaskedLM if lm_kind(config) == "masked" else AutoModelForCausalLM
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # we report a missing head ourselves, loudly, where it matters
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model, info = cls.from_pretrained(resolve(name), output_loading_info=True)  # type: ignore[misc]
    finally:
        hf_logging.set_verbosity(verbosity)
    head_pretrained = not any(_is_head_key(k) for k in info.get("missing_keys", []))
    return model, head_pretrained


def _is_head_key(key: str) -> bool:
    return key.startswith(("cls.", "lm_head.", "vocab_", "generator_", "pred_layer"))


def split_lm(model: Any) -> tuple[Any, Callable[[torch.Tensor], torch.Tensor] | None]:
    """(body, head): the body maps tokens to hidden states, the head maps hidden states [m, H] to vocabulary
    logits [m, V]. Applying the head only at the readout positions saves a [B, L, V] tensor. The head is None
    for masked-LM architectures we do not know; the caller then runs the whole model."""
    body = model.base_model
    model_type = model.config.model_type
    if model_type == "bert":
        return body, model.cls
    if model_type in ("roberta", "xlm-roberta", "camembert"):
        return body, model.lm_head
    if model_type == "distilbert":

        def distilbert_head(h: torch.Tensor) -> torch.Tensor:
            h = model.vocab_layer_norm(model.activation(model.vocab_transform(h)))
            return model.vocab_projector(h)

        return body, distilbert_head
    if lm_kind(model.config) == "causal":
        head = model.get_output_embeddings()
        if head is None:
            raise AdvkitError(f"causal model {model_type!r} has no LM head")
        return body, head
    return body, None


def input_embeddings(model: Any) -> nn.Embedding:
    return model.get_input_embeddings()


def causal_adds_bos(tokenizer: Any) -> bool:
    ids = tokenizer("x")["input_ids"]
    return bool(ids) and tokenizer.bos_token_id is not None and ids[0] == tokenizer.bos_token_id


def check_path(path: str | Path) -> Path:
    path = Path(path)
    if not (path / "advkit.json").is_file():
        raise AdvkitError(
            f"{path} is not a saved advkit victim (no advkit.json); train one with `advkit train`"
        )
    return path
