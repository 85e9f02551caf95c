"""The file store in a backup: the files the database refers to by their SHA-256 (the files of
documents and the generated application packages) go into the archive as ``files/ab/cd/<sha>``,
checked against their names; a restore puts them back into the store (``PROMCLUSTER_FILES_DIR``)
through a temporary file of the store renamed into place, leaving equal files alone.

A file the database refers to but the store lacks (or holds altered) makes the backup fail with
the list of them: a backup that silently lacks documents would be found out only when needed."""

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, inspect, text

from promcluster.backup.archive import BackupError, sha256_of
from promcluster.documents import store

# (table, column) holding the SHA-256 of a file of the store
SHOWN = 5  # hashes named in a message


def referenced(connection: Connection) -> list[str]:
    """The distinct hashes the database's tables refer to, sorted (tables an older schema
    lacks are skipped)."""
    present = set(inspect(connection).get_table_names())
    found: set[str] = set()
    for table, column in store.REFERENCES:
        if table in present:
            query = text(f"SELECT DISTINCT {column} FROM {table}")
            found.update(connection.execute(query).scalars())
    return sorted(found)


def member(sha256: str) -> str:
    """The archive member of a file of the store."""
    return f"files/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def gather(hashes: list[str]) -> dict[str, Path]:
    """Archive member → the store's file, for every hash; ``BackupError`` naming the files the
    store lacks (``write_archive`` checks their content against ``expected``)."""
    members: dict[str, Path] = {}
    missing: list[str] = []
    for sha256 in hashes:
        path = store.path_of(sha256)
        if path.is_file():
            members[member(sha256)] = path
        else:
            missing.append(sha256)
    if missing:
        raise BackupError(
            f"в хранилище файлов {store.root()} нет файлов, на которые ссылается база "
            f"(документы, пакеты заявки), — всего {len(missing)}: {_some(missing)}; резервная "
            "копия не записана. Верните файлы из прежней копии или проверьте "
            "PROMCLUSTER_FILES_DIR"
        )
    return members


def check_listed(hashes: list[str], checksums: dict[str, str], file: Path) -> None:
    """``BackupError`` unless every listed file is a hash whose member has that checksum (a
    manifest never chooses where a file is written)."""
    for sha256 in hashes:
        if not _is_hash(sha256) or checksums.get(member(sha256)) != sha256:
            raise BackupError(
                f"резервная копия {file} повреждена (в описи файл хранилища {sha256!r} "
                "без своей контрольной суммы); ничего не восстановлено"
            )


def expected(hashes: list[str]) -> dict[str, str]:
    """The checksum each file's member must have: its name."""
    return {member(sha256): sha256 for sha256 in hashes}


def put_back(
    hashes: list[str], written: dict[str, Path], advance: Callable[[], None] = lambda: None
) -> tuple[list[Path], int]:
    """Put the extracted files (archive member → file, checked) into the store, calling
    ``advance`` after each; returns the files written (to take back if the restore fails) and
    how many equal ones were there."""
    put: list[Path] = []
    present = 0
    try:
        for sha256 in hashes:
            advance()
            target = store.path_of(sha256)
            if target.is_file() and sha256_of(target) == sha256:
                present += 1
                continue
            partial = store.temporary()
            try:
                shutil.copyfile(written[member(sha256)], partial)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(partial, target)
            finally:
                store.discard(partial)
            put.append(target)
    except OSError as exc:
        for path in put:
            path.unlink(missing_ok=True)
        raise BackupError(f"файлы хранилища {store.root()} не записаны: {exc}") from exc
    return put, present


def _is_hash(text: object) -> bool:
    return isinstance(text, str) and len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def _some(hashes: list[str]) -> str:
    shown = ", ".join(hashes[:SHOWN])
    return shown + (f" и ещё {len(hashes) - SHOWN}" if len(hashes) > SHOWN else "")
