"""Creating and migrating the database with Alembic, and the schema revisions it knows."""

from functools import cache
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection


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
