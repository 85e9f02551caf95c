"""Commands that prepare and keep the database: ``db upgrade``, ``db backup`` / ``db restore``
and ``load reference`` / ``load demo``; merged into the ``promcluster`` command line."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from promcluster import dbadmin
from promcluster.cli.support import ANY_REVISION, Database, console, err, session_for, url_of
from promcluster.config import get_settings
from promcluster.russian import number

app = typer.Typer()
db_app = typer.Typer(help="База данных.", no_args_is_help=True)
load_app = typer.Typer(
    help="Загрузка справочников и демонстрационных данных.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(load_app, name="load")


@db_app.command(
    "upgrade",
    help="Создать базу данных или обновить её схему до последней версии.",
)
def db_upgrade(database: Database = None) -> None:
    """Create the database or migrate it to the latest schema."""
    dbadmin.upgrade(url_of(database, accept=None))
    console.print("База данных в актуальном состоянии.")


BackupFile = Annotated[Path, typer.Argument(help="Файл резервной копии", dir_okay=False)]


@contextmanager
def progress_bar() -> Iterator:
    """A Rich progress bar fed by the backup service's (step, done, total) reports; a refused
    or failed backup ends the command with its reason and status 2."""
    from promcluster.backup.archive import BackupError

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("", total=None)

            def report(what: str, done: int, total: int | None) -> None:
                bar.update(task, description=what, completed=done, total=total)

            yield report
    except BackupError as exc:
        err.print(f"[red]Ошибка:[/red] {exc}")
        raise typer.Exit(2) from exc


@db_app.command(
    "backup",
    help=(
        "Записать резервную копию базы данных, загруженных файлов и файлов документов в ФАЙЛ"
        " (архив tar.gz с описью); можно не останавливая платформу."
    ),
)
def db_backup(file: BackupFile, database: Database = None) -> None:
    """Write a backup of the database, of the uploads kept on disk and of the files of the
    file store the database refers to, to FILE (a tar.gz archive with a manifest); safe while
    the platform runs."""
    from promcluster.backup.service import backup

    with progress_bar() as report:
        manifest = backup(
            url_of(database, ANY_REVISION),
            file,
            pg_bin_dir=get_settings().pg_bin_dir,
            progress=report,
        )
    rows = sum(manifest.tables.values())
    size = file.stat().st_size / 1024 / 1024
    console.print(
        f"Резервная копия записана: {file} ({size:.1f} МБ). База {manifest.database}, "
        f"ревизия схемы {manifest.schema_revision}, таблиц {len(manifest.tables)}, "
        f"строк {rows}, загруженных файлов {len(manifest.uploads)}, "
        f"файлов хранилища {len(manifest.files)}."
    )


@db_app.command(
    "restore",
    help=(
        "Восстановить резервную копию из ФАЙЛА в пустую базу данных (или, с --replace, "
        "вместо всего её содержимого), вернуть файлы документов в хранилище и обновить схему"
        " до этой версии; сначала остановите платформу."
    ),
)
def db_restore(
    file: BackupFile,
    database: Database = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Заменить всё содержимое непустой базы данных копией"),
    ] = False,
) -> None:
    """Restore the backup FILE into an empty database (or, with --replace, in place of all
    its content), then migrate it to this version's schema; stop the platform first."""
    from promcluster.backup.service import restore

    with progress_bar() as report:
        restored = restore(
            url_of(database, accept=None),  # into an empty or missing database
            file,
            replace=replace,
            pg_bin_dir=get_settings().pg_bin_dir,
            progress=report,
        )
    manifest = restored.manifest
    table = Table("Таблица", "Строк", title="Восстановлено")
    for name, rows in sorted(restored.tables.items()):
        table.add_row(name, str(rows))
    console.print(table)
    console.print(
        f"Восстановлена копия от {manifest.created_at} (promcluster {manifest.package_version}, "
        f"ревизия схемы {manifest.schema_revision}): строк {sum(restored.tables.values())}, "
        f"загруженных файлов {restored.uploads}, файлов хранилища записано {restored.files} "
        f"(уже были на месте: {restored.files_present})."
    )
    if restored.upgraded_to:
        console.print(f"Схема обновлена до ревизии {restored.upgraded_to}.")


