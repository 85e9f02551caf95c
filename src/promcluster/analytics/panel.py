"""A long table ``location, product, value[, year]`` as a locations × products matrix per year.

Every value is checked explicitly; the reference package ``ecomplexity`` instead turns NaN into
zero and keeps the first of repeated rows with only a warning. Here NaN, infinite and negative
values are errors naming their row, and repeated (year, location, product) rows are an error
unless the caller chooses to sum them or keep the first.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from promcluster.errors import DomainError

Duplicates = Literal["error", "sum", "first"]
MAX_PROBLEMS = 20  # problems listed in one error; the count says how many there were


@dataclass(frozen=True)
class Problem:
    """One refused input row: its number in the source (1-based, as a spreadsheet shows)."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"строка {self.row}, {self.field}: {self.message}"


class PanelError(DomainError):
    """Input that cannot be turned into a panel; lists the rows and fields at fault."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        shown = "; ".join(map(str, problems[:MAX_PROBLEMS]))
        more = f" (и ещё {len(problems) - MAX_PROBLEMS})" if len(problems) > MAX_PROBLEMS else ""
        super().__init__(f"{message}: {shown}{more}" if problems else message)
        self.problems = list(problems)


@dataclass(frozen=True)
class Panel:
    """Values of every year on the same axes (zeros where the table had no row).

    ``years`` is ``[None]`` for a table without a year column; ``listed`` says which
    locations and products had at least one row in each year (years × locations + products).
    """

    locations: list[str]
    products: list[str]
    years: list[int | None]
    values: np.ndarray  # years × locations × products
    listed: np.ndarray

    def matrix(self, year: int | None) -> np.ndarray:
        """The locations × products values of one year."""
        if year not in self.years:
            raise PanelError(f"в таблице нет года {year}; есть: {_years(self.years)}")
        return self.values[self.years.index(year)]


def _years(years: list[int | None]) -> str:
    return ", ".join(str(y) for y in years)


def build_panel(
    locations: Sequence[str],
    products: Sequence[str],
    values: Sequence[float] | np.ndarray,
    years: Sequence[int] | None = None,
    rows: Sequence[int] | None = None,
    duplicates: Duplicates = "error",
) -> Panel:
    """A panel from parallel columns of a long table; ``rows`` numbers them for error messages
    (default: 2, 3, … as under a header row)."""
    value = np.asarray(values, dtype=float)
    if value.size == 0:
        raise PanelError("таблица пуста: нет ни одной строки с данными")
    location_names, location = _factorise(locations)
    product_names, product = _factorise(products)
    if years is None:
        year_list: list[int | None] = [None]
        year = np.zeros(value.size, dtype=np.int64)
    else:
        year_values, year = _factorise(years)
        year_list = [int(y) for y in year_values]
    axes = Axes(location_names, location, product_names, product, year_list, year)
    return panel_of_codes(axes, value, rows, duplicates)


@dataclass(frozen=True)
class Axes:
    """The long table's names as codes: ``location[i]`` indexes ``location_names`` (sorted
    distinct names), and so on; ``year_names`` is ``[None]`` for a table without years."""

    location_names: list[str]
    location: np.ndarray
    product_names: list[str]
    product: np.ndarray
    year_names: list[int | None]
    year: np.ndarray


def panel_of_codes(
    axes: Axes,
    values: np.ndarray,
    rows: Sequence[int] | np.ndarray | None = None,
    duplicates: Duplicates = "error",
) -> Panel:
    """A panel from a long table already coded (what a column-wise reader builds without
    Python strings per row): values checked (NaN, infinite, negative), repeats resolved."""
    value = np.asarray(values, dtype=float)
    if value.size == 0:
        raise PanelError("таблица пуста: нет ни одной строки с данными")
    row = np.asarray(rows if rows is not None else np.arange(2, value.size + 2))
    problems = [
        Problem(int(row[i]), "value", "значение не задано (NaN)")
        for i in np.flatnonzero(np.isnan(value))
    ]
    problems += [
        Problem(int(row[i]), "value", "бесконечное значение")
        for i in np.flatnonzero(np.isinf(value))
    ]
    problems += [
        Problem(int(row[i]), "value", f"отрицательное значение {value[i]:g}")
        for i in np.flatnonzero(value < 0)
    ]
    if problems:
        raise PanelError("значения не приняты", sorted(problems, key=lambda p: p.row))
    year_list = axes.year_names
    shape = (len(year_list), len(axes.location_names), len(axes.product_names))
    cell = np.ravel_multi_index((axes.year, axes.location, axes.product), shape)
    keep = _resolve_duplicates(cell, row, duplicates)
    matrix = np.zeros(shape)
    if keep is None:
        matrix.reshape(-1)[cell] = value  # no repeats: one value per cell, no slow add.at
    else:
        np.add.at(matrix.reshape(-1), cell[keep], value[keep])
    n_loc = len(axes.location_names)
    listed = np.zeros((len(year_list), n_loc + len(axes.product_names)), dtype=bool)
    listed[axes.year, axes.location] = True
    listed[axes.year, n_loc + axes.product] = True
    return Panel(list(axes.location_names), list(axes.product_names), year_list, matrix, listed)


def _factorise(names: Sequence) -> tuple[list, np.ndarray]:
    """The sorted distinct values and each item's position among them (dict look-ups at C
    speed: much faster than ``np.unique`` on Python strings)."""
    ordered = sorted(dict.fromkeys(names))
    position = {name: i for i, name in enumerate(ordered)}
    return ordered, np.fromiter(map(position.__getitem__, names), np.int64, len(names))


def _resolve_duplicates(
    cell: np.ndarray, row: np.ndarray, duplicates: Duplicates
) -> np.ndarray | None:
    """Indices of the rows to add up: all (``sum``), or the first of each cell; None when no
    cell repeats (every row is kept)."""
    order = np.argsort(cell, kind="stable")
    repeated = np.zeros(cell.size, dtype=bool)
    repeated[order[1:]] = cell[order[1:]] == cell[order[:-1]]
    if not repeated.any():
        return None
    if duplicates == "sum":
        return np.arange(cell.size)
    if duplicates == "first":
        return np.flatnonzero(~repeated)
    if duplicates != "error":
        raise PanelError(f"неизвестный способ обработки повторов «{duplicates}»")
    first_row = {}
    for i in order:
        first_row.setdefault(int(cell[i]), int(row[i]))
    problems = [
        Problem(
            int(row[i]), "location, product, year", f"повторяет строку {first_row[int(cell[i])]}"
        )
        for i in np.flatnonzero(repeated)
    ]
    raise PanelError(
        "повторяющиеся строки (тот же регион, продукт и год); сложите их или оставьте первую "
        "(--duplicates sum|first)",
        sorted(problems, key=lambda p: p.row),
    )
