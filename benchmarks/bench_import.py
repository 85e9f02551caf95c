"""Import benchmark (issue #3): ``promcluster import enterprises`` on SYNTHETIC registers.

For each file a fresh database is created (``db upgrade`` + ``load reference``), then the import
command runs as a subprocess twice: the first import creates every row, the second (re-import of
the same file) finds every row unchanged. The imports run with ``--defer-index`` (the bulk-load
mode); between them ``search reindex --missing`` puts the new rows in the search index and is
timed on its own. Measured: wall time of each command and the peak memory of its whole process
tree (the CLI and its forked reader child), sampled from /proc.

    .venv/bin/python benchmarks/bench_import.py [--sizes 10000,100000] [--skip-postgres]

PostgreSQL runs only when PROMCLUSTER_BENCH_POSTGRES_URL names a database that may be wiped.
The bar: 1,000,000 rows into SQLite in under 60 s with peak memory under 1 GiB; exit 1 on FAIL.
"""

import argparse
import hashlib
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# synthetic.py is a sibling module, not part of a package.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_enterprises

POSTGRES_ENV = "PROMCLUSTER_BENCH_POSTGRES_URL"
CACHE_DIR = Path("/tmp/promcluster-bench-cache")
SIZES = (10_000, 100_000, 1_000_000)
XLSX_SIZES = (100_000,)
POSTGRES_SIZES = (100_000, 1_000_000)
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SEED = 1
SAMPLE_SECONDS = 0.05
BAR_ROWS = 1_000_000
BAR_SECONDS = 60.0
BAR_MIB = 1024.0
OUTCOME = re.compile(
    r"прочитано строк (\d+), добавлено (\d+), обновлено (\d+), "
    r"без изменений (\d+), отклонено (\d+)"
)


@dataclass(frozen=True)
class Case:
    """One file imported into one backend."""

    rows: int
    fmt: str  # "csv" or "xlsx"
    backend: str  # "sqlite" or "postgresql"


@dataclass(frozen=True)
class Run:
    """One measured command: wall seconds, peak tree RSS, the counts the CLI printed, and for the
    log: each process's own peak RSS, and CPU seconds of the command and of the whole machine."""

    seconds: float
    peak_mib: float
    counts: dict[str, int]
    process_peaks_mib: list[float]
    cpu_command: float
    cpu_machine: float


@dataclass(frozen=True)
class Result:
    """A case with its first import and its re-import."""

    case: Case
    first: Run
    again: Run
    index_seconds: float


# Process-tree memory, read from /proc (psutil is not installed).


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's ``children`` file), or [] once it is gone."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return found


def _children_by_scan(pid: int) -> list[int]:
    """Direct children of ``pid`` by parent id in /proc/*/stat (kernels without ``children``)."""
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


HAS_CHILDREN_FILE = Path(f"/proc/self/task/{os.getpid()}/children").exists()


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants alive now."""
    children_of = _children if HAS_CHILDREN_FILE else _children_by_scan
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children_of(pid))
    return tree


def rss_kib(pid: int) -> int:
    """VmRSS of ``pid`` in KiB; 0 for a zombie or a process already gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakSampler:
    """A thread summing VmRSS over a process tree every ``interval`` seconds, keeping the max."""

    def __init__(self, root: int, interval: float = SAMPLE_SECONDS) -> None:
        self.root = root
        self.interval = interval
        self.peak_kib = 0
        self.process_peaks_kib: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            sizes = {pid: rss_kib(pid) for pid in process_tree(self.root)}
            self.peak_kib = max(self.peak_kib, sum(sizes.values()))
            for pid, kib in sizes.items():
                self.process_peaks_kib[pid] = max(self.process_peaks_kib.get(pid, 0), kib)
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def machine_cpu_seconds() -> float:
    """CPU seconds every core of the machine has spent busy since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU seconds of this process's finished children and their descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Commands.


def cli() -> list[str]:
    """The ``promcluster`` command of the running interpreter's environment."""
    script = Path(sys.executable).parent / "promcluster"
    return [str(script)] if script.exists() else [sys.executable, "-m", "promcluster.cli"]


def cli_env() -> dict[str, str]:
    """The environment for the CLI: wide lines, so that its outcome line is not wrapped."""
    return {**os.environ, "COLUMNS": "250"}


