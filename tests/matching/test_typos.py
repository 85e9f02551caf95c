"""Spelling correction of query words: a few edits away from a known word, the most used word
first among equally close ones, never for abbreviations, units or numbers."""

import pytest
from rapidfuzz.distance import Levenshtein

from promcluster.matching.typos import Vocabulary, allowed_edits


def vocabulary(*words: str, **counts: int) -> Vocabulary:
    """Known ``words`` seen once each, and ``counts`` words seen that many times."""
    known = Vocabulary()
    known.add(words)
    for word, count in counts.items():
        known.add([word], count)
    return known


@pytest.mark.parametrize(
    ("typo", "known", "edits"),
    [
        ("кирпч", "кирпич", 1),  # a letter left out of a short word
        ("цемнт", "цемент", 1),
        ("бетнный", "бетонный", 1),
        ("крпчный", "кирпичный", 2),  # two letters left out of a seven-letter word
        ("газбетнный", "газобетонный", 2),
        ("газобетнный", "газобетонный", 1),
    ],
)
def test_a_typo_within_the_allowed_edits_is_corrected(typo, known, edits):
    assert Levenshtein.distance(typo, known) == edits  # the case is what it says
    assert edits <= allowed_edits(typo)
    assert vocabulary(known, "кровля", "гранит").corrections(typo) == [known]


def test_one_edit_up_to_six_letters_two_beyond():
    assert [allowed_edits("а" * n) for n in (4, 5, 6, 7, 8, 12)] == [1, 1, 1, 2, 2, 2]


@pytest.mark.parametrize(
    ("typo", "known"),
    [
        ("пскок", "песок"),  # two edits in five letters
        ("бтнный", "бетонный"),  # two edits in six letters
        ("газбтнный", "газобетонный"),  # three edits in nine letters
    ],
)
def test_a_word_too_far_from_any_known_word_is_not_corrected(typo, known):
    assert Levenshtein.distance(typo, known) > allowed_edits(typo)
    assert vocabulary(known).corrections(typo) == []


def test_the_most_used_word_wins_among_equally_close_ones():
    assert vocabulary(балка=2, банка=7).corrections("бадка") == ["банка", "балка"]
    assert vocabulary(балка=7, банка=2).corrections("бадка") == ["балка", "банка"]


def test_fewer_edits_win_over_more_use():
    known = vocabulary(кирпичный=1, кирпичом=50)
    assert known.corrections("кирпчный")[0] == "кирпичный"


def test_counts_add_up_across_calls():
    known = vocabulary(банка=3)
    known.add(["балка"], 2)
    known.add(["балка"], 2)
    assert known.counts["балка"] == 4
    assert known.corrections("бадка") == ["балка", "банка"]


def test_a_word_is_counted_once_per_call():
    known = Vocabulary()
    known.add(["труба", "труба", "труба"])
    assert known.counts == {"труба": 1}
    assert "труба" in known and len(known) == 1


def test_at_most_three_corrections():
    known = vocabulary("балка", "банка", "барка", "байка", "бабка")
    found = known.corrections("бадка")
    assert len(found) == 3
    assert set(found) <= {"балка", "банка", "барка", "байка", "бабка"}


def test_the_first_letter_is_trusted():
    """«ветон» is one edit from «бетон», but a typo rarely hits the first letter."""
    known = vocabulary("бетон")
    assert known.corrections("ветон") == []
    assert known.corrections("бетн") == ["бетон"]


@pytest.mark.parametrize("word", ["бтр", "пэн", "сп", "м"])
def test_short_words_are_never_corrected(word):
    """Under four letters a word is an abbreviation or a unit (ПНД, ДСП, м, шт)."""
    assert vocabulary("бак", "пэт", "сталь", "мм", "спб").corrections(word) == []


@pytest.mark.parametrize("word", ["5000", "d500", "м200", "1.5", "600х"])
def test_numbers_and_grades_are_never_corrected(word):
    assert vocabulary("5001", "d400", "м100", "1.6", "600", "600мм").corrections(word) == []


def test_a_known_word_is_not_corrected():
    assert vocabulary("балка", "банка").corrections("балка") == []


def test_numbers_are_counted_but_never_offered():
    known = vocabulary("бетон", "d500")
    assert "d500" in known
    assert known.corrections("d50") == []
    assert known.corrections("бетн") == ["бетон"]


def test_an_empty_vocabulary_corrects_nothing():
    assert Vocabulary().corrections("газобетон") == []


def test_a_beginning_of_a_known_word_is_recognised():
    known = vocabulary("цемент", "газоблок", "бештау")
    assert known.starts("цем") and known.starts("цемент") and known.starts("газобл")
    assert not known.starts("цемнт")  # no known word begins so: a typo, corrected
    assert not known.starts("цементный")  # longer than any known word of its letter
    assert known.starts("d500")  # not a word: never corrected while typed
