"""The ``report`` command: a cluster's yearly report against its programme targets as DOCX,
XLSX or JSON (the same service and files as the page); merged into the ``promcluster`` command
line."""

import json
from pathlib import Path
from typing import Annotated

import typer

from promcluster.cli.support import Database, cluster_id_of, console, err, session_for

app = typer.Typer()
FORMATS = (".docx", ".xlsx", ".json")


@app.command(
    "report",
    help=(
        "Годовой отчёт кластера: показатели за год и предыдущие годы с данными, цели программы "
        "развития, отклонения и пояснения — в DOCX, XLSX или JSON."
    ),
)
def report_command(
    cluster: Annotated[str, typer.Argument(help="id кластера или его точное название")],
    year: Annotated[
        int | None, typer.Option("--year", help="отчётный год (по умолчанию прошлый)")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="файл .docx, .xlsx или .json (по умолчанию — JSON)"),
    ] = None,
    database: Database = None,
) -> None:
    """The yearly report of one cluster written to ``output`` (by its suffix) or printed."""
    from promcluster.dossier.report import default_year, report_json, yearly_report
    from promcluster.dossier.report_files import report_book, write_docx

    if output is not None and output.suffix.lower() not in FORMATS:
        err.print("Укажите файл .docx, .xlsx или .json")
        raise typer.Exit(2)
    with session_for(database, "report") as session:
        report = yearly_report(session, cluster_id_of(session, cluster), default_year(year))
    if output is None:
        typer.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
        return
    suffix = output.suffix.lower()
    if suffix == ".docx":
        write_docx(report, output)
    elif suffix == ".xlsx":
        report_book(report).save(output)
    else:
        text = json.dumps(report_json(report), ensure_ascii=False, indent=2)
        output.write_text(text + "\n", encoding="utf-8")
    console.print(f"{report.cluster_name}: отчёт за {report.year} год → {output}")
