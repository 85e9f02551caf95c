"""Long tables read column-wise with Polars (ADR 0013): a CSV or Parquet file of a million rows is
read, checked and coded in a few vectorised passes instead of one Python call per cell.

The checks and messages are those of the row reader (``rows.parse_row`` with the ``panel`` kind),
by construction: a cell that the vectorised pass cannot accept as it is (a plain number, a year
of four digits, a name) goes to the very parser the row reader uses, so every refused cell gets
the same sentence, named by row and column. The row numbers are the spreadsheet's (a CSV file's
record numbers; for Parquet, 2, 3, … as under a header row).

A CSV file whose records are not one line each (a quoted line break) or that Polars cannot read
is left to the row reader (``None``), which reads every file; so is any XLSX workbook.
"""

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from promcluster.imports.columns import Kind
from promcluster.imports.limits import MAX_COLUMNS, ImportLimits
from promcluster.imports.readers import UnusableFile, open_table, row_limit_error
from promcluster.imports.rows import Header, locate_header
from promcluster.imports.values import Cell, non_negative, text, year
from promcluster.sheets import restored

PARQUET_MAGIC = b"PAR1"
EMPTY = "пустая обязательная ячейка"
EMPTY_YEAR = "пустой год"
# Cells the vectorised pass accepts as they are; any other goes to the row reader's parser.
_PLAIN_NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"
_PLAIN_YEAR = r"^[0-9]{4}$"


@dataclass
class Source:
    """The needed columns of a long table as read (text or typed), with their row numbers and
    a way to tell whether a row is empty in its other columns too."""

    header: Header
    cells: dict[str, Any]  # field → polars Series
    rows: np.ndarray
    blank: Callable[[np.ndarray], np.ndarray]  # row indices → which are empty in every cell


@dataclass
class Coded:
    """A checked long table: names as codes into sorted distinct names, values, years."""

    location_names: list[str]
    location: np.ndarray
    product_names: list[str]
    product: np.ndarray
    value: np.ndarray
    year_names: list[int] | None
    year: np.ndarray | None
    rows: np.ndarray


@dataclass
class _Checked:
    """One column after the pass: values (codes for text), refused rows with their reasons,
    and which rows were empty."""

    values: np.ndarray
    refused: dict[int, str]  # row index → reason
    empty: np.ndarray
    names: list | None = None


# Reading


def read_source(kind: Kind, path: Path, limits: ImportLimits) -> Source | None:
    """The needed columns of a CSV or Parquet file, or None for a file the row reader reads
    (XLSX, or a CSV with quoted line breaks)."""
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError:
        magic = b""  # open_table names the reason
    if magic == PARQUET_MAGIC:
        return _parquet(kind, path, limits)
    if magic == b"PK\x03\x04":
        return None  # XLSX
    if not magic.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:  # most files are UTF-8: Polars checks every byte it reads, faster than Python
            return _csv(kind, path, limits, "utf-8")
        except (UnicodeDecodeError, _NotUtf8):
            pass
    return _csv(kind, path, limits, None)


class _NotUtf8(Exception):
    """The bytes are not UTF-8 after all: detect the encoding as the row reader does."""


def _csv(kind: Kind, path: Path, limits: ImportLimits, encoding: str | None) -> Source | None:
    """The needed columns of a CSV file: the header, encoding and delimiter found as the row
    reader finds them (empty, binary or unreadable files refused as ever), then Polars."""
    import polars as pl

    table = open_table(path, None, limits, encoding)
    try:
        header, _ = locate_header(kind, table.rows)
        encoding, delimiter = table.encoding or "utf-8", table.delimiter or ","
    finally:
        table.close()
    data = path.read_bytes()
    if b"\x00" in data:
        return None  # the row reader names a binary file
    if encoding == "utf-8-sig":
        data = data[3:]
    elif encoding != "utf-8":
        data = data.decode(encoding).encode("utf-8")
    offset = 0
    for _ in range(header.last_row):
        offset = data.find(b"\n", offset) + 1
        if offset == 0:
            offset = len(data)
            break
    head, body = data[:offset], data[offset:].rstrip(b"\r\n")
    if b'"' in head or _lone_cr(head) or _lone_cr(body):
        return None  # record numbers are not line numbers here: the row reader counts them
    lines = body.count(b"\n") + 1 if body else 0
    if header.last_row + lines > limits.max_rows:
        raise row_limit_error(limits.max_rows, limits.max_rows + 1)
    positions = header.positions
    if not body:
        empty = pl.Series([], dtype=pl.String)
        cells = dict.fromkeys(positions, empty)
        return Source(header, cells, np.arange(0), lambda i: np.zeros(i.size, dtype=bool))
    try:
        frame = _read_csv(body, delimiter, positions, typed=True)
        if not _clean(frame, positions):
            frame = _read_csv(body, delimiter, positions, typed=False)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc):
            raise _NotUtf8 from exc
        return None
    except pl.exceptions.PolarsError:
        return None
    if frame.height != lines:
        return None  # a quoted line break: the row reader numbers records
    cells = {field: frame[f"column_{p + 1}"] for field, p in positions.items()}
    first = header.last_row + 1

    def blank(indices: np.ndarray) -> np.ndarray:
        return _blank_lines(body, indices, delimiter)

    return Source(header, cells, np.arange(first, first + frame.height), blank)


