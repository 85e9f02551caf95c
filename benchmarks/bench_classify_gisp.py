"""What importing a ГИСП registry file (kind ``gisp-products``) teaches the OKPD2 classifier:
accuracy on ``benchmarks/data/okpd2_eval.csv`` through the database (``matching.classification``,
the path the web form and the API take) before and after the import, in a new SQLite database.

Every imported entry is a product line with a name and an OKPD2 code, which the classifier
learns on its next suggestion (its watermarks). The default file is the CONSTRUCTED example of
the tests (30 entries); give a real export of gisp.gov.ru to measure what the registry teaches.

    .venv/bin/python benchmarks/bench_classify_gisp.py [FILE]
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classify import evaluation_set, scores

from promcluster import dbadmin
from promcluster.auth.audit import Actor
from promcluster.db import make_engine, make_sessionmaker, transaction
from promcluster.imports.service import run_import
from promcluster.matching import classification
from promcluster.reference.service import load_reference

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "gisp" / "pp719_constructed.csv"


def measured(factory, rows) -> list[float]:
    with factory() as session:
        found = classification.suggest(session, [r.name for r in rows], 5)
    return scores(rows, found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=SAMPLE)
    args = parser.parse_args()
    rows = evaluation_set()
    with tempfile.TemporaryDirectory(prefix="promcluster-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'gisp.db'}"
        dbadmin.upgrade(url)
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        with transaction(factory) as session:
            load_reference(session)
        before = measured(factory, rows)
        run = run_import(factory, "gisp-products", args.file, actor=Actor("bench"))
        after = measured(factory, rows)
        engine.dispose()
    print(f"{args.file.name}: {run.rows_read} rows, {run.created} entries created, "
          f"{run.rejected} refused\n")  # fmt: skip
    print(f"Accuracy on the evaluation set ({len(rows)} real names):\n")
    print("| classifier | class top-1 | class top-5 | code top-1 | code top-5 |")
    print("|---|---:|---:|---:|---:|")
    for label, figures in (("before the import", before), ("after the import", after)):
        print(f"| {label} | " + " | ".join(f"{f:.1%}" for f in figures) + " |")
    changed = sum(a != b for a, b in zip(before, after, strict=True))
    print(f"\n{changed} of 4 figures changed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
