"""The ``compliance`` command: the federal-requirements check of one cluster as JSON, criterion
by criterion; merged into the ``promcluster`` command line."""

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from promcluster import labels
from promcluster.cli.support import Database, cluster_id_of, console, err, session_for

app = typer.Typer()


@app.command(
    "compliance",
    help=(
        "Проверка кластера на соответствие федеральным требованиям, критерий за "
        "критерием, в JSON: cluster, as_of, rule_set, verdict и criteria."
    ),
)
def compliance_command(
    cluster: Annotated[str, typer.Argument(help="id кластера или его точное название")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="дата проверки ГГГГ-ММ-ДД (по умолчанию сегодня)")
    ] = None,
    rules: Annotated[
        str, typer.Option("--rules", help="набор правил: federal или region:NN")
    ] = "federal",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="файл .json (по умолчанию — вывод)")
    ] = None,
    database: Database = None,
) -> None:
    """The federal-requirements check of one cluster, criterion by criterion, as JSON:
    ``cluster``, ``as_of``, ``rule_set``, ``verdict`` and ``criteria``."""
    from promcluster.compliance.schemas import report_json
    from promcluster.compliance.service import check

    if output is not None and output.suffix.lower() != ".json":
        err.print("Укажите файл .json")
        raise typer.Exit(2)
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        err.print(f"--as-of: дата в виде ГГГГ-ММ-ДД, получено «{as_of}»")
        raise typer.Exit(2) from None
    with session_for(database, "compliance") as session:
        report = check(session, cluster_id_of(session, cluster), day, rules)
        document = report_json(report)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    counts = ", ".join(
        f"{labels.COMPLIANCE_STATUSES.get(k, k)}: {v}" for k, v in report.counts().items()
    )
    verdict = labels.COMPLIANCE_VERDICTS.get(report.verdict, report.verdict)
    console.print(f"{report.cluster.name}: {verdict} ({counts}) → {output}")
