"""Template placement, pooling arithmetic, truncation, save/load and answer-word checks on tiny models."""

import warnings

import pytest
import torch
from tiny import KIND, bpe_tokenizer, tiny_model, word_tokenizer

from advkit.errors import AdvkitError
from advkit.victims.classifier import TextClassifier
from advkit.victims.templates import PromptSet

LABELS = ["negative", "positive"]


def build(model_type: str, method: str = "mvp", **options):
    tok = word_tokenizer(KIND[model_type])
    return TextClassifier.build(
        method, tiny_model(model_type, len(tok)), tok, LABELS, task="sentiment", **options
    )


def tokens(clf, view):
    return clf.tokenizer.convert_ids_to_tokens(view.input_ids)


@pytest.mark.parametrize("model_type", ["bert", "roberta"])
def test_masked_templates_prefix_and_suffix(model_type):
    clf = build(model_type)
    views = clf.featurize(["good movie"])[0]
    assert tokens(clf, views[0]) == [
        "[CLS]",
        "sentiment",
        "of",
        "the",
        "statement",
        "is",
        "[MASK]",
        ".",
        "good",
        "movie",
        "[SEP]",
    ]
    assert tokens(clf, views[1]) == ["[CLS]", "good", "movie", "[SEP]", "[MASK]", "[SEP]"]
    assert tokens(clf, views[3]) == [
        "[CLS]",
        "good",
        "movie",
        "[SEP]",
        "the",
        "statement",
        "is",
        "[MASK]",
        "[SEP]",
    ]
    for v in views:
        assert v.input_ids[v.readout] == clf.tokenizer.mask_token_id


@pytest.mark.parametrize("model_type", ["gpt2", "llama"])
def test_causal_template_follows_input_and_reads_before_mask(model_type):
    clf = build(model_type)
    views = clf.featurize(["good movie"])[0]
    assert tokens(clf, views[0]) == ["<s>", "good", "movie", "sentiment", "of", "the", "statement", "is"]
    assert tokens(clf, views[1]) == ["<s>", "good", "movie"]
    assert all(v.readout == len(v.input_ids) - 1 for v in views)


def test_pair_inputs_are_separated():
    clf = build("bert")
    view = clf.featurize([("question two", "passage three")])[0][1]
    assert tokens(clf, view) == [
        "[CLS]",
        "question",
        "two",
        "[SEP]",
        "passage",
        "three",
        "[SEP]",
        "[MASK]",
        "[SEP]",
    ]


def test_clsprompt_and_projectcls_read_cls():
    clsprompt, projectcls = build("bert", "clsprompt"), build("bert", "projectcls")
    assert all(v.readout == 0 for v in clsprompt.featurize(["good movie"])[0])
    assert len(clsprompt.featurize(["good movie"])[0]) == 4
    assert tokens(projectcls, projectcls.featurize(["good movie"])[0][0]) == [
        "[CLS]",
        "good",
        "movie",
        "[SEP]",
    ]
    with pytest.raises(AdvkitError, match="causal"):
        build("gpt2", "clsprompt")


@pytest.mark.parametrize("model_type", ["bert", "gpt2"])
def test_truncation_keeps_template_and_mask(model_type):
    clf = build(model_type, max_length=12)
    long_text = " ".join(["good"] * 50)
    for view in clf.featurize([long_text])[0]:
        assert len(view.input_ids) <= 12
        toks = tokens(clf, view)
        if KIND[model_type] == "masked":
            assert "[MASK]" in toks and toks[view.readout] == "[MASK]"
    prefix = tokens(clf, clf.featurize([long_text])[0][0])
    expected = ["sentiment", "of", "the", "statement", "is"]
    assert all(w in prefix for w in expected)