def run_cli(*args: str) -> str:
    """Run a set-up command; its output, or exit with it when the command failed."""
    done = subprocess.run(
        [*cli(), *args], capture_output=True, text=True, env=cli_env(), check=False
    )
    if done.returncode != 0:
        sys.exit(f"promcluster {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def measure_import(path: Path, url: str) -> Run:
    """Run ``promcluster import enterprises`` on ``path``: wall time, peak tree RSS, counts."""
    command = [*cli(), "import", "enterprises", str(path), "--defer-index", "--database", url]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as errors:
        cpu_command, cpu_machine = children_cpu_seconds(), machine_cpu_seconds()
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=errors, env=cli_env())
        with PeakSampler(process.pid) as sampler:
            code = process.wait()
        seconds = time.perf_counter() - start
        cpu_command = children_cpu_seconds() - cpu_command
        cpu_machine = machine_cpu_seconds() - cpu_machine
        out.seek(0)
        errors.seek(0)
        text, error_text = out.read(), errors.read()
    if code != 0:
        sys.exit(f"import of {path.name} failed ({code}):\n{text}\n{error_text}")
    peaks = [kib / 1024 for kib in sampler.process_peaks_kib.values()]
    return Run(
        seconds, sampler.peak_kib / 1024, parse_counts(text), peaks, cpu_command, cpu_machine
    )


def parse_counts(text: str) -> dict[str, int]:
    """The counts of the CLI's outcome line."""
    match = OUTCOME.search(" ".join(text.split()))
    if match is None:
        sys.exit(f"no outcome line in the import's output:\n{text}")
    names = ("read", "created", "updated", "unchanged", "rejected")
    return dict(zip(names, map(int, match.groups()), strict=True))


# Files and databases.


def synthetic_version() -> str:
    """A short hash of synthetic.py, so that cached files follow changes to the generator."""
    source = Path(__file__).resolve().parent / "synthetic.py"
    return hashlib.sha256(source.read_bytes()).hexdigest()[:8]


def synthetic_file(rows: int, fmt: str, cache: Path) -> Path:
    """The SYNTHETIC register of ``rows`` enterprises in ``fmt``, generated once into ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"synthetic-enterprises-{rows}-seed{SEED}-{synthetic_version()}.{fmt}"
    if not path.exists():
        log(f"generating {path} …")
        partial = path.with_name(f".partial-{os.getpid()}-{path.name}")
        write_enterprises(partial, rows, SEED)
        partial.replace(path)
    return path


@contextmanager
def sqlite_database() -> Iterator[str]:
    """A fresh SQLite database under /tmp, schema and reference loaded; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="promcluster-bench-", dir="/tmp") as directory:
        url = f"sqlite:///{directory}/bench.db"
        prepare(url)
        yield url


@contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """The PostgreSQL database at ``url``, wiped (public schema recreated) and prepared."""
    reset_postgres(url)
    prepare(url)
    yield url


def sqlalchemy_url(url: str) -> str:
    """``url`` with the psycopg driver spelled out (as ``make_engine`` does)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def reset_postgres(url: str) -> None:
    """Drop and recreate the ``public`` schema, as tests/factories.py ``reset_postgres`` does."""
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text('DROP SCHEMA IF EXISTS "public" CASCADE'))
            connection.execute(text('CREATE SCHEMA "public"'))
    finally:
        engine.dispose()


def prepare(url: str) -> None:
    """Create the schema and load the reference data into the database at ``url``."""
    run_cli("db", "upgrade", "--database", url)
    run_cli("load", "reference", "--database", url)


# The benchmark.


def cases(sizes: list[int], postgres: bool) -> list[Case]:
    """The cases to run for ``sizes``: CSV into SQLite, XLSX into SQLite, CSV into PostgreSQL."""
    chosen = [Case(n, "csv", "sqlite") for n in sizes]
    chosen += [Case(n, "xlsx", "sqlite") for n in sizes if n in XLSX_SIZES]
    if postgres:
        chosen += [Case(n, "csv", "postgresql") for n in sizes if n in POSTGRES_SIZES]
    return chosen


def check_counts(case: Case, first: Run, again: Run) -> None:
    """Exit when the import did not create every row or the re-import found changes."""
    expected_first = {"read": case.rows, "created": case.rows, "rejected": 0}
    expected_again = {"read": case.rows, "unchanged": case.rows, "rejected": 0}
    for run, expected in ((first, expected_first), (again, expected_again)):
        if any(run.counts[k] != v for k, v in expected.items()):
            sys.exit(f"{case}: unexpected counts {run.counts}, expected {expected}")


def run_case(case: Case, cache: Path, postgres_url: str | None) -> Result:
    """Import the case's file into a fresh database, then import it again."""
    path = synthetic_file(case.rows, case.fmt, cache)
    database = (
        sqlite_database() if case.backend == "sqlite" else postgres_database(postgres_url or "")
    )
    with database as url:
        load = os.getloadavg()[0]
        log(f"{case.rows:,} rows {case.fmt} → {case.backend}: import (load {load:.2f}) …")
        first = measure_import(path, url)
        log(f"  {describe(first)}\n  search index of the new rows …")
        start = time.perf_counter()
        run_cli("search", "reindex", "--missing", "--database", url)
        index_seconds = time.perf_counter() - start
        log(f"  {index_seconds:.1f} s\n  re-import …")
        again = measure_import(path, url)
        log(f"  {describe(again)}")
    check_counts(case, first, again)
    return Result(case, first, again, index_seconds)


