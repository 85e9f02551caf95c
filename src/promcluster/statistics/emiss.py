"""The export layout of ЕМИСС (fedstat.ru), CSV or XLSX read as rows:

    "Количество организаций … (единица, Всего)",,,,
    ,,,2017,2018,…                     ← the years (one column each)
    ,,,на 1 октября,на 1 октября,…     ← their notes (optional)
    ВСЕГО (по всем формам собственности),  Белгородская область,ОБРАБАТЫВАЮЩИЕ ПРОИЗВОДСТВА,,,2805,…

The columns left of the first year are dimensions, told apart by their labels: territory,
activity (OKVED2 names without codes) and, optionally, form of ownership; a file with another
dimension, or without a territory or an activity, is of another indicator layout and refused
whole. A row whose label matches nothing, or whose value is text, is refused with a reason
naming its number, column and value; the others are kept. «-», «…» and «x» (no phenomenon,
not published, confidential) are no figure."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from promcluster import numbers
from promcluster.errors import DomainError
from promcluster.statistics.activities import Activities
from promcluster.statistics.models import TOTAL
from promcluster.statistics.territories import Territories, label_key

HEADER_SCAN_ROWS = 10
MISSING = {"-", "—", "–", "…", "...", "x", "х", "X", "Х"}
_YEAR = re.compile(r"^(19[5-9]\d|20\d\d|2100)$")
_TITLE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$", re.DOTALL)
_MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря",
)  # fmt: skip
TERRITORY, ACTIVITY, OWNERSHIP = "territory", "activity", "ownership"
DIMENSION_TITLES = {
    TERRITORY: "Регион",
    ACTIVITY: "Вид деятельности",
    OWNERSHIP: "Форма собственности",
}


class LayoutError(DomainError):
    """A file that is not an ЕМИСС export of the layout above; nothing is written."""


@dataclass(frozen=True)
class Refusal:
    """A report line: row number as a spreadsheet shows it, column, value, reason."""

    row: int
    column: str
    value: str | None
    reason: str


@dataclass(frozen=True)
class Figure:
    """One value of one row and year."""

    row: int
    ownership: str
    region_code: str
    region_label: str
    okved_code: str
    activity_label: str
    year: int
    value: float
    note: str | None


@dataclass
class Export:
    """What a file holds: its indicator and unit, years with their notes, the figures of the
    good rows and the report lines of the refused ones."""

    indicator: str
    unit: str
    years: dict[int, str | None]
    rows: int = 0
    figures: list[Figure] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def refused_rows(self) -> int:
        return len({r.row for r in self.refusals})

    def state_date(self) -> date | None:
        """The date of the latest year's note («на 1 октября» 2022 → 01.10.2022), if it says one."""
        if not self.years:
            return None
        year = max(self.years)
        return note_date(self.years[year], year)


def note_date(note: str | None, year: int) -> date | None:
    """«на 1 октября» of ``year`` → that date; «на конец года» → 31 December; else None."""
    key = label_key(note or "")
    match = re.search(r"на (\d{1,2}) (" + "|".join(_MONTHS) + ")", key)
    if match:
        return date(year, _MONTHS.index(match.group(2)) + 1, int(match.group(1)))
    if "конец года" in key:
        return date(year, 12, 31)
    return None


Row = tuple[int, list[Any]]


def _text(cell: Any) -> str | None:
    if cell is None:
        return None
    text = str(cell).rstrip()
    return text if text.strip() else None


def _year(cell: Any) -> int | None:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip() if cell is not None else ""
    return int(text) if _YEAR.match(text) else None


def _title(rows: list[Row]) -> tuple[str, str]:
    texts = [t for t in (_text(c) for c in rows[0][1]) if t]
    match = _TITLE.match(texts[0].strip()) if texts else None
    if not match or not match.group(1):
        shown = texts[0][:100] if texts else "пусто"
        raise LayoutError(
            f"строка {rows[0][0]}: ожидался заголовок «Показатель (единица, …)», а в ней: «{shown}»"
        )
    return " ".join(match.group(1).split()), match.group(2).split(",")[0].strip()


