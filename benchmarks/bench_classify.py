"""OKPD2 suggestions: throughput (bar: at least 1,000 names per second on 2 cores) and accuracy
on real labelled names.

Fits ``matching.classifier.Classifier`` on the package's OKPD2 table, then measures
- throughput over batches of 1,000 names: 20,000 distinct SYNTHETIC product-like names
  (``synthetic.product_titles``, seen for the first time, so no cache helps) and the evaluation
  names repeated to 20,000 (cached after their first batch);
- ``suggest`` for one name at a time (the web form), p50 and p95;
- accuracy on ``benchmarks/data/okpd2_eval.csv`` (real names with the code their source gives;
  ``data/PROVENANCE.md``): top-1 and top-5 at the class level (``XX.XX`` equal) and at the code
  level (the suggestion is the labelled code or lies inside it), for spaced=1, spaced=0 and all
  rows; cold (the classifier alone) and with learning (5-fold cross-validation: a copy of the
  fitted classifier ``learn``s the other folds' pairs, as if users had coded them, and is
  evaluated on the held-out fold).

    .venv/bin/python benchmarks/bench_classify.py [--names N] [--folds K]
"""

import argparse
import copy
import csv
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import product_titles

from promcluster.matching.classifier import Classifier, Entry, Suggestion
from promcluster.reference.service import data_path

BAR_NAMES_PER_S = 1000
BATCH = 1000
EVAL = Path(__file__).resolve().parent / "data" / "okpd2_eval.csv"


@dataclass(frozen=True)
class Labelled:
    name: str
    code: str
    spaced: bool


def entries() -> list[Entry]:
    with data_path("okpd2.csv").open(encoding="utf-8") as f:
        return [
            Entry(r["code"], r["name"], r["parent_code"] or None, int(r["level"]))
            for r in csv.DictReader(f)
        ]


def evaluation_set() -> list[Labelled]:
    with EVAL.open(encoding="utf-8") as f:
        return [Labelled(r["name"], r["code"], r["spaced"] == "1") for r in csv.DictReader(f)]


def distinct_names(count: int, seed: int) -> list[str]:
    """``count`` distinct SYNTHETIC product-like names."""
    found: dict[str, None] = {}
    for name, _ in product_titles(count * 3, seed):
        found[name] = None
        if len(found) == count:
            return list(found)
    raise ValueError(f"fewer than {count} distinct names from seed {seed}")


def throughput(classifier: Classifier, names: Sequence[str]) -> tuple[float, float]:
    """Names per second (wall clock, and per second of this process's CPU time) over batches of
    ``BATCH``."""
    start, start_cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(names), BATCH):
        classifier.suggest(names[i : i + BATCH])
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return len(names) / wall, len(names) / cpu


def single(classifier: Classifier, names: Sequence[str]) -> list[float]:
    """Milliseconds of ``suggest`` for one name, for each of ``names``."""
    found = []
    for name in names:
        start = time.perf_counter()
        classifier.suggest([name])
        found.append((time.perf_counter() - start) * 1000)
    return found


def same_class(suggested: str, code: str) -> bool:
    return suggested[:5] == code[:5]


def same_code(suggested: str, code: str) -> bool:
    return suggested == code or suggested.startswith(code + ".")


def scores(rows: Sequence[Labelled], found: Sequence[list[Suggestion]]) -> list[float]:
    """Class top-1, class top-5, code top-1, code top-5 (shares of ``rows``)."""
    measures: list[Callable[[str, str], bool]] = [same_class, same_code]
    out = []
    for hit in measures:
        for top in (1, 5):
            good = sum(
                any(hit(s.code, r.code) for s in f[:top]) for r, f in zip(rows, found, strict=True)
            )
            out.append(good / len(rows))
    return [out[0], out[1], out[2], out[3]]


def cross_validated(
    base: Classifier, rows: list[Labelled], folds: int, seed: int = 1
) -> tuple[list[list[Suggestion]], float]:
    """Held-out suggestions for every row when the classifier has learnt the other folds, and
    the mean seconds of one ``learn``."""
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    found: list[list[Suggestion]] = [[] for _ in rows]
    learning = []
    for fold in range(folds):
        held = set(order[fold::folds])
        classifier = copy.deepcopy(base)
        start = time.perf_counter()
        classifier.learn((r.name, r.code) for i, r in enumerate(rows) if i not in held)
        learning.append(time.perf_counter() - start)
        kept = sorted(held)
        for i, suggestions in zip(
            kept, classifier.suggest([rows[i].name for i in kept]), strict=True
        ):
            found[i] = suggestions
    return found, statistics.mean(learning)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=20_000, help="names per throughput run")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    print(f"load average (1/5/15 min) at the start: {load()}")
    okpd2 = entries()
    start, start_cpu = time.perf_counter(), time.process_time()
    classifier = Classifier(okpd2)
    fit, fit_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"fit on {len(okpd2):,} OKPD2 entries ({len(classifier.labels):,} documents of level "
          f"≥ 3): {fit:.1f} s ({fit_cpu:.1f} s CPU)")  # fmt: skip
    rows = evaluation_set()
    fresh = distinct_names(args.names, seed=11)
    single_fresh = distinct_names(300, seed=12)
    repeated = [rows[i % len(rows)].name for i in range(args.names)]
    speed = {
        f"{len(fresh):,} distinct SYNTHETIC names (first sight)": throughput(classifier, fresh),
        f"{len(rows)} real evaluation names repeated to {len(repeated):,}": throughput(
            classifier, repeated
        ),
    }
    one = {
        "300 distinct SYNTHETIC names (first sight)": single(classifier, single_fresh),
        f"{len(rows)} real evaluation names (seen before)": single(
            classifier, [r.name for r in rows]
        ),
    }
    print(f"\nThroughput, batches of {BATCH:,} names:\n")
    print("| names | names/s | names per CPU-second |\n|---|---:|---:|")
    for name, (wall, cpu) in speed.items():
        print(f"| {name} | {wall:,.0f} | {cpu:,.0f} |")
    print("\n`suggest` of one name at a time:\n")
    print("| names | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|")
    for name, ms in one.items():
        print(
            f"| {name} | {statistics.median(ms):.1f} | {percentile(ms, 95):.1f} | {max(ms):.1f} |"
        )
    cold = classifier.suggest([r.name for r in rows])
    learnt, learning = cross_validated(classifier, rows, args.folds)
    print(f"\nAccuracy on {EVAL.name} ({len(rows)} real names; {args.folds}-fold cross-validation "
          f"learns ~{len(rows) * (args.folds - 1) // args.folds} names per fold in "
          f"{learning:.2f} s):\n")  # fmt: skip
    print("| classifier | rows | n | class top-1 | class top-5 | code top-1 | code top-5 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for setting, found in (("cold", cold), (f"learnt ({args.folds}-fold CV)", learnt)):
        for subset, keep in (("spaced=1", True), ("spaced=0", False), ("all", None)):
            picked = [i for i, r in enumerate(rows) if keep is None or r.spaced == keep]
            figures = scores([rows[i] for i in picked], [found[i] for i in picked])
            cells = " | ".join(f"{f:.1%}" for f in figures)
            print(f"| {setting} | {subset} | {len(picked)} | {cells} |")
    slowest = min(wall for wall, _ in speed.values())
    ok = slowest >= BAR_NAMES_PER_S
    print(f"\nload average at the end: {load()}")
    print(f"Bar (at least {BAR_NAMES_PER_S:,} names/s in batches of {BATCH:,}, both sets): "
          f"{'PASS' if ok else 'FAIL'} ({slowest:,.0f} names/s at the slowest)")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
