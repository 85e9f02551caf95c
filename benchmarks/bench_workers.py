"""Start-up of ``promcluster serve`` with 1 and 2 worker processes: seconds until the first
``GET /`` answers 200, seconds until every worker's warm-up is done (its CPU time stops
growing), and each worker's memory then (RSS, and PSS, which shares the pages several processes
map, such as libraries' code, between them). Each count of workers is started three ways: with
no fitted models on disk (``PROMCLUSTER_CACHE_DIR=``, as before issue 18: each worker fits its
own), with an empty cache directory (the first worker fits and saves) and with that directory
filled (every worker loads). Figures in docs/OPERATIONS.md, "Workers".

    PROMCLUSTER_DATABASE_URL=sqlite:///var/promcluster.db PROMCLUSTER_DEV_MODE=1 \\
        .venv/bin/python benchmarks/bench_workers.py [--workers 1 2]

Loopback only; each server is stopped (its process group) after its measurement.
"""

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import stop

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
IDLE_SECONDS = 3.0  # no worker used CPU for this long: warm-up done
LIMIT_SECONDS = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def workers_of(server: int, count: int) -> list[int]:
    """The processes serving requests: the server itself with one worker, else its children
    that multiprocessing spawned (not its resource tracker)."""
    if count == 1:
        return [server]
    return [
        p
        for p in children(server)
        if "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes().decode()
    ]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_mb(pid: int) -> tuple[float, float]:
    """RSS and PSS in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        values[name.rstrip(":")] = int(value) / 1024
    return values["Rss"], values["Pss"]


def answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/")
        return connection.getresponse().status == 200
    except OSError:
        return False


def measure(count: int, cache_dir: str) -> dict:
    port = free_port()
    env = {**os.environ, "PROMCLUSTER_CACHE_DIR": cache_dir}
    command = [sys.executable, "-m", "promcluster.cli", "serve", "--workers", str(count)]
    started = time.perf_counter()
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not answers(port):
            if server.poll() is not None or time.perf_counter() - started > LIMIT_SECONDS:
                raise SystemExit(f"server with {count} workers did not answer")
            time.sleep(0.2)
        first = time.perf_counter() - started
        pids = workers_of(server.pid, count)
        last = {p: cpu_seconds(p) for p in pids}
        busy = time.perf_counter()
        while time.perf_counter() - busy < IDLE_SECONDS:
            time.sleep(0.5)
            now = {p: cpu_seconds(p) for p in pids}
            if any(now[p] - last[p] > 0.05 for p in pids):
                busy = time.perf_counter()
            last = now
            if time.perf_counter() - started > LIMIT_SECONDS:
                raise SystemExit("warm-up did not end")
        warm = busy - started
        return {"first": first, "warm": warm, "memory": [memory_mb(p) for p in pids]}
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print("workers | artefacts | first / (s) | warm-up done (s) | RSS per worker (MB) | PSS (MB)")
    for count in args.workers:
        directory = tempfile.mkdtemp(prefix="promcluster-artefacts-")
        try:
            for label, cache_dir in (("none", ""), ("fitted", directory), ("loaded", directory)):
                m = measure(count, cache_dir)
                rss = ", ".join(f"{r:.0f}" for r, _ in m["memory"])
                pss = ", ".join(f"{p:.0f}" for _, p in m["memory"])
                print(f"{count} | {label} | {m['first']:.1f} | {m['warm']:.1f} | {rss} | {pss}")
        finally:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
