"""Engine, session factory and declarative base; nothing domain-specific."""

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from promcluster.config import sqlite_path

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The time as the platform stores it: naive, in UTC (the API adds the zone on output)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


POOL_SIZE = 10  # Settings.database_pool_size


def make_engine(url: str, pool_size: int = POOL_SIZE) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, WAL and a busy timeout; PostgreSQL a pool
    of ``pool_size`` connections kept open, as many more opened under load, each checked before
    use (so a restarted server costs no failed request)."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=pool_size)


# Driver-level writes (``insert_rows``) store dates in SQLite exactly as SQLAlchemy does.
sqlite3.register_adapter(date, date.isoformat)
sqlite3.register_adapter(datetime, lambda d: d.isoformat(sep=" "))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-262144")  # 256 MiB: bulk imports touch large indexes
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def insert_rows(
    connection: Connection,
    table: str,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    skip_existing: bool = False,
) -> None:
    """``INSERT`` many rows with one driver-level ``executemany``: for bulk imports, where
    SQLAlchemy's per-row parameter processing would cost as much as the database's own work.
    Values must be plain (str, int, float, bool, date, None). ``skip_existing``: a row that
    would break a unique constraint is left out (written meanwhile by someone else)."""
    if not rows:
        return
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join([mark] * len(columns))
    verb = "INSERT OR IGNORE" if skip_existing and sqlite else "INSERT"
    tail = " ON CONFLICT DO NOTHING" if skip_existing and not sqlite else ""
    connection.exec_driver_sql(f'{verb} INTO "{table}" ({names}) VALUES ({marks}){tail}', rows)


def select_in(
    connection: Connection, table: Table, columns: Sequence[str], key: str, values: Iterable[Any]
) -> list[dict[str, Any]]:
    """``SELECT columns FROM table WHERE key IN values`` with one driver-level statement, the
    read-side partner of ``insert_rows``; dates come back as ``date`` on SQLite too."""
    values = list(values)
    if not values:
        return []
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT {names} FROM "{table.name}" WHERE "{key}" IN ({", ".join([mark] * len(values))})'
    rows = connection.exec_driver_sql(sql, tuple(values)).all()
    found = [dict(zip(columns, row, strict=True)) for row in rows]
    if connection.dialect.name == "sqlite":
        for c in columns:
            kind = type(table.c[c].type)
            if issubclass(kind, Date | DateTime):
                parse = date.fromisoformat if issubclass(kind, Date) else datetime.fromisoformat
                for row in found:
                    if isinstance(row[c], str):
                        row[c] = parse(row[c])
    return found
