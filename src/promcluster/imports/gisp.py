"""The registry of industrial products made in Russia (ГИСП, Government Decree No. 719) as
gisp.gov.ru exports it (docs/OPEN_DATA.md, «gisp-products»): its own column names, «-» for an
empty cell, TN VED codes written with spaces, one entry on several rows when it was renewed.

Cell readers for the kind's columns and the rules that need no database: where a new
enterprise is (region and city from the organisation's address, else from the INN's first two
digits) and which of an entry's rows is the newest."""

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from promcluster.imports import values
from promcluster.reference.lookup import RegionIndex

# A column's reader as ``columns.Kind`` calls it: (cell, the import's lookups) → value.
Reader = Callable[[values.Cell, Any], Any]
EMPTY = "пустая обязательная ячейка («-»)"

SOURCE = "ГИСП, реестр промышленной продукции, произведённой на территории РФ (ПП РФ № 719)"
DASHES = frozenset({"-", "–", "—"})
# Fields of a row that describe the enterprise, not the product line.
ENTERPRISE_FIELDS = ("org_name", "ogrn", "org_address")


def is_dash(cell: values.Cell) -> bool:
    """Whether the cell is the registry's «-» (nothing written)."""
    return isinstance(cell, str) and cell.strip() in DASHES


def optional(parse: Callable[[values.Cell], Any]) -> Reader:
    """A column the registry may leave as «-»: read as nothing (None, dropped before writing)."""
    return lambda cell, _lookups: None if is_dash(cell) else parse(cell)


def required(parse: Reader) -> Reader:
    """A column a row cannot do without: «-» refuses the row like an empty cell."""

    def read(cell: values.Cell, lookups: Any) -> Any:
        if is_dash(cell):
            raise ValueError(EMPTY)
        return parse(cell, lookups)

    return read


def tnved(cell: values.Cell) -> str:
    """TN VED EAEU codes as the registry writes them (``8413 70 300 0``): 10 digits each, spaces
    removed; several codes are kept separated by «, »."""
    raw = values.text(cell)
    codes = []
    for part in re.split(r"[;,\n]+", raw):
        digits = re.sub(r"[\s.\u00a0]", "", part)
        if not digits:
            continue
        if not re.fullmatch(r"\d{4}|\d{6}|\d{8}|\d{10}", digits):
            raise ValueError(f"«{part.strip()}» не код ТН ВЭД ЕАЭС (4–10 цифр)")
        codes.append(digits)
    if not codes:
        raise ValueError(f"«{raw}» не код ТН ВЭД ЕАЭС")
    joined = ", ".join(dict.fromkeys(codes))
    if len(joined) > 100:
        raise ValueError("слишком много кодов ТН ВЭД в одной ячейке")
    return joined


def limited(chars: int, what: str) -> Callable[[values.Cell], str]:
    """Text of at most ``chars`` signs (the stored field's length), else the row is refused."""

    def read(cell: values.Cell) -> str:
        found = values.text(cell)
        if len(found) > chars:
            raise ValueError(f"{what} длиннее {chars} знаков ({len(found)})")
        return found

    return read


def registry_number(cell: values.Cell) -> str:
    """The entry's number in the registry (``Registernumber``), as text of at most 50 signs."""
    number = values.text(cell)
    if len(number) > 50:
        raise ValueError("номер реестровой записи длиннее 50 знаков")
    return number


def place(address: str | None, inn: str, regions: RegionIndex) -> tuple[str | None, int | None]:
    """A new enterprise's region code and city id: the parts of its address (``625000,
    Тюменская обл., г. Тюмень, …``) that name a region and a city of it; else the region of
    the INN's first two digits (the tax office that registered it), with no city."""
    parts = [p.strip() for p in re.split(r"[,;]", address or "") if p.strip()]
    region = None
    for part in parts:
        if re.fullmatch(r"\d{5,6}", part):  # the postcode
            continue
        try:
            region = regions.resolve(part)
            break
        except ValueError:
            continue
    if region is None:
        code = inn[:2]
        return (code if code in regions.codes else None), None
    for part in parts:
        if (city := regions.city(region, part)) is not None:
            return region, city.id
    return region, None


def newest(rows: list[tuple[Any, dict[str, Any]]]) -> tuple[list, list]:
    """Of rows naming the same registry entry (renewals: a new document and validity), the one
    with the latest document date, then validity; returns (kept, superseded)."""
    best: dict[str, tuple[Any, dict[str, Any]]] = {}
    superseded = []
    for row, record in rows:
        number = record["registry_number"]
        if number not in best:
            best[number] = (row, record)
        elif freshness(record) > freshness(best[number][1]):
            superseded.append(best[number])
            best[number] = (row, record)
        else:
            superseded.append((row, record))
    return list(best.values()), superseded


def freshness(record: dict[str, Any]) -> tuple[date, date]:
    """How recent a row of an entry is: its document date, then its validity."""
    return (
        record.get("registry_date") or date.min,
        record.get("registry_valid_until") or date.min,
    )
