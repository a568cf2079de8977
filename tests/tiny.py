"""Tiny models (2 layers, hidden 32) and tokenizers built in memory: no network, no downloads."""

from __future__ import annotations

from typing import Any

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import (
    BertConfig,
    BertForMaskedLM,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
    RobertaConfig,
    RobertaForMaskedLM,
)

from advkit.victims.templates import TASK_PROMPTS

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<s>", "</s>"]
TOY_WORDS = [
    "good",
    "great",
    "fine",
    "nice",
    "bad",
    "awful",
    "poor",
    "dull",
    "movie",
    "film",
    "plot",
    "acting",
    "the",
    "a",
    "is",
    "was",
    "very",
    "not",
    "and",
    "it",
]


def vocabulary() -> list[str]:
    words: set[str] = set(TOY_WORDS)
    for prompts in TASK_PROMPTS.values():
        for template in prompts.templates:
            words.update(w.lower() for w in template.replace("[MASK]", " ").replace("[SEP]", " ").split())
        for answer in prompts.answer_words:
            words.update(answer)
    words.update(["question", "passage", "two", "three", "fourwordanswer"])
    return SPECIALS + sorted(words)


def word_tokenizer(kind: str = "masked") -> PreTrainedTokenizerFast:
    """A whitespace word-level tokenizer; masked: [CLS]/[SEP]/[MASK]; causal: <s> BOS, </s> EOS."""
    vocab = {w: i for i, w in enumerate(vocabulary())}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    if kind == "masked":
        return PreTrainedTokenizerFast(
            tokenizer_object=tok,
            unk_token="[UNK]",
            pad_token="[PAD]",
            cls_token="[CLS]",
            sep_token="[SEP]",
            mask_token="[MASK]",
        )
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", special_tokens=[("<s>", vocab["<s>"])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", bos_token="<s>", eos_token="</s>"
    )


def tiny_model(model_type: str, vocab_size: int, seed: int = 0) -> Any:
    torch.manual_seed(seed)
    common: dict[str, Any] = {"vocab_size": vocab_size}
    if model_type == "bert":
        config = BertConfig(
            hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, **common
        )
        return BertForMaskedLM(config)
    if model_type == "roberta":
        config = RobertaConfig(
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            pad_token_id=0,
            max_position_embeddings=130,
            **common,
        )
        return RobertaForMaskedLM(config)
    if model_type == "gpt2":
        return GPT2LMHeadModel(GPT2Config(n_embd=32, n_layer=2, n_head=2, n_positions=128, **common))
    if model_type == "llama":
        config = LlamaConfig(
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_key_value_heads=1,
            intermediate_size=64,
            max_position_embeddings=128,
            **common,
        )
        return LlamaForCausalLM(config)
    raise ValueError(model_type)


KIND = {"bert": "masked", "roberta": "masked", "gpt2": "causal", "llama": "causal"}


def bpe_tokenizer() -> PreTrainedTokenizerFast:
    """A RoBERTa-style byte-level BPE tokenizer trained on a few sentences (words carry a leading-space mark)."""
    from tokenizers import ByteLevelBPETokenizer

    corpus = [" ".join(vocabulary()[len(SPECIALS) :])] * 20 + ["the movie was good", "a dull plot"] * 20
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        corpus, vocab_size=2000, min_frequency=1, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        cls_token="<s>",
        sep_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
    )


def wordpiece_tokenizer() -> PreTrainedTokenizerFast:
    """A BERT-style WordPiece tokenizer: "goodness" splits into good + ##ness."""
    from tokenizers import decoders, normalizers
    from tokenizers.pre_tokenizers import BertPreTokenizer

    pieces = ["##ness", "##ly", "##s"]
    vocab = {w: i for i, w in enumerate(vocabulary() + pieces)}
    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
