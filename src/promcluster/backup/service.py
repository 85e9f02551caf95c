"""Making a backup of the platform and restoring one (``promcluster db backup`` / ``restore``).

A backup holds one consistent snapshot of the database, the uploads that import runs keep on
disk, the files of the file store the snapshot refers to (``backup/files.py``), and a manifest.
A restore refuses a file that is not a backup, is damaged, comes from the other kind of database
or from a newer schema than this code's migrations; it goes only into an empty database unless
told to replace, checks that every table got the rows the manifest counted, migrates an older
schema to the head, and either completes or leaves the target as it was."""

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from promcluster import __version__, dbadmin
from promcluster.backup import files, postgres, sqlite
from promcluster.backup.archive import (
    BackupError,
    Manifest,
    Upload,
    extract,
    read_manifest,
    sha256_of,
    write_archive,
)
from promcluster.config import sqlite_path
from promcluster.db import make_engine, utcnow
from promcluster.models import Base

# (what is being done, done so far, total or None) — for a progress bar.
Progress = Callable[[str, int, int | None], None]
MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


@dataclass
class Contents:
    """What a database holds, as the manifest records it."""

    revision: str | None
    tables: dict[str, int]
    uploads: list[tuple[int, str]]  # (import run, path of its kept upload)
    files: list[str]  # SHA-256 of the files of the store the tables refer to


@dataclass
class Restored:
    """The outcome of a restore: the backup's manifest, rows per table, the schema revision
    the database was migrated to (None when it was already current), the uploads put back, the
    files of the store written and those already there."""

    manifest: Manifest
    tables: dict[str, int]
    upgraded_to: str | None
    uploads: int
    files: int = 0
    files_present: int = 0


class Steps:
    """Reports the current step and its progress to an optional callback."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress or (lambda what, done, total: None)
        self.what, self.done, self.total = "", 0, None

    def start(self, what: str, total: int | None = None) -> None:
        self.what, self.done, self.total = what, 0, total
        self.progress(what, 0, total)

    def advance(self, _item: object = None) -> None:
        self.done += 1
        self.progress(self.what, self.done, self.total)


def database_kind(url: str) -> str:
    """``sqlite`` or ``postgresql``, the two databases the platform runs on."""
    for kind in MEMBERS:
        if url.startswith(kind):
            return kind
    raise BackupError(f"резервные копии делаются для SQLite и PostgreSQL, а не для {url!r}")


def contents(connection: Connection) -> Contents:
    """The schema revision, rows per table, kept uploads and stored files of the database."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    tables = {
        t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
        for t in Base.metadata.sorted_tables
        if t.name in present
    }
    uploads: list[tuple[int, str]] = []
    if "import_runs" in present and any(
        c["name"] == "upload_path" for c in inspector.get_columns("import_runs")
    ):
        query = "SELECT id, upload_path FROM import_runs WHERE upload_path IS NOT NULL ORDER BY id"
        uploads = [(row[0], row[1]) for row in connection.execute(text(query))]
    return Contents(dbadmin.revision_of(connection), tables, uploads, files.referenced(connection))


def backup(
    url: str, file: Path, *, pg_bin_dir: Path | None = None, progress: Progress | None = None
) -> Manifest:
    """Write a backup of the database at ``url`` (with its kept uploads and the files of the
    store it refers to) to ``file``; ``BackupError`` when a referred file is missing."""
    kind = database_kind(url)
    steps = Steps(progress)
    with tempfile.TemporaryDirectory(prefix="backup-of-promcluster-") as tmp:
        dumped = Path(tmp) / MEMBERS[kind]
        if kind == "sqlite":
            steps.start("Копирование базы SQLite")
            sqlite.copy_database(_sqlite_file(url), dumped)
            found = _contents_of_file(dumped)
        else:
            found = _dump_postgres(url, dumped, pg_bin_dir, steps)
        members = {MEMBERS[kind]: dumped}
        manifest = Manifest(
            database=kind,
            schema_revision=found.revision,
            created_at=utcnow().isoformat(timespec="seconds") + "Z",
            package_version=__version__,
            database_member=MEMBERS[kind],
            tables=found.tables,
        )
        steps.start("Загруженные файлы", len(found.uploads))
        for run_id, path in found.uploads:
            member = f"uploads/{run_id}"
            try:  # copied now: the import may end and delete it while the archive is written
                shutil.copyfile(path, Path(tmp) / f"upload-{run_id}")
            except FileNotFoundError:
                continue
            members[member] = Path(tmp) / f"upload-{run_id}"
            manifest.uploads.append(Upload(run_id, path, member))
            steps.advance()
        members |= files.gather(found.files)
        manifest.files = found.files
        steps.start("Запись архива")
        write_archive(file, manifest, members, expected=files.expected(found.files))
    return manifest


