"""Numbers, percents, money, months and counted words as Russian readers expect them, for pages,
exports and the command line alike: Babel (CLDR ``ru``) formats, pymorphy3 agrees (ADR 0014)."""

from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import Literal

import pymorphy3
from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "ru_RU"
GROUP = "\u202f"  # between thousands: the narrow no-break space of Russian typesetting
MINUS = "\u2212"  # «−3,5»: the minus sign, not a hyphen
BEFORE_UNIT = "\u00a0"  # «12,5 %», «3 декабря»: a no-break space keeps number and sign together
NO_VALUE = "—"
Case = Literal["nomn", "gent", "datv", "accs", "ablt", "loct"]
_MONEY_SIZES = ((1e9, "млрд"), (1e6, "млн"), (1e3, "тыс."))


def _decimal(value: float, pattern: str) -> str:
    """``value`` through a CLDR ``pattern`` in Russian, thousands apart by ``GROUP``, negative
    values with ``MINUS``."""
    text = format_decimal(value, format=pattern, locale=LOCALE)
    if text.lstrip("-").strip("0,\u00a0") == "":  # «-0,00» is zero: no minus
        text = text.lstrip("-")
    return text.replace("\u00a0", GROUP).replace("-", MINUS)


def number(value: float | None, digits: int = 0) -> str:
    """``1234567.8`` → «1 234 568», ``number(0.4, 1)`` → «0,4», ``-0.001`` → «0», ``-3.5`` →
    «−3,5»; None → «—»."""
    if value is None:
        return NO_VALUE
    return _decimal(value, "#,##0" + ("." + "0" * digits if digits > 0 else ""))


def amount(value: float) -> str:
    """A quantity with only the decimals it has: ``12500`` → «12 500», ``2.5`` → «2,5»
    (one decimal below 100, none above)."""
    return _decimal(value, "#,##0" if abs(value) >= 100 else "#,##0.#")


def exact(value: float | None) -> str:
    """A stated value with the decimals it has (up to six): ``0.25`` → «0,25», ``5`` → «5»."""
    return NO_VALUE if value is None else _decimal(value, "#,##0.######")


def percent(share: float | None, digits: int = 1) -> str:
    """A share of one as a percent: ``0.125`` → «12,5 %» (no-break space before «%»)."""
    if share is None:
        return NO_VALUE
    return f"{number(share * 100, digits)}{BEFORE_UNIT}%"


def file_size(size: float | None) -> str:
    """A size in bytes as people read it: «830 байт», «12 КБ», «1,5 МБ», «2,1 ГБ» (binary
    units, the Russian abbreviations)."""
    if size is None:
        return NO_VALUE
    for unit, scale in (("ГБ", 2**30), ("МБ", 2**20), ("КБ", 2**10)):
        if size >= scale:
            return f"{amount(round(size / scale, 1))}{BEFORE_UNIT}{unit}"
    few = size % 10 in (2, 3, 4) and size % 100 not in (12, 13, 14)
    return f"{number(size)}{BEFORE_UNIT}{'байта' if few else 'байт'}"  # counted: «5 байт»


def signed(value: float | None, digits: int = 2) -> str:
    """A change with its sign: ``0.123`` → «+0,12», ``-0.05`` → «−0,05», ``0.001`` → «0,00»."""
    text = number(value, digits)
    return "+" + text if value is not None and round(value, digits) > 0 else text


def signed_percent(share: float | None, digits: int = 1) -> str:
    """A change as a percent with its sign: ``0.05`` → «+5,0 %», ``-0.05`` → «−5,0 %»."""
    if share is None:
        return NO_VALUE
    return f"{signed(share * 100, digits)}{BEFORE_UNIT}%"


def money(value: float | Decimal | None) -> str:
    """Roubles in the units people read: ``3 600 000 000`` → «3,6 млрд ₽», ``15000`` → «15 тыс. ₽»
    (money keeps plain spaces: «млн ₽» is one unit)."""
    if value is None:
        return NO_VALUE
    value = float(value)  # PostgreSQL's sums arrive as Decimal
    for size, unit in _MONEY_SIZES:
        if abs(value) >= size:
            return f"{_decimal(value / size, '#,##0.##')} {unit} ₽"
    return f"{number(value)} ₽"


def _as_date(value: date | datetime | str) -> date:
    """A date, or the first day of a month written ``2026-12``, or an ISO date ``2026-12-03``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value if len(value) > 7 else value + "-01")


def month(value: date | datetime | str | None) -> str:
    """``2026-12`` or a date in December 2026 → «декабрь 2026»."""
    if value is None or value == "":
        return NO_VALUE
    return format_date(_as_date(value), "LLLL y", locale=LOCALE)


def long_date(value: date | datetime | str | None) -> str:
    """``2026-12-03`` → «3 декабря 2026 г.»."""
    if value is None or value == "":
        return NO_VALUE
    return format_date(_as_date(value), "long", locale=LOCALE)


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=4096)
def agree(word: str, count: float, case: Case = "nomn") -> str:
    """``word`` in the form a number asks for: (проект, 4) → «проекта», (участник, 1, gent) →
    «участника», (проект, 1.5) → «проекта»; a word pymorphy3 does not know is left as is."""
    parsed = _morph().parse(word)[0]
    if count != int(count):  # a fraction takes the genitive singular: «1,5 проекта»
        form = parsed.inflect({"sing", "gent"})
    else:
        in_case = parsed.inflect({case})
        form = in_case.make_agree_with_number(abs(int(count))) if in_case else None
    if form is None:
        return word
    return form.word.capitalize() if word[:1].isupper() else form.word


def plural(count: float | None, word: str, case: Case = "nomn", digits: int = 0) -> str:
    """A count with its word agreed: (4, проект) → «4 проекта», (1, участник, gent) →
    «1 участника» (as in «из 1 участника»), (21, участник) → «21 участник»."""
    if count is None:
        return NO_VALUE
    return f"{number(count, digits)} {agree(word, count, case)}"
