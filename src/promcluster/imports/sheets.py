"""Writing tables as files people open in Excel: CSV (UTF-8 with BOM, ``;``, decimal commas)
and XLSX (bold frozen header, fitted widths, dates as dates), streamed row by row."""

import csv
from collections.abc import Iterator
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

WIDTH_SAMPLE = 200  # rows read ahead to fit the column widths


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        return f"{value:.10g}".replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return value


def write_csv(path: Path, headers: list[str], rows: Iterator[list], _title: str) -> int:
    """UTF-8 with BOM and ``;``: what Excel opens correctly with a Russian locale."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
            count += 1
    return count


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return value


def write_xlsx(
    path: Path,
    headers: list[str],
    rows: Iterator[list],
    title: str,
    notes: list[list[str]] | None = None,
) -> int:
    """A streamed workbook: bold frozen header, widths fitted to the first rows, dates as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title or "Данные")
    sheet.freeze_panes = "A2"
    sample = [next(rows, None) for _ in range(WIDTH_SAMPLE)]
    sample = [r for r in sample if r is not None]
    for i, header in enumerate(headers):
        longest = max([len(header), *(len(str(_xlsx_value(r[i]) or "")) for r in sample)])
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(max(longest + 2, 8), 60)
    bold = Font(bold=True)
    head = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    count = 0
    for row in chain(sample, rows):
        sheet.append([_date_cell(sheet, _xlsx_value(v)) for v in row])
        count += 1
    if notes:
        explained = book.create_sheet("Пояснения")
        for i, width in enumerate((28, 14, 50, 30, 60)):
            explained.column_dimensions[get_column_letter(i + 1)].width = width
        for row in notes:
            explained.append(row)
    book.save(path)
    return count


def _date_cell(sheet, value: Any) -> Any:
    if isinstance(value, date):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD.MM.YYYY"
        return cell
    return value