def _dump_postgres(url: str, file: Path, bin_dir: Path | None, steps: Steps) -> Contents:
    """Count and dump inside one exported snapshot, so that both see the same data."""
    engine = make_engine(url)
    try:
        connection = _connect(engine).execution_options(isolation_level="REPEATABLE READ")
        with connection, connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            found = contents(connection)
            steps.start("pg_dump", len(found.tables) + 1)  # + alembic_version
            postgres.dump(url, file, snapshot, bin_dir, steps.advance)
    finally:
        engine.dispose()
    return found


def restore(
    url: str,
    file: Path,
    *,
    replace: bool = False,
    pg_bin_dir: Path | None = None,
    progress: Progress | None = None,
) -> Restored:
    """Restore the backup ``file`` into the database at ``url``: an empty one, or with
    ``replace`` any (its whole content is replaced). Refusals raise ``BackupError`` before
    the target is touched."""
    kind = database_kind(url)
    steps = Steps(progress)
    steps.start("Чтение описания копии")
    manifest = read_manifest(file)
    if manifest.database != kind:
        raise BackupError(
            f"это резервная копия базы {manifest.database}, а восстанавливается в {kind}: "
            "восстанавливайте в базу того же вида (перенос между SQLite и PostgreSQL — "
            "выгрузка и загрузка данных, а не резервная копия)"
        )
    head = _check_revision(manifest)
    target = _sqlite_file(url, must_exist=False) if kind == "sqlite" else None
    _check_target_empty(url, target, replace)
    _check_uploads(manifest, replace)
    files.check_listed(manifest.files, manifest.checksums, file)
    scratch = target.parent if target else None
    if scratch:
        scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".promcluster-restore-", dir=scratch) as tmp:
        steps.start("Проверка архива")
        written = extract(file, manifest, Path(tmp))
        dumped = written[manifest.database_member]
        put_back = _put_uploads(manifest, written)
        steps.start("Файлы хранилища", len(manifest.files))
        try:
            stored, present = files.put_back(manifest.files, written, steps.advance)
        except BaseException:
            _take_back(put_back)
            raise
        try:
            if target is not None:
                tables = _restore_sqlite(dumped, target, manifest, head, steps)
            else:
                tables = _restore_postgres(url, dumped, manifest, head, pg_bin_dir, steps)
        except BaseException:
            _take_back(put_back + stored)
            raise
    upgraded = head if manifest.schema_revision != head else None
    return Restored(manifest, tables, upgraded, len(put_back), len(stored), present)


def _take_back(paths: list[Path]) -> None:
    """Remove the files a failed restore wrote."""
    for path in paths:
        path.unlink(missing_ok=True)


def _check_revision(manifest: Manifest) -> str:
    """The code's head revision; refuses a backup whose schema the migrations do not know."""
    known = dbadmin.revisions()
    if manifest.schema_revision is not None and manifest.schema_revision not in known:
        raise BackupError(
            f"схема базы в копии (ревизия {manifest.schema_revision}, promcluster "
            f"{manifest.package_version}) новее миграций этой версии (последняя {known[-1]}, "
            f"promcluster {__version__}): восстановите копию той версией promcluster, что её "
            "записала, или более новой"
        )
    return known[-1]


