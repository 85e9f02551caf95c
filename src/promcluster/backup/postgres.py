"""PostgreSQL through ``pg_dump`` and ``pg_restore`` in the custom format.

The password goes to the tools in ``PGPASSWORD``, never on their command line (which any local
user can read). The dump reads the snapshot the backup's own transaction exported, so the
manifest's row counts and uploads describe exactly what was dumped. A restore runs in one
transaction into an empty ``public`` schema; a schema that held tables is set aside first and
put back if the restore fails, so the database is never left half restored."""

import os
import re
import shlex
import subprocess
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from promcluster.backup.archive import BackupError

SET_ASIDE = "promcluster_replaced"
TOOLS_HINT = (
    "установите клиент PostgreSQL той же или более новой версии, что и сервер "
    "(Debian: apt-get install postgresql-client), или укажите его каталог в "
    "PROMCLUSTER_PG_BIN_DIR"
)
# The dump's own entries for the schema ``public``, which the restore creates itself.
PUBLIC_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ (SCHEMA - public|(COMMENT|ACL) - SCHEMA public) ")
TABLE_LINE = re.compile(r'(dumping contents of|processing data for) table "([^"]+)"')

OnTable = Callable[[str], None]


def connection_of(url: str) -> tuple[str, dict[str, str]]:
    """The libpq connection string of ``url`` without its password, and an environment
    carrying the password in ``PGPASSWORD``."""
    parsed = make_url(url)
    conninfo = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )  # no password: ``URL.set(password=None)`` would keep it
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    return conninfo.render_as_string(hide_password=False), env


def dump(url: str, file: Path, snapshot: str, bin_dir: Path | None, on_table: OnTable) -> None:
    """``pg_dump`` the database at ``url`` as of the exported ``snapshot`` into ``file``."""
    dbname, env = connection_of(url)
    command = [
        _tool("pg_dump", bin_dir),
        "--format=custom",
        "--compress=0",  # the archive is compressed once, as a whole
        "--verbose",
        f"--snapshot={snapshot}",
        f"--file={file}",
        f"--dbname={dbname}",
    ]
    _run(command, env, on_table)


def restore(url: str, file: Path, bin_dir: Path | None, on_table: OnTable) -> None:
    """``pg_restore`` ``file`` into the empty ``public`` schema at ``url``, in one transaction
    that stops at the first error."""
    dbname, env = connection_of(url)
    pg_restore = _tool("pg_restore", bin_dir)
    listing = file.with_name(file.name + ".list")
    _run([pg_restore, "--list", f"--file={listing}", str(file)], env)
    entries = listing.read_text(encoding="utf-8").splitlines()
    kept = [line for line in entries if not PUBLIC_SCHEMA_ENTRY.match(line)]
    listing.write_text("\n".join(kept) + "\n", encoding="utf-8")
    command = [
        pg_restore,
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-acl",
        "--verbose",
        f"--use-list={listing}",
        f"--dbname={dbname}",
        str(file),
    ]
    _run(command, env, on_table)


@contextmanager
def empty_public_schema(engine: Engine) -> Iterator[None]:
    """An empty ``public`` schema for the block: one holding tables is renamed aside, dropped
    when the block succeeds and put back when it fails."""
    try:
        with engine.begin() as connection:
            if _schema_exists(connection, SET_ASIDE):
                raise BackupError(
                    f"в базе осталась схема {SET_ASIDE} от прерванного восстановления (там "
                    "прежние данные); проверьте её и удалите (DROP SCHEMA "
                    f"{SET_ASIDE} CASCADE) или переименуйте обратно в public"
                )
            exists = _schema_exists(connection, "public")
            aside = exists and _holds_objects(connection, "public")
            if aside:
                connection.execute(text(f"ALTER SCHEMA public RENAME TO {SET_ASIDE}"))
            if aside or not exists:
                connection.execute(text("CREATE SCHEMA public"))
    except DBAPIError as exc:
        raise BackupError(f"схема public не подготовлена: {exc.orig}") from exc
    try:
        yield
    except BaseException:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            if aside:
                connection.execute(text(f"ALTER SCHEMA {SET_ASIDE} RENAME TO public"))
            else:
                connection.execute(text("CREATE SCHEMA public"))
        raise
    if aside:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {SET_ASIDE} CASCADE"))


def _schema_exists(connection: Connection, name: str) -> bool:
    query = text("SELECT count(*) FROM pg_namespace WHERE nspname = :name")
    return connection.execute(query, {"name": name}).scalar_one() > 0


def _holds_objects(connection: Connection, schema: str) -> bool:
    query = text(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema"
    )
    return connection.execute(query, {"schema": schema}).scalar_one() > 0


def _tool(name: str, bin_dir: Path | None) -> str:
    return str(bin_dir / name) if bin_dir else name


def _run(command: list[str], env: dict[str, str], on_table: OnTable | None = None) -> None:
    """Run a PostgreSQL client tool; its failure becomes a ``BackupError`` naming the command
    and the last error line it printed."""
    try:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
    except FileNotFoundError as exc:
        raise BackupError(f"нет программы {command[0]}: {TOOLS_HINT}") from exc
    lines: deque[str] = deque(maxlen=50)
    for line in process.stderr:
        lines.append(line.rstrip())
        if on_table and (found := TABLE_LINE.search(line)):
            on_table(found.group(2))
    status = process.wait()
    if status != 0:
        raise BackupError(
            f"команда {shlex.join(command)} завершилась с кодом {status}: {_last_error(lines)}"
        )


def _last_error(lines: deque[str]) -> str:
    printed = [line for line in lines if line.strip()]
    errors = [line for line in printed if re.search(r"error|ошибка|fatal|важно", line, re.I)]
    return (errors or printed or ["(ничего не сообщила)"])[-1]
