"""The ``promcluster`` command line: each command a thin call into a domain service."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy.orm import Session

from promcluster import dbadmin, models  # noqa: F401  (every table mapped)
from promcluster.auth.audit import Actor, act_as
from promcluster.config import get_settings
from promcluster.db import make_engine, make_sessionmaker, transaction
from promcluster.errors import DomainError

app = typer.Typer(
    help="promcluster — платформа промышленных кластеров региона.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="База данных.", no_args_is_help=True)
load_app = typer.Typer(
    help="Загрузка справочников и демонстрационных данных.", no_args_is_help=True
)
user_app = typer.Typer(help="Пользователи.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(load_app, name="load")
app.add_typer(user_app, name="user")

console = Console()
err = Console(stderr=True)

Database = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="URL базы данных (по умолчанию PROMCLUSTER_DATABASE_URL или "
        "sqlite:///var/promcluster.db)",
    ),
]


def _url(database: str | None) -> str:
    return database or get_settings().database_url


@contextmanager
def _session(database: str | None, actor: str) -> Iterator[Session]:
    engine = make_engine(_url(database))
    try:
        with transaction(make_sessionmaker(engine)) as session:
            yield act_as(session, Actor(f"cli:{actor}"))
    except DomainError as exc:
        err.print(f"[red]Ошибка:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade(database: Database = None) -> None:
    """Create the database or migrate it to the latest schema."""
    dbadmin.upgrade(_url(database))
    console.print("База данных в актуальном состоянии.")


@load_app.command("reference")
def load_reference(database: Database = None) -> None:
    """Load OKVED2, OKPD2, regions and cities shipped with the package."""
    from promcluster.reference.service import load_reference as load

    with _session(database, "load-reference") as session, Progress(console=console) as bar:
        task = bar.add_task("Справочники", total=None)
        reports = load(session)
        bar.update(task, total=1, completed=1)
    for r in reports:
        console.print(f"{r.table}: добавлено {r.added}, обновлено {r.updated}")


@load_app.command("demo")
def load_demo(database: Database = None) -> None:
    """Load the demo clusters, enterprises, chains, projects and figures from the seed articles,
    then the synthetic supplement (enterprises of all regions, products, supplies, needs)."""
    from promcluster.demo.loader import load_demo as load
    from promcluster.demo.synthetic import load_synthetic_demo
    from promcluster.reference.service import reference_loaded

    with _session(database, "load-demo") as session:
        if not reference_loaded(session):
            err.print("Сначала загрузите справочники: promcluster load reference")
            raise typer.Exit(2)
        report = load(session)
        synthetic = load_synthetic_demo(session)
    added = ", ".join(f"{k}: {v}" for k, v in report.added.items()) or "ничего нового"
    console.print(f"Демонстрационные данные: {added}")
    added = ", ".join(f"{k}: {v}" for k, v in synthetic.added.items()) or "уже загружено"
    console.print(f"Синтетическое дополнение (помечено как синтетика): {added}")


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="admin, cluster_manager или enterprise_rep")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="PROMCLUSTER_NEW_PASSWORD",
        ),
    ],
    cluster: Annotated[list[int] | None, typer.Option(help="кластер менеджера (id)")] = None,
    enterprise: Annotated[int | None, typer.Option(help="предприятие представителя (id)")] = None,
    full_name: Annotated[str | None, typer.Option(help="ФИО")] = None,
    database: Database = None,
) -> None:
    """Create a user with a role and its scope."""
    from promcluster.auth.service import create_user

    with _session(database, "user-add") as session:
        user = create_user(session, username, password, role, cluster or [], enterprise, full_name)
    console.print(f"Пользователь «{user.username}» ({user.role}) создан.")


@app.command("import")
def import_file(
    kind: Annotated[
        str, typer.Argument(help="enterprises, members, products, supplies, projects, needs")
    ],
    file: Annotated[Path, typer.Argument(help="CSV (любая кодировка и разделитель) или XLSX")],
    errors: Annotated[
        Path | None, typer.Option("--errors", help="куда записать отчёт об ошибках (CSV)")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="лист книги XLSX (по умолчанию первый)")] = None,
    batch_size: Annotated[int, typer.Option(help="строк в одной транзакции")] = 5000,
    database: Database = None,
) -> None:
    """Import a file; exit 1 when some rows were rejected, 2 when the file is unusable."""
    from promcluster.imports import service

    engine = make_engine(_url(database))
    factory = make_sessionmaker(engine)
    actor = Actor(f"cli:import {kind}")
    # Refreshed once per batch: rich's own refresh thread slows a long import by a tenth.
    with Progress(console=err, transient=True, auto_refresh=False) as bar:
        task = bar.add_task(f"Загрузка «{file.name}»", total=1.0)

        def show(run) -> None:
            rows = f"{run.rows_read:,}".replace(",", " ")
            bar.update(task, completed=run.progress, description=f"Строк: {rows}")
            bar.refresh()

        try:
            run = service.run_import(
                factory,
                kind,
                file,
                actor=actor,
                sheet=sheet,
                batch_size=batch_size,
                on_batch=show,
                parallel=True,
            )
        except KeyboardInterrupt:
            err.print(
                "[yellow]Прервано.[/yellow] Завершённые части сохранены, незавершённая отменена; "
                "запустите ту же команду снова, чтобы закончить загрузку."
            )
            engine.dispose()
            raise typer.Exit(130) from None
        except service.UnusableFile as exc:
            err.print(f"[red]Файл не принят, ничего не записано:[/red] {exc}")
            if errors is not None:
                with errors.open("w", encoding="utf-8-sig", newline="") as out:
                    service.unusable_report(out, str(exc))
            engine.dispose()
            raise typer.Exit(2) from exc
    with factory() as session:
        if errors is not None:
            with errors.open("w", encoding="utf-8-sig", newline="") as out:
                service.write_report(session, run.id, out)
    engine.dispose()
    console.print(
        f"Загрузка №{run.id}: прочитано строк {run.rows_read}, добавлено {run.created}, "
        f"обновлено {run.updated}, без изменений {run.unchanged}, отклонено {run.rejected}"
    )
    if run.ignored_columns:
        console.print("Не распознаны и пропущены столбцы: " + ", ".join(run.ignored_columns))
    if run.rejected:
        where = f"отчёт: {errors}" if errors else "отчёт: --errors ФАЙЛ.csv"
        err.print(f"[yellow]Отклонено строк: {run.rejected}[/yellow] ({where})")
        raise typer.Exit(1)


@app.command("export")
def export_file(
    kind: Annotated[
        str,
        typer.Argument(
            help="enterprises, members, products, supplies, projects, needs, clusters или template"
        ),
    ],
    template_kind: Annotated[
        str | None, typer.Argument(help="для template: вид загрузки, шаблон которого нужен")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="файл .csv, .xlsx или .geojson")
    ] = None,
    database: Database = None,
) -> None:
    """Export a kind to CSV, XLSX or GeoJSON; ``export template KIND`` writes an import template."""
    from promcluster.imports import exports

    if kind == "template":
        if template_kind is None:
            err.print("Укажите вид загрузки: promcluster export template enterprises")
            raise typer.Exit(2)
        path = output or Path(f"{template_kind}-template.xlsx")
        try:
            exports.template(template_kind, path)
        except DomainError as exc:
            err.print(f"[red]Ошибка:[/red] {exc}")
            raise typer.Exit(2) from exc
        console.print(f"Шаблон «{template_kind}»: {path}")
        return
    if output is None:
        err.print("Укажите файл: -o ФАЙЛ.csv, .xlsx или .geojson")
        raise typer.Exit(2)
    with (
        _session(database, f"export-{kind}") as session,
        Progress(console=err, transient=True) as bar,
    ):
        bar.add_task(f"Выгрузка «{kind}»", total=None)
        count = exports.export(session, kind, output)
    console.print(f"Выгружено записей: {count} → {output}")


Orientation = Annotated[
    str,
    typer.Option(
        help="знак ECI: diversity (как ecomplexity: ECI растёт с диверсификацией) или ubiquity "
        "(сложные продукты — редкие; устойчиво для регионов)"
    ),
]
Duplicates = Annotated[
    str, typer.Option(help="повторы строк: error (ошибка), sum (сложить) или first (первая)")
]


@app.command("complexity")
def complexity_command(
    file: Annotated[Path, typer.Argument(help="CSV или XLSX: location, product, value[, year]")],
    output: Annotated[Path, typer.Option("-o", "--output", help="файл .csv или .xlsx")],
    threshold: Annotated[float, typer.Option(help="порог RCA для специализации")] = 1.0,
    orientation: Orientation = "diversity",
    duplicates: Duplicates = "error",
    sheet: Annotated[str | None, typer.Option(help="лист книги XLSX")] = None,
) -> None:
    """RCA, Mcp, density, ECI, PCI, diversity, ubiquity, COI and COG per location × product
    (× year), with the definitions of the ecomplexity package."""
    from promcluster.analytics.complexity import of_panel
    from promcluster.imports.panels import MEASURES, complexity_rows, write_table

    panel = _read_panel(file, sheet, duplicates)
    with _refusing_input(), Progress(console=err, transient=True) as bar:
        bar.add_task("Расчёт сложности", total=None)
        results = of_panel(panel, threshold, orientation)  # type: ignore[arg-type]
    for result in results:
        when = f"{result.year}: " if result.year is not None else ""
        for name, reason in (result.dropped | result.outside).items():
            err.print(f"[yellow]{when}«{name}» — {reason}[/yellow]")
    with_year = panel.years != [None]
    headers = ["location", "product", *(["year"] if with_year else []), *MEASURES]
    count = write_table(output, headers, complexity_rows(results, with_year), "Сложность")
    console.print(
        f"Регионов: {len(panel.locations)}, продуктов: {len(panel.products)}, "
        f"лет: {len(panel.years)}; строк: {count} → {output}"
    )


@app.command("predict")
def predict_command(
    file: Annotated[Path, typer.Argument(help="CSV или XLSX: location, product, value, year")],
    year: Annotated[int, typer.Option(help="год T, на котором оцениваются пары с RCA < 1")],
    output: Annotated[Path, typer.Option("-o", "--output", help="файл .csv или .xlsx")],
    duplicates: Duplicates = "error",
    sheet: Annotated[str | None, typer.Option(help="лист книги XLSX")] = None,
) -> None:
    """Score every location × product not specialised at T (RCA < 1): higher means likelier to
    reach RCA ≥ 1 by the next period; the model learns from the earlier years of FILE."""
    from promcluster.analytics.predict import predict
    from promcluster.imports.panels import write_table

    panel = _read_panel(file, sheet, duplicates)
    with _refusing_input(), Progress(console=err, transient=True) as bar:
        bar.add_task("Обучение модели и оценка пар", total=None)
        scores = predict(panel, year)
    rows = (
        [loc, prod, float(p)]
        for loc, prod, p in zip(scores.locations, scores.products, scores.score, strict=True)
    )
    count = write_table(output, ["location", "product", "score"], rows, "Прогноз")
    console.print(f"Пар без специализации в {year} году: {count} → {output}")


@app.command("backtest")
def backtest_command(
    file: Annotated[Path, typer.Argument(help="CSV или XLSX: location, product, value, year")],
    train: Annotated[str, typer.Option(help="переход для обучения, ГОД:ГОД")] = "2011:2016",
    test: Annotated[str, typer.Option(help="переход для проверки, ГОД:ГОД")] = "2016:2021",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="таблица метрик .csv или .xlsx")
    ] = None,
    duplicates: Duplicates = "error",
    sheet: Annotated[str | None, typer.Option(help="лист книги XLSX")] = None,
) -> None:
    """ROC AUC, AUC-PR and mean precision at 10 per location of the model, density and last
    period's RCA on candidates with RCA < 1 and < 0.5, trained on one transition, tested on
    a later one."""
    from promcluster.analytics.backtest import backtest, table
    from promcluster.imports.panels import write_table

    periods = [_period(train, "--train"), _period(test, "--test")]
    panel = _read_panel(file, sheet, duplicates)
    with _refusing_input(), Progress(console=err, transient=True) as bar:
        bar.add_task("Обучение и проверка", total=None)
        rows = backtest(panel, *periods)
    typer.echo(table(rows))  # Markdown, not wrapped to the terminal's width
    if output is not None:
        headers = ["candidates", "scorer", "pairs", "positives", "roc_auc", "auc_pr", "p_at_10"]
        values = (
            [f"rca<{r.cut:g}", r.scorer, r.candidates, r.positives, r.roc_auc,
             r.average_precision, r.precision_at_10]
            for r in rows
        )  # fmt: skip
        write_table(output, headers, values, "Проверка прогноза")


def _period(text: str, option: str) -> tuple[int, int]:
    start, _, end = text.partition(":")
    if not (start.isdigit() and end.isdigit() and int(start) < int(end)):
        err.print(f"{option}: ожидается ГОД:ГОД, например 2011:2016, а не «{text}»")
        raise typer.Exit(2)
    return int(start), int(end)


@app.command("niches")
def niches_command(
    region: Annotated[str, typer.Argument(help="код региона, например 72")],
    output: Annotated[Path, typer.Option("-o", "--output", help="файл .csv, .xlsx или .json")],
    cluster: Annotated[
        int | None, typer.Option(help="только спрос участников кластера (id)")
    ] = None,
    top: Annotated[int | None, typer.Option(help="сколько ниш вывести (по умолчанию все)")] = None,
    demand: Annotated[float | None, typer.Option(help="вес спроса (0–10)")] = None,
    feasibility: Annotated[float | None, typer.Option(help="вес осуществимости (0–10)")] = None,
    attractiveness: Annotated[
        float | None, typer.Option(help="вес привлекательности (0–10)")
    ] = None,
    database: Database = None,
) -> None:
    """Ranked niches of a region: demand from outside, buyers, coverage, feasibility, density,
    PCI and COG, each component and the combined score (the same ranking as the web page)."""
    from promcluster.niches import exports
    from promcluster.niches.service import parse_weights, rank_niches

    if output.suffix.lower() not in (".csv", ".xlsx", ".json"):
        err.print("Укажите файл .csv, .xlsx или .json")
        raise typer.Exit(2)
    with (
        _session(database, f"niches-{region}") as session,
        Progress(console=err, transient=True) as bar,
    ):
        bar.add_task("Расчёт ниш", total=None)
        weights = parse_weights(
            {"demand": demand, "feasibility": feasibility, "attractiveness": attractiveness}
        )
        ranking = rank_niches(session, region, cluster, weights)
        count = exports.write_ranking(ranking, output, top)
    console.print(f"Ниш: {count} → {output}")


@contextmanager
def _refusing_input() -> Iterator[None]:
    """Unusable input ends the command with status 2 and its reason; nothing is written."""
    try:
        yield
    except DomainError as exc:
        err.print(f"[red]Не посчитано, ничего не записано:[/red] {exc}")
        raise typer.Exit(2) from exc


def _read_panel(file: Path, sheet: str | None, duplicates: str):
    from promcluster.imports.panels import read_panel

    if duplicates not in ("error", "sum", "first"):
        err.print("--duplicates: error, sum или first")
        raise typer.Exit(2)
    with _refusing_input(), Progress(console=err, transient=True) as bar:
        task = bar.add_task(f"Чтение «{file.name}»", total=1.0)
        return read_panel(
            file,
            sheet,
            duplicates,
            lambda done: bar.update(task, completed=done),  # type: ignore[arg-type]
        )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="адрес (по умолчанию 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="порт (по умолчанию 8000)")] = None,
    database: Database = None,
) -> None:
    """Serve the web platform and the REST API."""
    import threading

    import uvicorn

    from promcluster.niches.transfer import transfer_model
    from promcluster.web.app import create_app

    settings = get_settings()
    if database:
        settings = settings.model_copy(update={"database_url": database})
    # The niche pages' feasibility model takes a few seconds to train: start it at once.
    threading.Thread(target=transfer_model, daemon=True).start()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


if __name__ == "__main__":
    app()
