"""The Alembic migrations build exactly the schema of the models, and can be undone."""

from urllib.parse import quote

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from factories import postgres_url, reset_postgres
from sqlalchemy import inspect, text

from promcluster import dbadmin
from promcluster.db import make_engine
from promcluster.matching.models import FULL_TEXT_OBJECTS
from promcluster.models import Base, include_object

SCHEMA = "promcluster_migration_test"


@pytest.fixture(
    params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres")]
)
def empty_url(request, tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL schema (so that the shared
    test database in ``public`` is left alone)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("PROMCLUSTER_TEST_POSTGRES_URL is not set")
    reset_postgres(base, SCHEMA)
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options={quote(f'-csearch_path={SCHEMA}')}"
    engine = make_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    engine.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - FULL_TEXT_OBJECTS
    finally:
        engine.dispose()


def differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(
                MigrationContext.configure(connection, opts={"include_object": include_object}),
                Base.metadata,
            )
    finally:
        engine.dispose()


def test_upgrade_creates_exactly_the_tables_of_the_models(empty_url):
    assert tables(empty_url) == set()
    dbadmin.upgrade(empty_url)
    assert tables(empty_url) == set(Base.metadata.tables) | {"alembic_version"}
    assert differences(empty_url) == []


def test_upgrade_twice_is_harmless(empty_url):
    dbadmin.upgrade(empty_url)
    dbadmin.upgrade(empty_url)
    assert differences(empty_url) == []


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(empty_url):
    dbadmin.upgrade(empty_url)
    command.downgrade(dbadmin.alembic_config(empty_url), "base")
    assert tables(empty_url) <= {"alembic_version"}
    dbadmin.upgrade(empty_url)
    assert differences(empty_url) == []


def test_schema_of_the_shared_test_database_matches_the_models(database_url):
    assert differences(database_url) == []


def test_foreign_keys_are_enforced(db):
    """SQLite enforces foreign keys only when asked to (``make_engine`` does)."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO enterprises (name, search_text, region_code, is_synthetic, version)"
                " VALUES ('x', 'x', '00', false, 1)"
            )
        )
