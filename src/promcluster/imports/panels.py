"""Long tables ``location, product, value[, year]`` in and out: the input of the ``complexity``,
``predict`` and ``backtest`` commands (CSV in any common encoding and delimiter, XLSX or Parquet),
and their results as CSV (comma, full precision, for scripts), XLSX (for people) or Parquet.

CSV and Parquet are read column-wise (``longtable``); XLSX, and a CSV whose records span lines,
row by row with the same checks and messages."""

from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from promcluster.analytics.complexity import Complexity
from promcluster.analytics.panel import (
    Axes,
    Duplicates,
    Panel,
    PanelError,
    Problem,
    build_panel,
    panel_of_codes,
)
from promcluster.imports import longtable
from promcluster.imports.columns import NUMBER, TEXT, YEAR, Column, Kind
from promcluster.imports.limits import ImportLimits
from promcluster.imports.readers import open_table
from promcluster.imports.rows import locate_header, parse_row
from promcluster.sheets import write_frame

if TYPE_CHECKING:
    import polars as pl

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
# A long table is read from a local file by the command line, not uploaded: the import's row
# limit (2,000,000) would refuse 1,000 locations × 5,000 products of a single year; this one only
# guards memory (a Polars column of 20 M names is about 1 GiB).
PANEL_LIMITS = ImportLimits(max_rows=20_000_000)
MEASURES = ("rca", "mcp", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog")


def read_panel(
    path: Path,
    sheet: str | None = None,
    duplicates: Duplicates = "error",
    progress: Callable[[float], None] | None = None,
) -> Panel:
    """The panel in a file; every refused row is named (row, column, reason) and nothing is
    returned unless the whole file is good."""
    if sheet is None:
        source = longtable.read_source(LONG_TABLE, path, PANEL_LIMITS)
        if source is not None:
            coded = longtable.check(source)
            if progress is not None:
                progress(1.0)
            with_year = coded.year_names is not None
            axes = Axes(
                coded.location_names,
                coded.location,
                coded.product_names,
                coded.product,
                coded.year_names if with_year else [None],  # type: ignore[arg-type]
                coded.year if with_year else np.zeros(coded.value.size, dtype=np.int64),
            )
            return panel_of_codes(axes, coded.value, coded.rows, duplicates)
    return _read_rows(path, sheet, duplicates, progress)


def _read_rows(
    path: Path,
    sheet: str | None,
    duplicates: Duplicates,
    progress: Callable[[float], None] | None,
) -> Panel:
    """The row reader: XLSX, and CSV whose records are not one line each."""
    table = open_table(path, sheet, PANEL_LIMITS)
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


def complexity_frame(results: list[Complexity], with_year: bool) -> "pl.DataFrame":
    """One row per location × product of each year: names, (year,) then ``MEASURES``; NaN
    (outside the main connected part) as an empty cell."""
    import polars as pl

    frames = []
    for result in results:
        n_loc, n_prod = result.mcp.shape
        columns: dict[str, pl.Series] = {
            "location": pl.Series(result.locations, dtype=pl.String).gather(
                np.repeat(np.arange(n_loc), n_prod)
            ),
            "product": pl.Series(result.products, dtype=pl.String).gather(
                np.tile(np.arange(n_prod), n_loc)
            ),
        }
        if with_year:
            columns["year"] = pl.repeat(result.year, n_loc * n_prod, dtype=pl.Int64, eager=True)
        per_location = {"eci": result.eci, "diversity": result.diversity, "coi": result.coi}
        per_product = {"pci": result.pci, "ubiquity": result.ubiquity}
        values = {name: np.repeat(v, n_prod) for name, v in per_location.items()}
        values |= {name: np.tile(v, n_loc) for name, v in per_product.items()}
        for name in ("rca", "mcp", "density", "cog"):
            values[name] = getattr(result, name).reshape(-1)
        for name in MEASURES:
            if name in ("mcp", "diversity", "ubiquity"):
                columns[name] = pl.Series(name, values[name].astype(np.int64))
            else:
                columns[name] = pl.Series(name, values[name], nan_to_null=True)
        frames.append(pl.DataFrame(columns))
    return pl.concat(frames)


def write_table(path: Path, frame: "pl.DataFrame", title: str) -> int:
    """CSV (comma, dot decimals, full precision: what scripts and ``ecomplexity`` users read),
    XLSX or Parquet, chosen by the suffix; returns the rows written."""
    return write_frame(path, frame, title)
