"""Opening a spreadsheet as rows: CSV in any common encoding and delimiter, or XLSX.

The whole file is checked before the first row is handed out (encoding for CSV, every packed
part for XLSX, unpacked under the size and ratio limits), so an unreadable file or a ZIP bomb is
refused before anything is written. A sheet's declared dimension is never trusted: rows are
numbered as the file numbers them, empty rows are never handed out, and a row number past the
row limit stops the reading.
"""

import codecs
import csv
import io
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException

from promcluster import russian
from promcluster.errors import DomainError
from promcluster.imports.limits import (
    MAX_ARCHIVE_MEMBERS,
    MAX_COLUMNS,
    RATIO_FLOOR_BYTES,
    ImportLimits,
)
from promcluster.imports.values import Cell
from promcluster.sheets import restored

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

# openpyxl parses with defusedxml when it is installed (a dependency): entity declarations, the
# means of "billion laughs" bombs and of reading outside files, are refused.
XML_ENTITIES = "файл XLSX объявляет сущности XML (DTD): такие файлы не принимаются"

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


def open_table(
    path: Path,
    sheet: str | None = None,
    limits: ImportLimits | None = None,
    encoding: str | None = None,
) -> Table:
    """The non-empty rows of ``path``, whatever its suffix says: the content decides CSV or
    XLSX. ``encoding`` skips the whole-file check of a CSV's encoding (a caller that checks the
    bytes itself, as Polars does); a row that does not decode then raises UnicodeDecodeError."""
    limits = limits or ImportLimits()
    try:
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError as exc:
        raise UnusableFile(f"не удалось открыть файл: {exc.strerror}") from exc
    if not head.strip():
        raise UnusableFile("файл пуст")
    if head.startswith(b"PK\x03\x04"):
        return _xlsx(path, sheet, limits)
    for magic, what in _NOT_TABLES.items():
        if head.startswith(magic):
            raise UnusableFile(f"это не таблица, а {what}; загрузите CSV или XLSX")
    if sheet is not None:
        raise UnusableFile("лист можно указать только для файла XLSX")
    return _csv(path, head, limits, encoding)


def _numbered(rows: Iterator[Row], limits: ImportLimits) -> Iterator[Row]:
    """``rows`` without the empty ones, stopped when a row number passes the row limit."""
    for number, cells in rows:
        if number > limits.max_rows:
            raise row_limit_error(limits.max_rows, number)
        if cells.count(None) != len(cells):
            yield number, cells


def row_limit_error(max_rows: int, number: int) -> UnusableFile:
    """The refusal of a file with more rows than one import takes (row ``number`` is past)."""
    return UnusableFile(
        f"в файле больше {_count(max_rows)} строк (встретилась строка "
        f"№{_count(number)}): столько за один раз не загрузить, разделите файл на части"
    )


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


def _csv(path: Path, head: bytes, limits: ImportLimits, encoding: str | None = None) -> Table:
    encoding = encoding or _encoding(path, head)
    raw = path.open("rb")
    size = max(path.stat().st_size, 1)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    delimiter = _delimiter(text.read(65536))
    text.seek(0)

    def rows() -> Iterator[Row]:
        for number, cells in enumerate(csv.reader(text, delimiter=delimiter), start=1):
            # restored: the apostrophe our CSV exports put before a formula-like text
            yield number, [restored(c) if c.strip() else None for c in cells[:MAX_COLUMNS]]

    return Table(
        "csv",
        _numbered(rows(), limits),
        lambda: min(raw.tell() / size, 1.0),
        encoding=encoding,
        delimiter=delimiter,
        closers=[text.close],
    )


# XLSX


