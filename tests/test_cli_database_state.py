"""Every command run against a database that does not exist, was never migrated or is at an
older revision answers with one sentence naming ``promcluster db upgrade`` and status 2, with
no traceback and without creating the database as a side effect. The commands are found by
walking the Typer application, so a new command is covered (or this test fails until it is
listed below)."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
import typer.main
from factories import POSTGRES_ENV, TEST_SECRET_KEY, postgres_url
from sqlalchemy import create_engine, text
from test_cli import PROMCLUSTER
from typer.testing import CliRunner

from promcluster import dbadmin
from promcluster.cli import app
from promcluster.cli.support import Commands

runner = CliRunner()
PASSWORD = "correct horse battery staple"

# Minimal arguments that get each command past its own checks of its input, to the database;
# True: the command also refuses a database at an older revision (a backup accepts one).
NEEDS_DATABASE: dict[str, tuple[list[str], bool]] = {
    "import": (["enterprises", "{csv}"], True),
    "export": (["enterprises", "-o", "{out}.csv"], True),
    "serve": (["--port", "8999"], True),
    "worker": ([], True),
    "db backup": (["{out}.tar.gz"], False),
    "load reference": ([], True),
    "load demo": ([], True),
    "user add": (["someone", "--role", "admin", "--password", PASSWORD], True),
    "user list": ([], True),
    "user disable": (["someone"], True),
    "user enable": (["someone"], True),
    "user set-password": (["someone", "--password", PASSWORD], True),
    "user set-role": (["someone", "--role", "admin"], True),
    "niches": (["72", "-o", "{out}.csv"], True),
    "match": (["need", "1"], True),
    "search find": (["щебень"], True),
    "search reindex": ([], True),
    "compliance": (["1"], True),
    "report": (["1"], True),
    "application": (["1", "-o", "{out}.zip"], True),
    "discover": (["72"], True),
}
# Further ways into the database of a command listed above.
VARIANTS: dict[str, list[str]] = {
    "search reindex --queue": ["search", "reindex", "--queue"],
    "search reindex --missing": ["search", "reindex", "--missing"],
    "import fns-sme": ["import", "fns-sme", "{csv}"],
}
# Commands that work without a database (tested in their own files): creating or restoring
# one, classifying from the shipped OKPD2 (tests/matching/test_classify_cli.py), calculations
# on files (they have no --database).
WITHOUT_DATABASE = {"db upgrade", "db restore", "classify", "complexity", "predict", "backtest"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def commands() -> dict[str, object]:
    """Every command of the application by its full name ("user add")."""
    found: dict[str, object] = {}

    def walk(command, path: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):  # a group (Typer carries its own copy of click)
            for name, sub in command.commands.items():
                walk(sub, (*path, name))
        else:
            found[" ".join(path)] = command

    walk(typer.main.get_command(app), ())
    return found


def test_every_command_is_listed_here():
    found = commands()
    assert set(found) == set(NEEDS_DATABASE) | WITHOUT_DATABASE
    for name in ("complexity", "predict", "backtest"):
        assert "database" not in [p.name for p in found[name].params], name


CASES = [*((n, [*n.split(), *NEEDS_DATABASE[n][0]]) for n in NEEDS_DATABASE), *VARIANTS.items()]


def invoke(args: list[str], url: str, tmp_path: Path):
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("ИНН;Наименование\n7701234567;ООО Ромашка\n", encoding="utf-8")
    filled = [a.format(csv=csv_file, out=tmp_path / "out") for a in args]
    # No signing key: a serve that got past the check would stop at it instead of serving.
    env = {"PROMCLUSTER_SECRET_KEY": "", "PROMCLUSTER_DEV_MODE": "false"}
    return runner.invoke(app, [*filled, "--database", url], env=env)


def refused(result, *words: str) -> str:
    """Status 2, one sentence naming ``promcluster db upgrade`` (and ``words``), no traceback."""
    said = result.output.strip()
    assert result.exit_code == 2, (result.exit_code, said, result.exception)
    assert "Traceback" not in said and "sqlalchemy" not in said.casefold(), said
    assert len(said.splitlines()) == 1 and said.startswith("Ошибка: "), said
    assert said.endswith(".") and said.count(". ") == 0, said
    for word in ("promcluster db upgrade", *words):
        assert word in said, said
    return said


@pytest.mark.parametrize(("name", "args"), CASES, ids=[n for n, _ in CASES])
def test_a_database_that_does_not_exist_is_not_created(name, args, tmp_path):
    missing = tmp_path / "absent" / "promcluster.db"
    said = refused(invoke(args, f"sqlite:///{missing}", tmp_path), "нет", str(missing))
    assert "с тем же --database" in said
    assert not missing.parent.exists()


@pytest.mark.parametrize(("name", "args"), CASES, ids=[n for n, _ in CASES])
def test_an_empty_database_is_left_as_it_was(name, args, tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    refused(invoke(args, f"sqlite:///{empty}", tmp_path), "не подготовлена")
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.glob("empty.db*")) == ["empty.db"]


@pytest.fixture(scope="module")
def older_database(tmp_path_factory) -> str:
    """A SQLite database migrated to the revision before the head."""
    url = f"sqlite:///{tmp_path_factory.mktemp('older') / 'older.db'}"
    dbadmin.upgrade(url, dbadmin.revisions()[-2])
    return url


@pytest.mark.parametrize(("name", "args"), CASES, ids=[n for n, _ in CASES])
def test_a_database_at_an_older_revision(name, args, older_database, tmp_path):
    result = invoke(args, older_database, tmp_path)
    if not NEEDS_DATABASE.get(name, ([], True))[1]:
        assert "устарела" not in result.output  # a backup before the upgrade is welcome
        return
    older, head = dbadmin.revisions()[-2:]
    refused(result, "устарела", f"ревизия {older}, нужна {head}")


def test_a_database_newer_than_the_code_is_refused_without_naming_upgrade(tmp_path):
    path = tmp_path / "newer.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('9999')"))
    engine.dispose()
    result = invoke(["user", "list"], f"sqlite:///{path}", tmp_path)
    assert result.exit_code == 2
    assert "новее этой версии promcluster (ревизия 9999" in result.output
    assert "обновите promcluster" in result.output


@pytest.mark.parametrize("content", [b"not a database at all, just text\n" * 10, None])
def test_a_file_that_is_no_database_or_a_directory(content, tmp_path):
    path = tmp_path / "broken.db"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    said = refused(invoke(["user", "list"], f"sqlite:///{path}", tmp_path), "Не удалось открыть")
    assert str(path) in said
    if content is not None:
        assert path.read_bytes() == content


def test_the_database_of_the_environment_in_a_real_process(tmp_path):
    """The installed command, the database named by PROMCLUSTER_DATABASE_URL: the sentence
    alone on stderr, nothing on stdout, and it does not send the user to --database."""
    missing = tmp_path / "var" / "promcluster.db"
    env = {**os.environ, "PROMCLUSTER_DATABASE_URL": f"sqlite:///{missing}", "COLUMNS": "60"}
    done = subprocess.run(
        [*PROMCLUSTER, "user", "list"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"Ошибка: Базы данных {missing} нет: создайте её командой promcluster db upgrade."
    ]
    assert not missing.parent.exists()


@pytest.fixture(scope="module")
def postgres() -> str:
    url = postgres_url()
    if url is None:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    return url


POSTGRES_CASES = ["user list", "load reference", "search find", "db backup"]


@pytest.mark.parametrize("name", POSTGRES_CASES)
def test_postgresql_a_database_that_does_not_exist(name, postgres, tmp_path):
    url = postgres.rsplit("/", 1)[0] + "/promcluster_no_such_database"
    said = refused(invoke([*name.split(), *NEEDS_DATABASE[name][0]], url, tmp_path), "createdb")
    assert "нет на сервере" in said and ":***@" in said  # the password is not shown


@pytest.fixture
def empty_schema(postgres: str) -> Iterator[str]:
    """The test database seen through a schema with no tables; dropped afterwards, since other
    tests back up and restore the whole database."""
    engine = create_engine(postgres.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("CREATE SCHEMA IF NOT EXISTS promcluster_empty"))
    try:
        yield f"{postgres}?options=-csearch_path%3Dpromcluster_empty"
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS promcluster_empty CASCADE"))
        engine.dispose()


@pytest.mark.parametrize("name", POSTGRES_CASES)
def test_postgresql_an_empty_schema(name, empty_schema, tmp_path):
    """A schema with no tables stands for an empty database (the test database is migrated)."""
    said = invoke([*name.split(), *NEEDS_DATABASE[name][0]], empty_schema, tmp_path)
    refused(said, "не подготовлена")


def test_a_query_past_the_check_on_a_missing_table_still_ends_in_the_sentence(tmp_path):
    """The root group's backstop: a command that reached the database without ``url_of``'s
    check (a missing table there) answers like a refused database; other errors stay errors."""
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    probe = typer.Typer(cls=Commands)

    @probe.command()
    def query(table: str) -> None:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text(f"SELECT count(*) FROM {table}"))
        finally:
            engine.dispose()

    @probe.command()
    def other() -> None:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELEC 1"))
        finally:
            engine.dispose()

    said = refused(runner.invoke(probe, ["query", "enterprises"]), "no such table: enterprises")
    assert said.startswith("Ошибка: в базе данных нет того, что ждёт эта версия promcluster")
    broken = runner.invoke(probe, ["other"])
    assert broken.exit_code == 1 and "syntax error" in str(broken.exception)


def test_serve_with_one_worker_serves_the_database_it_was_given(tmp_path):
    """``serve --workers 1 --database URL`` runs the application in its own process, whose
    settings were read before ``--database`` was known: it must still serve URL (it served
    the default ``var/promcluster.db``, creating it empty, before issue 22)."""
    url = f"sqlite:///{tmp_path / 'given.db'}"
    dbadmin.upgrade(url)
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMCLUSTER_")}
    env |= {
        "PROMCLUSTER_SECRET_KEY": TEST_SECRET_KEY,
        "PROMCLUSTER_CACHE_DIR": "",
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    command = [*PROMCLUSTER, "serve", "--workers", "1", "--port", str(port), "--database", url]
    server = subprocess.Popen(
        command,
        cwd=home,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        checks = None
        deadline = time.monotonic() + 180
        while checks is None and time.monotonic() < deadline:
            assert server.poll() is None
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/readyz")
                checks = json.loads(connection.getresponse().read())["checks"]
            except OSError:
                time.sleep(0.3)
        assert checks is not None, "no answer"
        assert checks["migrations"] == "ok", checks
        assert not (home / "var").exists()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
