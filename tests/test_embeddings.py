"""The synonym space: counter-fitting outcomes on hand-made vectors, the neighbour table against brute force,
text-format edge cases, save/load."""

import gzip

import numpy as np
import pytest
from advkit.embeddings import SynonymSpace, WordVectors, load_text
from advkit.embeddings.counterfit import CounterFitConfig, counter_fit, read_pairs
from advkit.embeddings.evaluate import antonym_share, simlex_rho, spearman
from click.testing import CliRunner

from advkit.errors import AdvkitError


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def toy_vectors() -> WordVectors:
    rng = np.random.default_rng(0)
    base = {
        "good": [1.0, 0.1, 0.0, 0.0],
        "bad": [0.95, 0.2, 0.05, 0.0],  # antonym, close at the start
        "fine": [0.0, 0.0, 1.0, 0.0],
        "nice": [0.0, 0.5, 0.0, 1.0],  # synonym of fine, far at the start
        "table": [0.0, 1.0, 0.0, 0.2],  # unconstrained
    }
    words = list(base)
    return WordVectors(words, unit(np.array([base[w] for w in words]) + 0.01 * rng.standard_normal((5, 4))))


def cos(v: WordVectors, a: str, b: str) -> float:
    u = v.normalized()
    return float(u[v.index[a]] @ u[v.index[b]])


def test_counter_fitting_repels_antonyms_attracts_synonyms_keeps_the_rest():
    vectors = toy_vectors()
    antonyms = np.array([[0, 1], [1, 0]])
    synonyms = np.array([[2, 3], [3, 2]])
    fitted = counter_fit(vectors, synonyms, antonyms, CounterFitConfig(iterations=60))
    assert cos(vectors, "good", "bad") > 0.9
    assert 1 - cos(fitted, "good", "bad") >= 0.95  # pushed out to (about) the margin delta = 1
    assert cos(fitted, "fine", "nice") > cos(vectors, "fine", "nice") + 0.3
    before, after = vectors.normalized()[4], fitted.normalized()[4]
    assert float(before @ after) > 0.999  # the unconstrained word barely moves


def test_vsp_pulls_back_neighbours_that_drift():
    vectors = WordVectors(["a", "b", "c"], unit([[1, 0, 0], [0.98, 0.2, 0], [0.6, 0.8, 0]]))
    antonyms = np.array([[0, 2], [2, 0]])
    kept = counter_fit(vectors, np.zeros((0, 2), np.int64), antonyms, CounterFitConfig(k3=0.1))
    free = counter_fit(vectors, np.zeros((0, 2), np.int64), antonyms, CounterFitConfig(k3=0.0))
    assert cos(kept, "a", "b") > cos(free, "a", "b")


def test_read_pairs_keeps_known_words_in_both_orders(tmp_path):
    path = tmp_path / "ant.txt"
    path.write_text("good bad\nGood unknown\n\n")
    pairs = read_pairs([path], {"good": 0, "bad": 1})
    assert pairs.tolist() == [[0, 1], [1, 0]]
    path.write_text("one two three\n")
    with pytest.raises(AdvkitError, match="ant.txt:1: expected two words"):
        read_pairs([path], {})


def test_neighbour_table_equals_brute_force():
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(300)]
    vectors = WordVectors(words, rng.standard_normal((300, 16)).astype(np.float32))
    space = SynonymSpace.build(vectors, k=7)
    u = vectors.normalized()
    sims = u @ u.T
    np.fill_diagonal(sims, -np.inf)
    expected = np.argsort(-sims, axis=1, kind="stable")[:, :7]
    assert np.array_equal(np.asarray(space.neighbour_ids), expected)
    np.testing.assert_allclose(
        np.asarray(space.neighbour_cos, np.float32), np.take_along_axis(sims, expected, 1), atol=1e-3
    )
    assert space.neighbour_ids.dtype == np.int32 and space.neighbour_cos.dtype == np.float16


def test_excluded_pairs_never_listed():
    vectors = toy_vectors()
    space = SynonymSpace.build(vectors, k=3, exclude=np.array([[0, 1], [1, 0]]))
    assert "bad" not in [w for w, _ in space.neighbours("good", 3)]
    assert antonym_share(space, np.array([[0, 1], [1, 0]]), k=3) == 0.0


