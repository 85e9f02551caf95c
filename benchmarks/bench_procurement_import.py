"""Procurement import benchmark (issue 21): a SYNTHETIC 44-FZ export into SQLite and PostgreSQL.

``promcluster import procurement`` on the export of ``synthetic_procurement.py`` (a ZIP of one
XML file per contract, every file labelled synthetic).

The export is written once and cached (``--cache-dir``, default ``var/benchmarks``; its name
carries a hash of the generator). For each backend a fresh database is made (``db upgrade`` +
``load reference``), then the import runs as a subprocess: wall time, CPU seconds (user + system,
the reader child included) and the peak RSS of its process tree, sampled from /proc like the
other import benchmarks; the stored documents and items are counted afterwards.

    .venv/bin/python benchmarks/bench_procurement_import.py [--contracts 200000] [--items 5]
        [--postgres postgresql://…/a database that may be wiped]

PostgreSQL too with ``--postgres URL`` (or PROMCLUSTER_BENCH_POSTGRES_URL). Bars (SQLite,
200,000 contracts with 1,000,000 items): under 5 minutes and under 1 GiB; exit 1 on FAIL.
"""

import argparse
import hashlib
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fns import timed
from bench_import import (
    POSTGRES_ENV,
    cli,
    log,
    machine,
    machine_cpu_seconds,
    postgres_database,
    postgres_version,
    sqlalchemy_url,
    sqlite_database,
)
from synthetic_procurement import write_export

HERE = Path(__file__).resolve().parent
CACHE_DIR = HERE.parent / "var" / "benchmarks"
BAR_CONTRACTS = 200_000
BAR_SECONDS, BAR_MIB = 300.0, 1024.0


def generator_version() -> str:
    """A short hash of the generator's sources, so that a cached export follows their changes."""
    digest = hashlib.sha256()
    for name in ("synthetic_procurement.py", "synthetic.py"):
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()[:8]


def export_file(contracts: int, items: int, cache: Path) -> Path:
    """The SYNTHETIC export of ``contracts`` × ``items``, written once into ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"synthetic_procurement-{contracts}x{items}-{generator_version()}.zip"
    if not path.exists():
        log(f"generating {path} …")
        partial = path.with_name(f".partial-{os.getpid()}-{path.name}")
        write_export(partial, contracts, items)
        partial.replace(path)
    return path


def stored(url: str) -> dict[str, int]:
    """Rows the import left: documents, items, and what was derived from them."""
    from sqlalchemy import create_engine, text

    tables = {
        "documents": "SELECT count(*) FROM procurement_documents",
        "items": "SELECT count(*) FROM procurement_items",
        "enterprises": "SELECT count(*) FROM enterprises",
        "consumption lines": "SELECT count(*) FROM product_lines WHERE data_source = 'procurement'",
        "supplies": "SELECT count(*) FROM supplies WHERE data_source = 'procurement'",
    }
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return {k: connection.execute(text(q)).scalar_one() for k, q in tables.items()}
    finally:
        engine.dispose()


def run(
    backend: str, url: str, path: Path, contracts: int, items: int, extra: list[str]
) -> tuple[str, float, float]:
    """Import ``path`` into the prepared database ``url``; the table row and its figures."""
    log(f"{contracts:,} contracts → {backend}: import (load {os.getloadavg()[0]:.2f}) …")
    busy = machine_cpu_seconds()
    command = [*cli(), "import", "procurement", str(path), "--database", url, *extra]
    seconds, cpu, peak, counts = timed(command, "import procurement")
    busy = (machine_cpu_seconds() - busy) / seconds
    found = stored(url)
    log(f"  outcome {counts}; stored {found}; load {os.getloadavg()[0]:.2f}")
    if found["documents"] != contracts or found["items"] != contracts * items:
        sys.exit(f"expected {contracts} documents and {contracts * items} items, found {found}")
    row = (
        f"| {contracts:,} | {contracts * items:,} | {backend} | {seconds:.1f} "
        f"| {contracts / seconds:,.0f} | {contracts * items / seconds:,.0f} | {cpu:.0f} "
        f"| {peak:.0f} | {busy:.2f} cores |"
    )
    return row, seconds, peak


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=BAR_CONTRACTS)
    parser.add_argument("--items", type=int, default=5, help="products per contract")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(POSTGRES_ENV),
        help=f"a PostgreSQL database that may be wiped (default ${POSTGRES_ENV})",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--defer-index", action="store_true", help="pass --defer-index")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 when the bar was checked and failed."""
    args = parse_args(argv)
    print(f"Machine: {machine()}")
    if args.postgres:
        print(f"PostgreSQL {postgres_version(args.postgres)}")
    path = export_file(args.contracts, args.items, args.cache_dir)
    print(f"Export: {path.name}, {path.stat().st_size / 2**20:,.0f} MiB")
    extra = ["--defer-index"] if args.defer_index else []
    rows, verdict = [], None
    if not args.skip_sqlite:
        with sqlite_database() as url:
            row, seconds, peak = run("SQLite", url, path, args.contracts, args.items, extra)
        rows.append(row)
        if args.contracts >= BAR_CONTRACTS:
            verdict = seconds < BAR_SECONDS and peak < BAR_MIB
    if args.postgres:
        with postgres_database(args.postgres) as url:
            rows.append(run("PostgreSQL", url, path, args.contracts, args.items, extra)[0])
    print()
    print(
        "| contracts | items | backend | seconds | documents/s | items/s | CPU s | peak MiB "
        "| machine busy |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    if verdict is None:
        print(f"\nBars not checked: {BAR_CONTRACTS:,} contracts into SQLite not run.")
        return 0
    print(
        f"\nBars ({BAR_CONTRACTS:,} contracts into SQLite < {BAR_SECONDS:.0f} s, peak < 1 GiB): "
        f"{'PASS' if verdict else 'FAIL'}"
    )
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
