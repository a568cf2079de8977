"""A tiny model learns a separable toy task with every method; the best checkpoint is kept and reloads."""

import json
import random

import pytest
import torch
from tiny import tiny_model, word_tokenizer

from advkit.data import Dataset
from advkit.training.trainer import TrainConfig, evaluate, train
from advkit.victims.classifier import TextClassifier

POSITIVE, NEGATIVE = ["good", "great", "fine", "nice"], ["bad", "awful", "poor", "dull"]
FILLER = ["the", "movie", "film", "plot", "acting", "was", "very", "it", "a", "is"]


def toy(n: int, seed: int) -> Dataset:
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        label = rng.randrange(2)
        words = rng.choices(FILLER, k=rng.randrange(2, 7)) + [rng.choice(POSITIVE if label else NEGATIVE)]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return Dataset("toy", "train", texts, labels, ["negative", "positive"], "sentiment")


@pytest.mark.parametrize(
    "method,model_type",
    [("mvp", "bert"), ("mlp-ft", "bert"), ("mvp", "llama"), ("lpft", "gpt2"), ("clsprompt", "roberta")],
)
def test_tiny_model_learns_toy_task(tmp_path, method, model_type):
    tok = word_tokenizer("causal" if model_type in ("gpt2", "llama") else "masked")
    clf = TextClassifier.build(
        method, tiny_model(model_type, len(tok)), tok, ["negative", "positive"], task="sentiment"
    )
    config = TrainConfig(lr=3e-3, batch_size=16, epochs=6, patience=6, seed=0, lp_epochs=1, lp_lr=3e-3)
    result = train(clf, toy(320, 0), toy(100, 1), config, tmp_path, progress=False)
    reloaded = TextClassifier.from_pretrained(tmp_path)
    assert evaluate(reloaded, toy(200, 2))["accuracy"] > 0.9
    assert result.best_dev_accuracy == pytest.approx(evaluate(reloaded, toy(100, 1))["accuracy"])
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["train"]["best_step"] == result.best_step and metrics["train"]["history"]


def test_early_stopping_stops_after_patience(tmp_path):
    tok = word_tokenizer("masked")
    clf = TextClassifier.build("mlp-ft", tiny_model("bert", len(tok)), tok, ["negative", "positive"])
    config = TrainConfig(lr=0.0, batch_size=16, epochs=50, eval_every=2, patience=2)
    result = train(clf, toy(64, 0), toy(32, 1), config, tmp_path, progress=False)
    assert len(result.history) == 3 and result.steps == 6  # no improvement after the first evaluation


def test_lpft_first_trains_only_the_head(tmp_path):
    tok = word_tokenizer("masked")
    clf = TextClassifier.build("lpft", tiny_model("bert", len(tok)), tok, ["negative", "positive"])
    body_before = [p.detach().clone() for p in clf.body.parameters()]
    config = TrainConfig(batch_size=16, epochs=1, lp_epochs=1, lp_lr=1e-2)
    train(clf, toy(64, 0), toy(32, 1), config, tmp_path, progress=False)
    assert all(torch.equal(a, b) for a, b in zip(body_before, clf.body.parameters(), strict=False))


def test_resume_after_interruption_gives_identical_weights(tmp_path):
    tok = word_tokenizer("masked")

    def fresh():
        return TextClassifier.build(
            "mvp", tiny_model("bert", len(tok)), tok, ["negative", "positive"], task="sentiment"
        )

    config = TrainConfig(lr=1e-3, batch_size=16, epochs=3, eval_every=3, patience=10, seed=3)
    whole = fresh()
    train(whole, toy(64, 0), toy(32, 1), config, tmp_path / "whole", progress=False)
    interrupted = fresh()
    first = TrainConfig(**{**config.__dict__, "max_steps": 6})
    train(interrupted, toy(64, 0), toy(32, 1), first, tmp_path / "resumed", progress=False)
    resumed = fresh()  # a new process: weights come from the checkpoint
    result = train(resumed, toy(64, 0), toy(32, 1), config, tmp_path / "resumed", progress=False, resume=True)
    assert result.steps == 12
    for a, b in zip(whole.state_dict().values(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    history = json.loads((tmp_path / "resumed" / "metrics.json").read_text())["train"]["history"]
    assert [h["step"] for h in history] == [3, 6, 9, 12]
