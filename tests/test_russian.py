"""The Russian formats every page, export and command prints (promcluster/russian.py)."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from promcluster import numbers, russian

G = "\u202f"  # thousands
NB = "\u00a0"  # before «%»


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (1234567.8, 0, f"1{G}234{G}568"),
        (16722, 0, f"16{G}722"),
        (94.7, 1, "94,7"),
        (0.4, 1, "0,4"),
        (0.95, 2, "0,95"),
        (-1234.5, 1, f"−1{G}234,5"),
        (-0.001, 2, "0,00"),  # rounds to zero: no minus
        (-0.4, 0, "0"),
        (3, 2, "3,00"),
        (None, 0, "—"),
    ],
)
def test_number(value, digits, shown):
    assert russian.number(value, digits) == shown


def test_number_reads_back():
    """What the pages print, the forms and imports read (numbers.parse)."""
    for value in (1234567.25, -98765.5, 0.125):
        assert numbers.parse(russian.number(value, 3)) == pytest.approx(value)


@pytest.mark.parametrize(
    ("value", "shown"), [(12500, f"12{G}500"), (2.5, "2,5"), (3, "3"), (150.4, "150")]
)
def test_amount(value, shown):
    assert russian.amount(value) == shown


def test_exact_keeps_the_decimals_stated():
    assert russian.exact(0.25) == "0,25" and russian.exact(5) == "5" and russian.exact(None) == "—"
    assert russian.exact(12345.125) == f"12{G}345,125"


def test_percent_one_spacing():
    assert russian.percent(0.125) == f"12,5{NB}%"
    assert russian.percent(0.5, 0) == f"50{NB}%"
    assert russian.percent(-0.00001) == f"0,0{NB}%"
    assert russian.percent(None) == "—"
    assert russian.signed_percent(0.05) == f"+5,0{NB}%"
    assert russian.signed_percent(-0.05) == f"−5,0{NB}%"
    assert russian.signed_percent(0.0001) == f"0,0{NB}%"  # no «+0,0 %»
    assert russian.signed(0.123) == "+0,12" and russian.signed(-0.004) == "0,00"
    assert russian.signed(None) == russian.signed_percent(None) == "—"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (3_600_000_000, "3,6 млрд ₽"),
        (808_500_000, "808,5 млн ₽"),
        (1_234_000_000_000, f"1{G}234 млрд ₽"),
        (15_000, "15 тыс. ₽"),
        (999, "999 ₽"),
        (-2_500_000, "−2,5 млн ₽"),
        (None, "—"),
    ],
)
def test_money(value, shown):
    assert russian.money(value) == shown


def test_decimals_from_postgresql():
    """Sums read from PostgreSQL are Decimal: formatted like floats."""
    assert russian.money(Decimal("3600000000")) == "3,6 млрд ₽"
    assert russian.number(Decimal("1234.5"), 1) == f"1{G}234,5"
    assert russian.percent(Decimal("0.125")) == f"12,5{NB}%"


def test_months_and_dates_in_words():
    assert russian.month("2026-12") == "декабрь 2026"
    assert russian.month(date(2026, 3, 15)) == "март 2026"
    assert russian.month(datetime(2025, 5, 1, 12)) == "май 2025"
    assert russian.long_date(date(2026, 12, 3)) == f"3 декабря 2026{G}г."
    assert russian.long_date("2026-01-09") == f"9 января 2026{G}г."
    assert russian.month(None) == russian.long_date(None) == "—"


@pytest.mark.parametrize(
    ("count", "word", "case", "shown"),
    [
        (1, "участник", "nomn", "1 участник"),
        (1, "участник", "gent", "1 участника"),  # «из 1 участника»
        (5, "участник", "gent", "5 участников"),
        (21, "участник", "nomn", "21 участник"),
        (5, "участник", "nomn", "5 участников"),
        (4, "проект", "nomn", "4 проекта"),
        (11, "проект", "nomn", "11 проектов"),
        (22, "проект", "nomn", "22 проекта"),
        (112, "проект", "nomn", "112 проектов"),
        (0, "кластер", "nomn", "0 кластеров"),
        (12345, "предприятие", "nomn", f"12{G}345 предприятий"),
        (2, "Организация", "nomn", "2 Организации"),
    ],
)
def test_plural_agrees(count, word, case, shown):
    assert russian.plural(count, word, case) == shown


def test_plural_of_fractions_and_unknown_words():
    assert russian.plural(1.5, "проект", digits=1) == "1,5 проекта"
    assert russian.agree("ОКВЭД2", 5) == "ОКВЭД2"  # not a word pymorphy3 inflects: unchanged
    assert russian.plural(None, "проект") == "—"


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0\u00a0байт"),
        (1, "1\u00a0байт"),
        (3, "3\u00a0байта"),
        (12, "12\u00a0байт"),
        (1023, "1\u202f023\u00a0байта"),
        (1013, "1\u202f013\u00a0байт"),
        (12 * 1024, "12\u00a0КБ"),
        (int(1.5 * 2**20), "1,5\u00a0МБ"),
        (50 * 2**20, "50\u00a0МБ"),
        (int(2.1 * 2**30), "2,1\u00a0ГБ"),
        (None, "—"),
    ],
)
def test_file_size(size, shown):
    assert russian.file_size(size) == shown
