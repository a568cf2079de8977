"""The victim wrapper: query counting, budget, cache, batch-size independence, input checks."""

import numpy as np
import pytest
from tiny import tiny_model, word_tokenizer

from advkit.errors import AdvkitError
from advkit.victims import CallableVictim, ModelVictim, QueryBudgetExceeded
from advkit.victims.classifier import TextClassifier

TEXTS = [
    "good movie",
    "the plot was very dull",
    "a fine film",
    "awful",
    "it was not nice and the acting was poor",
    ("question", "passage two"),
]


def counting_fn(calls):
    def fn(inputs):
        calls.append(list(inputs))
        return np.array([[0.25, 0.75] if "good" in str(x) else [0.9, 0.1] for x in inputs])

    return fn


def test_queries_count_unique_uncached_inputs():
    calls = []
    victim = CallableVictim(counting_fn(calls), ["neg", "pos"])
    out = victim.predict_proba(["good", "bad", "good"])
    assert victim.queries == 2 and calls == [["good", "bad"]]
    np.testing.assert_allclose(out[0], out[2])
    victim.predict_proba(["bad", "good", "new"])
    assert victim.queries == 3 and calls[-1] == ["new"]


def test_budget_is_exact():
    victim = CallableVictim(counting_fn([]), ["neg", "pos"], query_budget=3)
    victim.predict_proba(["a", "b"])
    with pytest.raises(QueryBudgetExceeded):
        victim.predict_proba(["c", "d"])
    assert victim.queries == 2
    victim.predict_proba(["a", "c"])  # one new query: exactly at the budget
    assert victim.queries == 3
    victim.predict_proba(["a", "b", "c"])  # all cached: free
    with pytest.raises(QueryBudgetExceeded):
        victim.predict_proba(["e"])


def test_cache_evicts_oldest():
    calls = []
    victim = CallableVictim(counting_fn(calls), ["neg", "pos"], cache_size=2)
    victim.predict_proba(["a", "b", "c"])
    victim.predict_proba(["c"])
    assert victim.queries == 3
    victim.predict_proba(["a"])
    assert victim.queries == 4


def test_wrong_shape_and_bad_inputs_are_errors():
    victim = CallableVictim(lambda xs: np.zeros((len(xs), 3)), ["neg", "pos"])
    with pytest.raises(AdvkitError, match="shape"):
        victim.predict_proba(["a"])
    with pytest.raises(AdvkitError, match="empty"):
        victim.predict_proba(["  "])
    with pytest.raises(AdvkitError, match="string or a pair"):
        victim.predict_proba([3])  # type: ignore[list-item]


@pytest.mark.parametrize("method,model_type", [("mvp", "bert"), ("mlp-ft", "llama"), ("mvp", "gpt2")])
def test_predictions_do_not_depend_on_batch_size(method, model_type):
    tok = word_tokenizer("masked" if model_type == "bert" else "causal")
    clf = TextClassifier.build(
        method, tiny_model(model_type, len(tok)), tok, ["negative", "positive"], task="sentiment"
    )
    one = ModelVictim(clf, batch_size=1, cache_size=0).predict_proba(TEXTS)
    many = ModelVictim(clf, batch_size=32, cache_size=0).predict_proba(TEXTS)
    odd = ModelVictim(clf, batch_size=5, cache_size=0).predict_proba(list(reversed(TEXTS)))[::-1]
    np.testing.assert_allclose(one, many, atol=1e-6)
    np.testing.assert_allclose(one, odd, atol=1e-6)
    unpacked = ModelVictim(clf, batch_size=7, cache_size=0, pack_templates=False).predict_proba(TEXTS)
    np.testing.assert_allclose(one, unpacked, atol=1e-6)
    assert one.shape == (len(TEXTS), 2)
    np.testing.assert_allclose(one.sum(axis=1), 1.0, rtol=1e-5)


def test_model_victim_counts_and_times():
    tok = word_tokenizer("masked")
    clf = TextClassifier.build(
        "mvp", tiny_model("bert", len(tok)), tok, ["negative", "positive"], task="sentiment"
    )
    victim = ModelVictim(clf, batch_size=4, query_budget=10)
    victim.predict_proba(TEXTS)
    victim.predict_proba(TEXTS[:2])
    assert victim.queries == len(TEXTS) and victim.calls == 2 and victim.model_seconds > 0
    with pytest.raises(QueryBudgetExceeded):
        victim.predict_proba([f"good film {'very ' * i}" for i in range(1, 6)])


def test_hugging_face_sequence_classifier_is_a_victim():
    from transformers import BertConfig, BertForSequenceClassification

    from advkit.victims.hf import HFSequenceClassifier

    tok = word_tokenizer("masked")
    config = BertConfig(
        vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    model = BertForSequenceClassification(config).eval()
    victim = ModelVictim(HFSequenceClassifier(model, tok), batch_size=2)
    probs = victim.predict_proba(["good movie", "a very dull plot indeed", ("question", "passage")])
    enc = tok(["good movie"], return_tensors="pt")
    expected = model(**enc).logits.softmax(-1).detach().numpy()
    np.testing.assert_allclose(probs[0], expected[0], atol=1e-6)
    assert victim.queries == 3 and probs.shape == (3, 2)


def test_bf16_precision_is_close_and_bad_precision_is_an_error():
    tok = word_tokenizer("masked")
    clf = TextClassifier.build(
        "mvp", tiny_model("bert", len(tok)), tok, ["negative", "positive"], task="sentiment"
    )
    exact = ModelVictim(clf, precision="fp32").predict_proba(TEXTS)
    fast = ModelVictim(clf, precision="bf16").predict_proba(TEXTS)
    np.testing.assert_allclose(fast, exact, atol=0.02)
    with pytest.raises(AdvkitError, match="precision"):
        ModelVictim(clf, precision="fp8")


def test_load_victim_takes_hugging_face_classifier_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no runs/mvp here
    from transformers import BertConfig, BertForSequenceClassification

    from advkit.victims import load_victim

    tok = word_tokenizer("masked")
    config = BertConfig(
        vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64
    )
    BertForSequenceClassification(config).save_pretrained(tmp_path / "clf")
    tok.save_pretrained(tmp_path / "clf")
    victim = load_victim(str(tmp_path / "clf"))
    assert victim.predict_proba(["good movie"]).shape == (1, 2)
    with pytest.raises(AdvkitError, match="neither an advkit victim"):
        load_victim(str(tmp_path / "missing"))
    with pytest.raises(AdvkitError, match="advkit train --method mvp"):
        load_victim("mvp")
