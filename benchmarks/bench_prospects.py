"""Potential participants of one cluster over a SYNTHETIC national register (issue #8: under 2 s
for one cluster with 3,000,000 firms), and the region discovery on the same database, on SQLite
or PostgreSQL.

Builds a database with the reference and demo data, adds the SYNTHETIC register of
``bench_discovery.national_register`` (real regions, cities and 4-digit OKVED2 codes; no INN, every
row ``is_synthetic``) with one bulk insert (sqlite3 ``executemany``; PostgreSQL ``COPY``) and
SYNTHETIC enterprise figures of two years for every firm (2024: the firm's headcount; 2023: the
headcount / (1 + change), change ~ N(0.03, 0.1) clipped to [-0.5, 1]), runs ``ANALYZE``
(PostgreSQL: ``VACUUM (ANALYZE)``, so that autovacuum does not go over the new rows mid-timing),
then times, each cold and warm:

- ``discovery.prospects`` for the Tyumen construction cluster: first call (the relatedness is
  computed), warm, after a membership write (still warm: results over the firm register are kept
  until a write to ``enterprises``/``enterprise_figures``), after an enterprise write (cold);
- ``discovery.discover`` for region 72 (with growth 2023–2024), for region 72 against a reference
  set of regions (the country's LQ is kept, the set's is not), and for region 77 (the largest).

    .venv/bin/python benchmarks/bench_prospects.py [--firms 3000000] [--no-figures]
        [--database-url postgresql+psycopg://USER:PASSWORD@HOST:5432/DB] [--no-build]

``--database-url`` builds there (PostgreSQL: the ``public`` schema is dropped and recreated, so
give a database of its own; SQLite: the file is replaced) instead of a temporary SQLite file, and
keeps it; ``--no-build`` times an existing database built by an earlier run.
"""

import argparse
import os
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_discovery import national_register

from promcluster import dbadmin, models
from promcluster.compliance.rules import load_rules
from promcluster.config import sqlite_path
from promcluster.db import make_engine, make_sessionmaker, transaction
from promcluster.demo.loader import load_demo
from promcluster.discovery.participants import prospects
from promcluster.discovery.pipeline import add_prospects
from promcluster.discovery.service import discover
from promcluster.discovery.specialisation import Options
from promcluster.reference.service import load_reference
from promcluster.registry.models import Enterprise, EnterpriseFigure
from promcluster.registry.service import create_enterprise

BAR_S = 2.0
TYUMEN = "Строительно-индустриальный кластер Тюменской области"
NAME = "Синтетическое предприятие №{} (бенчмарк)"
YEARS = (2023, 2024)
CHANGE_MEAN, CHANGE_SD, CHANGE_MIN, CHANGE_MAX = 0.03, 0.1, -0.5, 1.0
REFERENCE_SET = ("66", "45", "86", "89")
ENTERPRISE_COLUMNS = ("id", "name", "search_text", "region_code", "lat", "lon", "okved_main",
                      "employees", "is_synthetic", "version")  # fmt: skip
FIGURE_COLUMNS = ("enterprise_id", "year", "employees", "revenue", "version")


def _ints(values: np.ndarray) -> list[int | None]:
    return [None if v != v else int(v) for v in values.tolist()]


def figures(employees: np.ndarray, seed: int = 2) -> dict[int, list[int | None]]:
    """SYNTHETIC headcounts of ``YEARS`` per firm: the last year is the firm's headcount, the
    first the headcount / (1 + change), change ~ N(0.03, 0.1) clipped (at least 1; unknown stays
    unknown)."""
    rng = np.random.default_rng(seed)
    change = np.clip(rng.normal(CHANGE_MEAN, CHANGE_SD, employees.size), CHANGE_MIN, CHANGE_MAX)
    before = np.maximum(np.round(employees / (1 + change)), 1.0)  # NaN stays NaN
    return {YEARS[0]: _ints(before), YEARS[1]: _ints(employees)}


def _enterprise_rows(register: dict[str, np.ndarray], first_id: int) -> Iterable[tuple]:
    return (
        (first_id + n, NAME.format(n + 1), "синтетическое", r, la, lo, a, e, True, 1)
        for n, (r, la, lo, a, e) in enumerate(
            zip(
                register["region"].tolist(), register["lat"].tolist(), register["lon"].tolist(),
                register["activity"].tolist(), _ints(register["employees"]), strict=True,
            )
        )
    )  # fmt: skip