def _read_csv(body: bytes, delimiter: str, positions: dict[str, int], typed: bool):
    """The needed columns; ``typed``: values as Float64 and years as Int64, a cell Polars
    cannot read as such left empty (then :func:`_clean` says the text must be read)."""
    import polars as pl

    types = {"value": pl.Float64, "year": pl.Int64} if typed else {}
    schema = {f"column_{i + 1}": pl.String for i in range(max(positions.values()) + 1)}
    schema |= {f"column_{positions[f] + 1}": t for f, t in types.items() if f in positions}
    return pl.read_csv(
        body,
        has_header=False,
        separator=delimiter,
        quote_char='"',
        schema=schema,
        columns=[f"column_{p + 1}" for p in positions.values()],
        truncate_ragged_lines=True,
        raise_if_empty=False,
        ignore_errors=typed,
    )


def _clean(frame, positions: dict[str, int]) -> bool:
    """Whether every value and year read typed is one the checks take as it is: a finite number
    not below zero, a year from 1900 to 2100 (any other cell needs its text: its message quotes
    it)."""
    import polars as pl

    value = pl.col(f"column_{positions['value'] + 1}")
    checks = [value.is_not_null() & value.is_finite() & (value >= 0)]
    if "year" in positions:
        year = pl.col(f"column_{positions['year'] + 1}")
        checks.append(year.is_not_null() & year.is_between(1900, 2100))
    return bool(frame.select(pl.all_horizontal(checks).all()).item())


def _lone_cr(data: bytes) -> bool:
    """Whether a carriage return ends a record by itself (old Mac files): the CSV reader counts
    it as a line break, Polars does not."""
    crs = data.count(b"\r")
    return crs > 0 and crs != data.count(b"\r\n")


def _blank_lines(body: bytes, indices: np.ndarray, delimiter: str) -> np.ndarray:
    """Whether each line (by index) of ``body`` has nothing but empty cells, as the CSV reader
    splits it."""
    import csv

    starts = np.concatenate(([0], np.flatnonzero(np.frombuffer(body, np.uint8) == 10) + 1))
    found = []
    for i in indices.tolist():
        end = starts[i + 1] - 1 if i + 1 < starts.size else len(body)
        line = body[starts[i] : end].decode("utf-8", "replace").rstrip("\r")
        cells = next(csv.reader([line], delimiter=delimiter), [])[:MAX_COLUMNS]
        found.append(all(not c.strip() for c in cells))
    return np.array(found, dtype=bool)


def _parquet(kind: Kind, path: Path, limits: ImportLimits) -> Source:
    import polars as pl

    try:
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise UnusableFile(
            "файл Parquet не читается (повреждён или обрезан): " + str(exc).splitlines()[0]
        ) from exc
    if frame.height + 1 > limits.max_rows:
        raise row_limit_error(limits.max_rows, limits.max_rows + 1)
    header, _ = locate_header(kind, iter([(1, list(frame.columns))]))
    cells = {}
    for field, position in header.positions.items():
        series = frame.to_series(position)
        if not (series.dtype.is_numeric() or series.dtype == pl.String):
            try:
                series = series.cast(pl.String)
            except pl.exceptions.PolarsError as exc:
                title = header.titles[field]
                raise UnusableFile(
                    f"столбец «{title}»: тип {series.dtype} не читается как значения"
                ) from exc
        cells[field] = series
    others = [c for i, c in enumerate(frame.columns) if i not in header.positions.values()]

    def blank(indices: np.ndarray) -> np.ndarray:
        part = frame.select(others)[indices.tolist()]
        return np.array(
            [all(_cell(v) is None for v in row) for row in part.iter_rows()], dtype=bool
        )

    return Source(header, cells, np.arange(2, frame.height + 2), blank)


