"""Trains a tiny model for a few steps; run alone or under torchrun / accelerate launch (see test_distributed)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from test_training import toy  # noqa: E402
from tiny import tiny_model, word_tokenizer  # noqa: E402
from torch import nn  # noqa: E402

from advkit.training.adversarial import PGDConfig, PGDObjective  # noqa: E402
from advkit.training.trainer import TrainConfig, train  # noqa: E402
from advkit.victims.classifier import TextClassifier  # noqa: E402


def main(out: str, objective_name: str, accumulation: int) -> None:
    tok = word_tokenizer("masked")
    model = tiny_model("bert", len(tok))
    model.config.attention_probs_dropout_prob = 0.0
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.p = 0.0  # no dropout: every process split gives the same arithmetic
    clf = TextClassifier.build("mvp", model, tok, ["negative", "positive"], task="sentiment")
    objective = PGDObjective(PGDConfig(epsilon=0.01, random_start=False)) if objective_name == "pgd" else None
    config = TrainConfig(
        lr=1e-3,
        batch_size=8,
        epochs=1,
        eval_every=5,
        patience=5,
        max_steps=5,
        accumulation_steps=accumulation,
    )
    train(clf, toy(40, 0), toy(16, 1), config, out, objective, progress=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
