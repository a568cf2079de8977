"""The TextAttack side of benchmarks/attack_speed.py. Runs in TextAttack's own virtual environment.

TextFooler built from TextAttack's own components with the same word vectors and neighbour table as advkit,
and a sentence-transformers similarity (SBERT, MiniLM) in place of TF-Hub's USE, as ../shared/README.md
describes. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--victim", required=True)
    parser.add_argument("--space", required=True)
    parser.add_argument("--encoder", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--num-examples", type=int, default=50)
    parser.add_argument("--max-length", type=int, default=512)
    args = parser.parse_args()

    cache = pathlib.Path(os.environ.setdefault("TA_CACHE_DIR", "/tmp/ta-cache"))
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "post_install_check_3").touch()  # no nltk.download at import

    import textattack
    import torch
    import transformers
    from nltk.corpus import stopwords
    from textattack.constraints.grammaticality import PartOfSpeech
    from textattack.constraints.pre_transformation import RepeatModification, StopwordModification
    from textattack.constraints.semantics import WordEmbeddingDistance
    from textattack.constraints.semantics.sentence_encoders import SBERT
    from textattack.goal_functions import UntargetedClassification
    from textattack.search_methods import GreedyWordSwapWIR
    from textattack.shared import WordEmbedding
    from textattack.transformations import WordSwapEmbedding

    torch.set_num_threads(os.cpu_count() or 1)
    model = transformers.AutoModelForSequenceClassification.from_pretrained(args.victim).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(args.victim)
    tokenizer.model_max_length = args.max_length

    class TimedWrapper(textattack.models.wrappers.HuggingFaceModelWrapper):
        """TextAttack's wrapper as users run it, timed: the time inside the victim, as advkit measures it."""

        seconds = 0.0

        def __call__(self, text_input_list):
            began = time.perf_counter()
            out = super().__call__(text_input_list)
            TimedWrapper.seconds += time.perf_counter() - began
            return out

    wrapper = TimedWrapper(model, tokenizer)

    space = pathlib.Path(args.space)
    words = (space / "words.txt").read_text().splitlines()
    vectors = np.load(space / "vectors.npy")
    table = np.load(space / "neighbour_ids.npy")
    nn_matrix = np.concatenate(
        [np.arange(len(words))[:, None], table], axis=1
    )  # TextAttack expects self first
    embedding = WordEmbedding(vectors, {w: i for i, w in enumerate(words)}, dict(enumerate(words)), nn_matrix)

    constraints = [
        RepeatModification(),
        StopwordModification(stopwords=set(stopwords.words("english"))),
        WordEmbeddingDistance(embedding=embedding, min_cos_sim=0.5),
        PartOfSpeech(allow_verb_noun_swap=True),
        SBERT(
            model_name=args.encoder,
            threshold=0.840845057,
            metric="angular",
            window_size=15,
            skip_text_shorter_than_window=True,
            compare_against_original=False,
        ),
    ]
    attack = textattack.Attack(
        UntargetedClassification(wrapper),
        constraints,
        WordSwapEmbedding(max_candidates=50, embedding=embedding),
        GreedyWordSwapWIR("delete"),
    )

    rows = [json.loads(line) for line in pathlib.Path(args.data).read_text().splitlines()][
        : args.num_examples
    ]
    dataset = textattack.datasets.Dataset([(r["text"], r["label"]) for r in rows])

    began = time.perf_counter()
    results = []
    for example, label in dataset:
        results.append(attack.attack(example, label))
    wall = time.perf_counter() - began
    statuses = [type(r).__name__ for r in results]
    attacked = [r for r in results if type(r).__name__ != "SkippedAttackResult"]
    succeeded = [r for r in results if type(r).__name__ == "SuccessfulAttackResult"]
    print(
        json.dumps(
            {
                "examples": len(results),
                "attacked": len(attacked),
                "succeeded": len(succeeded),
                "original_accuracy": 100.0 * len(attacked) / max(len(results), 1),
                "success_rate": 100.0 * len(succeeded) / max(len(attacked), 1),
                "queries_per_example": float(np.mean([r.num_queries for r in attacked])) if attacked else 0.0,
                "wall_seconds": wall,
                "seconds_per_attacked_example": wall / max(len(attacked), 1),
                "victim_seconds": TimedWrapper.seconds,
                "victim_share": TimedWrapper.seconds / wall if wall else 0.0,
                "max_length": args.max_length,
                "perturbed": [r.perturbed_result.attacked_text.text for r in results],
                "statuses": statuses,
                "textattack_version": getattr(textattack, "__version__", "0.3.11"),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
