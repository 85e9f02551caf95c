"""Complexity engine speed (DESIGN.md §6: 85 locations × 2,000 products recomputed in under 2 s,
at least 10× faster than the reference package ``ecomplexity`` 0.5.3 on the same input).

Both engines take the same long table (a SYNTHETIC one from ``synthetic.complexity_panel``, and
the real Australian SA3 panel of ``tests/data``) and compute every measure of every year; ours is
timed from the long columns (checks, pivot, every measure), the reference from its data frame.
Each case runs ``--repeat`` times and the best time is kept; the ratio is of one run's figures.

``--processes`` times WHOLE PROCESSES instead (issue 22), from a CSV file to a CSV file: ours is
``promcluster complexity IN.csv -o OUT.csv``, the reference is ``ecomplexity_csv.py`` (pandas
reads the CSV, ``ecomplexity`` computes, pandas writes the CSV); both on the same SYNTHETIC one-
year tables of 400 × 3,000 and 1,000 × 5,000 (``--sizes``), the median of ``--runs`` runs each,
alternating the two tools, with the load average before and after; wall-clock and CPU seconds
(user + system of the process and its threads: the steadier figure on a shared machine).

    .venv/bin/python benchmarks/bench_complexity.py [--repeat 3]
    .venv/bin/python benchmarks/bench_complexity.py --processes [--runs 3] [--sizes 400x3000 ...]
"""

import argparse
import gzip
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from ecomplexity import ecomplexity

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import complexity_panel
from timing import best

from promcluster.analytics.complexity import of_panel
from promcluster.analytics.panel import build_panel
from promcluster.niches.transfer import REFERENCE_PANEL as REAL

COLUMNS = {"time": "year", "loc": "location", "prod": "product", "val": "value"}
BAR_SECONDS, BAR_RATIO = 2.0, 10.0


def ours(table: pd.DataFrame):
    columns = (table.location.tolist(), table["product"].tolist(), table.value.to_numpy(),
               table.year.tolist())  # fmt: skip
    return of_panel(build_panel(*columns))


def reference(table: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(table, COLUMNS, verbose=False, check_logsupermodularity=False)


def largest_difference(results, ref: pd.DataFrame) -> float:
    worst = 0.0
    for result in results:
        part = ref[(ref.year == result.year) & ref.eci.notna()]
        i = part.location.map({n: k for k, n in enumerate(result.locations)}).to_numpy()
        j = part["product"].map({n: k for k, n in enumerate(result.products)}).to_numpy()
        for name, found in (("eci", result.eci[i]), ("pci", result.pci[j]),
                            ("density", result.density[i, j]), ("cog", result.cog[i, j]),
                            ("coi", result.coi[i]), ("rca", result.rca[i, j])):  # fmt: skip
            worst = max(worst, float(np.nanmax(np.abs(found - part[name].to_numpy()))))
    return worst


def case(name: str, table: pd.DataFrame, repeat: int) -> str:
    ours_s, results = best(lambda: ours(table), repeat)
    ref_s, ref = best(lambda: reference(table), repeat)
    shape = f"{table.location.nunique()} × {table['product'].nunique()} × {table.year.nunique()}"
    return (
        f"| {name} | {shape} | {len(table):,} | {ours_s:.3f} | {ref_s:.3f} | "
        f"{ref_s / ours_s:.1f}× | {largest_difference(results, ref):.1e} |"
    )


HERE = Path(__file__).resolve().parent
PROMCLUSTER = [sys.executable, "-m", "promcluster.cli", "complexity"]
REFERENCE = [sys.executable, str(HERE / "ecomplexity_csv.py")]
PROCESS_SIZES = ("400x3000", "1000x5000")


def write_table(path: Path, locations: int, products: int) -> int:
    """A SYNTHETIC one-year long table as CSV (comma, UTF-8); returns its rows."""
    names_l, names_p, values, years = complexity_panel(locations, products, 1, seed=3)
    table = pd.DataFrame({"location": names_l, "product": names_p, "value": values,
                          "year": years})  # fmt: skip
    table.to_csv(path, index=False)
    return len(table)


def run(command: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system, all threads) seconds of one whole process (start-up,
    reading, computing, writing). On a shared machine the CPU figure is the steadier one."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def processes(sizes: list[str], runs: int) -> None:
    print(f"cores: {os.cpu_count()}, numpy {np.__version__}, pandas {pd.__version__}")
    print(
        "| input (SYNTHETIC, one year) | rows | ours s | ecomplexity s | ratio | ours CPU s | "
        "ecomplexity CPU s | CPU ratio | ours runs | ecomplexity runs | load before → after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-complexity-") as tmp:
        for size in sizes:
            locations, products = (int(n) for n in size.split("x"))
            source = Path(tmp) / f"panel-{size}.csv"
            rows = write_table(source, locations, products)
            load = os.getloadavg()[0]
            ours, theirs = [], []
            for _ in range(runs):
                ours.append(run([*PROMCLUSTER, str(source), "-o", str(Path(tmp) / "ours.csv")]))
                theirs.append(run([*REFERENCE, str(source), str(Path(tmp) / "theirs.csv")]))
            (a, ca), (b, cb) = _medians(ours), _medians(theirs)
            print(
                f"| {locations:,} × {products:,} | {rows:,} | {a:.2f} | {b:.2f} | {b / a:.1f}× "
                f"| {ca:.2f} | {cb:.2f} | {cb / ca:.1f}× "
                f"| {', '.join(f'{t:.2f}' for t, _ in ours)} "
                f"| {', '.join(f'{t:.2f}' for t, _ in theirs)} "
                f"| {load:.2f} → {os.getloadavg()[0]:.2f} |",
                flush=True,
            )
    print(f"bar: ours at least {BAR_RATIO:g}× faster, whole process against whole process "
          "(medians; CPU seconds are the steadier figure on a shared machine)")  # fmt: skip


def _medians(times: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", action="store_true", help="whole processes, CSV to CSV")
    parser.add_argument("--runs", type=int, default=3, help="runs of each process (median)")
    parser.add_argument("--sizes", nargs="+", default=list(PROCESS_SIZES))
    args = parser.parse_args()
    if args.processes:
        processes(args.sizes, args.runs)
        return
    cases = [
        ("SYNTHETIC 85 × 2,000, one year", complexity_panel(85, 2000, 1, seed=1)),
        ("SYNTHETIC 85 × 2,000, three years", complexity_panel(85, 2000, 3, seed=2)),
    ]
    print(f"cores: {os.cpu_count()}, numpy {np.__version__}, load {os.getloadavg()[0]:.2f}")
    print("| input | locations × products × years | rows | ours s | ecomplexity s | ratio | "
          "max abs difference |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, (locations, products, values, years) in cases:
        table = pd.DataFrame(
            {"year": years, "location": locations, "product": products, "value": values}
        )
        print(case(name, table, args.repeat), flush=True)
    with gzip.open(REAL, "rt", encoding="utf-8") as f:
        print(case("real: Australian SA3 × ANZSIC, 2011–2021", pd.read_csv(f), args.repeat))
    print(f"bars: full recompute of 85 × 2,000 under {BAR_SECONDS} s, ratio ≥ {BAR_RATIO}×")


if __name__ == "__main__":
    main()
