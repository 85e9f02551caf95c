"""Opening a spreadsheet as rows: CSV in any common encoding and delimiter, or XLSX.

The whole file is checked before the first row is handed out (encoding for CSV, every packed
part for XLSX), so an unreadable file is refused before anything is written.
"""

import codecs
import csv
import io
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from promcluster.errors import DomainError
from promcluster.imports.values import Cell

HEADER_SCAN_ROWS = 30
DELIMITERS = (";", ",", "\t", "|")
_CHUNK = 1 << 20
_NOT_TABLES = {
    b"\x89PNG": "изображение PNG",
    b"\xff\xd8\xff": "изображение JPEG",
    b"GIF8": "изображение GIF",
    b"%PDF": "документ PDF",
    b"\xd0\xcf\x11\xe0": "файл Excel 97–2003 (.xls) или Word (.doc)",
    b"{\\rtf": "документ RTF",
}

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class UnusableFile(DomainError):
    """A file that cannot be read as a table; nothing is written."""


Row = tuple[int, list[Cell | None]]


@dataclass
class Table:
    """Rows of a sheet with their numbers as a spreadsheet shows them (first row is 1)."""

    format: str
    rows: Iterator[Row]
    progress: Callable[[], float]
    encoding: str | None = None
    delimiter: str | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in self.closers:
            close()


def open_table(path: Path, sheet: str | None = None) -> Table:
    """The rows of ``path``, whatever its suffix says: the content decides CSV or XLSX."""
    try:
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError as exc:
        raise UnusableFile(f"не удалось открыть файл: {exc.strerror}") from exc
    if not head.strip():
        raise UnusableFile("файл пуст")
    if head.startswith(b"PK\x03\x04"):
        return _xlsx(path, sheet)
    for magic, what in _NOT_TABLES.items():
        if head.startswith(magic):
            raise UnusableFile(f"это не таблица, а {what}; загрузите CSV или XLSX")
    if sheet is not None:
        raise UnusableFile("лист можно указать только для файла XLSX")
    return _csv(path, head)


# CSV


def _encoding(path: Path, head: bytes) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else cp1251."""
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1251"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    if b"\x00" in chunk and encoding != "utf-16":
                        raise UnusableFile("двоичный файл (нулевые байты): это не таблица CSV")
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnusableFile("не удалось прочитать текст: файл не в UTF-8 и не в Windows-1251 (cp1251)")


def _delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the same number (>1) of columns."""
    lines = sample.splitlines()[:50]
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]
    best, best_score = ";", (0.0, 0)
    for delimiter in DELIMITERS:
        widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if any(r)]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = (widths.count(common) / len(widths), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best  # one column: the header check says which columns are missing


def _csv(path: Path, head: bytes) -> Table:
    encoding = _encoding(path, head)
    raw = path.open("rb")
    size = max(path.stat().st_size, 1)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    delimiter = _delimiter(text.read(65536))
    text.seek(0)

    def rows() -> Iterator[Row]:
        for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            yield number, [c if c.strip() else None for c in cells]

    return Table(
        "csv",
        rows(),
        lambda: min(raw.tell() / size, 1.0),
        encoding=encoding,
        delimiter=delimiter,
        closers=[text.close],
    )


# XLSX


def _xlsx(path: Path, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
        if broken is not None:
            raise UnusableFile(f"файл XLSX повреждён: испорчена часть «{broken}»")
        # A file object, not the path: openpyxl judges a path by its suffix, the platform by
        # the content (an XLSX saved as .csv or with no suffix still opens).
        handle = path.open("rb")
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise UnusableFile("файл XLSX повреждён или обрезан (не открывается как архив)") from exc
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a ZIP that is not a workbook
        handle.close()
        raise UnusableFile(
            "файл не открывается как книга Excel XLSX (повреждён или это другой архив)"
        ) from exc
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        workbook.close()
        names = ", ".join(f"«{n}»" for n in workbook.sheetnames)
        raise UnusableFile(f"в книге нет листа «{sheet}»; есть: {names}")
    total = worksheet.max_row or 0
    done = [0]

    def rows() -> Iterator[Row]:
        try:
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                done[0] = number
                yield number, [_cell(c) for c in cells]
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
            raise UnusableFile(f"файл XLSX не читается после строки {done[0]}") from exc

    return Table(
        "xlsx",
        rows(),
        lambda: min(done[0] / total, 1.0) if total else 0.0,
        closers=[workbook.close, handle.close],
    )


def _cell(value: object) -> Cell | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "да" if value else "нет"
    return value  # type: ignore[return-value]