def _header(rows: list[Row]) -> tuple[int, int, dict[int, int]]:
    """(index in ``rows`` of the row of years, the first year's column, column → year)."""
    for i, (number, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        first = next((j for j, c in enumerate(cells) if _year(c) is not None), None)
        if first is None or first == 0:
            continue
        years: dict[int, int] = {}
        for j in range(first, len(cells)):
            text = _text(cells[j])
            if text is None:
                continue
            year = _year(cells[j])
            if year is None:
                raise LayoutError(
                    f"строка {number}, столбец {j + 1}: «{text.strip()[:60]}» — не год; в строке "
                    "годов ЕМИСС после столбцов измерений стоят только годы"
                )
            if year in years.values():
                raise LayoutError(f"строка {number}: год {year} повторяется")
            years[j] = year
        return i, first, years
    raise LayoutError(
        f"в первых {HEADER_SCAN_ROWS} строках нет строки годов после столбцов измерений: "
        "это не выгрузка ЕМИСС"
    )


def _kind(labels: set[str], territories: Territories, activities: Activities) -> str | None:
    """Which dimension a column of these labels is (None: none known)."""

    def share(resolve) -> float:
        good = 0
        for label in labels:
            try:
                resolve(label)
                good += 1
            except ValueError:
                pass
        return good / len(labels)

    if all("собственност" in label_key(x) for x in labels):
        return OWNERSHIP
    if share(territories.resolve) >= 0.5:
        return TERRITORY
    if share(activities.resolve) >= 0.5:
        return ACTIVITY
    return None


def _dimensions(
    data: list[Row], width: int, territories: Territories, activities: Activities
) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for j in range(width):
        labels = {t.strip() for _, cells in data if (t := _text(cells[j]))}
        if not labels:
            continue
        kind = _kind(labels, territories, activities)
        if kind is None or kind in kinds:
            sample = sorted(labels)[0][:80]
            what = "не распознано" if kind is None else "повторяет другое измерение"
            raise LayoutError(
                f"файл другого вида: измерение в столбце {j + 1} («{sample}») {what}; ожидаются "
                "регион, вид деятельности и (необязательно) форма собственности"
            )
        kinds[kind] = j
    missing = [DIMENSION_TITLES[k] for k in (TERRITORY, ACTIVITY) if k not in kinds]
    if missing:
        raise LayoutError(
            f"файл другого вида: нет измерения «{'», «'.join(missing)}»; загружаются показатели "
            "в разрезе регионов и видов деятельности ОКВЭД2"
        )
    return kinds


def _number(cell: Any) -> float | None:
    """A value cell: None for no figure; ValueError for text."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return float(cell)
    text = str(cell).strip()
    if text in MISSING:
        return None
    return numbers.parse(text)


def parse(rows: Iterable[Row], territories: Territories, activities: Activities) -> Export:
    """The export in ``rows`` (row number, cells); LayoutError for another layout."""
    rows = [(n, list(cells)) for n, cells in rows if any(_text(c) for c in cells)]
    if not rows:
        raise LayoutError("файл пуст")
    indicator, unit = _title(rows)
    at, width, years = _header(rows)
    rows = [(n, cells + [None] * (max(years) + 1 - len(cells))) for n, cells in rows]
    notes: dict[int, str | None] = dict.fromkeys(years.values())
    data: list[Row] = []
    for number, cells in rows[at + 1 :]:
        if not any(_text(c) for c in cells[:width]):
            if data:
                raise LayoutError(f"строка {number}: значения без региона и вида деятельности")
            for j, year in years.items():
                note = _text(cells[j])
                notes[year] = note.strip() if note else notes[year]
            continue
        if data:  # merged cells of an XLSX: an empty label repeats the one above
            above = data[-1][1]
            cells = [above[j] if j < width and not _text(c) else c for j, c in enumerate(cells)]
        data.append((number, cells))
    if not data:
        raise LayoutError("в файле нет строк с данными после строки годов")
    export = Export(indicator, unit, notes, rows=len(data))
    dims = _dimensions(data, width, territories, activities)
    _read_rows(export, data, dims, years, territories, activities)
    return export


def _read_rows(export: Export, data, dims, years, territories, activities) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    context: tuple[str, str] | None = None  # (ownership, territory) of the section below
    section: str | None = None
    for number, cells in data:
        labels = {k: (_text(cells[j]) or "").strip() for k, j in dims.items()}
        ownership = labels.get(OWNERSHIP, "")
        problems: list[Refusal] = []
        try:
            region = territories.resolve(labels[TERRITORY])
        except ValueError as exc:
            problems.append(Refusal(number, "Регион", labels[TERRITORY], str(exc)))
            region = None
        if context != (ownership, labels[TERRITORY]):
            context, section = (ownership, labels[TERRITORY]), None
        try:
            code = activities.resolve(labels[ACTIVITY], section)
            if code.isalpha() and code != TOTAL:
                section = code
        except ValueError as exc:
            problems.append(Refusal(number, "Вид деятельности", labels[ACTIVITY], str(exc)))
            code = None
        values: dict[int, float] = {}
        for j, year in years.items():
            try:
                value = _number(cells[j]) if _text(cells[j]) else None
            except ValueError as exc:
                problems.append(Refusal(number, str(year), str(cells[j]), str(exc)))
                continue
            if value is not None:
                values[year] = value
        if region is not None and code is not None:
            key = (ownership, region, code)
            if key in seen:
                problems.append(
                    Refusal(number, "Вид деятельности", labels[ACTIVITY],
                            f"повторяет строку {seen[key]} (тот же регион и вид деятельности)")
                )  # fmt: skip
            else:
                seen[key] = number
        if problems:
            export.refusals.extend(problems)
            continue
        export.figures.extend(
            Figure(
                number,
                ownership,
                region,
                labels[TERRITORY],
                code,
                labels[ACTIVITY],
                year,
                value,
                export.years.get(year),
            )
            for year, value in values.items()
        )
