"""SYNTHETIC enterprise registers for benchmarks: valid INN/OGRN check digits, real OKVED2 codes,
real regions and cities, skewed sizes. Every row says it is synthetic (name and the
"Синтетические данные" column); none of the identifiers belongs to a real company on purpose, but
a generated INN may by chance coincide with one, so these files never go into a real database.

    python benchmarks/synthetic.py enterprises 100000 -o /tmp/enterprises-100k.csv
    python benchmarks/synthetic.py products 5000 --enterprises 100000 -o /tmp/products-72.csv
"""

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

from promcluster.reference.service import data_path

HEADER = (
    "ИНН", "ОГРН", "Наименование", "Регион", "Город", "ОКВЭД", "Численность", "Выручка, руб.",
    "Категория МСП", "Синтетические данные",
)  # fmt: skip
_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn10(body: str) -> str:
    """A 10-digit INN with its check digit for a 9-digit ``body``."""
    return body + str(sum(int(d) * w for d, w in zip(body, _INN10, strict=True)) % 11 % 10)


def ogrn13(body: str) -> str:
    """A 13-digit OGRN with its check digit for a 12-digit ``body``."""
    return body + str(int(body) % 11 % 10)


def _reference() -> tuple[list[str], list[str], dict[str, list[str]]]:
    with data_path("regions.csv").open(encoding="utf-8") as f:
        regions = [r["code"] for r in csv.DictReader(f)]
    with data_path("okved2.csv").open(encoding="utf-8") as f:
        activities = [r["code"] for r in csv.DictReader(f) if int(r["level"]) >= 3]
    cities: dict[str, list[str]] = {}
    with data_path("cities.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cities.setdefault(r["region_code"], []).append(r["name"])
    return regions, activities, cities


def enterprise_rows(count: int, seed: int = 1) -> Iterator[tuple]:
    """``count`` synthetic enterprises; unique INNs and OGRNs (sequence numbers in the body)."""
    rng = random.Random(seed)
    regions, activities, cities = _reference()
    # Skew: a few big regions and common activities hold most firms, as in real registers.
    region_weights = [1 / (i + 1) ** 0.8 for i in range(len(regions))]
    rng.shuffle(region_weights)
    activity_weights = [1 / (i + 1) ** 0.9 for i in range(len(activities))]
    rng.shuffle(activity_weights)
    picked_regions = rng.choices(regions, region_weights, k=count)
    picked_activities = rng.choices(activities, activity_weights, k=count)
    for n in range(count):
        region = picked_regions[n]
        employees = min(int(rng.lognormvariate(2.0, 1.5)), 50000)
        category = "микро" if employees < 15 else "малое" if employees < 100 else "среднее"
        category = category if employees < 250 else "крупное"
        yield (
            inn10(f"{region}{n:07d}"),
            ogrn13(f"102{region}{n:07d}"),
            f"Синтетическое предприятие №{n + 1}",
            region,
            rng.choice(cities.get(region, [""])),
            picked_activities[n],
            employees,
            round(employees * rng.uniform(1.5e6, 4e6)),
            {"микро": "микропредприятие", "малое": "малое", "среднее": "среднее"}.get(
                category, "крупное"
            ),
            "да",
        )


def write_enterprises(path: Path, count: int, seed: int = 1) -> Path:
    """A CSV (UTF-8, ``;``) or XLSX register of ``count`` synthetic enterprises."""
    rows = enterprise_rows(count, seed)
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Предприятия (синтетика)")
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        book.save(path)
        return path
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def complexity_panel(
    locations: int, products: int, years: int = 1, seed: int = 1
) -> tuple[list[str], list[str], list[float], list[int]]:
    """A SYNTHETIC long table ``location, product, value, year`` (names say so): regions of
    log-normal size hold latent capabilities, products need some of them (a nested structure
    like real regional data), so the specialisation network is neither random nor trivial."""
    import numpy as np

    rng = np.random.default_rng(seed)
    capabilities = 12
    has = rng.random((locations, capabilities)) < rng.uniform(0.2, 0.9, (locations, 1))
    needs = rng.random((products, capabilities)) < rng.uniform(0.05, 0.4, (products, 1))
    size = rng.lognormal(0, 1.2, (locations, 1)) * rng.lognormal(0, 1.5, (1, products))
    loc_names = [f"Синтетический регион {i + 1}" for i in range(locations)]
    prod_names = [f"Синтетический продукт {j + 1}" for j in range(products)]
    names_l, names_p, values, year_list = [], [], [], []
    for t in range(years):
        able = (has.astype(int) @ needs.T.astype(int)) >= needs.sum(axis=1)[None, :]
        value = size * (0.05 + able) * rng.lognormal(0, 0.5, (locations, products))
        value[value < 0.02] = 0
        value[:, value.sum(axis=0) == 0] += 0.1
        i, j = np.nonzero(np.ones_like(value))
        names_l += [loc_names[k] for k in i]
        names_p += [prod_names[k] for k in j]
        values += value[i, j].tolist()
        year_list += [2020 + t] * i.size
        has |= rng.random(has.shape) < 0.03  # capabilities spread slowly
    return names_l, names_p, values, year_list


PRODUCT_HEADER = (
    "ИНН", "ОКПД2", "Направление", "Наименование продукции", "Объём в год", "Единица измерения",
    "Стоимость в год, руб.", "Доля закупок вне региона", "Доля импорта", "Год",
)  # fmt: skip


def product_rows(
    lines: int, enterprises: int = 100_000, region: str = "72", seed: int = 1
) -> Iterator[tuple]:
    """``lines`` SYNTHETIC consumption lines and ``lines // 10`` produces lines for the firms of
    ``region`` among the first ``enterprises`` of ``enterprise_rows`` (matched by INN, so pass
    the count that was imported). Codes are real OKPD2 subclasses (``XX.XX.XX``) of mining and
    manufacturing, skewed so a few groups hold most demand; every name says it is synthetic (the
    products kind has no note column). No two rows share INN + OKPD2 + direction."""
    rng = random.Random(seed)
    inns = [row[0] for row in enterprise_rows(enterprises) if row[3] == region]
    if not inns:
        raise ValueError(f"no synthetic enterprises of region {region} among {enterprises}")
    with data_path("okpd2.csv").open(encoding="utf-8") as f:
        codes = [
            (r["code"], r["name"])
            for r in csv.DictReader(f)
            if r["section"] in ("B", "C")
            and int(r["level"]) == 5
            and not r["name"].startswith("Услуги")  # goods only: they are bought in tonnes
        ]
    rng.shuffle(codes)
    weights = [1 / (i + 1) ** 0.7 for i in range(len(codes))]
    capacity = len(inns) * len(codes)
    for direction, count in (("потребляет", lines), ("производит", lines // 10)):
        if count > capacity:
            raise ValueError(f"{count} lines do not fit {len(inns)} firms × {len(codes)} codes")
        seen: set[tuple[str, str]] = set()
        while len(seen) < count:
            inn = rng.choice(inns)
            code, name = rng.choices(codes, weights)[0]
            if (inn, code) in seen:
                continue
            seen.add((inn, code))
            price = rng.lognormvariate(10, 1.5)  # roubles per tonne
            value = round(rng.lognormvariate(15, 1.5))  # about 3 million roubles a year
            volume = f"{value / price:.1f}".replace(".", ",")
            if direction == "потребляет":
                outside = rng.choice((0, rng.uniform(0.1, 1), rng.uniform(0.5, 1)))
                imported = outside * rng.choice((0, 0, rng.uniform(0, 0.6)))
                shares = (f"{outside:.2f}".replace(".", ","), f"{imported:.2f}".replace(".", ","))
            else:
                shares = ("", "")
            yield (
                inn, code, direction, f"{name[:400]} (синтетические данные)", volume, "т",
                value, *shares, 2024,
            )  # fmt: skip


def write_products(
    path: Path, lines: int, enterprises: int = 100_000, region: str = "72", seed: int = 1
) -> Path:
    """A CSV (UTF-8, ``;``) of SYNTHETIC product lines for ``promcluster import products``."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(PRODUCT_HEADER)
        writer.writerows(product_rows(lines, enterprises, region, seed))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["enterprises", "products"])
    parser.add_argument("count", type=int, help="enterprises, or consumption lines for products")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--enterprises", type=int, default=100_000, help="products: the imported register size"
    )
    parser.add_argument("--region", default="72", help="products: the region of the buyers")
    args = parser.parse_args()
    if args.kind == "products":
        write_products(args.output, args.count, args.enterprises, args.region, args.seed)
    else:
        write_enterprises(args.output, args.count, args.seed)


if __name__ == "__main__":
    main()