# Checking


def _cell(raw: Any) -> Cell | None:
    """A cell as the row reader sees it: None when empty or blank, the apostrophe of our CSV
    exports dropped."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return restored(raw) if raw.strip() else None
    return raw


def _text(series) -> _Checked:
    """Names: each distinct cell normalised once (trimmed, inner spaces collapsed), coded into
    the sorted distinct names."""
    import polars as pl

    distinct = series.unique().drop_nulls().to_list()
    normal = {raw: (None if (c := _cell(raw)) is None else text(c)) for raw in distinct}
    names = sorted({n for n in normal.values() if n is not None})
    position = {name: i for i, name in enumerate(names)}
    codes = series.replace_strict(
        list(normal), [-1 if n is None else position[n] for n in normal.values()],
        default=-1, return_dtype=pl.Int64,
    ).to_numpy()  # fmt: skip
    empty = codes < 0
    return _Checked(codes, dict.fromkeys(np.flatnonzero(empty).tolist(), EMPTY), empty, names)


def _parsed(
    series, plain: str, low: float, high: float, parse: Callable, empty_reason: str, whole: bool
) -> _Checked:
    """Numbers: cells that are plain (a String matching ``plain``, or a number), within [low,
    high] (and ``whole`` if asked) are taken as they are; every other cell goes to ``parse``
    for its value or its reason."""
    import polars as pl

    text_cells = series.dtype == pl.String
    if text_cells:
        numbers = series.cast(pl.Float64, strict=False)
        plain_mask = series.str.contains(plain) & numbers.is_finite()  # "1e999" is no number
    else:
        numbers = series.cast(pl.Float64)
        plain_mask = series.is_not_null()
    taken = plain_mask & numbers.is_between(low, high)
    if whole:
        taken = taken & (numbers == numbers.floor())
    if not text_cells:  # a NaN number cell passes, as in the row reader: the panel names it
        taken = taken | (plain_mask & numbers.is_nan())
    taken = taken.fill_null(False)
    values = numbers.fill_null(np.nan).to_numpy().copy()
    others = np.flatnonzero(~taken.to_numpy())
    refused, empty = {}, np.zeros(values.size, dtype=bool)
    for i, raw in zip(others.tolist(), series.gather(others).to_list(), strict=True):
        cell = _cell(raw)
        if cell is None:
            refused[i], empty[i] = empty_reason, True
            continue
        try:
            values[i] = parse(cell)
        except ValueError as exc:
            refused[i] = str(exc)
    return _Checked(values, refused, empty)


def check(source: Source) -> Coded:
    """The checked, coded table; every refused cell named (row, column, reason) in a
    ``PanelError``, nothing returned unless the whole table is good."""
    from promcluster.analytics.panel import PanelError, Problem

    cells, titles = source.cells, source.header.titles
    checked = {
        "location": _text(cells["location"]),
        "product": _text(cells["product"]),
        "value": _parsed(cells["value"], _PLAIN_NUMBER, 0, np.inf, non_negative, EMPTY, False),
    }
    if "year" in cells:
        checked["year"] = _parsed(cells["year"], _PLAIN_YEAR, 1900, 2100, year, EMPTY_YEAR, True)
    keep = np.ones(source.rows.size, dtype=bool)
    all_empty = np.logical_and.reduce([c.empty for c in checked.values()])
    if all_empty.any():
        candidates = np.flatnonzero(all_empty)
        keep[candidates[source.blank(candidates)]] = False  # an empty row is no row
    problems = [
        Problem(int(source.rows[i]), titles[field], reason)
        for field, column in checked.items()
        for i, reason in column.refused.items()
        if keep[i]
    ]
    if problems:
        problems.sort(key=lambda p: p.row)  # stable: columns in the table's order within a row
        raise PanelError("строки не приняты, ничего не посчитано", problems)
    years = checked.get("year")
    year_names, year_codes = None, None
    if years is not None:
        year_names, year_codes = np.unique(years.values[keep].astype(np.int64), return_inverse=True)
    return Coded(
        checked["location"].names or [],
        checked["location"].values[keep],
        checked["product"].names or [],
        checked["product"].values[keep],
        checked["value"].values[keep],
        None if year_names is None else year_names.tolist(),
        year_codes,
        source.rows[keep],
    )
