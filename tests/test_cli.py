"""The ``promcluster`` command line: database set-up, loading data, adding users."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from factories import Database
from sqlalchemy import create_engine, inspect, select, text
from typer.testing import CliRunner

from promcluster.auth.models import User
from promcluster.auth.service import authenticate
from promcluster.cli import app

runner = CliRunner()
# The installed console script (``.venv/bin/promcluster``), else the module it runs.
_SCRIPT = Path(sys.executable).with_name("promcluster")
PROMCLUSTER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "promcluster.cli"]


def run(*args: str, password: str | None = None):
    env = {"PROMCLUSTER_NEW_PASSWORD": password} if password is not None else {}
    return runner.invoke(app, list(args), env=env)


def count(url: str, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def count_where(url: str, table: str, condition: str) -> int:
    return count(url, f"{table} WHERE {condition}")


TABLES = ("regions", "okved2", "okpd2", "cities", "clusters", "enterprises", "chains")


def test_set_up_a_fresh_database_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgraded = run("db", "upgrade", "--database", url)
    assert upgraded.exit_code == 0, upgraded.output
    engine = create_engine(url)
    assert "clusters" in inspect(engine).get_table_names()
    engine.dispose()
    assert run("db", "upgrade", "--database", url).exit_code == 0  # again: nothing to do

    loaded = run("load", "reference", "--database", url)
    assert loaded.exit_code == 0, loaded.output
    assert count(url, "regions") == 85 and count(url, "okpd2") == 20328

    demo = run("load", "demo", "--database", url)
    assert demo.exit_code == 0, demo.output
    assert "Синтетическое дополнение (помечено как синтетика)" in demo.output
    after_first = {t: count(url, t) for t in TABLES}
    assert after_first["clusters"] == 9
    # the seeds' organisations, the real FNS samples, and the synthetic supplement counted apart
    assert count_where(url, "enterprises", "NOT is_synthetic AND data_source IS NULL") == 9
    assert "Открытые данные ФНС (реальные, не синтетика)" in demo.output
    # 380 register firms; 890 + 857 minimal cards from headcount and income (no INN in common)
    for source, firms in (("fns-sme", 380), ("fns-headcount", 890), ("fns-revenue", 857)):
        where = f"data_source = '{source}' AND NOT is_synthetic"
        assert count_where(url, "enterprises", where) == firms
    assert count_where(url, "enterprises", "is_synthetic") > 10_000
    assert count_where(url, "enterprises", "is_synthetic AND inn IS NOT NULL") == 0
    again = run("load", "demo", "--database", url)
    assert again.exit_code == 0, again.output
    assert "ничего нового" in again.output
    assert "уже загружено" in again.output
    assert {t: count(url, t) for t in TABLES} == after_first

    reference_again = run("load", "reference", "--database", url)
    assert reference_again.exit_code == 0
    assert {t: count(url, t) for t in TABLES} == after_first

    added = run("user", "add", "boss", "--role", "admin", "--database", url, password="s3cret-pass")
    assert added.exit_code == 0, added.output
    engine = create_engine(url)
    with Database(url, engine).sessions() as session:
        user = authenticate(session, "boss", "s3cret-pass")
        assert user is not None and user.role == "admin"
        assert user.password_hash.startswith("$argon2")
    engine.dispose()


def test_demo_needs_the_reference_data_first(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert run("db", "upgrade", "--database", url).exit_code == 0
    result = run("load", "demo", "--database", url)
    assert result.exit_code == 2
    assert "load reference" in result.output
    assert count(url, "clusters") == 0 and count(url, "enterprises") == 0


def test_load_demo_twice_adds_no_duplicates(db):
    first = run("load", "demo", "--database", db.url)
    assert first.exit_code == 0, first.output
    counts = db.counts()
    assert counts["clusters"] == 9
    second = run("load", "demo", "--database", db.url)
    assert second.exit_code == 0, second.output
    assert "уже загружено" in second.output
    # the FNS samples are imported again as three more runs: every document unchanged
    runs = ("import_runs", "import_rejections")
    assert {t: n for t, n in db.counts().items() if t not in runs} == {
        t: n for t, n in counts.items() if t not in runs
    }
    assert "добавлено 0, обновлено 0, без изменений 380, отклонено 0" in second.output
    actors = {row.actor for row in db.audit(entity="clusters")}
    assert actors == {"cli:load-demo"}


def test_user_add_with_password_from_the_environment(db):
    result = run(
        "user", "add", "olga", "--role", "admin", "--database", db.url, password="пароль-123"
    )
    assert result.exit_code == 0, result.output
    with db.sessions() as session:
        user = session.scalar(select(User).where(User.username == "olga"))
        assert user.role == "admin"
        assert user.password_hash != "пароль-123"
        assert authenticate(session, "olga", "пароль-123") is not None
    [row] = db.audit(entity="users", entity_id=str(user.id))
    assert row.actor == "cli:user-add"


def test_user_add_cluster_manager_with_clusters(db):
    first, second = db.add_cluster(), db.add_cluster()
    result = run(
        "user",
        "add",
        "manager",
        "--role",
        "cluster_manager",
        "--cluster",
        str(first),
        "--cluster",
        str(second),
        "--full-name",
        "Мария Петрова",
        "--database",
        db.url,
        password="long-enough",
    )
    assert result.exit_code == 0, result.output
    with db.sessions() as session:
        user = session.scalar(select(User).where(User.username == "manager"))
        assert user.cluster_ids == {first, second}
        assert user.full_name == "Мария Петрова"


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["--role", "superuser"], "роль"),
        (["--role", "cluster_manager"], "кластер"),
        (["--role", "enterprise_rep", "--enterprise", "999999"], "предприяти"),
    ],
)
def test_user_add_with_bad_input_exits_2_and_writes_nothing(db, args, mentions):
    before = db.counts()
    result = run("user", "add", "someone", *args, "--database", db.url, password="long-enough")
    assert result.exit_code == 2
    assert mentions in result.output
    assert db.counts() == before


def test_user_add_with_short_password_or_taken_name_exits_2(db):
    short = run("user", "add", "olga", "--role", "admin", "--database", db.url, password="short")
    assert short.exit_code == 2
    assert (
        run(
            "user", "add", "olga", "--role", "admin", "--database", db.url, password="long-enough"
        ).exit_code
        == 0
    )
    before = db.counts()
    taken = run("user", "add", "olga", "--role", "admin", "--database", db.url, password="x" * 9)
    assert taken.exit_code == 2
    assert db.counts() == before


def test_database_option_wins_over_the_environment(tmp_path):
    chosen, default = tmp_path / "chosen.db", tmp_path / "default.db"
    env = {**os.environ, "PROMCLUSTER_DATABASE_URL": f"sqlite:///{default}"}
    result = subprocess.run(
        [*PROMCLUSTER, "db", "upgrade", "--database", f"sqlite:///{chosen}"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert chosen.exists() and not default.exists()
    result = subprocess.run(
        [*PROMCLUSTER, "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert default.exists()


def test_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("db", "load", "user", "serve"):
        assert command in result.output
