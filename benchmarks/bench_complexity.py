"""Complexity engine speed (DESIGN.md §6: 85 locations × 2,000 products recomputed in under 2 s,
at least 10× faster than the reference package ``ecomplexity`` 0.5.3 on the same input).

Both engines take the same long table (a SYNTHETIC one from ``synthetic.complexity_panel``, and
the real Australian SA3 panel of ``tests/data``) and compute every measure of every year; ours is
timed from the long columns (checks, pivot, every measure), the reference from its data frame.
Each case runs ``--repeat`` times and the best time is kept; the ratio is of one run's figures.

    .venv/bin/python benchmarks/bench_complexity.py [--repeat 3]
"""

import argparse
import gzip
import os
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
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
