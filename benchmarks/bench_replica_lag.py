"""Replication lag of a PostgreSQL hot standby, as a reader of ``PROMCLUSTER_DATABASE_READ_URL``
sees it: the time from a commit on the primary returning to the committed row being visible on
the standby, for single-row commits one at a time, alone and while another connection commits
bulk inserts (1,000 rows of 1 KB each, back to back). Figures in docs/SCALING.md.

    .venv/bin/python benchmarks/bench_replica_lag.py \\
        --primary postgresql://promcluster:promcluster@127.0.0.1:5432/promcluster_read \\
        --replica postgresql://promcluster:promcluster@127.0.0.1:5433/promcluster_read

It creates the table ``replica_lag_probe`` in that database and drops it at the end: never
point it at a production database. The standby: deploy/postgres-replica.sh.
"""

import argparse
import statistics
import threading
import time

import psycopg

TABLE = "replica_lag_probe"
BULK_ROWS = 1000
PAYLOAD = "x" * 1024
TIMEOUT_SECONDS = 30


def visible_after(primary: psycopg.Connection, replica: psycopg.Connection) -> float:
    """Milliseconds from one committed insert to its row being visible on the standby."""
    with primary.transaction():
        (id_,) = primary.execute(
            f"INSERT INTO {TABLE} (payload) VALUES ('probe') RETURNING id"
        ).fetchone()
    committed = time.perf_counter()
    while replica.execute(f"SELECT 1 FROM {TABLE} WHERE id = %s", (id_,)).fetchone() is None:
        if time.perf_counter() - committed > TIMEOUT_SECONDS:
            raise TimeoutError(f"row {id_} not visible on the standby after {TIMEOUT_SECONDS} s")
    return (time.perf_counter() - committed) * 1000


def bulk_writer(url: str, stop: threading.Event, written: list[int]) -> None:
    """Commit batches of ``BULK_ROWS`` rows of 1 KB until ``stop`` is set."""
    with psycopg.connect(url) as connection:
        while not stop.is_set():
            with connection.transaction(), connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {TABLE} (payload) VALUES (%s)", [(PAYLOAD,)] * BULK_ROWS
                )
            written[0] += BULK_ROWS


def measure(primary, replica, samples: int) -> list[float]:
    return [visible_after(primary, replica) for _ in range(samples)]


def report(label: str, values: list[float]) -> None:
    cuts = statistics.quantiles(values, n=100)
    print(
        f"{label}: n={len(values)} median {statistics.median(values):.2f} ms, "
        f"p95 {cuts[94]:.2f} ms, p99 {cuts[98]:.2f} ms, max {max(values):.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--primary", required=True)
    parser.add_argument("--replica", required=True)
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()
    with (
        psycopg.connect(args.primary, autocommit=True) as primary,
        psycopg.connect(args.replica, autocommit=True) as replica,
    ):
        assert replica.execute("SELECT pg_is_in_recovery()").fetchone()[0], "not a standby"
        primary.execute(f"DROP TABLE IF EXISTS {TABLE}")
        primary.execute(f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, payload text)")
        try:
            deadline = time.monotonic() + TIMEOUT_SECONDS
            while replica.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is None:
                assert time.monotonic() < deadline, "the table did not reach the standby"
            measure(primary, replica, 20)  # warm-up
            report("idle primary", measure(primary, replica, args.samples))
            stop, written = threading.Event(), [0]
            writer = threading.Thread(target=bulk_writer, args=(args.primary, stop, written))
            writer.start()
            started = time.perf_counter()
            try:
                time.sleep(0.5)
                values = measure(primary, replica, args.samples)
            finally:
                stop.set()
                writer.join()
            seconds = time.perf_counter() - started
            report(f"with bulk inserts ({written[0] / seconds:,.0f} rows/s of 1 KB)", values)
        finally:
            primary.execute(f"DROP TABLE IF EXISTS {TABLE}")


if __name__ == "__main__":
    main()
