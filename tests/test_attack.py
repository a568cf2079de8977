"""The attack engine on a hand-made victim whose best attack is known."""

import json

import numpy as np
import pytest
from handmade import bow_probs, bow_victim, toy_space

from advkit.attack import Attack, AttackedText
from advkit.attack.constraints import MaxWordsPerturbed, RepeatModification, StopwordModification
from advkit.attack.runner import read_results, run_attack, show_examples
from advkit.attack.summary import format_table, summarize
from advkit.attack.transformations import WordSwapEmbedding
from advkit.data import Dataset
from advkit.errors import AdvkitError
from advkit.victims import CallableVictim

TEXTS = [
    "a good movie",
    "good fun film with great acting",
    "bad movie",
    "bad acting but fun",
    "the show was fine, the picture decent and the performance good!",
    "great great great film",
    "weak film",
    "awful, boring picture",
]
LABELS = [1, 1, 0, 1, 1, 1, 0, 0]


def data() -> Dataset:
    return Dataset("toy", "test", list(TEXTS), list(LABELS), ["negative", "positive"], "sentiment")


def embedding_attack(victim=None, **kwargs) -> Attack:
    return Attack(victim or bow_victim(), WordSwapEmbedding(toy_space(), 4), [RepeatModification()], **kwargs)


def comparable(results):
    return [
        {k: v for k, v in r.to_json().items() if k != "seconds"}
        for r in sorted(results, key=lambda r: r.index)
    ]


def test_finds_the_known_best_substitution():
    results = {r.index: r for r in embedding_attack().run(data())}
    # "good" (+2) is the only sentiment word; its neighbour "passable" (-0.5) flips the label, "decent" does not
    assert results[0].status == "succeeded" and results[0].perturbed == "a passable movie"
    assert results[0].words_changed == 1 and results[0].changed_indices == [1]
    # "bad" → "great" is the best-scoring swap and flips the label in one step
    assert results[2].perturbed == "great movie"
    assert results[3].status == "skipped"  # the victim already gets it wrong
    # three strong positive words: after "great" → "passable" twice, the third swap flips it
    assert results[5].status == "succeeded" and results[5].words_changed == 3


def test_punctuation_and_spacing_survive():
    result = next(r for r in embedding_attack().run(data()) if r.index == 4)
    assert result.status == "succeeded"
    original, perturbed = result.original, result.perturbed
    assert perturbed.count(",") == original.count(",") and perturbed.endswith("!")
    assert len(perturbed.split()) == len(original.split())


def test_words_are_tried_in_order_of_deletion_importance():
    asked = []
    embedding = WordSwapEmbedding(toy_space(), 4)

    class Logged:
        def candidates(self, texts, indices, seeds):
            asked.extend(texts[k].word(i) for k, i in enumerate(indices))
            return embedding.candidates(texts, indices, seeds)

    attack = Attack(bow_victim(), Logged(), [RepeatModification()])
    result = next(iter(attack.run([("fine film great decent", 1)])))
    assert asked[:2] == ["great", "fine"]  # |weight| 3 before 1; "film" (0) and "decent" (0.5) later
    assert result.status == "succeeded"


@pytest.mark.parametrize("batch_size", [1, 3, 32])
def test_results_do_not_depend_on_batch_size_or_order(batch_size):
    reference = comparable(embedding_attack().run(data(), batch_size=8))
    assert comparable(embedding_attack().run(data(), batch_size=batch_size)) == reference
    reversed_order = list(reversed(range(len(TEXTS))))
    assert (
        comparable(embedding_attack().run(data(), batch_size=batch_size, indices=reversed_order)) == reference
    )


def test_victim_calls_are_batched_across_examples():
    calls = []

    def fn(inputs):
        calls.append(len(inputs))
        return bow_probs(inputs)

    victim = CallableVictim(fn, ["negative", "positive"])
    list(embedding_attack(victim).run(data(), batch_size=8))
    batched = list(calls)
    calls.clear()
    victim.clear_cache()
    list(embedding_attack(victim).run(data(), batch_size=1))
    assert len(batched) < len(calls) / 2  # fewer, fuller calls
    assert max(batched) > max(calls)


@pytest.mark.parametrize("budget", [1, 2, 4, 6, 9])
def test_query_budget_is_exact(budget):
    unlimited = {r.index: r for r in embedding_attack().run(data())}
    for r in embedding_attack(query_budget=budget).run(data()):
        assert r.queries <= budget
        if unlimited[r.index].queries > budget:
            assert r.budget_exhausted or r.status == "succeeded"
        else:
            assert r.to_json() | {"seconds": 0} == unlimited[r.index].to_json() | {"seconds": 0}


