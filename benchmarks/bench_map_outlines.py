"""Map outlines without tiles (issue 23; bar: a map of a region or a cluster loads at most
150 kB of outlines, the whole country at most 250 kB, against 2.2 MB for the shipped file).

Times the simplification of the shipped boundaries at each level of detail (done once per
process, in the warm-up), then serves the platform on a database with the reference and demo
data (``promcluster serve``) and measures ``/map/outlines.geojson`` for some regions (raw and
gzipped size, median time) and the pages with a map (median time of the HTML).

    PROMCLUSTER_DEV_MODE=1 .venv/bin/python benchmarks/bench_map_outlines.py \\
        [--database sqlite:///…] [--requests N]

(``serve`` needs a secret key: PROMCLUSTER_DEV_MODE=1 lets it make one for the run.)
"""

import argparse
import gzip
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import CLI, served, timings

from promcluster.reference import outlines

REGIONAL_KB, COUNTRY_KB = 150, 250
FOCUS = {
    "72": "Тюменская",
    "24": "Красноярский",
    "87": "Чукотский",
    "47&focus=78": "Ленинградская и СПб",
    "": "вся страна",
}
PAGES = ["/clusters/1", "/regions/72", "/enterprises/1", "/map", "/ratings", "/discover/72"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a database with the demo (default: a new SQLite one)")
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    for _, tolerance in outlines.DETAIL:
        start = time.perf_counter()
        outlines.outlines(tolerance)
        print(f"simplify at {tolerance}°: {(time.perf_counter() - start) * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or f"sqlite:///{tmp}/maps.db"
        if not args.database:
            for step in (["db", "upgrade"], ["load", "reference"], ["load", "demo"]):
                command = [*CLI, *step, "--database", database]
                subprocess.run(command, check=True, capture_output=True)
        failed = False
        with served(database, wait=120) as client:
            for focus, name in FOCUS.items():
                path = "/map/outlines.geojson" + (f"?focus={focus}" if focus else "")
                body = client.get(path).content
                ms = statistics.median(timings(client, path, args.requests))
                kb = len(body) / 1000
                bar = COUNTRY_KB if not focus else REGIONAL_KB
                failed |= kb > bar
                print(f"{name:22s} {kb:7.1f} kB ({len(gzip.compress(body)) / 1000:5.1f} kB gzip, "
                      f"bar {bar} kB) median {ms:6.1f} ms")  # fmt: skip
            for page in PAGES:
                ms = statistics.median(timings(client, page, args.requests))
                print(f"{page:22s} HTML median {ms:6.1f} ms")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
