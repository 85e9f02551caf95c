"""Alembic environment: the URL comes from the caller (``promcluster db upgrade``)."""

from alembic import context

from promcluster.db import make_engine
from promcluster.models import Base, include_object

config = context.config
url = config.get_main_option("sqlalchemy.url")


def run() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _migrate(connectable)
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        _migrate(connection)
    engine.dispose()


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