def test_max_words_perturbed_and_stopwords():
    limited = Attack(
        bow_victim(),
        WordSwapEmbedding(toy_space(), 4),
        [RepeatModification(), MaxWordsPerturbed(max_percent=0.25)],
    )
    result = next(r for r in limited.run(data()) if r.index == 5)  # needs 3 of 4 words: more than 25%
    assert result.status == "failed"
    stop = Attack(
        bow_victim(), WordSwapEmbedding(toy_space(), 4), [StopwordModification(frozenset({"good"}))]
    )
    assert next(iter(stop.run([("a good movie", 1)]))).status == "failed"


def test_pairs_keep_the_frozen_column():
    pair = ("was it weak", "a good film")  # -1 + 2: only the passage's "good" can flip it
    attack = embedding_attack(frozen_columns=frozenset({0}))
    result = next(iter(attack.run([(pair, 1)])))
    assert result.perturbed[0] == pair[0]
    assert result.status == "succeeded" and result.perturbed[1] != pair[1]


def test_resume_after_interruption_gives_identical_results(tmp_path):
    full, summary = run_attack(embedding_attack(), data(), tmp_path / "full", batch_size=3, progress=False)
    part = tmp_path / "part"
    run_attack(embedding_attack(), data().subset(range(5)), part, batch_size=3, progress=False)
    lines = (part / "results.jsonl").read_text().splitlines()
    # killed mid-write: two results done, the third cut short
    (part / "results.jsonl").write_text(lines[0] + "\n" + lines[3] + "\n" + lines[1][:20])
    (part / "config.json").write_text("{}")
    earlier_wall = json.loads((part / "timing.json").read_text())["wall"]
    resumed, resumed_summary = run_attack(
        embedding_attack(), data(), part, batch_size=2, resume=True, progress=False
    )
    assert comparable(resumed) == comparable(full)
    assert comparable(read_results(part / "results.jsonl")) == comparable(full)
    drop = (
        "Wall time (s)",
        "Seconds per attacked example",
        "Victim time (s)",
        "Share of time in victim",
    )
    assert {k: v for k, v in resumed_summary.items() if k not in drop} == {
        k: v for k, v in summary.items() if k not in drop
    }
    # the time of the interrupted run counts: a resumed summary reports the whole attack's cost
    assert earlier_wall > 0 and resumed_summary["Wall time (s)"] >= round(earlier_wall, 2)


def test_resume_with_other_settings_is_an_error(tmp_path):
    run_attack(embedding_attack(), data(), tmp_path, progress=False, config={"recipe": "a"})
    with pytest.raises(AdvkitError, match="different settings"):
        run_attack(embedding_attack(), data(), tmp_path, resume=True, progress=False, config={"recipe": "b"})


def test_summary_uses_textattack_arithmetic():
    results = list(embedding_attack().run(data()))
    summary = summarize(results, wall_seconds=2.0, victim_seconds=1.0)
    ok = [r for r in results if r.status == "succeeded"]
    attacked = [r for r in results if r.status != "skipped"]
    assert summary["Original accuracy"] == pytest.approx(100 * len(attacked) / len(results), abs=0.01)
    assert summary["Attack success rate"] == pytest.approx(100 * len(ok) / len(attacked), abs=0.01)
    assert summary["Average perturbed word %"] == pytest.approx(
        np.mean([100 * r.words_changed / r.num_words for r in ok]), abs=0.01
    )
    assert summary["Avg num queries"] == pytest.approx(np.mean([r.queries for r in attacked]), abs=0.01)
    assert summary["Share of time in victim"] == 0.5
    assert "Attack success rate" in format_table(summary)
    shown = show_examples(results, 2, color=False)
    assert "[[passable]]" in shown and "[[good]]" in shown


def test_label_out_of_range_is_an_error():
    with pytest.raises(AdvkitError, match="out of range"):
        list(embedding_attack().run([("a good movie", 3)]))


def test_attacked_text_round_trip():
    text = AttackedText.from_input("It's a well-made, funny film... don't miss it!")
    assert text.words == ["It's", "a", "well-made", "funny", "film", "don't", "miss", "it"]
    edited = text.replace_word(3, "hilarious").insert_before(4, "very").delete_word(0)
    assert edited.input == "a well-made, hilarious very film... don't miss it!"
    assert edited.origin == (1, 2, 3, None, 4, 5, 6, 7)


def test_shards_merge_into_the_unsharded_run(tmp_path):
    from advkit.attack.runner import merge_results

    full, summary = run_attack(embedding_attack(), data(), tmp_path / "full", progress=False)
    for part in range(3):
        run_attack(embedding_attack(), data(), tmp_path / f"s{part}", progress=False, shard=(part, 3))
    merged, merged_summary = merge_results([tmp_path / f"s{p}" for p in range(3)], tmp_path / "merged")
    assert comparable(merged) == comparable(full)
    assert merged_summary["Attack success rate"] == summary["Attack success rate"]
    with pytest.raises(AdvkitError, match="appears in two"):
        merge_results([tmp_path / "s0", tmp_path / "full"], tmp_path / "bad")
