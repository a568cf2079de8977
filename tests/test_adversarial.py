"""Adversarial training: PGD stays in its ball, raises the loss, keeps attack gradients out of the update;
discrete examples are made against the current weights, with the fraction and weight honoured."""

import pytest
import torch
from advkit.embeddings import SynonymSpace, WordVectors
from handmade import toy_space
from test_training import toy
from tiny import tiny_model, word_tokenizer
from torch.nn import functional as F

from advkit.attack import Attack
from advkit.attack.constraints import RepeatModification
from advkit.attack.transformations import WordSwapEmbedding
from advkit.errors import AdvkitError
from advkit.training.adversarial import DiscreteConfig, DiscreteObjective, PGDConfig, PGDObjective, project
from advkit.training.trainer import TrainConfig, train
from advkit.victims import backbone as bb
from advkit.victims.classifier import TextClassifier

TEXTS = ["the movie was good", "a dull plot", "very nice acting and a fine film", "awful"]
LABELS = torch.tensor([1, 0, 1, 0])


def classifier(method="mvp", model_type="bert", seed=0):
    tok = word_tokenizer("masked" if model_type == "bert" else "causal")
    return TextClassifier.build(
        method, tiny_model(model_type, len(tok), seed), tok, ["negative", "positive"], task="sentiment"
    )


def batch_of(model, views):
    return model.collate([v for per in model.featurize(TEXTS, views) for v in per])


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_perturbation_stays_in_the_ball_and_off_padding(norm):
    model = classifier()
    views = [[0]] * len(TEXTS)
    batch = batch_of(model, views)
    objective = PGDObjective(PGDConfig(epsilon=0.5, steps=3, norm=norm))
    delta = objective.perturbation(model, batch, LABELS, len(TEXTS))
    if norm == "l2":
        assert (delta.flatten(1).norm(dim=1) <= 0.5 + 1e-5).all()
    else:
        assert delta.abs().max() <= 0.5 + 1e-6
    padding = batch["attention_mask"] == 0
    assert padding.any() and delta[padding].abs().max() == 0


@pytest.mark.parametrize("model_type,method", [("bert", "mvp"), ("bert", "mlp-ft"), ("llama", "mvp")])
def test_perturbation_increases_the_loss(model_type, method):
    model = classifier(method, model_type).eval()
    views = [[1]] * len(TEXTS)
    batch = batch_of(model, views)
    objective = PGDObjective(PGDConfig(epsilon=1.0, steps=2, random_start=False))
    delta = objective.perturbation(model, batch, LABELS, len(TEXTS))
    embeds = bb.input_embeddings(model.model)(batch["input_ids"])
    with torch.no_grad():
        clean = F.cross_entropy(model.pool(model(**batch), len(TEXTS)), LABELS)
        attacked = F.cross_entropy(
            model.pool(model(**batch, inputs_embeds=embeds + delta), len(TEXTS)), LABELS
        )
    assert attacked > clean


def test_weight_gradients_are_those_of_the_adversarial_loss_alone():
    model = classifier()
    views = [[0], [1], [2], [3]]
    objective = PGDObjective(PGDConfig(epsilon=1.0, steps=2))
    batch = batch_of(model, views)
    objective.perturbation(model, batch, LABELS, len(TEXTS))
    assert all(p.grad is None for p in model.parameters())  # the attack step leaves no gradient behind
    model.eval()  # no dropout, so the two passes below see the same network
    objective.loss(model, TEXTS, LABELS, views).backward()
    got = [p.grad.clone() for p in model.parameters() if p.grad is not None]
    delta = objective.last_delta
    model.zero_grad(set_to_none=True)
    embeds = bb.input_embeddings(model.model)(batch["input_ids"])
    F.cross_entropy(model.pool(model(**batch, inputs_embeds=embeds + delta), len(TEXTS)), LABELS).backward()
    expected = [p.grad for p in model.parameters() if p.grad is not None]
    assert len(got) == len(expected) > 0
    for a, b in zip(got, expected, strict=True):
        torch.testing.assert_close(a, b)