@load_app.command(
    "reference",
    help=(
        "Загрузить ОКВЭД2, ОКПД2, регионы и города и федеральные требования к кластерам, "
        "поставляемые с пакетом."
    ),
)
def load_reference(database: Database = None) -> None:
    """Load OKVED2, OKPD2, regions and cities and the federal cluster requirements shipped
    with the package."""
    from promcluster.compliance.rules import load_rules
    from promcluster.reference.service import load_reference as load

    with session_for(database, "load-reference") as session, Progress(console=console) as bar:
        task = bar.add_task("Справочники", total=None)
        reports = [*load(session), load_rules(session)]
        bar.update(task, total=1, completed=1)
    for r in reports:
        console.print(f"{r.table}: добавлено {r.added}, обновлено {r.updated}")


@load_app.command(
    "demo",
    help=(
        "Загрузить демонстрационные кластеры, предприятия, цепочки, проекты и показатели "
        "из исходных статей, поставляемую официальную статистику (ЕМИСС, реальные "
        "данные), синтетическое дополнение (предприятия всех регионов, продукция, "
        "поставки, потребности) и реальные выборки открытых данных ФНС (реестр МСП, "
        "численность, доходы) как загрузки."
    ),
)
def load_demo(database: Database = None) -> None:
    """Load the demo clusters, enterprises, chains, projects and figures from the seed articles,
    the shipped real official statistics (ЕМИСС), the synthetic supplement (enterprises of all
    regions, products, supplies, needs), then the shipped real FNS samples (the SME register,
    headcount and income) as import runs."""
    from promcluster import labels
    from promcluster.auth.audit import Actor
    from promcluster.db import make_engine, make_sessionmaker
    from promcluster.demo.loader import load_demo as load
    from promcluster.demo.loader import load_official_statistics, load_open_data
    from promcluster.demo.synthetic import load_synthetic_demo
    from promcluster.reference.service import reference_loaded

    with session_for(database, "load-demo") as session:
        if not reference_loaded(session):
            err.print("Сначала загрузите справочники: promcluster load reference")
            raise typer.Exit(2)
        report = load(session)
        indicator, official = load_official_statistics(session)
        synthetic = load_synthetic_demo(session)
    added = ", ".join(f"{k}: {v}" for k, v in report.added.items()) or "ничего нового"
    console.print(f"Демонстрационные данные: {added}")
    created, updated, unchanged = map(
        number, (official.created, official.updated, official.unchanged)
    )
    console.print(
        f"Официальная статистика (реальные данные Росстата, ЕМИСС; не синтетика): «{indicator}» — "
        f"показателей добавлено: {created}, обновлено: {updated}, без изменений: {unchanged}"
    )
    added = ", ".join(f"{k}: {v}" for k, v in synthetic.added.items()) or "уже загружено"
    console.print(f"Синтетическое дополнение (помечено как синтетика): {added}")
    engine = make_engine(url_of(database))  # the imports commit batch by batch
    try:
        runs = load_open_data(make_sessionmaker(engine), Actor("cli:load-demo"))
    finally:
        engine.dispose()
    for run in runs:
        read, created, updated, unchanged, rejected = map(
            number, (run.rows_read, run.created, run.updated, run.unchanged, run.rejected)
        )
        console.print(
            f"Открытые данные ФНС (реальные, не синтетика) — {labels.IMPORT_KINDS[run.kind]}: "
            f"документов {read}, добавлено {created}, обновлено {updated}, без изменений "
            f"{unchanged}, отклонено {rejected} (загрузка №{run.id})"
        )
