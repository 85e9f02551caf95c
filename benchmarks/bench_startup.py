"""Start-up of ``promcluster serve`` restarted with its fitted models on disk (issue 22: the
first request served in under 2 s): seconds from starting the process to the first 200 of
``GET /``, of ``GET /api/v1/okpd2/suggest`` (needs the OKPD2 classifier), of ``GET /classify``
(the classification page) and of ``GET /readyz`` (warm-up done). A first run fills an empty
artefacts directory (not counted, reported apart); then ``--runs`` restarts each load it.

    PROMCLUSTER_DEV_MODE=1 .venv/bin/python benchmarks/bench_startup.py \\
        --database sqlite:///var/promcluster.db [--workers 1 2] [--runs 5]

Loopback only; each server is stopped (its process group) after its measurement. The load
average of the machine is printed with each run (the machine is shared).
"""

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from timing import free_port, stop

LIMIT_SECONDS = 300
PATHS = {
    "/": "/",
    "suggest": "/api/v1/okpd2/suggest?" + urllib.parse.urlencode({"name": "Щебень гранитный"}),
    "/classify": "/classify",
    "/readyz": "/readyz",
}


def status(port: int, path: str) -> int | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None


def first_200(port: int, path: str, started: float, found: dict, name: str) -> None:
    """Poll ``path`` every 20 ms until it answers 200; record the seconds since ``started``."""
    while time.perf_counter() - started < LIMIT_SECONDS:
        if status(port, path) == 200:
            found[name] = time.perf_counter() - started
            return
        time.sleep(0.02)


def measure(database: str, workers: int, cache_dir: str) -> dict[str, float]:
    """One start: each path polled by its own thread from the moment the process starts."""
    port = free_port()
    env = {
        **os.environ,
        "PROMCLUSTER_CACHE_DIR": cache_dir,
        "PROMCLUSTER_ANONYMOUS_EXPENSIVE_PER_MINUTE": "0",
    }
    command = [sys.executable, "-m", "promcluster.cli", "serve", "--workers", str(workers)]
    found: dict[str, float] = {}
    started = time.perf_counter()
    server = subprocess.Popen(
        [*command, "--port", str(port), "--database", database],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        threads = [
            threading.Thread(target=first_200, args=(port, path, started, found, name))
            for name, path in PATHS.items()
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if set(found) != set(PATHS):
            raise SystemExit(f"no 200 within {LIMIT_SECONDS} s from {set(PATHS) - set(found)}")
        return found
    finally:
        stop(server)


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    names = list(PATHS)
    print("workers | artefacts | load average | " + " | ".join(f"{n} 200 (s)" for n in names))
    for workers in args.workers:
        directory = tempfile.mkdtemp(prefix="bench-startup-artefacts-")
        try:
            runs = []
            for run in range(args.runs + 1):
                before = load()
                m = measure(args.database, workers, directory)
                label = "fitted and saved" if run == 0 else "loaded"
                cells = " | ".join(f"{m[n]:.2f}" for n in names)
                print(f"{workers} | {label} | {before} | {cells}", flush=True)
                if run:
                    runs.append(m)
            medians = " | ".join(f"{statistics.median(r[n] for r in runs):.2f}" for n in names)
            print(f"{workers} | loaded, median of {len(runs)} | {load()} | {medians}")
        finally:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