def _check_archive(path: Path, limits: ImportLimits) -> None:
    """Refuse a ZIP that would unpack beyond the limits, judged first by its central directory
    and then by the bytes each part really unpacks to (declared sizes can lie); every part's
    checksum is verified on the way."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise UnusableFile(
                f"в архиве XLSX {len(members)} частей, допускается не больше "
                f"{MAX_ARCHIVE_MEMBERS}: это не книга Excel"
            )
        _check_sizes(members, [m.file_size for m in members], limits)
        unpacked = []
        for member in members:
            size = 0
            try:
                with archive.open(member) as part:
                    while chunk := part.read(_CHUNK):
                        size += len(chunk)
                        _check_sizes([member], [size], limits, sum(unpacked) + size)
            except zipfile.BadZipFile as exc:
                raise UnusableFile(
                    f"файл XLSX повреждён: испорчена часть «{member.filename}»"
                ) from exc
            unpacked.append(size)


def _check_sizes(
    members: list[zipfile.ZipInfo], sizes: list[int], limits: ImportLimits, total: int | None = None
) -> None:
    total = sum(sizes) if total is None else total
    if total > limits.max_unpacked_bytes:
        raise UnusableFile(
            f"файл XLSX распаковывается больше чем в {_mib(limits.max_unpacked_bytes)} МиБ "
            "(допустимый предел): разделите его на части"
        )
    for member, size in zip(members, sizes, strict=True):
        ratio = size / max(member.compress_size, 1)
        if size > RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
            raise UnusableFile(
                f"часть «{member.filename}» файла XLSX сжата в {ratio:.0f} раз, допускается не "
                f"больше чем в {limits.max_compression_ratio}: похоже на архивную бомбу"
            )


def _count(value: float) -> str:
    return russian.number(value)


def _mib(size: int) -> str:
    return _count(size / 2**20)


class _TrackedFile(io.BufferedReader):
    """A file that remembers where its last read ended: the sheet's progress in bytes."""

    last = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.last = self.tell()
        return data


def _xlsx(path: Path, sheet: str | None, limits: ImportLimits) -> Table:
    from openpyxl import load_workbook

    try:
        _check_archive(path, limits)
        # A file object, not the path: openpyxl judges a path by its suffix, the platform by
        # the content (an XLSX saved as .csv or with no suffix still opens).
        handle = _TrackedFile(io.FileIO(path, "rb"))
        with zipfile.ZipFile(path) as archive:
            parts = sorted((m.header_offset, m.compress_size) for m in archive.infolist())
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise UnusableFile("файл XLSX повреждён или обрезан (не открывается как архив)") from exc
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a ZIP that is not a workbook
        handle.close()
        if _caused_by_entities(exc):
            raise UnusableFile(XML_ENTITIES) from exc
        raise UnusableFile(
            "файл не открывается как книга Excel XLSX (повреждён или это другой архив)"
        ) from exc
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        workbook.close()
        handle.close()
        names = ", ".join(f"«{n}»" for n in workbook.sheetnames)
        raise UnusableFile(f"в книге нет листа «{sheet}»; есть: {names}")
    # The declared dimension (``A1:XFD1048576``) would make openpyxl pad every row to 16,384
    # cells and add every missing row up to the declared last one.
    worksheet.reset_dimensions()
    done = [0]
    span: list[tuple[int, int]] = []

    def rows() -> Iterator[Row]:
        try:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                done[0] = number
                if not span:
                    span.append(_part_at(parts, handle.last))
                yield number, [_cell(c) for c in values[:MAX_COLUMNS]]
        except DefusedXmlException as exc:
            raise UnusableFile(XML_ENTITIES) from exc
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, SyntaxError) as exc:
            raise UnusableFile(f"файл XLSX не читается после строки {done[0]}") from exc

    def progress() -> float:
        if not span:
            return 0.0
        start, size = span[0]
        return min(max((handle.last - start) / max(size, 1), 0.0), 1.0)

    return Table(
        "xlsx", _numbered(rows(), limits), progress, closers=[workbook.close, handle.close]
    )


def _caused_by_entities(exc: BaseException | None) -> bool:
    """Whether defusedxml refused XML somewhere in the chain (openpyxl wraps its errors)."""
    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _part_at(parts: list[tuple[int, int]], position: int) -> tuple[int, int]:
    """(offset, packed size) of the archive part that holds byte ``position``."""
    found = parts[0]
    for part in parts:
        if part[0] > position:
            break
        found = part
    return found


def _cell(value: object) -> Cell | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, str) and "_x" in value:
        # Control characters are written ``_x000D_`` (ECMA-376 ST_Xstring: Excel and the
        # platform's own exports do); openpyxl leaves them as they are.
        from openpyxl.utils.escape import unescape

        return unescape(value)
    return value  # type: ignore[return-value]
