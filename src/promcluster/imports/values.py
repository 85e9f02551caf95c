"""Reading cell values the way Russian spreadsheets write them.

Each parser takes a non-empty cell (text, or a number or date from XLSX) and returns the stored
value, or raises ValueError with a message that tells the user what is wrong.
"""

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from promcluster import numbers
from promcluster.reference.identifiers import inn_error, ogrn_error

Cell = str | int | float | date | datetime

_MONTHS = {
    m: i + 1
    for i, months in enumerate(
        [
            ("январ", "янв"),
            ("феврал", "фев"),
            ("март", "мар"),
            ("апрел", "апр"),
            ("ма",),
            ("июн",),
            ("июл",),
            ("август", "авг"),
            ("сентябр", "сен"),
            ("октябр", "окт"),
            ("ноябр", "ноя"),
            ("декабр", "дек"),
        ]
    )
    for m in months
}
_EXCEL_EPOCH = date(1899, 12, 30)
_TRUE = {"да", "1", "true", "yes", "y", "+", "x", "х", "истина", "д"}
_FALSE = {"нет", "0", "false", "no", "n", "-", "ложь", "н"}


def text(cell: Cell) -> str:
    """Trimmed text with inner runs of spaces collapsed."""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return " ".join(str(cell).split())


def number(cell: Cell) -> float:
    """A number written with spaces between thousands and a decimal comma: ``1 234,5``."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell)
    return numbers.parse(str(cell))


def non_negative(cell: Cell) -> float:
    """A number that cannot be below zero (volumes, shares)."""
    value = number(cell)
    if value < 0:
        raise ValueError(f"отрицательное значение {text(cell)}")
    return value


INTEGER_MAX = 2**31 - 1  # the database's INTEGER
MONEY_MAX = 2**63 - 1  # BIGINT, in roubles


def integer(cell: Cell) -> int:
    """A whole non-negative number (headcount, jobs)."""
    value = non_negative(cell)
    if not value.is_integer():
        raise ValueError(f"«{text(cell)}» не целое число")
    if value > INTEGER_MAX:
        raise ValueError(f"число {text(cell)} слишком велико")
    return int(value)


def money(cell: Cell, scale: float = 1) -> int:
    """Roubles (times ``scale`` for a column in thousands or millions), rounded half up."""
    value = math.floor(non_negative(cell) * scale + 0.5)
    if value > MONEY_MAX:
        raise ValueError(f"сумма {text(cell)} слишком велика")
    return value


def exact(cell: Cell) -> Decimal:
    """A non-negative decimal read exactly from its text (``1207680.35``, ``.97``,
    ``1 207 680,35``): money and quantities of XML documents, never through a float."""
    raw = numbers.SPACES.sub("", text(cell)).replace(",", ".").replace("−", "-")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"«{text(cell)}» не число") from None
    if not value.is_finite():
        raise ValueError(f"«{text(cell)}» не число")
    if value < 0:
        raise ValueError(f"отрицательное значение {text(cell)}")
    return value


def kopecks(cell: Cell) -> int:
    """Roubles written as a decimal → kopecks, exactly (a third decimal rounds half up)."""
    value = exact(cell) * 100
    if value > MONEY_MAX:
        raise ValueError(f"сумма {text(cell)} слишком велика")
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def share(cell: Cell) -> float:
    """A share from 0 to 1: ``35%`` and ``35`` mean 0.35, ``0,35`` too (above 1 means percent)."""
    raw = text(cell)
    percent = raw.endswith("%")
    value = non_negative(raw.rstrip("%") if percent else cell)
    if percent or value > 1:
        value /= 100
    if value > 1:
        raise ValueError(f"доля «{raw}» больше 100%")
    return value


def year(cell: Cell) -> int:
    """A year from 1900 to 2100."""
    value = integer(cell)
    if not 1900 <= value <= 2100:
        raise ValueError(f"год {value} вне диапазона 1900–2100")
    return value


def day(cell: Cell) -> date:
    """A date: ``31.12.2024``, ``31.12.24``, ``2024-12-31``, ``31 декабря 2024 г.``, an XLSX date
    or an Excel serial number."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float):
        if 1 <= cell < 100000:
            return _EXCEL_EPOCH + timedelta(days=int(cell))
        raise ValueError(f"«{cell}» не дата")
    raw = text(cell).casefold().removesuffix("г.").removesuffix("года").strip()
    try:
        if m := re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})", raw):
            d, mo, y = (int(g) for g in m.groups())
            return date(y + 2000 if y < 100 else y, mo, d)
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t].*)?", raw):
            return date(*(int(g) for g in m.groups()))
        if m := re.fullmatch(r"(\d{1,2})\s+([а-я]+)\s+(\d{4})", raw):
            month = next((n for k, n in _MONTHS.items() if m.group(2).startswith(k)), None)
            if month is not None:
                return date(int(m.group(3)), month, int(m.group(1)))
    except ValueError:
        raise ValueError(f"«{cell}»: такой даты нет") from None
    raise ValueError(f"«{cell}» не дата (ожидается ДД.ММ.ГГГГ)")


def flag(cell: Cell) -> bool:
    """Yes or no: ``да``/``нет``, ``1``/``0``, ``true``/``false``, ``+``/``-``."""
    raw = text(cell).casefold()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"«{cell}»: ожидается «да» или «нет»")


def _identifier(lengths: tuple[int, ...], error_of: Callable[[str], str | None]):
    def parse(cell: Cell) -> str:
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            # A number cell lost the leading zero: 9 digits can only be a 10-digit INN.
            raw = str(int(cell))
            raw = next((raw.zfill(n) for n in lengths if len(raw) == n - 1), raw)
        else:
            raw = cell if cell.isdigit() else numbers.SPACES.sub("", str(cell))  # type: ignore[union-attr]
        if (error := error_of(raw)) is not None:
            raise ValueError(error)
        return raw

    return parse


inn = _identifier((10, 12), inn_error)
ogrn = _identifier((13, 15), ogrn_error)


SHORTEST_PREFIX = 4  # «микро» for «микропредприятие»; «мал» could be anything


def choice(vocabulary: dict[str, str], extra: dict[str, str] | None = None) -> Callable:
    """A value of ``vocabulary`` written as its stored name or its Russian label (or a word of
    ``extra``), in any case, or as the beginning of one of them («микро») when that beginning
    is at least four letters long and belongs to one value only."""
    names = {k.casefold(): k for k in vocabulary}
    names |= {label.casefold(): k for k, label in vocabulary.items()}
    names |= {word.casefold().replace("ё", "е"): k for word, k in (extra or {}).items()}

    def parse(cell: Cell) -> str:
        raw = text(cell).casefold().replace("ё", "е")
        if raw in names:
            return names[raw]
        if len(raw) >= SHORTEST_PREFIX:
            meant = {k for name, k in names.items() if name.startswith(raw)}
            if len(meant) == 1:
                return meant.pop()
        allowed = ", ".join(f"«{label}»" for label in vocabulary.values())
        raise ValueError(f"«{text(cell)}»: допустимо {allowed}")

    return parse


def code_list(cell: Cell) -> list[str]:
    """Several codes in one cell, separated by commas, semicolons, spaces or line breaks."""
    return [c for c in re.split(r"[;,\s]+", str(cell)) if c]
