"""From raw rows to checked values: finding the header, reading each cell, naming each problem."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from promcluster.imports.columns import Column, Kind, Lookups, header_keys
from promcluster.imports.readers import HEADER_SCAN_ROWS, Row, UnusableFile
from promcluster.imports.values import Cell, money, text

MAX_HEADER_ROWS = 3


@dataclass(frozen=True)
class Problem:
    """Why a row was refused: the error report's line."""

    row: int
    column: str
    value: str | None
    reason: str
    document: str | None = None  # documents (XML open data): «file name · ИдДок»


@dataclass
class Header:
    """Where the header is and which column holds which field."""

    last_row: int
    positions: dict[str, int]
    titles: dict[str, str]
    ignored: list[str]
    scales: dict[str, float] = field(default_factory=dict)

    def plan(self, kind: Kind) -> list[tuple[Column, int | None, str, float]]:
        """The columns to read in each row (present ones, and required ones to refuse), with
        the scale of money columns given in thousands or millions."""
        return [
            (
                c,
                self.positions.get(c.field),
                self.titles.get(c.field, c.header),
                self.scales.get(c.field, 1),
            )
            for c in kind.columns
            if c.field in self.positions or c.required
        ]


@dataclass
class Parsed:
    """A data row: the values read and the problems found."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    document: str | None = None  # a document of XML open data: «file name · ИдДок»

    def refuse(self, column: str, value: Any, reason: str) -> None:
        shown = None if value is None else text(value)
        self.problems.append(Problem(self.number, column, shown, reason, self.document))


@dataclass
class Reading:
    """A file being read: its header, then its data rows (or documents) with their values
    checked, the share of the file read so far, and how to release the file."""

    header: Header
    rows: Iterator[Parsed]
    progress: Callable[[], float]
    close: Callable[[], None]


def _recognised(kind: Kind, cells: list[Cell | None]) -> dict[int, str]:
    """Column index → field for the cells of one row that name a column of ``kind``."""
    names = {name: c.field for c in kind.columns for name in c.names()}
    found: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if cell is None or not isinstance(cell, str):
            continue
        for key in header_keys(cell):
            if key in names and names[key] not in found.values():
                found[i] = names[key]
                break
    return found


def locate_header(kind: Kind, rows: Iterator[Row]) -> tuple[Header, list[Row]]:
    """Find the header among the first rows (titles above it and headers split over merged
    cells of up to three rows are understood); return it with the data rows read past it."""
    head = list(islice(rows, HEADER_SCAN_ROWS))
    found = [_recognised(kind, cells) for _, cells in head]
    if not any(found):
        expected = ", ".join(f"«{c.header}»" for c in kind.columns if c.required)
        raise UnusableFile(
            f"не найдена строка заголовков: ни один столбец не узнан (нужны хотя бы {expected})"
        )
    best = max(range(len(head)), key=lambda i: (len(found[i]), -i))
    merged, first, last = dict(found[best]), best, best
    for step in (1, -1):
        i = best + step
        while 0 <= i < len(head) and last - first + 1 < MAX_HEADER_ROWS:
            extra = {
                c: f for c, f in found[i].items() if c not in merged and f not in merged.values()
            }
            if not extra:
                break
            merged |= extra
            first, last = min(first, i), max(last, i)
            i += step
    titles = {}
    for i in range(first, last + 1):
        cells = head[i][1]
        titles |= {merged[c]: text(cells[c]) for c in found[i] if c in merged and c < len(cells)}
    positions = {f: c for c, f in merged.items()}
    header_cells = head[best][1]
    ignored = [
        text(cell) for c, cell in enumerate(header_cells) if cell is not None and c not in merged
    ]
    _require_columns(kind, positions)
    scales = {
        c.field: _scale(titles[c.field]) for c in kind.columns if c.scaled and c.field in titles
    }
    header = Header(
        head[last][0], positions, titles, ignored, {f: k for f, k in scales.items() if k != 1}
    )
    return header, head[last + 1 :]


def _scale(title: str) -> float:
    """Roubles per unit of a money column: «тыс. руб.» → 1,000, «млн руб.» → 1,000,000."""
    words = title.casefold()
    for unit, factor in (("млрд", 1e9), ("млн", 1e6), ("тыс", 1e3)):
        if unit in words:
            return factor
    return 1


def _require_columns(kind: Kind, positions: dict[str, int]) -> None:
    missing = [c.header for c in kind.columns if c.required and c.field not in positions]
    for group in kind.one_of:
        if not any(f in positions for f in group):
            missing.append(" или ".join(kind.column(f).header for f in group))
    if missing:
        raise UnusableFile("нет обязательных столбцов: " + ", ".join(f"«{m}»" for m in missing))


def parse_row(
    kind: Kind,
    header: Header,
    plan: list[tuple[Column, int | None, str, float]],
    lookups: Lookups,
    number: int,
    cells: list[Cell | None],
    max_chars: int | None = None,
) -> Parsed | None:
    """The values of one data row (``plan`` is ``header.plan(kind)``), or None for an empty row.
    A text cell longer than ``max_chars`` refuses the row: it is never stored."""
    if cells.count(None) == len(cells):
        return None
    row = Parsed(number)
    width = len(cells)
    for column, position, title, scale in plan:
        cell = cells[position] if position is not None and position < width else None
        if cell is None:
            if column.required:
                row.refuse(title, None, "пустая обязательная ячейка")
            continue
        if max_chars is not None and isinstance(cell, str) and len(cell) > max_chars:
            reason = f"значение длиннее {max_chars} знаков ({len(cell)}): сократите его"
            row.refuse(title, cell[:max_chars], reason)
            continue
        try:
            if scale != 1:
                row.values[column.field] = money(cell, scale)
            else:
                row.values[column.field] = column.parse(cell, lookups)
        except ValueError as exc:
            row.refuse(title, cell, str(exc))
    if not row.problems:
        for group in kind.one_of:
            if not any(f in row.values for f in group):
                names = " или ".join(header.titles.get(f, kind.column(f).header) for f in group)
                row.refuse(names, None, f"заполните {names}")
    return row