def describe(run: Run) -> str:
    """A run for the log: time, memory per process, and CPU used by others meanwhile."""
    each = " + ".join(f"{mib:.0f}" for mib in run.process_peaks_mib)
    return (
        f"{run.seconds:.1f} s, peak {run.peak_mib:.0f} MiB (each process's own peak: {each});"
        f" CPU s: command {run.cpu_command:.1f}, whole machine {run.cpu_machine:.1f}"
    )


def table(results: list[Result]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| rows | format | backend | import s | rows/s | peak MiB | re-import s | search index s |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        c = r.case
        lines.append(
            f"| {c.rows:,} | {c.fmt.upper()} | {BACKENDS[c.backend]}"
            f" | {r.first.seconds:.1f} | {c.rows / r.first.seconds:,.0f}"
            f" | {r.first.peak_mib:.0f} | {r.again.seconds:.1f} | {r.index_seconds:.1f} |"
        )
    return "\n".join(lines)


def bar_verdict(results: list[Result]) -> bool | None:
    """Print the bar's verdict: True for PASS, False for FAIL, None when it was not run."""
    bar = [r for r in results if r.case == Case(BAR_ROWS, "csv", "sqlite")]
    if not bar:
        print(f"\nBar not checked: {BAR_ROWS:,} rows into SQLite (CSV) not among the sizes.")
        return None
    first = bar[0].first
    ok = first.seconds < BAR_SECONDS and first.peak_mib < BAR_MIB
    print(
        f"\nBar ({BAR_ROWS:,} rows into SQLite in < {BAR_SECONDS:.0f} s, peak < 1 GiB): "
        f"{'PASS' if ok else 'FAIL'} ({first.seconds:.1f} s, {first.peak_mib:.0f} MiB)"
    )
    return ok


def machine() -> str:
    """A line describing the machine: cores, RAM, Python and SQLite versions."""
    with open("/proc/meminfo") as f:
        ram_kib = int(f.readline().split()[1])
    python = sys.version.split()[0]
    return (
        f"{os.cpu_count()} cores, {ram_kib / 1024**2:.1f} GiB RAM, Python {python}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def postgres_version(url: str) -> str:
    """The server's ``SHOW server_version``."""
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()


def log(message: str) -> None:
    """Progress on stderr, so that stdout keeps only the results."""
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(n.replace("_", "")) for n in s.split(",") if n],
        default=list(SIZES),
        help="comma-separated row counts (default 10000,100000,1000000)",
    )
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=CACHE_DIR,
        help=f"where the synthetic files are kept between runs (default {CACHE_DIR})",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 when the bar was checked and failed."""
    args = parse_args(argv)
    postgres_url = None if args.skip_postgres else os.environ.get(POSTGRES_ENV) or None
    print(f"Machine: {machine()}")
    if postgres_url:
        print(f"PostgreSQL {postgres_version(postgres_url)}")
    else:
        why = "--skip-postgres" if args.skip_postgres else f"{POSTGRES_ENV} not set"
        log(f"PostgreSQL skipped ({why})")
    chosen = cases(args.sizes, bool(postgres_url))
    results = [run_case(case, args.cache_dir, postgres_url) for case in chosen]
    print()
    print(table(results))
    return 1 if bar_verdict(results) is False else 0


if __name__ == "__main__":
    sys.exit(main())
