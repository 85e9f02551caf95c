"""SYNTHETIC 44-FZ procurement export for benchmarks: a ZIP of one XML file per contract.

Contracts as the ЕИС open-data export publishes them, in the layout of the real schema 6.3 sample
(``tests/data/zakupki/contract_2366200608816001262_30400522.xml``: root ``ns2:export`` /
``ns2:contract``, the same namespaces and element paths).

Every file says it is synthetic: its name starts with ``synthetic_``, it carries the comment
«synthetic data (promcluster benchmark)», customers are «Синтетический заказчик N», suppliers
«Синтетический поставщик N», product names end with «(синтетические данные)». INNs have valid
check digits and tax office code 00 (``synthetic.inn10``) but belong to nobody on purpose — a
generated one may by chance coincide with a real firm, so never load these files into a real
database. OKPD2 codes and regions are real (from the package's reference); OKEI codes are real
units. Signatures and print forms of the real files are left out.

    python benchmarks/synthetic_procurement.py 200000 --items 5 -o /tmp/procurement-200k.zip
"""

import argparse
import csv
import random
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import inn10, product_titles

from promcluster.reference.service import data_path

COMMENT = "synthetic data (promcluster benchmark)"
SCHEMA_VERSION = "6.3"
TYUMEN = "72"
TYUMEN_SHARE = 0.25  # of customers; the rest spread over every region, skewed
SAME_REGION_SUPPLIER = 0.6  # a contract's supplier comes from the customer's region
CONTRACTS_PER_CUSTOMER = 40
CONTRACTS_PER_SUPPLIER = 10
YEARS = (2022, 2023, 2024)
MEMBER_TIME = (2024, 12, 31, 0, 0, 0)
# Real OKEI units: code and the national short name the export writes next to it.
UNITS = (
    ("796", "ШТ"), ("796", "ШТ"), ("796", "ШТ"), ("166", "КГ"), ("168", "Т"), ("112", "Л"),
    ("006", "М"), ("055", "М2"), ("113", "М3"), ("778", "УПАК"), ("704", "НАБОР"),
)  # fmt: skip
HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f"<!-- {COMMENT} -->\n"
    '<ns2:export xmlns="http://zakupki.gov.ru/oos/types/1" '
    'xmlns:ns2="http://zakupki.gov.ru/oos/export/1" '
    'xmlns:ns3="http://zakupki.gov.ru/oos/printform/1">\n'
)


@dataclass(frozen=True)
class Party:
    """A SYNTHETIC customer or supplier."""

    inn: str
    kpp: str
    name: str
    region: str
    oktmo: str


def _regions() -> dict[str, str]:
    """Region code → its OKTMO code (8 digits), from the reference."""
    with data_path("regions.csv").open(encoding="utf-8") as f:
        return {r["code"]: r["oktmo"] for r in csv.DictReader(f)}


def okpd2_names() -> dict[str, str]:
    """OKPD2 code → name, from the package's reference classifier."""
    with data_path("okpd2.csv").open(encoding="utf-8") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f)}


def _parties(count: int, first: int, title: str, rng: random.Random, regions) -> list[Party]:
    """``count`` parties numbered from ``first``; a quarter of them in Tyumen, the others in
    skewed regions. INN body: region, tax office 00, the party's number (5 digits)."""
    codes = sorted(regions)
    weights = [1 / (i + 1) ** 0.8 for i in range(len(codes))]
    rng.shuffle(weights)
    parties = []
    for n in range(first, first + count):
        region = TYUMEN if rng.random() < TYUMEN_SHARE else rng.choices(codes, weights)[0]
        parties.append(
            Party(
                inn10(f"{region}{n:07d}"),
                f"{region}0001001",
                f"{title} {n - first + 1}",
                region,
                regions[region],
            )
        )
    return parties


