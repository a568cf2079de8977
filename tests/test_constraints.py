"""Each constraint alone, batched."""

import numpy as np
import pytest
from handmade import toy_space

from advkit.attack import AttackedText
from advkit.attack.constraints import (
    MaxWordsPerturbed,
    PartOfSpeech,
    RepeatModification,
    SentenceSimilarity,
    StopwordModification,
    WordEmbeddingDistance,
)


def swap(text: str, i: int, word: str) -> tuple[AttackedText, AttackedText]:
    original = AttackedText.from_input(text)
    return original, original.replace_word(i, word)


def test_stopwords_and_repeat_modification():
    text = AttackedText.from_input("the movie is not good")
    assert StopwordModification(frozenset({"the", "is", "not"})).allowed(text, text) == {1, 4}
    assert StopwordModification().allowed(text, text) == {1, 4}  # NLTK's English list
    changed = text.replace_word(1, "film")
    assert RepeatModification().allowed(changed, text) == {0, 2, 3, 4}
    inserted = changed.insert_before(0, "oh")
    assert RepeatModification().allowed(inserted, text) == {1, 3, 4, 5}


def test_max_words_perturbed():
    original = AttackedText.from_input("one two three four five six seven eight nine ten")
    one = original.replace_word(0, "uno")
    two = one.replace_word(1, "dos")
    check = MaxWordsPerturbed(max_percent=0.1).check
    assert check([original, original], [one, two]).tolist() == [True, False]
    assert MaxWordsPerturbed(max_num=2).check([original], [two]).tolist() == [True]


def test_word_embedding_distance():
    space = toy_space()
    pairs = [
        swap("a good film", 1, "decent"),
        swap("a good film", 1, "film"),
        swap("a good film", 1, "unknownword"),
    ]
    mask = WordEmbeddingDistance(space, min_cos=0.5).check([p[0] for p in pairs], [p[1] for p in pairs])
    assert mask.tolist() == [True, False, False]


def test_part_of_speech_in_context():
    pos = PartOfSpeech(allow_verb_noun_swap=False)
    pairs = [swap("the movie was really good", 4, "great"), swap("the movie was really good", 4, "quickly"),
             swap("the movie was really good", 1, "film")]  # fmt: skip
    assert pos.check([p[0] for p in pairs], [p[1] for p in pairs]).tolist() == [True, False, True]
    noun_to_verb = swap("i saw the run", 3, "go")
    strict = PartOfSpeech(allow_verb_noun_swap=False).check([noun_to_verb[0]], [noun_to_verb[1]])
    loose = PartOfSpeech(allow_verb_noun_swap=True).check([noun_to_verb[0]], [noun_to_verb[1]])
    assert loose[0] or not strict[0]


class LetterEncoder:
    """A sentence 'encoder' whose vectors count letters: similar spellings are similar sentences."""

    def __init__(self):
        self.calls = 0

    def encode(self, sentences):
        self.calls += 1
        return np.array([[s.count(ch) + 0.01 for ch in "abcdefghijklmnopqrstuvwxyz "] for s in sentences])


def test_sentence_similarity_windows_thresholds_and_cache():
    encoder = LetterEncoder()
    long_text = "w " * 20 + "a good film " + "x " * 20
    original = AttackedText.from_input(long_text)
    i = original.words.index("good")
    close, far = original.replace_word(i, "goad"), original.replace_word(i, "zzzzzzzzzzzzzzzz")
    constraint = SentenceSimilarity(encoder, threshold=0.9, metric="cosine", window_size=5)
    mask = constraint.check([original, original], [close, far])
    assert mask.tolist() == [True, False]
    assert close.attrs["similarity"] > far.attrs["similarity"]
    assert encoder.calls == 1  # one batched call for all candidates
    constraint.check([original], [close])
    assert encoder.calls == 1  # everything cached
    angular = SentenceSimilarity(encoder, threshold=0.0, metric="angular", window_size=5)
    angular.check([original], [close])
    cos = close.attrs["similarity"]
    assert 0.5 <= cos <= 1.0  # 1 - arccos(c)/pi lies in [0.5, 1] for c >= 0


def test_short_texts_skip_the_window_check():
    encoder = LetterEncoder()
    original, candidate = swap("a good film", 1, "zzzzzzzzzz")
    constraint = SentenceSimilarity(
        encoder, threshold=0.99, window_size=15, skip_text_shorter_than_window=True
    )
    assert constraint.check([original], [candidate]).tolist() == [True] and encoder.calls == 0
    whole = SentenceSimilarity(encoder, threshold=0.99, window_size=None)
    assert whole.check([original], [candidate]).tolist() == [False]


@pytest.mark.parametrize("word", ["good", "Good"])
def test_stopword_check_is_case_insensitive(word):
    text = AttackedText.from_input(f"{word} film")
    assert StopwordModification(frozenset({"good"})).allowed(text, text) == {1}
