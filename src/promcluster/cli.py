"""The ``promcluster`` command line: each command a thin call into a domain service."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress

from promcluster import cli_analytics, cli_compliance, cli_discovery, cli_matching, dbadmin, models  # noqa: F401  (every table mapped)
from promcluster.auth.audit import Actor
from promcluster.cli_support import Database, console, err, session_for, url_of
from promcluster.config import get_settings
from promcluster.db import make_engine, make_sessionmaker
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
app.add_typer(cli_analytics.app)
app.add_typer(cli_matching.app)
app.add_typer(cli_compliance.app)
app.add_typer(cli_discovery.app)


@db_app.command("upgrade")
def db_upgrade(database: Database = None) -> None:
    """Create the database or migrate it to the latest schema."""
    dbadmin.upgrade(url_of(database))
    console.print("База данных в актуальном состоянии.")


@load_app.command("reference")
def load_reference(database: Database = None) -> None:
    """Load OKVED2, OKPD2, regions and cities shipped with the package."""
    from promcluster.reference.service import load_reference as load

    with session_for(database, "load-reference") as session, Progress(console=console) as bar:
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

    with session_for(database, "load-demo") as session:
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

    with session_for(database, "user-add") as session:
        user = create_user(session, username, password, role, cluster or [], enterprise, full_name)
    console.print(f"Пользователь «{user.username}» ({user.role}) создан.")


PasswordOption = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="PROMCLUSTER_NEW_PASSWORD",
        help="новый пароль (спрашивается, если не задан PROMCLUSTER_NEW_PASSWORD)",
    ),
]


@user_app.command("list")
def user_list(database: Database = None) -> None:
    """List users: role, scope, whether active, last login."""
    from rich.table import Table

    from promcluster.auth.service import list_users

    table = Table("Имя", "Роль", "Кластеры / предприятие", "Активен", "Последний вход", "Сеансов")
    with session_for(database, "user-list") as session:
        for row in list_users(session, None):
            user = row.user
            scope = ", ".join(str(i) for i in sorted(user.cluster_ids)) or (
                f"предприятие {user.enterprise_id}" if user.enterprise_id else "—"
            )
            table.add_row(
                escape(user.username),
                user.role,
                scope,
                "да" if user.is_active else "нет",
                row.last_login.strftime("%Y-%m-%d %H:%M") if row.last_login else "—",
                str(row.live_sessions),
            )
    console.print(table)


def _set_active(username: str, active: bool, database: str | None) -> None:
    from promcluster.auth.service import find_user, set_active

    verb = "enable" if active else "disable"
    with session_for(database, f"user-{verb}") as session:
        set_active(session, None, find_user(session, username).id, active)
    state = "включён" if active else "отключён, его сеансы завершены"
    console.print(f"Пользователь «{escape(username)}» {state}.")


@user_app.command("disable")
def user_disable(username: str, database: Database = None) -> None:
    """Disable a user: they cannot log in, and every session of theirs ends at once."""
    _set_active(username, False, database)


@user_app.command("enable")
def user_enable(username: str, database: Database = None) -> None:
    """Enable a disabled user again."""
    _set_active(username, True, database)


@user_app.command("set-password")
def user_set_password(username: str, password: PasswordOption, database: Database = None) -> None:
    """Set a user's password; every session of theirs ends."""
    from promcluster.auth.service import find_user, set_password

    with session_for(database, "user-set-password") as session:
        set_password(session, None, find_user(session, username).id, password)
    console.print(f"Пароль пользователя «{escape(username)}» изменён, его сеансы завершены.")


@user_app.command("set-role")
def user_set_role(
    username: str,
    role: Annotated[str, typer.Option(help="admin, cluster_manager или enterprise_rep")],
    cluster: Annotated[list[int] | None, typer.Option(help="кластер менеджера (id)")] = None,
    enterprise: Annotated[int | None, typer.Option(help="предприятие представителя (id)")] = None,
    database: Database = None,
) -> None:
    """Change a user's role and its scope."""
    from promcluster.auth.service import find_user, set_role

    with session_for(database, "user-set-role") as session:
        set_role(session, None, find_user(session, username).id, role, cluster or [], enterprise)
    console.print(f"Пользователь «{escape(username)}»: роль {role}.")


@app.command("import")
def import_file(
    kind: Annotated[
        str,
        typer.Argument(help="enterprises, members, products, supplies, projects, needs, figures"),
    ],
    file: Annotated[Path, typer.Argument(help="CSV (любая кодировка и разделитель) или XLSX")],
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
    if defer_index and run.created:
        console.print("Новые записи появятся в поиске после: promcluster search reindex --missing")
    if run.rejected:
        where = f"отчёт: {errors}" if errors else "отчёт: --errors ФАЙЛ.csv"
        err.print(f"[yellow]Отклонено строк: {run.rejected}[/yellow] ({where})")
        raise typer.Exit(1)


@app.command("export")
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


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="адрес (по умолчанию 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="порт (по умолчанию 8000)")] = None,
    database: Database = None,
) -> None:
    """Serve the web platform and the REST API."""
    import threading

    import uvicorn

    from promcluster.auth.keys import InsecureKey, signing_key
    from promcluster.web.app import create_app

    settings = get_settings()
    if database:
        settings = settings.model_copy(update={"database_url": database})
    try:
        signing_key(settings)
    except InsecureKey as exc:
        err.print("[red]Сервер не запущен / not started:[/red]", escape(str(exc)))
        raise typer.Exit(2) from exc
    threading.Thread(target=_warm_up, args=(settings.database_url,), daemon=True).start()
    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


def _warm_up(url: str) -> None:
    """Train the niche pages' feasibility model, build the OKPD2 classifier and the search's
    spelling vocabulary at once (some seconds each, not in the first user's request), then move
    what start-up
    made out of the garbage collector's full scans: it lives as long as the process, and scanning
    its ~240,000 objects put 300 ms pauses into one request in twenty (niche page p95 355 → 84 ms,
    docs/BENCHMARKS.md)."""
    import gc

    from promcluster.db import make_engine, make_sessionmaker
    from promcluster.matching.classification import classifier_for
    from promcluster.matching.search import known_words
    from promcluster.niches.transfer import transfer_model

    transfer_model()
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        known_words.get(session.connection())
        classifier_for(session)
    engine.dispose()
    gc.freeze()


if __name__ == "__main__":
    app()