def test_save_load_round_trip_and_lookup(tmp_path):
    space = SynonymSpace.build(toy_vectors(), k=3, manifest={"source": "toy"})
    space.save(tmp_path)
    loaded = SynonymSpace.load(tmp_path)
    assert loaded.words == space.words and loaded.manifest["k"] == 3 and "vectors_sha256" in loaded.manifest
    assert np.array_equal(loaded.neighbour_ids, space.neighbour_ids)
    assert isinstance(loaded.neighbour_ids, np.memmap)
    assert loaded.neighbours("good", 3) == space.neighbours("good", 3)
    assert all(c >= 0.5 for _, c in loaded.neighbours("good", 3, min_cos=0.5))
    assert loaded.neighbours("absent") == [] and loaded.cosine("good", "absent") is None
    with pytest.raises(AdvkitError, match="holds 3 neighbours"):
        loaded.neighbours("good", 10)
    with pytest.raises(AdvkitError, match="not a synonym space"):
        SynonymSpace.load(tmp_path / "nothing")


def test_text_format_loader(tmp_path):
    plain = tmp_path / "v.txt"
    plain.write_text("3 2\ngood 1 0\nbad 0 1\nfilm 1 1\n")
    vectors = load_text(plain)
    assert vectors.words == ["good", "bad", "film"] and vectors.vectors.shape == (3, 2)
    zipped = tmp_path / "v.txt.gz"
    with gzip.open(zipped, "wt") as f:
        f.write("good 1 0\nbad 0 1\n")
    assert load_text(zipped).words == ["good", "bad"]
    assert load_text(plain, size=2).words == ["good", "bad"]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"good 1 0\ngood 0 1\n", r"v.txt:2: word 'good' already on line 1"),
        (b"good 1 0\nbad 0 1 2\n", r"v.txt:2: 3 numbers where earlier lines have 2"),
        (b"good 1 0\nbad x y\n", r"v.txt:2: expected a word then numbers"),
        (b"good 1 0\ncaf\xe9 0 1\n", r"not valid UTF-8"),
        (b"", r"no word vectors"),
    ],
)
def test_text_format_errors(tmp_path, content, message):
    path = tmp_path / "v.txt"
    path.write_bytes(content)
    with pytest.raises(AdvkitError, match=message):
        load_text(path)


def test_restrict_keeps_frequent_words_only():
    vectors = WordVectors(["the", ",", "1999", "good", "don't"], np.eye(5, dtype=np.float32))
    assert vectors.restrict(3).words == ["the", "good", "don't"]
    assert vectors.restrict(vocabulary=["good", ","], words_only=False).words == [",", "good"]


def test_spearman_and_simlex():
    assert spearman(np.array([1, 2, 3, 4]), np.array([10, 20, 30, 40])) == pytest.approx(1.0)
    assert spearman(np.array([1, 2, 3, 4]), np.array([4, 3, 2, 1])) == pytest.approx(-1.0)
    space = SynonymSpace.build(toy_vectors(), k=2)
    pairs = [("good", "bad", 1.0), ("fine", "nice", 5.0), ("good", "table", 0.5), ("good", "missing", 3.0)]
    rho, covered = simlex_rho(space, pairs)
    assert covered == 3 and -1 <= rho <= 1


def test_cli_build_and_neighbours(tmp_path):
    from advkit.cli.main import cli

    vec = tmp_path / "v.txt"
    names = [a + b for a in "abcdefgh" for b in "abcdefgh"]
    vec.write_text("".join(f"{w} {i % 7} {i % 5} {i % 3 + 1}\n" for i, w in enumerate(names)))
    runner = CliRunner()
    out = tmp_path / "space"
    result = runner.invoke(
        cli,
        [
            "embeddings",
            "build",
            "--vectors",
            str(vec),
            "--no-counter-fit",
            "--vocab-size",
            "50",
            "--k",
            "5",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["embeddings", "neighbours", "ab", "--k", "3", "--space", str(out)])
    assert result.exit_code == 0 and len(result.output.strip().splitlines()) == 3
    result = runner.invoke(cli, ["embeddings", "neighbours", "zzz", "--space", str(out)])
    assert result.exit_code == 2