def _amount(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def _party_xml(party: Party, tag: str) -> str:
    """The supplier's ``legalEntityRF`` element."""
    return (
        f"<{tag}><legalForm><code>12300</code><singularName>Общество с ограниченной "
        "ответственностью</singularName></legalForm>"
        f"<fullName>{party.name}</fullName><shortName>{party.name}</shortName>"
        f"<INN>{party.inn}</INN><KPP>{party.kpp}</KPP>"
        f"<OKTMO><code>{party.oktmo}</code></OKTMO>"
        f"<address>{party.region}, синтетический адрес</address></{tag}>"
    )


def _products(
    count: int, rng: random.Random, titles: Iterator[tuple[str, str]], names: dict[str, str]
) -> tuple[str, int]:
    """``count`` products and their total in kopecks."""
    parts, total = [], 0
    for _ in range(count):
        title, code = next(titles)
        unit, unit_name = rng.choice(UNITS)
        price = round(rng.lognormvariate(8, 1.5) * 100)  # kopecks, about 3,000 roubles
        quantity = rng.choice((rng.randint(1, 500), rng.randint(1, 2000) / 4))
        amount = round(price * quantity)
        total += amount
        parts.append(
            "<product>"
            f"<sid>{rng.randint(10**8, 10**9 - 1)}</sid>"
            f"<OKPD2><code>{code}</code><name>{escape(names[code])}</name></OKPD2>"
            f"<name>{escape(title)} (синтетические данные)</name>"
            f"<OKEI><code>{unit}</code><nationalCode>{unit_name}</nationalCode></OKEI>"
            f"<price>{_amount(price)}</price><priceRUR>{_amount(price)}</priceRUR>"
            f"<quantity>{float(quantity)}</quantity>"
            f"<sum>{_amount(amount)}</sum><sumRUR>{_amount(amount)}</sumRUR>"
            "</product>"
        )
    return "".join(parts), total


def contract_xml(
    number: str, ident: int, customer: Party, supplier: Party, signed: date, version: int,
    products: str, total: int,
) -> str:  # fmt: skip
    """One contract document in the 44-FZ schema 6.3 layout."""
    price = _amount(total)
    return (
        f'{HEAD}<ns2:contract schemeVersion="{SCHEMA_VERSION}">'
        f"<id>{ident}</id><publishDate>{signed.isoformat()}T12:00:00.000+03:00</publishDate>"
        f"<versionNumber>{version}</versionNumber>"
        f"<customer><regNum>0{customer.inn}</regNum><fullName>{customer.name}</fullName>"
        f"<shortName>{customer.name}</shortName><inn>{customer.inn}</inn>"
        f"<kpp>{customer.kpp}</kpp></customer>"
        f"<signDate>{signed.isoformat()}</signDate><regNum>{number}</regNum>"
        f"<number>С-{ident}</number>"
        f"<priceInfo><price>{price}</price><currency><code>RUB</code>"
        f"<name>Российский рубль</name></currency><priceRUR>{price}</priceRUR></priceInfo>"
        f"<products>{products}</products>"
        f"<suppliers><supplier>{_party_xml(supplier, 'legalEntityRF')}</supplier></suppliers>"
        "<currentContractStage>E</currentContractStage>"
        "</ns2:contract>\n</ns2:export>\n"
    )


def contracts(count: int, items: int = 5, seed: int = 1) -> Iterator[tuple[str, str]]:
    """``count`` SYNTHETIC contracts of ``items`` products each: (file name, XML text)."""
    rng = random.Random(seed)
    regions = _regions()
    customers = _parties(
        max(1, count // CONTRACTS_PER_CUSTOMER), 1, "Синтетический заказчик", rng, regions
    )
    suppliers = _parties(
        max(1, count // CONTRACTS_PER_SUPPLIER),
        len(customers) + 1,
        "Синтетический поставщик",
        rng,
        regions,
    )
    if len(customers) + len(suppliers) >= 100_000:
        raise ValueError("at most 100,000 parties: INNs keep tax office code 00")
    local: dict[str, list[Party]] = {}
    for supplier in suppliers:
        local.setdefault(supplier.region, []).append(supplier)
    names = okpd2_names()
    titles = iter(product_titles(count * items, seed))
    serial: dict[tuple[str, int], int] = {}
    for n in range(count):
        customer = rng.choice(customers)
        nearby = local.get(customer.region)
        pick_local = nearby and rng.random() < SAME_REGION_SUPPLIER
        supplier = rng.choice(nearby) if pick_local else rng.choice(suppliers)
        year = rng.choice(YEARS)
        signed = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        key = (customer.inn, year)
        serial[key] = serial.get(key, 0) + 1
        # The register number: budget level, customer INN, year, sequence (as the real ones).
        number = f"3{customer.inn}{year % 100:02d}{serial[key]:06d}"
        ident = 50_000_000 + n
        version = 1 if rng.random() < 0.9 else 2
        products, total = _products(items, rng, titles, names)
        xml = contract_xml(number, ident, customer, supplier, signed, version, products, total)
        yield f"synthetic_contract_{number}_{ident}.xml", xml


def write_export(path: Path, count: int, items: int = 5, seed: int = 1) -> Path:
    """A ZIP of ``count`` SYNTHETIC contracts, one XML file each, written as a stream."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, xml in contracts(count, items, seed):
            member = zipfile.ZipInfo(name, date_time=MEMBER_TIME)  # same bytes every run
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, xml.encode("utf-8"), compresslevel=1)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contracts", type=int, nargs="?", default=200_000)
    parser.add_argument("--items", type=int, default=5, help="products per contract")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_export(args.output, args.contracts, args.items, args.seed)


if __name__ == "__main__":
    main()
