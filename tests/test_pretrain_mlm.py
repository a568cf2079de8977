"""Masked-LM head pre-training: BERT's masking rule and a short run on a tiny model folder."""

import torch
from tiny import tiny_model, word_tokenizer

from advkit.training.pretrain_mlm import MLMConfig, mask_tokens, pretrain_mlm
from advkit.victims.classifier import TextClassifier


def test_masking_follows_bert_and_spares_special_tokens():
    tok = word_tokenizer("masked")
    ids = torch.randint(10, len(tok), (64, 50))
    special = torch.zeros_like(ids, dtype=torch.bool)
    special[:, 0] = True
    corrupted, chosen = mask_tokens(ids, special, tok, torch.Generator().manual_seed(0))
    assert not chosen[:, 0].any()
    rate = chosen[:, 1:].float().mean().item()
    assert 0.12 < rate < 0.18
    masked_share = (corrupted[chosen] == tok.mask_token_id).float().mean().item()
    assert 0.7 < masked_share < 0.9
    assert torch.equal(corrupted[~chosen], ids[~chosen])


def test_head_only_training_changes_the_head_not_the_body(tmp_path):
    tok = word_tokenizer("masked")
    model = tiny_model("bert", len(tok))
    model.save_pretrained(tmp_path / "base")
    tok.save_pretrained(tmp_path / "base")
    texts = ["the movie was good", "a dull plot", "very nice acting", "the film is not bad"] * 8
    metrics = pretrain_mlm(
        str(tmp_path / "base"),
        texts,
        tmp_path / "mlm",
        MLMConfig(steps=3, batch_size=8, train_body=False),
        progress=False,
    )
    assert metrics["final_loss"] > 0
    trained = TextClassifier.from_backbone(
        "mvp", str(tmp_path / "mlm"), ["negative", "positive"], "sentiment"
    )
    assert trained.config.head_pretrained
    before = model.state_dict()
    after = trained.model.state_dict()
    assert torch.equal(
        before["bert.encoder.layer.0.attention.self.query.weight"],
        after["bert.encoder.layer.0.attention.self.query.weight"],
    )
    assert not torch.equal(
        before["cls.predictions.transform.dense.weight"], after["cls.predictions.transform.dense.weight"]
    )
