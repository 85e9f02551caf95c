"""The ``compliance`` command: the federal-requirements check of one cluster as JSON, criterion
by criterion; merged into the ``promcluster`` command line."""

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.cli_support import Database, console, err, session_for
from promcluster.errors import NotFound

app = typer.Typer()


def cluster_id_of(session: Session, cluster: str) -> int:
    """The id of a cluster given by its id or its exact name."""
    from promcluster.registry.models import Cluster

    found = session.scalar(select(Cluster.id).where(Cluster.name == cluster.strip()))
    if found is None and cluster.strip().isdigit():
        found = session.get(Cluster, int(cluster))
        found = found.id if found else None
    if found is None:
        raise NotFound(f"нет кластера «{cluster}» (укажите id или точное название)")
    return found


@app.command("compliance")
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
    counts = ", ".join(f"{k}: {v}" for k, v in report.counts().items())
    console.print(f"{report.cluster.name}: {report.verdict} ({counts}) → {output}")
