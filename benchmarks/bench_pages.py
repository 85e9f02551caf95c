"""Page latency with 100,000 enterprises (DESIGN.md §6: cluster profile under 150 ms at p95).

Builds a SQLite database with the reference and demo data plus SYNTHETIC enterprises (imported
with ``promcluster import``, labelled synthetic), puts some of them into the demo clusters as
members, serves the platform with ``promcluster serve`` and times each page over HTTP.

    .venv/bin/python benchmarks/bench_pages.py [--enterprises N] [--members N] [--requests N]
"""

import argparse
import csv
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import enterprise_rows, write_enterprises
from timing import CLI, p95, served, timings

BAR_MS = 150.0


def run(*args: str, database: str) -> None:
    """A ``promcluster`` command against ``database``; exit 1 (rows refused) is an error here."""
    subprocess.run([*CLI, *args, "--database", database], check=True, capture_output=True)


def base_database(path: Path, enterprises: int) -> str:
    """A SQLite database at ``path`` with the reference data, the demo and ``enterprises``
    synthetic enterprises imported with ``promcluster import``."""
    database = f"sqlite:///{path}"
    run("db", "upgrade", database=database)
    run("load", "reference", database=database)
    run("load", "demo", database=database)
    register = write_enterprises(path.with_name("enterprises.csv"), enterprises)
    run("import", "enterprises", str(register), database=database)
    return database


def build(folder: Path, enterprises: int, members: int) -> tuple[str, list[int]]:
    """The database: reference, demo, synthetic enterprises, and synthetic members of the demo
    clusters (the first ``members`` firms spread over the clusters, as members and potential)."""
    database = base_database(folder / "pages.db", enterprises)
    db = sqlite3.connect(folder / "pages.db")
    clusters = [row[0] for row in db.execute("SELECT id FROM clusters ORDER BY id")]
    db.close()
    member_file = folder / "members.csv"
    with member_file.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["Кластер", "ИНН", "Статус", "Роль"])
        for n, row in enumerate(enterprise_rows(members)):
            status = "участник" if n % 3 else "потенциальный участник"
            writer.writerow([clusters[n % 2], row[0], status, "участник"])
    run("import", "members", str(member_file), database=database)
    return database, clusters


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="promcluster-pages-") as tmp:
        t0 = time.perf_counter()
        database, clusters = build(Path(tmp), args.enterprises, args.members)
        print(f"database built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        with served(database) as client:
            half = args.members // 2
            pages = {
                f"cluster profile A, {half} synthetic participants": f"/clusters/{clusters[0]}",
                f"cluster profile B, {half} synthetic participants": f"/clusters/{clusters[1]}",
                "cluster A: indicators fragment": f"/clusters/{clusters[0]}/indicators/summary",
                "cluster A: compliance fragment": f"/clusters/{clusters[0]}/compliance/summary",
                "cluster A: supply graph fragment": f"/clusters/{clusters[0]}/graph/summary",
                "cluster A: compliance report": f"/clusters/{clusters[0]}/compliance",
                "chain designer (Tyumen chain 1)": "/chains/1",
                "ratings (members, clusters)": "/ratings?indicator=members",
                "home": "/",
                "cluster list": "/clusters",
                "enterprise list, page 1": "/enterprises",
                "enterprise list, search": "/enterprises?q=предприятие+№9999",
                "region page (77)": "/regions/77",
                "map data (GeoJSON)": "/api/v1/map",
            }
            print(f"{args.enterprises:,} enterprises (synthetic), {args.requests} requests each")
            print("| page | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|")
            results = {}
            for name, path in pages.items():
                found = timings(client, path, args.requests)
                results[name] = p95(found)
                print(
                    f"| {name} (`{path}`) | {statistics.median(found):.1f} | "
                    f"{results[name]:.1f} | {max(found):.1f} |"
                )
    profiles = [v for k, v in results.items() if k.startswith("cluster profile")]
    ok = all(v < BAR_MS for v in profiles)
    print(f"\nBar (cluster profile p95 < {BAR_MS:.0f} ms): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
