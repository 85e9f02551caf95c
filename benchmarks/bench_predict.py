"""Feasibility model against density and last period's RCA (issue #4, part 2).

On the real Australian SA3 × ANZSIC panel of ``tests/data``: the tuning figures (5-fold
cross-validation on the 2011→2016 transition, folds grouped by industry — the protocol the
features and hyper-parameters were chosen by — and, for reference, grouped by region), then the
held-out backtest: trained on 2011→2016, evaluated on 2016→2021. Prints Markdown tables and the
training and scoring times (best of ``--repeat``).

    .venv/bin/python benchmarks/bench_predict.py [--repeat 3]
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import best

from promcluster.analytics.backtest import backtest, cross_validate, table
from promcluster.analytics.predict import score, train
from promcluster.niches.transfer import reference_panel


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    panel = reference_panel()
    print(f"{platform.python_version()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}\n")
    for group in ("product", "location"):
        print(f"### Tuning: 2011→2016, 5-fold CV grouped by {group}\n")
        print(table(cross_validate(panel, (2011, 2016), group=group)) + "\n")
    print("### Held out: trained on 2011→2016, evaluated on 2016→2021\n")
    print(table(backtest(panel, (2011, 2016), (2016, 2021))) + "\n")
    trained, model = best(lambda: train(panel, 2011, 2016), args.repeat)
    scored, found = best(lambda: score(model, panel, 2016), args.repeat)
    print(f"train 2011→2016 (features + fit): {trained:.2f} s")
    print(f"score 2016 ({len(found.score):,} candidate pairs, features + predict): {scored:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
