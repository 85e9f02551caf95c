"""The ``import`` and ``export`` commands: register data from and to CSV, XLSX and GeoJSON files;
merged into the ``promcluster`` command line."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from promcluster.auth.audit import Actor
from promcluster.cli.support import Database, console, err, session_for, url_of
from promcluster.db import make_engine, make_sessionmaker
from promcluster.errors import DomainError

app = typer.Typer()


@app.command(
    "import",
    help="Загрузить файл; код выхода 1, если часть строк отклонена, 2, если файл непригоден.",
)
def import_file(
    kind: Annotated[
        str,
        typer.Argument(
            help="enterprises, members, products, supplies, projects, needs, figures; "
            "официальная статистика: emiss; открытые данные ФНС: fns-sme, fns-headcount, "
            "fns-revenue; госзакупки ЕИС (44-ФЗ, 223-ФЗ): procurement"
        ),
    ],
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (любая кодировка и разделитель) или XLSX; для fns-* и procurement: "
            "архив ZIP, папка или файл XML"
        ),
    ],
    errors: Annotated[
        Path | None, typer.Option("--errors", help="куда записать отчёт об ошибках (CSV)")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="лист книги XLSX (по умолчанию первый)")] = None,
    batch_size: Annotated[int, typer.Option(help="строк в одной транзакции")] = 5000,
    defer_index: Annotated[
        bool,
        typer.Option(
            "--defer-index",
            help="не включать новые записи в поиск сразу (для миллионов строк); потом "
            "выполните promcluster search reindex --missing",
        ),
    ] = False,
    create_missing: Annotated[
        bool,
        typer.Option(
            "--create-missing",
            help="fns-headcount, fns-revenue: добавить предприятия с неизвестными ИНН "
            "(регион по первым цифрам ИНН, отмечены как минимальные)",
        ),
    ] = False,
    database: Database = None,
) -> None:
    """Import a file; exit 1 when some rows were rejected, 2 when the file is unusable."""
    from promcluster.imports import service

    engine = make_engine(url_of(database))
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
                defer_index=defer_index,
                options={"create_missing": True} if create_missing else None,
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
    if run.message:
        console.print(run.message)
    if run.ignored_columns:
        console.print("Не распознаны и пропущены столбцы: " + ", ".join(run.ignored_columns))
    if defer_index and run.created:
        console.print("Новые записи появятся в поиске после: promcluster search reindex --missing")
    if run.rejected:
        where = f"отчёт: {errors}" if errors else "отчёт: --errors ФАЙЛ.csv"
        err.print(f"[yellow]Отклонено строк: {run.rejected}[/yellow] ({where})")
        raise typer.Exit(1)


@app.command(
    "export",
    help=(
        "Выгрузить записи вида в CSV, XLSX или GeoJSON; «export template ВИД» записывает "
        "шаблон для загрузки."
    ),
)
def export_file(
    kind: Annotated[
        str,
        typer.Argument(
            help="enterprises, members, products, supplies, projects, needs, figures, clusters "
            "или template"
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
        session_for(database, f"export-{kind}") as session,
        Progress(console=err, transient=True) as bar,
    ):
        bar.add_task(f"Выгрузка «{kind}»", total=None)
        count = exports.export(session, kind, output)
    console.print(f"Выгружено записей: {count} → {output}")
