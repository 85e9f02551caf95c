"""SQLite through its online backup API: a plain file copy of a live database can miss what is
still in the write-ahead log or catch a page in the middle of a write. The same API installs a
restored copy into the target in one step under the target's write lock, so the target is
either untouched or wholly replaced, and its WAL never mixes with the new content."""

import sqlite3
from contextlib import closing
from pathlib import Path

from promcluster.backup.archive import BackupError

BUSY_TIMEOUT = 30  # seconds to wait for another connection's write lock


def copy_database(source: Path, copy: Path) -> None:
    """Copy the live database ``source`` into the new file ``copy`` (one consistent snapshot;
    in WAL mode writers are not blocked meanwhile), as one self-contained file."""
    if not source.is_file():
        raise BackupError(f"нет базы данных SQLite {source}")
    _backup(source, copy)
    with closing(sqlite3.connect(copy)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")


def check_copy(copy: Path) -> None:
    """Refuse a database file SQLite finds damaged."""
    try:
        with closing(sqlite3.connect(copy)) as connection:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    if verdict != "ok":
        raise BackupError(f"база данных в резервной копии повреждена: {verdict}")


def install(copy: Path, target: Path) -> None:
    """Replace the whole content of ``target`` (created if missing) with ``copy``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        _backup(copy, target)
    except sqlite3.Error as exc:
        raise BackupError(f"база данных {target} не заменена ({exc}); она не изменилась") from exc


def _backup(source: Path, target: Path) -> None:
    with (
        closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT)) as src,
        closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT)) as dst,
    ):
        src.backup(dst)  # all pages in one step: one snapshot, one write transaction
