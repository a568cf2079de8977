"""Local dataset files, the offline default, and every malformed input raising AdvkitError with file:line."""

import json

import pytest

from advkit.data import load_dataset, load_file
from advkit.errors import AdvkitError


def write(path, text, mode="w"):
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_csv_tsv_and_pairs(tmp_path):
    jsonl = write(tmp_path / "a.jsonl", '{"text": "good", "label": 1}\n\n{"text": "bad", "label": 0}\n')
    data = load_file(jsonl)
    assert data.texts == ["good", "bad"] and data.labels == [1, 0] and data.label_names == ["0", "1"]
    csv = write(tmp_path / "b.csv", 'text,label\n"good, really",pos\nbad,neg\n')
    data = load_file(csv)
    assert (
        data.texts == ["good, really", "bad"] and data.label_names == ["neg", "pos"] and data.labels == [1, 0]
    )
    tsv = write(tmp_path / "c.tsv", "premise\thypothesis\tlabel\nA man .\tA person .\t0\n")
    assert load_file(tsv).texts == [("A man .", "A person .")]
    named = load_file(jsonl, label_names=["negative", "positive"])
    assert named.label_names == ["negative", "positive"]


def test_folder_of_splits(tmp_path):
    write(tmp_path / "train.jsonl", json.dumps({"text": "x", "label": 0}) + "\n")
    assert load_dataset(str(tmp_path), "train").texts == ["x"]
    with pytest.raises(AdvkitError, match="no test file"):
        load_dataset(str(tmp_path), "test")


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("m.jsonl", '{"text": "a", "label": 0}\n{"txt": "b", "label": 1}\n', r"m.jsonl:2: missing column"),
        ("e.jsonl", '{"text": "a", "label": 0}\n{"text": "  ", "label": 1}\n', r"e.jsonl:2: empty text"),
        (
            "r.jsonl",
            '{"text": "a", "label": 0}\n{"text": "b", "label": -1}\n',
            r"r.jsonl:2: label -1 out of range",
        ),
        ("j.jsonl", '{"text": "a", "label": 0}\n{"text": \n', r"j.jsonl:2: not a JSON object"),
        ("x.txt", "hello\n", r"unsupported file type"),
        ("c.csv", "text,label\nfine,1\n,0\n", r"c.csv:3: empty text"),
        ("n.jsonl", "\n", r"no examples"),
    ],
)
def test_malformed_files(tmp_path, name, content, message):
    path = write(tmp_path / name, content)
    with pytest.raises(AdvkitError, match=message):
        load_file(path)


def test_bad_encoding_names_the_line(tmp_path):
    path = write(tmp_path / "b.jsonl", b'{"text": "a", "label": 0}\n{"text": "caf\xe9", "label": 1}\n', "wb")
    with pytest.raises(AdvkitError, match=r"b.jsonl:2: not valid UTF-8"):
        load_file(path)


def test_label_out_of_range_for_given_names(tmp_path):
    path = write(tmp_path / "l.jsonl", '{"text": "a", "label": 2}\n')
    with pytest.raises(AdvkitError, match="out of range 0..1"):
        load_file(path, label_names=["neg", "pos"])


def test_unknown_names_are_errors():
    with pytest.raises(AdvkitError, match="no dataset"):
        load_dataset("no-such-dataset")
    with pytest.raises(AdvkitError, match="unknown split"):
        load_dataset(None, "validation")


def test_offline_default_is_deduplicated_and_split_disjointly():
    splits = {s: load_dataset(None, s) for s in ("train", "dev", "test")}
    sizes = {s: len(d) for s, d in splits.items()}
    assert sizes["train"] >= 7 * sizes["test"] > 0 and abs(sizes["dev"] - sizes["test"]) <= 1
    texts = [set(d.texts) for d in splits.values()]
    assert not (texts[0] & texts[1]) and not (texts[0] & texts[2]) and not (texts[1] & texts[2])
    assert splits["train"].task == "sentiment" and splits["train"].label_names == ["negative", "positive"]
    assert load_dataset(None, "test").texts == splits["test"].texts  # the split is fixed


def test_glue_layout_folder_tests_on_dev_and_carves_dev_from_train(tmp_path):
    rows = [{"text": f"review {i}", "label": i % 2} for i in range(50)]
    write(tmp_path / "train.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    write(tmp_path / "dev.jsonl", json.dumps({"text": "held out", "label": 1}) + "\n")
    test = load_dataset(str(tmp_path), "test")
    train, dev = load_dataset(str(tmp_path), "train"), load_dataset(str(tmp_path), "dev")
    assert test.texts == ["held out"] and test.split == "test"
    assert len(dev) == 5 and len(train) == 45 and not set(dev.texts) & set(train.texts)
    assert load_dataset(str(tmp_path), "dev", seed=1).texts != dev.texts  # the carve follows the seed


def test_shared_sst2_folder(shared):
    folder = str(shared / "data" / "sst2")
    test, dev = load_dataset(folder, "test"), load_dataset(folder, "dev")
    assert len(test) == 872 and test.task == "sentiment"  # GLUE validation: the paper's SST-2 test set
    assert len(dev) == 1000 and len(load_dataset(folder, "train")) == 67_349 - 1000  # dev carved from train
