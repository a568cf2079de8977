"""Transformations: embedding swaps, character bugs (property tests), masked-LM proposals with sub-words."""

import torch
from handmade import toy_space
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny import tiny_model, wordpiece_tokenizer

from advkit.attack import AttackedText
from advkit.attack.transformations import (
    HOMOGLYPHS,
    CharacterBugs,
    CompositeTransformation,
    MaskedLM,
    WordSwapEmbedding,
    WordSwapMaskedLM,
    match_case,
)

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
sentences = st.lists(words, min_size=1, max_size=8).map(" ".join)


def test_embedding_swap_keeps_case_and_order():
    text = AttackedText.from_input("Good movie.")
    candidates = WordSwapEmbedding(toy_space(), 3).candidates([text], [0], [0])[0]
    assert [c.input for c in candidates] == ["Decent movie.", "Fine movie.", "Passable movie."]
    assert all(c.last_modified == 0 and c.modified == {0} for c in candidates)
    assert match_case("USA", "abc") == "ABC" and match_case("a", "Bc") == "Bc"


@settings(max_examples=200, deadline=None)
@given(word=words, seed=st.integers(0, 1000))
def test_character_bugs_are_single_edits_that_keep_the_ends(word, seed):
    text = AttackedText.from_input(f"the {word} end")
    for candidate in CharacterBugs().candidates([text], [1], [seed])[0]:
        new = candidate.word(1)
        assert new != word
        assert candidate.input.startswith("the ") and candidate.input.endswith(" end")
        if " " in new:  # insert a space: never at either end
            assert new.replace(" ", "", 1) == word and not new.startswith(" ") and not new.endswith(" ")
        elif len(new) == len(word) - 1:  # delete a middle character
            assert new[0] == word[0] and new[-1] == word[-1]
        elif (
            sorted(new) == sorted(word)
            and len(new) == len(word)
            and sum(a != b for a, b in zip(new, word, strict=True)) == 2
        ):
            assert new[0] == word[0] and new[-1] == word[-1]  # swap two adjacent middle characters
        else:  # visually similar substitute: one character replaced by its homoglyph
            diff = [k for k, (a, b) in enumerate(zip(word, new, strict=True)) if a != b]
            assert len(diff) == 1 and HOMOGLYPHS[word[diff[0]]] == new[diff[0]]


def test_character_bugs_depend_only_on_seed_text_and_position():
    text = AttackedText.from_input("a wonderful film")
    bugs = CharacterBugs()
    first = [c.input for c in bugs.candidates([text], [1], [7])[0]]
    again = [c.input for c in bugs.candidates([AttackedText.from_input("x y"), text], [0, 1], [7, 7])[1]]
    assert first == again and len(first) == 4


@settings(max_examples=100, deadline=None)
@given(sentence=sentences, data=st.data())
def test_edits_keep_the_rest_of_the_text(sentence, data):
    text = AttackedText.from_input(f"{sentence}, ok!")
    i = data.draw(st.integers(0, len(text) - 2))  # any word of the sentence, not the trailing "ok"
    new = data.draw(words.filter(lambda w: w != text.word(i)))
    edited = text.replace_word(i, new)
    assert (
        edited.word(i) == new
        and edited.words[:i] == text.words[:i]
        and edited.words[i + 1 :] == text.words[i + 1 :]
    )
    assert edited.input.endswith(", ok!")
    inserted = text.insert_before(i, new)
    assert inserted.words == text.words[:i] + [new] + text.words[i:] and inserted.origin[i] is None
    deleted = text.delete_word(i)
    assert deleted.words == text.words[:i] + text.words[i + 1 :]


def test_composite_merges_without_duplicates():
    text = AttackedText.from_input("a good film")
    swap = WordSwapEmbedding(toy_space(), 2)
    merged = CompositeTransformation([swap, swap]).candidates([text], [1], [0])[0]
    assert [c.input for c in merged] == ["a decent film", "a fine film"]


def tiny_mlm(favourite: list[str]) -> MaskedLM:
    tok = wordpiece_tokenizer()
    model = tiny_model("bert", len(tok))
    with torch.no_grad():
        bias = model.cls.predictions.bias
        for rank, token in enumerate(favourite):
            bias[tok.convert_tokens_to_ids(token)] = 20.0 - rank
    mlm = MaskedLM("tiny")
    mlm._loaded = (model.eval(), tok)
    return mlm


def test_bae_proposes_whole_words_at_the_mask():
    mlm = tiny_mlm(["##ness", "great", "good", "fine", "nice"])
    text = AttackedText.from_input("the plot was good")
    candidates = WordSwapMaskedLM(mlm, "bae", max_candidates=3).candidates([text], [3], [0])[0]
    assert [c.word(3) for c in candidates] == ["great", "fine"]  # no sub-word piece, not the word itself
    inserted = WordSwapMaskedLM(mlm, "bae", max_candidates=2, insert=True).candidates([text], [3], [0])[0]
    assert [c.input for c in inserted] == ["the plot was great good"]


def test_bert_attack_combines_sub_words():
    mlm = tiny_mlm(["great", "##ly", "fine", "##s"])
    text = AttackedText.from_input("the goodness was nice")
    transform = WordSwapMaskedLM(mlm, "bert-attack", max_candidates=5, combination_k=2)
    multi, single = transform.candidates([text, text], [1, 3], [0, 0])
    assert mlm.load()[1].tokenize("goodness") == ["good", "##ness"]
    assert "greatly" in [c.word(1) for c in multi] and len(multi) <= 5
    assert all(c.word(1).isalpha() for c in multi)
    assert [c.word(3) for c in single][:2] == ["great", "fine"] and len(single) <= 5
