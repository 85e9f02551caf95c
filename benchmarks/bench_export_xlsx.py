"""Export benchmark (issue 23): the enterprises register of 100,000 SYNTHETIC firms written as
XLSX by ``exports.export`` (the code path of ``GET /api/v1/export/enterprises.xlsx``, of the export
jobs and of ``promcluster export``). Measured, best of two runs: wall and CPU time, and
the growth of the process's peak memory (``ru_maxrss``) in each run (the first also fills
SQLite's page cache, which ``db.py`` allows 256 MiB; the second shows what the export itself
adds), with the file checked afterwards (its row count). On a shared machine the wall time
follows the load average, which is printed too.

The database is built once (``db upgrade`` + ``load reference``, then the firms inserted in bulk;
every one named «Синтетическое предприятие №…» and flagged synthetic) and kept in
``/tmp/promcluster-bench-export-<rows>.db``.

    .venv/bin/python benchmarks/bench_export_xlsx.py [--rows 100000] [--format xlsx]

The bar: 100,000 rows in under 3 s; exit 1 on FAIL.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from sqlalchemy import insert, select

# synthetic.py is a sibling module, not part of a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import enterprise_rows

from promcluster.db import make_engine, make_sessionmaker
from promcluster.imports import exports
from promcluster.models import City, Enterprise

BAR_ROWS, BAR_SECONDS = 100_000, 3.0
CLI = [sys.executable, "-m", "promcluster.cli"]
BATCH = 5000


def database(rows: int) -> str:
    """The SQLite database with ``rows`` synthetic firms (built the first time)."""
    path = Path(tempfile.gettempdir()) / f"promcluster-bench-export-{rows}.db"
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    partial = path.with_suffix(".partial.db")
    partial.unlink(missing_ok=True)
    env = {**os.environ, "PROMCLUSTER_DATABASE_URL": f"sqlite:///{partial}"}
    for command in (["db", "upgrade"], ["load", "reference"]):
        subprocess.run([*CLI, *command], env=env, check=True, capture_output=True)
    engine = make_engine(f"sqlite:///{partial}")
    with engine.begin() as connection:
        cities = {
            (region, name): id_
            for id_, region, name in connection.execute(
                select(City.id, City.region_code, City.name)
            )
        }
        batch = []
        for n, r in enumerate(enterprise_rows(rows)):
            inn, ogrn, name, region, city, okved, employees, revenue, _category, _ = r
            batch.append(
                {
                    "inn": inn, "ogrn": ogrn, "name": name, "search_text": name.lower(),
                    "full_name": f"Общество с ограниченной ответственностью «{name}»",
                    "region_code": region, "city_id": cities.get((region, city)),
                    "address": f"{city}, ул. Синтетическая, д. {n % 200 + 1}",
                    "okved_main": okved, "employees": employees, "revenue": revenue,
                    "sme_category": "small", "is_synthetic": True, "version": 1,
                    "description": "=СИНТЕТИКА()" if n % 1000 == 0 else None,
                }
            )  # fmt: skip
            if len(batch) == BATCH:
                connection.execute(insert(Enterprise), batch)
                batch = []
        if batch:
            connection.execute(insert(Enterprise), batch)
    engine.dispose()
    partial.rename(path)
    return url


def rows_in(path: Path) -> int:
    """Data rows of the first sheet of an XLSX file (its ``<row`` elements less the header)."""
    count, tail = 0, b""
    with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        for chunk in iter(lambda: sheet.read(1 << 20), b""):
            text = tail + chunk
            count += text.count(b"<row ")
            tail = text[-4:]  # a "<row " cut by the chunk's end is counted with the next one
    return count - 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=BAR_ROWS)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args()
    url = database(args.rows)
    engine = make_engine(url)
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"enterprises.{args.format}"
        for _ in range(2):  # the first run also fills SQLite's page cache (db.py: up to 256 MiB)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            with make_sessionmaker(engine)() as session:
                start, cpu = time.perf_counter(), time.process_time()
                written = exports.export(session, "enterprises", out)
                seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
            runs.append((seconds, cpu, grown))
        size = out.stat().st_size
        in_file = rows_in(out) if args.format == "xlsx" else written
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds, cpu, _ = min(runs)
    print(
        f"{args.format.upper()} export of {written:,} synthetic enterprises: best of 2 "
        f"{seconds:.2f} s wall, {cpu:.2f} s CPU ({written / seconds:,.0f} rows/s); "
        f"file {size / 2**20:.1f} MiB, "
        f"{in_file:,} rows; peak RSS {peak:.0f} MiB, grown by {runs[0][2]:.0f} MiB in the first "
        f"run and {runs[1][2]:.0f} MiB in the second; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    passed = seconds < BAR_SECONDS or args.rows != BAR_ROWS
    if args.rows == BAR_ROWS:
        print(f"bar: {BAR_ROWS:,} rows under {BAR_SECONDS:.0f} s: {'PASS' if passed else 'FAIL'}")
    return 0 if passed and in_file == written == args.rows else 1


if __name__ == "__main__":
    sys.exit(main())