def _figure_rows(by_year: dict[int, list[int | None]], first_id: int) -> Iterable[tuple]:
    for year, employees in by_year.items():
        for n, e in enumerate(employees):
            yield (first_id + n, year, e, None, 1)


def _stage(label: str, call: Callable[[], object], stages: list[tuple[str, float]]) -> None:
    start = time.perf_counter()
    call()
    took = time.perf_counter() - start
    stages.append((label, took))
    print(f"  {label}: {took:.1f} s", file=sys.stderr, flush=True)


def _reset(url: str) -> None:
    """An empty database at ``url``: the SQLite file removed, the PostgreSQL schema recreated."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        for suffix in ("", "-wal", "-shm"):
            if path is not None and Path(f"{path}{suffix}").exists():
                Path(f"{path}{suffix}").unlink()
        return
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _sqlite_load(url: str, register: dict, by_year: dict | None, first_id: int, stages) -> None:
    db = sqlite3.connect(sqlite_path(url))
    marks = ", ".join("?" * len(ENTERPRISE_COLUMNS))

    def enterprises() -> None:
        db.executemany(
            f"INSERT INTO enterprises ({', '.join(ENTERPRISE_COLUMNS)}) VALUES ({marks})",
            _enterprise_rows(register, first_id),
        )
        db.commit()

    def figure_rows() -> None:
        db.executemany(
            f"INSERT INTO enterprise_figures ({', '.join(FIGURE_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
            _figure_rows(by_year, first_id),
        )
        db.commit()

    _stage(f"insert {len(register['region']):,} enterprises (executemany)", enterprises, stages)
    if by_year is not None:
        _stage(f"insert {2 * len(register['region']):,} figures (executemany)", figure_rows, stages)
    _stage("ANALYZE", lambda: db.execute("ANALYZE"), stages)
    db.close()


def _copy(connection, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    connection.commit()


def _postgres_load(url: str, register: dict, by_year: dict | None, first_id: int, stages) -> None:
    engine = make_engine(url)
    raw = engine.raw_connection()
    connection = raw.driver_connection  # psycopg
    try:
        _stage(
            f"COPY {len(register['region']):,} enterprises",
            lambda: _copy(
                connection, "enterprises", ENTERPRISE_COLUMNS, _enterprise_rows(register, first_id)
            ),
            stages,
        )
        with connection.cursor() as cursor:  # ids were given: move the sequence past them
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('enterprises', 'id'), max(id)) "
                "FROM enterprises"
            )
        connection.commit()
        if by_year is not None:
            _stage(
                f"COPY {2 * len(register['region']):,} figures",
                lambda: _copy(
                    connection,
                    "enterprise_figures",
                    FIGURE_COLUMNS,
                    _figure_rows(by_year, first_id),
                ),
                stages,
            )

        def analyze() -> None:  # VACUUM too: else autovacuum runs over the new rows mid-timing
            connection.autocommit = True
            connection.execute("VACUUM (ANALYZE)")
            connection.autocommit = False

        _stage("VACUUM (ANALYZE)", analyze, stages)
    finally:
        raw.close()
        engine.dispose()


def build(url: str, firms: int, with_figures: bool = True) -> list[tuple[str, float]]:
    """The database at ``url``: reference, demo, ``firms`` synthetic enterprises and (with
    figures) two years of their figures; the build's stages and their seconds."""
    stages: list[tuple[str, float]] = []
    _reset(url)

    def schema_and_demo() -> None:
        dbadmin.upgrade(url)
        engine = make_engine(url)
        with transaction(make_sessionmaker(engine)) as session:
            load_reference(session)
            load_rules(session)
            load_demo(session)
        engine.dispose()

    _stage("schema (migrations), reference and demo data", schema_and_demo, stages)
    engine = make_engine(url)
    with engine.connect() as connection:
        first_id = connection.scalar(select(func.coalesce(func.max(Enterprise.id), 0))) + 1
    engine.dispose()
    start = time.perf_counter()
    register = national_register(firms)
    by_year = figures(register["employees"]) if with_figures else None
    stages.append(("generate the register (and figures)", time.perf_counter() - start))
    load = _sqlite_load if url.startswith("sqlite") else _postgres_load
    load(url, register, by_year, first_id, stages)
    return stages


def timed(label: str, call: Callable[[], object], steps: list[tuple[str, float, str]]) -> object:
    start = time.perf_counter()
    result = call()
    took = time.perf_counter() - start
    rows = f"{len(result):,}" if isinstance(result, list) else "—"
    steps.append((label, took, rows))
    print(f"  {label}: {took:.2f} s, load {os.getloadavg()[0]:.2f}", file=sys.stderr, flush=True)
    return result


