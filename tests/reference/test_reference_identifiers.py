"""INN and OGRN check digits: valid numbers pass; another check digit, length or character fails."""

import pytest
from factories import inn10, inn12, ogrn

from promcluster.reference.identifiers import inn_error, ogrn_error

# Public identifiers of well-known companies and the textbook examples of an individual's INN
# and an OGRNIP (their check digits are also recomputed below by the tests' own implementation).
PUBLIC_INN = ["7707083893", "7736050003", "500100732259"]
PUBLIC_OGRN = ["1027700132195", "1027700070518", "304500116000157"]

GENERATED_INN = [inn10(b) for b in ("720000001", "470123456", "390987654", "230000000")] + [
    inn12(b) for b in ("7200000001", "4701234567", "3909876543", "2300000000")
]
GENERATED_OGRN = [ogrn(b) for b in ("102720000001", "117470012345", "108230000000")] + [
    ogrn(b) for b in ("30472000000001", "31923000012345", "32139000000000")
]


def test_independent_algorithm_agrees_with_public_identifiers():
    for inn in PUBLIC_INN:
        make = inn10 if len(inn) == 10 else inn12
        assert make(inn[: len(inn) - (1 if len(inn) == 10 else 2)]) == inn
    for number in PUBLIC_OGRN:
        assert ogrn(number[:-1]) == number


@pytest.mark.parametrize("inn", PUBLIC_INN + GENERATED_INN)
def test_valid_inn_has_no_error(inn):
    assert inn_error(inn) is None


@pytest.mark.parametrize("number", PUBLIC_OGRN + GENERATED_OGRN)
def test_valid_ogrn_has_no_error(number):
    assert ogrn_error(number) is None


@pytest.mark.parametrize("inn", PUBLIC_INN + GENERATED_INN)
def test_inn_with_any_other_check_digit_is_refused(inn):
    for position in range(len(inn) - (1 if len(inn) == 10 else 2), len(inn)):
        for digit in "0123456789":
            if digit == inn[position]:
                continue
            wrong = inn[:position] + digit + inn[position + 1 :]
            assert inn_error(wrong) == "неверная контрольная цифра ИНН", wrong


@pytest.mark.parametrize("number", PUBLIC_OGRN + GENERATED_OGRN)
def test_ogrn_with_any_other_check_digit_is_refused(number):
    for digit in "0123456789":
        if digit != number[-1]:
            assert ogrn_error(number[:-1] + digit) == "неверная контрольная цифра ОГРН"


@pytest.mark.parametrize(
    "inn",
    [
        "",
        "770708389",  # 9 digits
        "77070838930",  # 11 digits
        "7707083893000",  # 13 digits
        "770708389A",  # a letter
        "77О7083893",  # Cyrillic О instead of zero
        "7707 083893",
        "7707-083893",
        " 7707083893",
    ],
)
def test_inn_of_wrong_length_or_with_letters_is_refused(inn):
    message = inn_error(inn)
    assert message is not None
    assert "10" in message and "12" in message


@pytest.mark.parametrize(
    "number",
    ["", "102770013219", "10277001321950", "1027700132195000", "10277001321A5", "304500116O00157"],
)
def test_ogrn_of_wrong_length_or_with_letters_is_refused(number):
    message = ogrn_error(number)
    assert message is not None
    assert "13" in message and "15" in message


@pytest.mark.parametrize(
    "inn",
    [
        "７７０７０８３８９３",  # full-width digits of 7707083893
        "٧٧٠٧٠٨٣٨٩٣",  # Arabic-Indic digits of 7707083893
    ],
    ids=["fullwidth", "arabic-indic"],
)
def test_inn_of_non_ascii_digits_is_refused(inn):
    # str.isdigit() accepts these, and int() reads them as 7707083893: such a value would be
    # stored as a "valid" INN that neither search nor the duplicate check would match.
    assert inn_error(inn) is not None


def test_ogrn_of_non_ascii_digits_is_refused():
    assert ogrn_error("１０２７７００１３２１９５") is not None


def test_inn_of_digit_like_characters_gives_a_message_not_an_exception():
    # "²" is a digit to str.isdigit() but not to int().
    assert inn_error("²" * 10) is not None
