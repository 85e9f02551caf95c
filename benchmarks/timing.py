"""Timing helpers the benchmarks share: best of several runs, percentiles, and the platform
served by ``promcluster serve`` on a free local port."""

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

CLI = [sys.executable, "-m", "promcluster.cli"]


def best(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The shortest of ``repeat`` runs in seconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timings(client: httpx.Client, path: str, requests: int) -> list[float]:
    """Milliseconds of ``requests`` GETs of ``path`` (after two warm-up requests)."""
    for _ in range(2):
        client.get(path).raise_for_status()
    found = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(path).raise_for_status()
        found.append((time.perf_counter() - start) * 1000)
    return found


@contextmanager
def served(database: str, timeout: float = 30, wait: float = 10) -> Iterator[httpx.Client]:
    """A client of the platform served on ``database``, once it answers (within ``wait`` s) and
    has finished its warm-up."""
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--database", database],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout) as client:
            for _ in range(int(wait * 10)):
                try:
                    client.get("/api/v1/stats")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            # ``serve`` trains the niche model and builds the OKPD2 classifier in the background
            # at start; these requests wait for them, so that no timed request shares the CPU.
            client.get("/api/v1/niches", params={"region": "72", "top": 1}, timeout=300)
            client.get("/api/v1/okpd2/suggest", params={"name": "труба"}, timeout=300)
            yield client
    finally:
        server.terminate()
        server.wait(10)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL after 20 s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
