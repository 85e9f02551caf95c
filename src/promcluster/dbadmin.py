"""Creating and migrating the database with Alembic."""

from importlib import resources

from alembic import command
from alembic.config import Config


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` using the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("promcluster") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Create or migrate the database at ``url`` to ``revision``."""
    command.upgrade(alembic_config(url), revision)
