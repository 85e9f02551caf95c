"""Long tables ``location, product, value[, year]`` in and out: the input of the ``complexity``
and ``predict`` commands (CSV in any common encoding and delimiter, or XLSX), and their results
as CSV (comma, full precision, for scripts) or XLSX (for people)."""

from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path

import numpy as np

from promcluster.analytics.complexity import Complexity
from promcluster.analytics.panel import Duplicates, Panel, PanelError, Problem, build_panel
from promcluster.imports.columns import NUMBER, TEXT, YEAR, Column, Kind
from promcluster.imports.readers import open_table
from promcluster.imports.rows import locate_header, parse_row
from promcluster.sheets import write_csv, write_xlsx

LONG_TABLE = Kind(
    "panel",
    (
        Column("location", "location", TEXT, ("регион", "территория", "субъект", "loc"), True),
        Column(
            "product",
            "product",
            TEXT,
            ("продукт", "продукция", "вид деятельности", "отрасль", "оквэд2", "окпд2", "prod"),
            True,
        ),
        Column("value", "value", NUMBER, ("значение", "объем", "численность", "val"), True),
        Column("year", "year", YEAR, ("год", "time")),
    ),
)
MEASURES = ("rca", "mcp", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog")


def read_panel(
    path: Path,
    sheet: str | None = None,
    duplicates: Duplicates = "error",
    progress: Callable[[float], None] | None = None,
) -> Panel:
    """The panel in a file; every refused row is named (row, column, reason) and nothing is
    returned unless the whole file is good."""
    table = open_table(path, sheet)
    try:
        header, head_rows = locate_header(LONG_TABLE, table.rows)
        plan = header.plan(LONG_TABLE)
        columns: dict[str, list] = {"location": [], "product": [], "value": [], "year": []}
        numbers: list[int] = []
        problems: list[Problem] = []
        by_year = "year" in header.positions
        for i, (number, cells) in enumerate(chain(head_rows, table.rows)):
            parsed = parse_row(LONG_TABLE, header, plan, None, number, cells)  # type: ignore[arg-type]
            if parsed is None:
                continue
            title = header.titles.get("year")
            if (
                by_year
                and "year" not in parsed.values
                and all(p.column != title for p in parsed.problems)
            ):
                parsed.refuse(title, None, "пустой год")
            if parsed.problems:
                problems += [Problem(p.row, p.column, p.reason) for p in parsed.problems]
                continue
            numbers.append(number)
            for name, value in parsed.values.items():
                columns[name].append(value)
            if progress is not None and i % 10_000 == 0:
                progress(table.progress())
    finally:
        table.close()
    if problems:
        raise PanelError("строки не приняты, ничего не посчитано", problems)
    return build_panel(
        columns["location"],
        columns["product"],
        columns["value"],
        columns["year"] if by_year else None,
        numbers,
        duplicates,
    )


def complexity_rows(results: list[Complexity], with_year: bool) -> Iterator[list]:
    """One row per location × product of each year: names, (year,) then ``MEASURES``; NaN
    (outside the main connected part) as an empty cell."""
    for result in results:
        n_loc, n_prod = result.mcp.shape
        per_location = {"eci": result.eci, "diversity": result.diversity, "coi": result.coi}
        per_product = {"pci": result.pci, "ubiquity": result.ubiquity}
        columns = {name: np.repeat(v, n_prod) for name, v in per_location.items()}
        columns |= {name: np.tile(v, n_loc) for name, v in per_product.items()}
        for name in ("rca", "mcp", "density", "cog"):
            columns[name] = getattr(result, name).reshape(-1)
        integers = ("mcp", "diversity", "ubiquity")
        cells = [_cells(columns[m], m in integers) for m in MEASURES]
        names = zip(
            np.repeat(result.locations, n_prod), np.tile(result.products, n_loc), strict=True
        )
        head = (
            ([str(a), str(b), result.year] for a, b in names)
            if with_year
            else ([str(a), str(b)] for a, b in names)
        )
        for first, *rest in zip(head, *cells, strict=True):
            yield first + rest


def _cells(values: np.ndarray, integer: bool) -> list:
    """Python numbers (None for NaN) as the writers want them."""
    if integer:
        return values.astype(np.int64).tolist()
    return [None if v != v else v for v in values.tolist()]


def write_table(path: Path, headers: list[str], rows: Iterator[list], title: str) -> int:
    """CSV (comma, dot decimals, full precision: what scripts and ``ecomplexity`` users read)
    or XLSX, chosen by the suffix."""
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(path, headers, rows, title)
    return write_csv(path, headers, rows, plain=True)  # floats as repr, None as empty
