"""OKPD2 suggestions for everyday industrial names: top-1 / top-5 accuracy at three levels.

Fits ``matching.classifier.Classifier`` on the package's OKPD2 table (no user-coded names: the
"cold" classifier every new database starts with) and suggests five codes for each name of
``benchmarks/data/okpd2_industrial.csv`` (150 names written by the developers, codes chosen from
the shipped OKPD2; the file's header says how). A suggestion is right

- at **class** level when its first two digits (the OKPD2 class ``XX``) are those of an
  acceptable code;
- at **group** level when its first five characters (``XX.XX``) are;
- at **code** level when it is an acceptable code or lies below one in the classifier.

Rows are reported by split: ``dev`` (looked at while tuning), ``test`` (held out), and all; with
``--show`` every name's first suggestion is printed with its breadcrumb.

    .venv/bin/python benchmarks/bench_okpd2_suggestions.py [--show] [--split test]
"""

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classify import entries

from promcluster.matching.classifier import Classifier, Suggestion

EVAL = Path(__file__).resolve().parent / "data" / "okpd2_industrial.csv"
TOP = 5
LEVELS = ("class", "group", "code")


@dataclass(frozen=True)
class Labelled:
    name: str
    codes: tuple[str, ...]
    category: str
    split: str


def evaluation_set(path: Path = EVAL) -> list[Labelled]:
    """The rows of the evaluation file (its ``#`` header lines skipped)."""
    with path.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return [
        Labelled(r["name"], tuple(r["codes"].split("|")), r["category"], r["split"])
        for r in csv.DictReader(lines)
    ]


def right(classifier: Classifier, suggested: str, row: Labelled, level: str) -> bool:
    """Whether ``suggested`` is right for ``row`` at ``level`` (module docstring)."""
    if level == "class":
        return any(suggested[:2] == c[:2] for c in row.codes)
    if level == "group":
        return any(suggested[:5] == c[:5] for c in row.codes)
    code: str | None = suggested
    while code is not None:
        if code in row.codes:
            return True
        entry = classifier.entries.get(code)
        code = entry.parent_code if entry else None
    return False


def accuracy(
    classifier: Classifier, rows: Sequence[Labelled], found: Sequence[list[Suggestion]]
) -> dict[tuple[str, int], float]:
    """Share of ``rows`` with a right suggestion in the first 1 and ``TOP``, per level."""
    return {
        (level, top): sum(
            any(right(classifier, s.code, r, level) for s in f[:top])
            for r, f in zip(rows, found, strict=True)
        )
        / len(rows)
        for level in LEVELS
        for top in (1, TOP)
    }


def report(classifier: Classifier, rows: list[Labelled], found: list[list[Suggestion]]) -> None:
    head = " | ".join(f"{level} top-{top}" for level in LEVELS for top in (1, TOP))
    print(f"| split | n | {head} |\n|---|---:|" + "---:|" * (2 * len(LEVELS)))
    for split in ("dev", "test", "all"):
        picked = [i for i, r in enumerate(rows) if split in ("all", r.split)]
        figures = accuracy(classifier, [rows[i] for i in picked], [found[i] for i in picked])
        cells = " | ".join(f"{v:.1%}" for v in figures.values())
        print(f"| {split} | {len(picked)} | {cells} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every name's first code")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    args = parser.parse_args()
    start = time.perf_counter()
    classifier = Classifier(entries())
    print(f"fit: {time.perf_counter() - start:.1f} s")
    rows = evaluation_set()
    start = time.perf_counter()
    found = classifier.suggest([r.name for r in rows], TOP)
    print(f"{len(rows)} names suggested in {time.perf_counter() - start:.2f} s\n")
    report(classifier, rows, found)
    if args.show:
        for row, suggestions in zip(rows, found, strict=True):
            if args.split not in ("all", row.split):
                continue
            ok = "+" if any(right(classifier, s.code, row, "code") for s in suggestions) else "-"
            first = suggestions[0].code if suggestions else "—"
            name = classifier.entries[first].name[:60] if suggestions else ""
            print(f"{ok} [{row.split}] {row.name} → {first} {name} (want {'|'.join(row.codes)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
