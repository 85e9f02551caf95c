"""Prometheus metrics (``settings.metrics``: off, loopback or on): request latency per route
template and method, requests per status class, import runs per state (counted in the database
at each scrape), the cache's hits and misses (counted in ``promcluster.cache``) and the database
connections checked out of the pool.

Several worker processes: when ``PROMETHEUS_MULTIPROC_DIR`` names a directory (set before the
server starts: prometheus-client reads it when it loads), every process writes its figures there
and a scrape of any worker adds them up (prometheus-client's multi-process mode)."""

import ipaddress
from collections.abc import Callable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from promcluster.config import prometheus_multiproc_dir

CONTENT_TYPE = CONTENT_TYPE_LATEST
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds: pages answer in milliseconds, an import upload may take a minute.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

REQUEST_SECONDS = Histogram(
    "promcluster_http_request_duration_seconds",
    "Time to answer a request, by route template and method",
    ["route", "method"],
    buckets=BUCKETS,
)
REQUESTS = Counter(
    "promcluster_http_requests_total",
    "Requests answered, by route template, method and status class (2xx, 3xx, 4xx, 5xx)",
    ["route", "method", "status"],
)
SESSIONS = Counter(
    "promcluster_db_sessions_total",
    "Database sessions of requests, by database: primary, or replica (database_read_url)",
    ["database"],
)
POOL_CHECKED_OUT = Gauge(
    "promcluster_db_pool_checked_out",
    "Database connections checked out of the pool (summed over live worker processes)",
    multiprocess_mode="livesum",
)

NOT_LOOPBACK = "метрики доступны только с этого же компьютера (127.0.0.1 или ::1)"


def record_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request; unknown methods share one label (bounded label values)."""
    method = method if method in METHODS else "other"
    REQUEST_SECONDS.labels(route, method).observe(seconds)
    REQUESTS.labels(route, method, f"{status // 100}xx").inc()


def count_session(replica: bool) -> None:
    """Count one request's database session, on the read replica or on the primary."""
    SESSIONS.labels("replica" if replica else "primary").inc()


def watch_pool(engine: Engine) -> None:
    """Keep ``promcluster_db_pool_checked_out`` up to date with ``engine``'s pool."""
    event.listen(engine, "checkout", lambda *_: POOL_CHECKED_OUT.inc())
    event.listen(engine, "checkin", lambda *_: POOL_CHECKED_OUT.dec())


def is_loopback(host: str | None) -> bool:
    """Whether a client address is this machine (127.0.0.0/8, ::1, or IPv4-mapped loopback)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


class StateCounts(Collector):
    """A gauge family read from the database at each scrape: ``count(session)`` gives the
    number of records per state (import runs, jobs)."""

    def __init__(
        self,
        name: str,
        documentation: str,
        sessions: sessionmaker[Session],
        count: Callable[[Session], dict[str, int]],
    ) -> None:
        self.name, self.documentation = name, documentation
        self.sessions, self.count = sessions, count

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=["state"])
        with self.sessions() as session:
            for state, number in sorted(self.count(session).items()):
                family.add_metric([state], number)
        yield family


def exposition(*collectors: Collector) -> bytes:
    """The text exposition of every metric of this process (or, in multi-process mode, of all
    worker processes) and of ``collectors``."""
    registry = CollectorRegistry()
    if prometheus_multiproc_dir() is not None:
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)


def forget_process(pid: int) -> None:
    """In multi-process mode, drop the live gauges of a worker that is stopping."""
    if prometheus_multiproc_dir() is not None:
        multiprocess.mark_process_dead(pid)
