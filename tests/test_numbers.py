"""Numbers as typed in Russian (``promcluster.numbers``), shared by imports and forms."""

import pytest

from promcluster import numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 200 000,50", 1200000.5),
        ("1\u00a0200\u202f000", 1200000.0),
        ("−3,5", -3.5),
        ("15 000 ₽", 15000.0),
        ("15000 руб.", 15000.0),
        ("1.5", 1.5),
        ("1'000", 1000.0),
        ("42", 42.0),
    ],
)
def test_russian_number_input(text, value):
    assert numbers.parse(text) == value


@pytest.mark.parametrize("text", ["много", "1,2,3", "nan", "1e999", "", "₽"])
def test_what_is_no_number_is_named(text):
    with pytest.raises(ValueError, match="не число"):
        numbers.parse(text)