def test_dropout_is_off_while_attacking_and_restored():
    model = classifier().train()
    batch = batch_of(model, [[0]] * len(TEXTS))
    objective = PGDObjective(PGDConfig(random_start=False))
    first = objective.perturbation(model, batch, LABELS, len(TEXTS))
    second = objective.perturbation(model, batch, LABELS, len(TEXTS))
    assert torch.equal(first, second)
    assert all(m.training for m in model.modules())


def test_projection_and_config_checks():
    delta = torch.ones(2, 3, 4)
    assert torch.allclose(project(delta, PGDConfig(epsilon=1.0)).flatten(1).norm(dim=1), torch.ones(2))
    assert PGDConfig(epsilon=2.0, steps=4).alpha == pytest.approx(0.75)
    with pytest.raises(AdvkitError):
        PGDConfig(norm="l1")


def test_pgd_training_runs_and_learns(tmp_path):
    # tiny models have embeddings of norm ~0.1 per token (init std 0.02), so a proportionally small ball
    model = classifier()
    config = TrainConfig(lr=3e-3, batch_size=16, epochs=6, patience=6)
    result = train(
        model,
        toy(320, 0),
        toy(100, 1),
        config,
        tmp_path,
        PGDObjective(PGDConfig(epsilon=0.01)),
        progress=False,
    )
    assert result.best_dev_accuracy > 0.8
    assert result.history[-1]["adversary_seconds"] > 0


def toy_attack(victim=None):
    return Attack(victim, WordSwapEmbedding(toy_space(), 4), [RepeatModification()])


def sentiment_space():
    words = ["good", "great", "fine", "nice", "bad", "awful", "poor", "dull"]
    vectors = torch.eye(len(words)) * 0.1 + 1.0  # every word a close neighbour of every other
    return SynonymSpace.build(WordVectors(words, vectors.numpy()), k=7)


def test_discrete_examples_follow_the_current_weights(tmp_path):
    model = classifier("mlp-ft")
    train(
        model,
        toy(160, 0),
        toy(64, 1),
        TrainConfig(lr=3e-3, batch_size=16, epochs=3, patience=3),
        tmp_path,
        progress=False,
    )
    texts = [f"the {a} was {c}" for a in ("movie", "film", "plot") for c in ("good", "fine", "bad", "dull")]
    labels = [1 if t.endswith(("good", "fine")) else 0 for t in texts]
    attack = Attack(None, WordSwapEmbedding(sentiment_space(), 7), [RepeatModification()])
    objective = DiscreteObjective(DiscreteConfig(fraction=1.0), attack=attack)
    before = objective.adversarial_examples(model, texts, labels)
    assert objective.attack.victim.model is model and before
    with torch.no_grad():  # new weights: the head now says the opposite
        model.head.out_proj.weight.neg_()
        model.head.out_proj.bias.neg_()
    after = objective.adversarial_examples(model, texts, labels)
    assert after != before


def test_fraction_and_weight_are_honoured():
    model = classifier("mlp-ft")
    calls = []

    class Counting:
        def __init__(self):
            self.inner = toy_attack()

        def run(self, items, batch_size):
            calls.append(len(items))
            return self.inner.run(items, batch_size)

        @property
        def victim(self):
            return self.inner.victim

        @victim.setter
        def victim(self, v):
            self.inner.victim = v

    objective = DiscreteObjective(DiscreteConfig(fraction=0.5, weight=0.0), attack=Counting())
    views = [[0]] * len(TEXTS)
    model.eval()  # no dropout: the losses below are comparable
    torch.manual_seed(0)
    zero = objective.loss(model, TEXTS, LABELS, views)
    assert calls == [2]
    model.eval()
    clean = F.cross_entropy(model.score(TEXTS, views), LABELS)
    torch.testing.assert_close(zero, clean)
    objective.config.weight = 2.0
    model.eval()
    doubled = objective.loss(model, TEXTS, LABELS, views)
    objective.config.weight = 1.0
    model.eval()
    single = objective.loss(model, TEXTS, LABELS, views)
    if objective.stats["adversarial_examples"] > 0:
        torch.testing.assert_close(doubled - clean, 2 * (single - clean))
