"""The reference's whole process, for ``bench_complexity.py --processes``: read a long table
``location, product, value, year`` with pandas, run ``ecomplexity`` 0.5.3, write every row of
its result as CSV — what a user of the reference package does from CSV to CSV.

    python benchmarks/ecomplexity_csv.py IN.csv OUT.csv
"""

import sys
import warnings

import pandas as pd
from ecomplexity import ecomplexity

COLUMNS = {"time": "year", "loc": "location", "prod": "product", "val": "value"}


def main(source: str, target: str) -> None:
    table = pd.read_csv(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ecomplexity(table, COLUMNS, verbose=False, check_logsupermodularity=False)
    result.to_csv(target, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:3])