def test_pooling_is_max_over_words_then_mean_over_templates():
    tok = word_tokenizer("masked")
    prompts = PromptSet(("This is a [MASK] statement", "[SEP] [MASK]"), (("bad", "awful"), ("good", "great")))
    clf = TextClassifier.build("mvp", tiny_model("bert", len(tok)), tok, LABELS, prompts=prompts).eval()
    flat = [v for per in clf.featurize(["nice film"]) for v in per]
    batch = clf.collate(flat)
    with torch.no_grad():
        hidden = clf.body(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
        ).last_hidden_state
        vocab = clf.lm_head(hidden[torch.arange(2), batch["readout"]])
        ids = tok.convert_tokens_to_ids
        expected = torch.stack(
            [
                torch.maximum(vocab[:, ids("bad")], vocab[:, ids("awful")]),
                torch.maximum(vocab[:, ids("good")], vocab[:, ids("great")]),
            ],
            dim=1,
        ).mean(dim=0)
        got = clf.score(["nice film"])[0]
    torch.testing.assert_close(got, expected)


def test_multi_token_answer_word_is_an_error():
    tok = word_tokenizer("masked")
    prompts = PromptSet(("[SEP] [MASK]",), (("bad",), ("two three",)))
    with pytest.raises(AdvkitError, match="2 tokens"):
        TextClassifier.build("mvp", tiny_model("bert", len(tok)), tok, LABELS, prompts=prompts)


@pytest.mark.parametrize(
    "model_type,method",
    [("bert", "mvp"), ("bert", "mlp-ft"), ("llama", "mvp"), ("gpt2", "mlp-ft"), ("roberta", "projectcls")],
)
def test_save_load_gives_identical_logits(tmp_path, model_type, method):
    clf = build(model_type, method).eval()
    texts = ["good movie", "the plot was dull", ("question", "passage")]
    with torch.no_grad():
        before = clf.score(texts)
    clf.save_pretrained(tmp_path)
    loaded = TextClassifier.from_pretrained(tmp_path)
    with torch.no_grad():
        after = loaded.score(texts)
    assert torch.equal(before, after)
    assert loaded.config == clf.config


def test_untrained_lm_head_warns_loudly():
    tok = word_tokenizer("masked")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TextClassifier.build(
            "mvp", tiny_model("bert", len(tok)), tok, LABELS, task="sentiment", head_pretrained=False
        )
    assert any("NOT pretrained" in str(w.message) for w in caught)


def test_unknown_task_without_templates_is_an_error():
    with pytest.raises(AdvkitError, match="no built-in MVP templates"):
        tok = word_tokenizer("masked")
        TextClassifier.build("mvp", tiny_model("bert", len(tok)), tok, LABELS, task=None)


def test_load_from_a_folder_that_is_not_a_victim(tmp_path):
    with pytest.raises(AdvkitError, match="not a saved advkit victim"):
        TextClassifier.from_pretrained(tmp_path)


def test_roberta_style_bpe_words_get_a_leading_space():
    tok = bpe_tokenizer()
    clf = TextClassifier.build("mvp", tiny_model("roberta", len(tok)), tok, LABELS, task="sentiment")
    assert tok.convert_ids_to_tokens(clf.answer_ids[1]) == ["Ġpositive"]
    view = clf.featurize(["the movie was good"])[0][0]
    toks = tokens(clf, view)
    assert toks[0] == "<s>" and toks[-1] == "</s>" and toks[view.readout] == "<mask>"
    assert "Ġmovie" in toks and "Ġsentiment" in toks


@pytest.mark.parametrize("model_type", ["gpt2", "llama"])
def test_packed_causal_views_score_as_unpacked(model_type):
    """One input's templates packed into one row (shared prefix once) give the unpacked scores, also when
    truncation makes the templates' texts differ."""
    clf = build(model_type, max_length=12).eval()
    texts = ["good movie", "a bad bad film that was long and dull and bad", "film", "bad good movie film"]
    flat = [v for per in clf.featurize(texts) for v in per]
    packed = clf.collate(flat, views_per_row=clf.num_views)
    assert packed["input_ids"].shape[0] == len(texts)
    assert packed["input_ids"].shape[1] < max(len(v.input_ids) for v in flat) * clf.num_views
    with torch.no_grad():
        expected = clf(**clf.collate(flat))
        assert torch.allclose(clf(**packed), expected, atol=1e-5)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            assert torch.allclose(clf(**packed).float(), expected, atol=0.1)
