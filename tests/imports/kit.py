"""Helpers of the import tests: building CSV and XLSX files, running an import through the
service or the command line, reading the error report and the stored rows back."""

import csv
import io
import time
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from factories import CLEAN_ORDER, Database, fresh_inn
from openpyxl import Workbook
from sqlalchemy import select, text
from typer.testing import CliRunner

from promcluster.auth.audit import Actor
from promcluster.cli import app
from promcluster.imports import service
from promcluster.imports.models import ImportRun
from promcluster.registry.models import Enterprise

ACTOR = Actor("test:import")
KIND_TABLES = ("needs", "supplies", "product_lines")
# Every registry, auth and imported table; not the import runs, which record refused files too.
ALL_TABLES = tuple(
    t for t in dict.fromkeys((*CLEAN_ORDER, *KIND_TABLES)) if not t.startswith("import_")
)
runner = CliRunner()

Rows = Iterable[Sequence[Any]]


def csv_bytes(rows: Rows, encoding: str = "utf-8", delimiter: str = ";") -> bytes:
    """Rows as CSV text in ``encoding`` (``utf-8-sig`` writes the BOM); None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    return out.getvalue().encode(encoding)


def write_csv(path: Path, rows: Rows, encoding: str = "utf-8", delimiter: str = ";") -> Path:
    path.write_bytes(csv_bytes(rows, encoding, delimiter))
    return path


def write_xlsx(
    path: Path,
    rows: Rows = (),
    *,
    title: str = "Лист1",
    merges: Sequence[str] = (),
    sheets: dict[str, Rows] | None = None,
) -> Path:
    """A workbook whose first sheet ``title`` holds ``rows`` (with merged ranges ``merges``)
    and further sheets ``sheets``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    for name, more in (sheets or {}).items():
        extra = workbook.create_sheet(name)
        for row in more:
            extra.append(list(row))
    workbook.save(path)
    return path


def run(db: Database, kind: str, path: Path, **options: Any) -> ImportRun:
    """``run_import`` in this process, as the web server does."""
    return service.run_import(db.sessions, kind, path, actor=ACTOR, **options)


def report(db: Database, run_id: int) -> list[dict[str, str]]:
    """The error report of a run, read back from the CSV ``write_report`` produces."""
    out = io.StringIO()
    with db.sessions() as session:
        service.write_report(session, run_id, out)
    return parse_report(out.getvalue())


def parse_report(content: str) -> list[dict[str, str]]:
    lines = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert tuple(lines[0]) == service.REPORT_HEADER, lines[0]
    keys = ("row", "column", "value", "reason")
    return [dict(zip(keys, line, strict=True)) for line in lines[1:]]


def cli(db: Database, *args: str):
    """``promcluster import ARGS --database URL`` through Typer's runner."""
    return runner.invoke(app, ["import", *args, "--database", db.url])


def said(result) -> str:
    """Everything the command printed, with rich's line wrapping undone."""
    return " ".join(result.output.split())


def counts(db: Database) -> dict[str, int]:
    """Rows in every registry, auth and imported table."""
    with db.engine.connect() as connection:
        return {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ALL_TABLES
        }


def enterprise(db: Database, inn: str) -> Enterprise | None:
    with db.sessions() as session:
        found = session.scalar(select(Enterprise).where(Enterprise.inn == inn))
        if found is not None:
            _ = found.okved_extra  # loaded while the session is open
        return found


def stored_inns(db: Database) -> list[str]:
    with db.sessions() as session:
        return sorted(session.scalars(select(Enterprise.inn)))


def import_run(db: Database, run_id: int) -> ImportRun:
    return db.get(ImportRun, run_id)


def last_run(db: Database) -> ImportRun:
    with db.sessions() as session:
        return session.scalar(select(ImportRun).order_by(ImportRun.id.desc()).limit(1))


def bad_inn() -> str:
    """A 10-digit INN whose check digit is wrong."""
    inn = fresh_inn()
    return inn[:-1] + str((int(inn[-1]) + 1) % 10)


def enterprise_rows(count: int, region: str = "72") -> list[list[str]]:
    """``count`` valid enterprise rows: INN, name, region."""
    return [[fresh_inn(), f"ООО «Завод №{i}»", region] for i in range(1, count + 1)]


HEADER = ["ИНН", "Наименование", "Регион"]


# Hostile workbooks, written part by part (openpyxl would write an honest dimension).

_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _inline(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def raw_xlsx(
    path: Path,
    rows: dict[int, dict[str, str]],
    dimension: str | None = None,
    extra: dict[str, bytes] | None = None,
    prolog: str = "",
) -> Path:
    """A workbook written part by part: ``rows`` maps a row number to {cell ref: text (XML)},
    the sheet declares ``dimension`` whatever it holds and starts with ``prolog`` (a DTD, say),
    ``extra`` adds parts to the archive."""
    cells = "".join(
        f'<row r="{n}">{"".join(_inline(ref, v) for ref, v in row.items())}</row>'
        for n, row in sorted(rows.items())
    )
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = prolog + (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{declared}<sheetData>{cells}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in _PARTS.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + xml)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def dimension_bomb(path: Path, last_row: int = 1_048_576) -> Path:
    """The 1.6 KB workbook of issue 16: a header, one cell at XFD of the last row, and a
    declared dimension ``A1:XFD1048576`` (openpyxl pads every row up to it)."""
    header = {"A1": "ИНН", "B1": "Наименование", "C1": "Регион"}
    return raw_xlsx(
        path, {1: header, last_row: {f"XFD{last_row}": "x"}}, dimension=f"A1:XFD{last_row}"
    )


def finished_run(client, run_id: int, seconds: float = 60, **kwargs: Any) -> dict:
    """An uploaded run as the API shows it once its background import has ended."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = client.get(f"/api/v1/imports/{run_id}", **kwargs).json()
        if answer["status"] != "running":
            return answer
        time.sleep(0.05)
    raise AssertionError(f"import {run_id} did not finish")
