"""Potential participants of one cluster over a SYNTHETIC national register (issue #8: under 2 s
for one cluster with 3,000,000 firms), and the region discovery on the same database.

Builds a SQLite database with the reference and demo data, adds the SYNTHETIC register of
``bench_discovery.national_register`` (real regions, cities and 4-digit OKVED2 codes; no INN, every
row ``is_synthetic``) with one bulk insert, then times ``discovery.prospects`` for the Tyumen
construction cluster (cold: after the write, the relatedness is recomputed; warm: cached) and
``discovery.discover`` for region 72.

    .venv/bin/python benchmarks/bench_prospects.py [--firms 3000000]
"""

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_discovery import national_register

from promcluster import dbadmin, models
from promcluster.db import make_engine, make_sessionmaker, transaction
from promcluster.demo.loader import load_demo
from promcluster.discovery.participants import prospects
from promcluster.discovery.service import discover
from promcluster.reference.service import load_reference

BAR_S = 2.0
TYUMEN = "Строительно-индустриальный кластер Тюменской области"
NAME = "Синтетическое предприятие №{} (бенчмарк)"


def _int(value: float) -> int | None:
    return None if value != value else int(value)  # NaN: headcount unknown


def build(path: Path, firms: int) -> str:
    """The database at ``path``: reference, demo, and ``firms`` synthetic enterprises."""
    url = f"sqlite:///{path}"
    dbadmin.upgrade(url)
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        load_reference(session)
        load_demo(session)
    engine.dispose()
    register = national_register(firms)
    rows = (
        (NAME.format(n), "синтетическое", str(r), float(la), float(lo), str(a), _int(e))
        for n, (r, la, lo, a, e) in enumerate(
            zip(
                register["region"], register["lat"], register["lon"], register["activity"],
                register["employees"], strict=True,
            ),
            start=1,
        )
    )  # fmt: skip
    db = sqlite3.connect(path)
    db.executemany(
        "INSERT INTO enterprises (name, search_text, region_code, lat, lon, okved_main, "
        "employees, is_synthetic, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)",
        rows,
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return url


def timed(label: str, call) -> float:
    start = time.perf_counter()
    result = call()
    took = time.perf_counter() - start
    print(f"| {label} | {took:.2f} s | {len(result) if isinstance(result, list) else '—'} |")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=3_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="promcluster-prospects-") as tmp:
        start = time.perf_counter()
        url = build(Path(tmp) / "prospects.db", args.firms)
        print(f"database built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with sessions() as session:
            cluster = session.execute(
                models.Cluster.__table__.select().where(models.Cluster.name == TYUMEN)
            ).first()
            print(f"{args.firms:,} SYNTHETIC firms; Tyumen construction cluster (id {cluster.id})")
            print("| step | time | rows |\n|---|---:|---:|")
            cold = timed(
                "prospects, cold (relatedness computed)", lambda: prospects(session, cluster.id)
            )
            warm = [
                timed("prospects, warm", lambda: prospects(session, cluster.id)) for _ in range(3)
            ]
            timed("discover 72, cold", lambda: discover(session, "72").candidates)
            timed("discover 72, warm", lambda: discover(session, "72").candidates)
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"peak RSS {peak:.2f} GiB")
    ok = max(warm) < BAR_S
    print(
        f"Bar (potential participants of one cluster < {BAR_S:.0f} s, warm): "
        f"{'PASS' if ok else 'FAIL'}; cold {cold:.2f} s"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
