"""Russian text to lemmas: the forms a buyer types and the classifier's wording meet on the same
words; grades, sizes and abbreviations survive; glued words come apart."""

import pytest

from promcluster.matching.text import expand, index_terms, lemma, lemmas, split_glued, words


@pytest.mark.parametrize(
    ("typed", "catalogue"),
    [
        ("газобетонных блоков", "Газобетонный блок"),
        ("Трубы стальные", "труба стальная"),
        ("кирпича керамического", "Кирпич керамический"),
        ("плитами тротуарными", "Плиты тротуарные"),
    ],
)
def test_case_and_number_forms_meet(typed, catalogue):
    assert lemmas(typed) == lemmas(catalogue)
    assert index_terms(typed) == index_terms(catalogue)


def test_lemmas_are_normal_forms():
    assert lemmas("газобетонных блоков") == ["газобетонный", "блок"]
    assert lemma("трубы") == "труба"


def test_function_words_are_dropped():
    assert lemmas("Трубы из полиэтилена для воды и газа") == ["труба", "полиэтилен", "вода", "газ"]
    assert lemmas("в на по с от до и или но") == []


@pytest.mark.parametrize("text", ["", None])
def test_no_text_no_lemmas(text):
    assert lemmas(text) == []
    assert index_terms(text) == []


def test_grades_and_decimals_stay_whole():
    assert words("Бетон М200, блок D500, лист 1,5") == [
        "бетон", "м200", "блок", "d500", "лист", "1.5",
    ]  # fmt: skip
    assert {"м200", "d500", "1.5"} <= set(index_terms("Бетон М200, блок D500, лист 1,5"))


@pytest.mark.parametrize("size", ["600х300", "600x300", "600×300", "600*300"])
def test_dimensions_split_into_numbers(size):
    """Cyrillic х, Latin x, the times sign and an asterisk all separate two sizes."""
    assert words(f"Плита {size}") == ["плита", "600", "300"]


def test_three_dimensions_split():
    assert lemmas("Блок 600х300х200") == ["блок", "600", "300", "200"]


def test_yo_is_written_as_ye():
    assert words("Ёмкость зелёная") == ["емкость", "зеленая"]
    assert lemmas("ёмкость") == lemmas("емкость") == ["емкость"]
    assert all("ё" not in w for w in index_terms("Зелёный чёрный тёплый"))


def test_abbreviation_expands_to_its_full_name():
    terms = index_terms("Трубы ПНД")
    assert terms[:2] == ["труба", "пнд"]  # the words typed first
    assert {"полиэтилен", "низкий", "давление"} <= set(terms)


def test_full_name_expands_to_its_abbreviation():
    terms = index_terms("Трубы из полиэтилена низкого давления")
    assert "пнд" in terms


def test_a_full_name_needs_all_its_words_in_any_order():
    """«низкого давления» alone is not polyethylene; all the words in another order are
    («Блоки газобетонные» is a «газобетонный блок»)."""
    assert "пнд" not in index_terms("Насос низкого давления")
    assert "пнд" in index_terms("давления низкого полиэтилен")
    assert "газоблок" in index_terms("Блоки газобетонные D500")


def test_expand_keeps_what_was_found_first_and_adds_no_repeats():
    found = ["газобетон", "блок"]
    expanded = expand(found)
    assert expanded[:2] == found
    assert {"газоблок", "ячеистый", "бетон"} <= set(expanded)
    assert len(expanded) == len(set(expanded))


def test_unrelated_text_gains_nothing():
    assert expand(["хлеб", "пшеничный"]) == ["хлеб", "пшеничный"]


@pytest.mark.parametrize(
    ("glued", "parts"),
    [
        ("чайникэлектрический", ["чайник", "электрический"]),
        ("трубастальнаябесшовная", ["труба", "стальная", "бесшовная"]),
    ],
)
def test_glued_words_are_split(glued, parts):
    assert split_glued(glued) == parts
    assert words(glued) == parts


def test_known_long_word_is_not_split():
    assert split_glued("электродвигатель") == ["электродвигатель"]
    assert words("Полиэтиленовый электродвигатель") == ["полиэтиленовый", "электродвигатель"]


@pytest.mark.parametrize(
    "word", ["щзхъывапролджэ", "металлочерепица", "фиброцементный", "стеклофибробетон"]
)
def test_unknown_long_word_is_kept_whole(word):
    """A compound the dictionary lacks is one word, not fragments such as «мет», «алло»."""
    assert split_glued(word) == [word]
    assert words(word) == [word]


def test_short_words_are_not_searched_for_glue():
    """Below the length at which gluing is suspected, even a splittable word stays whole."""
    assert words("домсад") == ["домсад"]
