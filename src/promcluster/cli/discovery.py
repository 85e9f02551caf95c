"""The ``discover`` command: a region's candidate clusters and specialisations and, with
``--cluster``, the cluster's ranked potential participants; merged into the ``promcluster``
command line."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from promcluster.cli.support import Database, cluster_id_of, console, err, session_for
from promcluster.russian import number, signed, signed_percent

app = typer.Typer()


@app.command(
    "discover",
    help=(
        "Кандидаты в кластеры и специализации региона (коэффициенты локализации), а с "
        "--cluster — потенциальные участники кластера с причинами."
    ),
)
def discover_command(
    region: Annotated[str, typer.Argument(help="код региона, например 72")],
    level: Annotated[int, typer.Option(help="уровень ОКВЭД2: 2, 3 или 4 знака")] = 4,
    measure: Annotated[str, typer.Option(help="мера: employees, count или revenue")] = "employees",
    against: Annotated[
        str | None,
        typer.Option(
            help="регионы сравнения через запятую, например 77,50 (по умолчанию — страна)"
        ),
    ] = None,
    since: Annotated[int | None, typer.Option(help="рост: с года (первый в данных)")] = None,
    until: Annotated[int | None, typer.Option(help="рост: по год (последний в данных)")] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            help="база сравнения: official (данные Росстата) или register (реестр); "
            "по умолчанию — official, если загружена официальная статистика"
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(help="кластер (id или точное название): его потенциальные участники"),
    ] = None,
    limit: Annotated[int, typer.Option(help="сколько потенциальных участников вывести")] = 50,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="файл .csv, .xlsx или .json")
    ] = None,
    database: Database = None,
) -> None:
    """Candidate clusters and specialisations (location quotients) of a region and, with
    ``--cluster``, the cluster's potential participants with their reasons."""
    from promcluster.discovery import exports
    from promcluster.discovery.participants import prospects
    from promcluster.discovery.service import discover
    from promcluster.discovery.specialisation import Options, check_options, regions_of

    if output is not None and output.suffix.lower() not in exports.SUFFIXES:
        err.print("Укажите файл .csv, .xlsx или .json")
        raise typer.Exit(2)
    with (
        session_for(database, f"discover-{region}") as session,
        Progress(console=err, transient=True) as bar,
    ):
        options = Options(level, measure, regions_of(against), since, until, reference)
        check_options(session, options)
        cluster_id = cluster_id_of(session, cluster) if cluster is not None else None
        bar.add_task("Поиск кластеров", total=None)
        found = discover(session, region, options)
        ranked = prospects(session, cluster_id, limit) if cluster_id is not None else None
    if output is not None:
        count = exports.write(output, found, ranked)
        console.print(
            f"{found.region.name}: кандидатов {len(found.candidates)}, специализаций "
            f"{len(found.specialisations)}"
            + (f", потенциальных участников {len(ranked)}" if ranked is not None else "")
            + f"; строк: {count} → {output}"
        )
        return
    _print(found, ranked)


def _print(found, ranked) -> None:
    from rich.table import Table

    table = Table(title=f"Кандидаты в кластеры: {found.region.name}")
    for title in ("№", "Ядро", "Оценка", "Предприятий", "Занятых", "Существующий кластер"):
        table.add_column(title)
    for c in found.candidates:
        existing = "; ".join(e.mark for e in c.existing)
        table.add_row(
            str(c.number), f"{c.seed} {c.seed_name or ''}", number(c.score, 3), number(c.firms),
            number(c.employees), existing or "—",
        )  # fmt: skip
    console.print(table)
    base = ", ".join(r.code for r in found.reference) if found.reference else "страна"
    table = Table(
        title=f"Специализация (коэффициент локализации; база сравнения: {found.reference_text}; "
        f"{base})"
    )
    spans = found.growth_years
    growth = [f"Рост {spans[0]}–{spans[1]}", "ΔLQ"] if spans else []
    firms = "Организаций (Росстат)" if found.official else "Предприятий"
    for title in ("ОКВЭД2", "LQ", firms, *growth):
        table.add_column(title)
    for s in found.specialisations[:15]:
        changes = [signed_percent(s.growth), signed(s.lq_change)] if spans else []
        table.add_row(f"{s.code} {s.name or ''}", number(s.lq, 2), number(s.firms), *changes)
    console.print(table)
    for i, p in enumerate(ranked or [], start=1):
        mark = " [синтетика]" if p.synthetic else ""
        console.print(f"{i}. {p.name}{mark} — {number(p.score, 3)}: " + "; ".join(p.reasons))