def _check_target_empty(url: str, target: Path | None, replace: bool) -> None:
    if replace or (target is not None and not target.exists()):
        return
    engine = create_engine(f"sqlite:///{target}") if target is not None else make_engine(url)
    try:
        with _connect(engine) as connection:
            filled = {t: n for t, n in contents(connection).tables.items() if n}
    except DBAPIError as exc:
        raise BackupError(
            f"база данных, в которую восстанавливается копия, не читается: {exc.orig}"
        ) from exc
    finally:
        engine.dispose()
    if filled:
        some = ", ".join(f"{t}: {n}" for t, n in list(filled.items())[:3])
        raise BackupError(
            f"база данных не пуста ({len(filled)} таблиц со строками, например {some}): "
            "восстановление идёт только в пустую базу; чтобы заменить всё её содержимое "
            "копией, добавьте --replace"
        )


def _check_uploads(manifest: Manifest, replace: bool) -> None:
    for upload in manifest.uploads:
        path = Path(upload.path)
        differs = path.exists() and sha256_of(path) != manifest.checksums[upload.member]
        if differs and not replace:
            raise BackupError(
                f"на месте загруженного файла {path} (загрузка №{upload.run_id}) лежит "
                "другой файл; перенесите его или добавьте --replace"
            )


def _put_uploads(manifest: Manifest, written: dict[str, Path]) -> list[Path]:
    """Put the kept uploads back where their runs expect them; returns the files written."""
    put: list[Path] = []
    for upload in manifest.uploads:
        path = Path(upload.path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(written[upload.member], path)
            os.chmod(path, 0o600)
        except OSError as exc:
            for done in put:
                done.unlink(missing_ok=True)
            raise BackupError(f"загруженный файл {path} не записан: {exc}") from exc
        put.append(path)
    return put


def _restore_sqlite(
    copy: Path, target: Path, manifest: Manifest, head: str, steps: Steps
) -> dict[str, int]:
    steps.start("Проверка базы")
    sqlite.check_copy(copy)
    tables = _matching_counts(_contents_of_file(copy).tables, manifest)
    if manifest.schema_revision != head:
        steps.start(f"Обновление схемы до {head}")
        dbadmin.upgrade(f"sqlite:///{copy}")
    steps.start("Замена базы")
    sqlite.install(copy, target)
    return tables


def _restore_postgres(
    url: str, dump: Path, manifest: Manifest, head: str, bin_dir: Path | None, steps: Steps
) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with postgres.empty_public_schema(engine):
            steps.start("pg_restore", len(manifest.tables) + 1)
            postgres.restore(url, dump, bin_dir, steps.advance)
            with engine.connect() as connection:
                tables = _matching_counts(contents(connection).tables, manifest)
            if manifest.schema_revision != head:
                steps.start(f"Обновление схемы до {head}")
                dbadmin.upgrade(url)
    finally:
        engine.dispose()
    return tables


def _matching_counts(found: dict[str, int], manifest: Manifest) -> dict[str, int]:
    """``found`` if every table holds the rows the manifest counted; else ``BackupError``."""
    if found != manifest.tables:
        differ = sorted(
            f"{t}: {manifest.tables.get(t)} → {found.get(t)}"
            for t in set(found) | set(manifest.tables)
            if found.get(t) != manifest.tables.get(t)
        )
        raise BackupError(
            "в восстановленной базе не те числа строк, что в описании копии ("
            + "; ".join(differ[:5])
            + "); база не изменена"
        )
    return found


def _connect(engine: Engine) -> Connection:
    try:
        return engine.connect()
    except OperationalError as exc:
        raise BackupError(f"нет соединения с базой данных: {exc.orig}") from exc


def _sqlite_file(url: str, must_exist: bool = True) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise BackupError(f"у базы {url} нет файла (база в памяти?)")
    if must_exist and not path.is_file():
        raise BackupError(f"нет базы данных SQLite {path}")
    return path


def _contents_of_file(path: Path) -> Contents:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return contents(connection)
    finally:
        engine.dispose()
