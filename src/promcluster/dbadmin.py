"""Creating and migrating the database with Alembic, the schema revisions it knows, and
where a database stands against them (for the commands that need it migrated)."""

import enum
from dataclasses import dataclass
from functools import cache
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from promcluster.config import sqlite_path
from promcluster.db import make_engine


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` using the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("promcluster") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the database at ``url`` to ``revision``."""
    command.upgrade(alembic_config(url), revision)


@cache
def _script() -> ScriptDirectory:
    """The shipped migrations."""
    return ScriptDirectory.from_config(alembic_config(""))


def head_revisions() -> frozenset[str]:
    """The revisions a fully migrated database is at (the heads of the shipped migrations)."""
    return frozenset(_script().get_heads())


def revisions() -> list[str]:
    """The schema revisions the shipped migrations know, oldest first (the last is the head)."""
    return [r.revision for r in reversed(list(_script().walk_revisions()))]


def revision_of(connection: Connection) -> str | None:
    """The schema revision of the database behind ``connection`` (None before any migration)."""
    return MigrationContext.configure(connection).get_current_revision()


class Schema(enum.Enum):
    """Where a database stands against the shipped migrations."""

    MISSING = "missing"  # no such SQLite file or PostgreSQL database
    UNREACHABLE = "unreachable"  # the server refused, the file is no database …
    EMPTY = "empty"  # never migrated (no ``alembic_version``, or no revision in it)
    BEHIND = "behind"  # an older revision: ``db upgrade`` brings it up
    AHEAD = "ahead"  # a revision these migrations do not know (a newer promcluster's)
    CURRENT = "current"


@dataclass(frozen=True)
class SchemaState:
    schema: Schema
    revision: str | None = None
    reason: str = ""  # the driver's words when UNREACHABLE


def schema_state(url: str) -> SchemaState:
    """Where the database at ``url`` stands, read without changing anything: a missing SQLite
    file is not created (nor its directory), an existing one is opened without the platform's
    pragmas (no WAL switch), and only ``alembic_version`` is read."""
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return SchemaState(Schema.MISSING)
    if path is not None and not path.is_file():
        return SchemaState(Schema.UNREACHABLE, reason="это не файл")
    engine = create_engine(url) if url.startswith("sqlite") else make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            revision = revision_of(connection)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        reason = reason[0] if reason else type(exc).__name__
        if "does not exist" in reason and "database" in reason:  # PostgreSQL's words
            return SchemaState(Schema.MISSING, reason=reason)
        return SchemaState(Schema.UNREACHABLE, reason=reason)
    finally:
        engine.dispose()
    if revision is None:
        return SchemaState(Schema.EMPTY)
    if revision in head_revisions():
        return SchemaState(Schema.CURRENT, revision)
    if revision in revisions():
        return SchemaState(Schema.BEHIND, revision)
    return SchemaState(Schema.AHEAD, revision)


def shown_url(url: str) -> str:
    """``url`` as a message shows it: the SQLite file's path, or the URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return url
