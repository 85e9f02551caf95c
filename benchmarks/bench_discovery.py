"""Discovery at national scale (issue #8): location quotients of all regions × 4-digit OKVED2
activities of a 3,000,000-firm register under 10 s, and candidate clusters of its largest region
under 60 s, on one machine.

The register is SYNTHETIC, generated in memory: real regions and cities (``reference/data``),
firms per city ∝ population^1.05 (Moscow ≈ 12 %), a fifth of them exactly at the city point and
the rest spread around it (Gaussian, 1.5 km for a town to ~9 km for Moscow); real 4-digit OKVED2
codes with a Zipf-like skew, each region boosting three families of neighbouring divisions, most
strongly in one "home" city; log-normal headcounts, 3 % missing. The proximity the candidate
search needs comes from the same register through the complexity engine (timed apart).

    .venv/bin/python benchmarks/bench_discovery.py [--firms 3000000] [--seed 1]
"""

import argparse
import csv
import os
import resource
import time

import numpy as np

from promcluster.analytics.complexity import complexity
from promcluster.analytics.discovery import candidate_clusters
from promcluster.analytics.lq import cut, growth, location_quotients
from promcluster.reference.service import data_path

BAR_LQ_S, BAR_CANDIDATES_S = 10.0, 60.0
CITY_SKEW = 1.05  # firms per city ∝ population^CITY_SKEW
AT_CITY_POINT = 0.2  # share of firms placed exactly at their city (no own coordinates)
FAMILIES_PER_REGION, FAMILY_DIVISIONS = 3, 3
BOOST_REGION, BOOST_HOME = 6.0, 6.0
MISSING_HEADCOUNT = 0.03


def _cities() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    with data_path("cities.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return (
        np.array([r["region_code"] for r in rows]),
        np.array([float(r["lat"]) for r in rows]),
        np.array([float(r["lon"]) for r in rows]),
        np.array([float(r["population"] or 1) for r in rows]),
    )


def _classes() -> np.ndarray:
    """Real 4-digit OKVED2 codes ("NN.NN")."""
    with data_path("okved2.csv").open(encoding="utf-8") as f:
        return np.array([r["code"] for r in csv.DictReader(f) if len(r["code"]) == 5])


def national_register(firms: int = 3_000_000, seed: int = 1) -> dict[str, np.ndarray]:
    """A SYNTHETIC register as firm-level arrays: region, activity, lat, lon, employees."""
    rng = np.random.default_rng(seed)
    city_region, city_lat, city_lon, population = _cities()
    codes = _classes()
    division = np.array([int(c[:2]) for c in codes])
    divisions = np.unique(division)
    base = 1 / (1 + rng.permutation(codes.size)) ** 0.9  # Zipf-like, shuffled ranks
    per_city = rng.multinomial(firms, population**CITY_SKEW / (population**CITY_SKEW).sum())
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("region", "activity", "lat", "lon")}
    for region in np.unique(city_region):
        cities = np.flatnonzero(city_region == region)
        starts = rng.choice(divisions.size - FAMILY_DIVISIONS, FAMILIES_PER_REGION, replace=False)
        family = np.isin(division, divisions[(starts[:, None] + np.arange(3)).ravel()])
        weights = base * np.where(family, BOOST_REGION, 1.0)
        home = rng.choice(cities, p=population[cities] / population[cities].sum())
        for city in cities:
            n = per_city[city]
            w = weights * np.where(family, BOOST_HOME, 1.0) if city == home else weights
            parts["activity"].append(codes[rng.choice(codes.size, n, p=w / w.sum())])
            parts["region"].append(np.full(n, region))
            spread_km = 1.5 + 2.5 * np.log10(max(population[city], 1e4) / 1e4)
            off = rng.normal(0, spread_km, (n, 2)) * (rng.random((n, 1)) >= AT_CITY_POINT)
            parts["lat"].append(city_lat[city] + off[:, 0] / 111.2)
            cos = np.cos(np.radians(city_lat[city]))
            parts["lon"].append(city_lon[city] + off[:, 1] / (111.2 * cos))
    register = {k: np.concatenate(v) for k, v in parts.items()}
    employees = np.maximum(np.round(rng.lognormal(2.0, 1.5, firms)), 1.0)
    employees[rng.random(firms) < MISSING_HEADCOUNT] = np.nan
    register["employees"] = employees
    return register


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def timed(label: str, function):
    start = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s (peak RSS so far {peak_gib():.2f} GiB)")
    return seconds, result


