"""What every command shares: the consoles, the ``--database`` option and its URL (refused in
one sentence naming ``promcluster db upgrade`` when that database does not exist or is not
migrated), a session that turns a domain error into its message and exit status 2, the same
for input a calculation refuses, and a cluster given by id or name."""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from promcluster import dbadmin
from promcluster.auth.audit import Actor, act_as
from promcluster.config import get_settings
from promcluster.db import make_engine, make_sessionmaker, transaction
from promcluster.dbadmin import Schema, SchemaState
from promcluster.errors import DomainError, NotFound

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


MIGRATED = frozenset({Schema.CURRENT})
ANY_REVISION = frozenset({Schema.CURRENT, Schema.BEHIND, Schema.AHEAD})  # backups


def url_of(database: str | None, accept: Collection[Schema] | None = MIGRATED) -> str:
    """The URL of ``--database`` (else the settings'). Unless ``accept`` is None (the commands
    that create or restore a database), a database whose schema is not in ``accept`` ends the
    command here with status 2 and one sentence saying what to do, before anything (not even
    a missing SQLite file) is created."""
    url = database or get_settings().database_url
    if accept is not None:
        state = dbadmin.schema_state(url)
        if state.schema not in accept:
            refuse_database(url, state, given=database is not None)
    return url


def refuse_database(url: str, state: SchemaState, given: bool) -> None:
    """End the command with status 2 and the sentence for a database in ``state``."""
    where = escape(dbadmin.shown_url(url))
    upgrade = "promcluster db upgrade" + (" с тем же --database" if given else "")
    head = ", ".join(sorted(dbadmin.head_revisions()))
    sqlite = url.startswith("sqlite")
    sentences = {
        Schema.MISSING: f"Базы данных {where} нет: создайте её командой {upgrade}."
        if sqlite
        else f"Базы данных {where} нет на сервере: создайте её (createdb) и выполните {upgrade}.",
        Schema.EMPTY: f"База данных {where} не подготовлена (в ней нет схемы promcluster): "
        f"выполните {upgrade}.",
        Schema.BEHIND: f"Схема базы данных {where} устарела (ревизия {state.revision}, нужна "
        f"{head}): выполните {upgrade}.",
        Schema.AHEAD: f"Схема базы данных {where} новее этой версии promcluster (ревизия "
        f"{state.revision}, эта версия знает ревизии до {head}): обновите promcluster.",
        Schema.UNREACHABLE: f"Не удалось открыть базу данных {where} ({escape(state.reason)}): "
        f"проверьте --database или PROMCLUSTER_DATABASE_URL; новую базу создаёт {upgrade}.",
    }
    err.print(f"[red]Ошибка:[/red] {sentences[state.schema]}", soft_wrap=True)
    raise typer.Exit(2)


class Commands(TyperGroup):
    """The root command group. A query on a table or column the database lacks (a command that
    reached the database past ``url_of``'s check) ends like a refused database: status 2 and a
    sentence naming ``promcluster db upgrade``, not a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            if not _missing_schema(exc):
                raise
            reason = escape(str(exc.orig).strip().splitlines()[0])
            err.print(
                f"[red]Ошибка:[/red] в базе данных нет того, что ждёт эта версия promcluster "
                f"({reason}): выполните promcluster db upgrade.",
                soft_wrap=True,
            )
            raise typer.Exit(2) from exc


def _missing_schema(exc: OperationalError | ProgrammingError) -> bool:
    """A missing table or column, in SQLite's words or PostgreSQL's error codes."""
    text = str(exc.orig)
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return text.startswith(("no such table", "no such column")) or sqlstate in ("42P01", "42703")


@contextmanager
def session_for(database: str | None, actor: str) -> Iterator[Session]:
    engine = make_engine(url_of(database))
    try:
        with transaction(make_sessionmaker(engine)) as session:
            yield act_as(session, Actor(f"cli:{actor}"))
    except DomainError as exc:
        err.print(f"[red]Ошибка:[/red] {exc}")
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


@contextmanager
def refusing_input() -> Iterator[None]:
    """Unusable input ends the command with status 2 and its reason; nothing is written."""
    try:
        yield
    except DomainError as exc:
        err.print(f"[red]Не посчитано, ничего не записано:[/red] {exc}")
        raise typer.Exit(2) from exc


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