def measure(url: str) -> tuple[list[tuple[str, float, str]], str]:
    """Time the steps on the database at ``url``; the steps and a line about the database."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    steps: list[tuple[str, float, str]] = []
    with sessions() as session:
        cluster = session.execute(
            models.Cluster.__table__.select().where(models.Cluster.name == TYUMEN)
        ).first()
        firms = session.scalar(select(func.count()).select_from(Enterprise))
        figures_count = session.scalar(select(func.count()).select_from(EnterpriseFigure))
        session.commit()  # end the read transaction: SQLite would keep its snapshot
        about = (
            f"{firms:,} enterprises (demo + SYNTHETIC), {figures_count:,} enterprise figures; "
            f"Tyumen construction cluster id {cluster.id}"
        )
        print(about, file=sys.stderr)

        def tyumen() -> list:
            return prospects(session, cluster.id)

        timed("prospects, cold (first call: relatedness computed)", tyumen, steps)
        warm = timed("prospects, warm", tyumen, steps)
        timed("prospects, warm (again)", tyumen, steps)
        add_prospects(session, None, cluster.id, [warm[0].enterprise_id])  # type: ignore[index]
        session.commit()
        timed("prospects after a membership write (kept: warm)", tyumen, steps)
        create_enterprise(
            session,
            None,
            {"name": NAME.format("после записи"), "search_text": "синтетическое",
             "region_code": "72", "okved_main": "41.20", "employees": 12, "is_synthetic": True},
        )  # fmt: skip
        session.commit()
        timed("prospects after an enterprise write (cold)", tyumen, steps)
        timed("prospects, warm", tyumen, steps)
        session.commit()

        def region(code: str, options: Options = Options()) -> Callable[[], list]:
            return lambda: discover(session, code, options).candidates

        timed("discover 72, cold (LQ, growth, proximity, candidates)", region("72"), steps)
        timed("discover 72, warm", region("72"), steps)
        against = Options(against=REFERENCE_SET)
        shown = ", ".join(REFERENCE_SET)
        timed(f"discover 72 against {shown}, cold (country LQ kept)", region("72", against), steps)
        timed(f"discover 72 against {shown}, warm", region("72", against), steps)
        timed("discover 77, cold (inputs kept; Moscow's candidates)", region("77"), steps)
        timed("discover 77, warm", region("77"), steps)
        seen = discover(session, "72")
        growth = "—" if seen.region_growth is None else f"{seen.region_growth:+.1%}"
        about += (
            f"; discover 72: {seen.firms:,} firms, growth {seen.years} {growth}, "
            f"{len(seen.candidates)} candidates"
        )
    engine.dispose()
    return steps, about


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=3_000_000)
    parser.add_argument(
        "--database-url", help="build (and keep) the database here instead of a temporary SQLite"
    )
    parser.add_argument("--no-figures", action="store_true", help="no enterprise figures")
    parser.add_argument(
        "--no-build", action="store_true", help="time the existing database at --database-url"
    )
    args = parser.parse_args()
    if args.no_build and not args.database_url:
        parser.error("--no-build needs --database-url")
    print(f"cores: {os.cpu_count()}, load at start {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="promcluster-prospects-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'prospects.db'}"
        print(f"database: {_shown(url)}")
        stages: list[tuple[str, float]] = []
        if not args.no_build:
            start = time.perf_counter()
            stages = build(url, args.firms, not args.no_figures)
            stages.append(("build in all", time.perf_counter() - start))
        steps, about = measure(url)
    print(about)
    if stages:
        print("\n| build stage | seconds |\n|---|---:|")
        for label, took in stages:
            print(f"| {label} | {took:.1f} |")
    print("\n| step | seconds | rows |\n|---|---:|---:|")
    for label, took, rows in steps:
        print(f"| {label} | {took:.2f} | {rows} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"\npeak RSS {peak:.2f} GiB; load at end {os.getloadavg()[0]:.2f}")
    warm = [
        took for label, took, _ in steps if label.startswith("prospects") and "cold" not in label
    ]
    ok = max(warm) < BAR_S
    print(
        f"Bar (potential participants of one cluster < {BAR_S:.0f} s, warm, incl. after a "
        f"membership write): {'PASS' if ok else 'FAIL'} (max {max(warm):.2f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