def verdict(seconds: float, bar: float) -> str:
    return "PASS" if seconds < bar else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=3_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, numpy {np.__version__}, load {os.getloadavg()[0]:.2f}")
    _, register = timed(
        f"SYNTHETIC national register of {args.firms:,} firms generated",
        lambda: national_register(args.firms, args.seed),
    )
    region, employees = register["region"], register["employees"]
    names, sizes = np.unique(region, return_counts=True)
    largest = str(names[np.argmax(sizes)])
    print(f"largest region {largest}: {sizes.max():,} firms ({sizes.max() / args.firms:.1%})")

    lq_count_s, _ = timed(
        "(a) LQ by firm counts, cut to 4 digits + all regions × activities",
        lambda: location_quotients(region, cut(register["activity"], 4)),
    )
    lq_s, spec = timed(
        "(a) LQ by employees, cut to 4 digits + all regions × activities",
        lambda: location_quotients(
            region, cut(register["activity"], 4), employees, measure="employees"
        ),
    )
    print(
        f"    {len(spec.regions)} regions × {len(spec.activities)} activities; "
        f"{spec.missing:,} firms without a headcount"
    )
    change = np.clip(np.random.default_rng(args.seed + 1).normal(0.03, 0.1, args.firms), -0.5, 1)
    earlier = np.round(employees / (1 + change))  # SYNTHETIC headcount of the year before
    growth_s, grown = timed(
        "(a) growth: LQ by employees of the year before + change of value and LQ",
        lambda: growth(
            location_quotients(region, cut(register["activity"], 4), earlier, measure="employees"),
            spec,
        ),
    )
    print(f"    median relative change {np.nanmedian(grown.relative):+.1%}")
    keep = spec.value.sum(axis=0) > 0
    activities = [a for a, k in zip(spec.activities, keep, strict=True) if k]
    _, engine = timed(
        "proximity from the complexity engine (RCA, Mcp, proximity, ECI…)",
        lambda: complexity(spec.value[:, keep], spec.regions, activities),
    )
    related = (engine.proximity >= 0.3).sum(axis=1) - 1
    print(
        f"    activities related (proximity ≥ 0.3) to an activity: median {np.median(related):.0f}"
    )

    here = np.flatnonzero(region == largest)
    candidates_s, found = timed(
        f"(b) candidate clusters of region {largest} ({here.size:,} firms)",
        lambda: candidate_clusters(
            register["lat"][here],
            register["lon"][here],
            register["activity"][here],
            employees[here],
            proximity=engine.proximity,
            proximity_codes=engine.products,
            lq=spec.region_lq(largest),
        ),
    )
    rng = np.random.default_rng(args.seed)
    spread_lat = np.median(register["lat"][here]) + rng.uniform(-1.35, 1.35, here.size)
    spread_lon = np.median(register["lon"][here]) + rng.uniform(-2.4, 2.4, here.size)
    spread_s, spread = timed(
        "(b') the same firms spread evenly over ~300 × 300 km (own coordinates; worst case)",
        lambda: candidate_clusters(
            spread_lat,
            spread_lon,
            register["activity"][here],
            employees[here],
            proximity=engine.proximity,
            proximity_codes=engine.products,
            lq=spec.region_lq(largest),
        ),
    )
    print(f"    {len(spread)} candidates")
    for c in found[:5]:
        print(
            f"    seed {c.seed_activity}: {len(c.firms):,} firms, {len(c.activities)} activities, "
            f"score {c.score:.3f}, radius {c.radius_km:.0f} km"
        )
    print(f"peak RSS: {peak_gib():.2f} GiB")
    lq_worst = max(lq_s, lq_count_s)
    print(f"bar LQ < {BAR_LQ_S:.0f} s: {lq_worst:.2f} s {verdict(lq_worst, BAR_LQ_S)}")
    print(f"growth over two dates: {growth_s:.2f} s {verdict(growth_s, BAR_LQ_S)} (same bar)")
    print(
        f"bar candidate clusters < {BAR_CANDIDATES_S:.0f} s: {candidates_s:.2f} s "
        f"{verdict(candidates_s, BAR_CANDIDATES_S)}; evenly spread: {spread_s:.2f} s "
        f"{verdict(spread_s, BAR_CANDIDATES_S)}"
    )


if __name__ == "__main__":
    main()
