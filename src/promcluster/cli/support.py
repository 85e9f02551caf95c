"""What every command shares: the consoles, the ``--database`` option, a session that turns a
domain error into its message and exit status 2, the same for input a calculation refuses, and
a cluster given by id or name."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.auth.audit import Actor, act_as
from promcluster.config import get_settings
from promcluster.db import make_engine, make_sessionmaker, transaction
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


def url_of(database: str | None) -> str:
    return database or get_settings().database_url


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
