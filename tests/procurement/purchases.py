"""Hand-made procurement records in the shapes the ``procurement`` import writes (documents and
items; consumption lines, supplies and needs marked ``data_source="procurement"``), created
through the ORM, with the figures the display tests expect.

A Tyumen (72) hospital buys, in roubles:

- 2024, 44-FZ № 2720300000124000001 from a Sverdlovsk (66) firm: concrete tiles 23.61.11.110
  600,000 and paint 20.30.11.120 100,000 (priced items);
- 2024, 44-FZ № 2720300000124000002 from a Tyumen firm: concrete slabs 23.61.11.120 300,000;
- 2025, 223-FZ № 57200000001250000030 from a Moscow (77) firm: total 500,000 not split, both
  items 23.61 (tiles and bricks) → 500,000 for class 23.61;
- 2025, 223-FZ № 57200000001250000040, supplier region not stated: total 200,000 not split,
  items of 23.61 and 20.30 → unallocated;
- a 2026 223-FZ purchase plan № 2200000001 (not a purchase) whose row 7 (23.61.11.140, maximum
  price 400,000) became an open need.

By class and year: 2025 23.61 500,000 (1 contract); 2025 unallocated 200,000 (1); 2024 23.61
900,000 (2); 2024 20.30 100,000 (1). By supplier region: 66 700,000, 77 500,000, 72 300,000,
not stated 200,000; outside the region (66 and 77) 1,200,000 of 1,700,000.
Niche 23.61: contracts 1, 3, 2, 4 (the last with no value of its own), 1,400,000; supplier
regions 66 600,000, 77 500,000, 72 300,000; outside 1,100,000 of 1,400,000.
"""

from dataclasses import dataclass, field
from datetime import date

from factories import Database, inn10

from promcluster.matching.models import Need
from promcluster.procurement.models import ProcurementDocument, ProcurementItem
from promcluster.registry import service
from promcluster.registry.models import ProductLine, Supply

HOSPITAL = "ГАУЗ ТО «Областная клиническая больница № 1»"
CONTRACTS = {
    "first": "2720300000124000001",
    "second": "2720300000124000002",
    "third": "57200000001250000030",
    "fourth": "57200000001250000040",
}
PLAN = "2200000001"
RUB = 100  # kopecks


@dataclass
class Purchases:
    ids: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.ids[key]


def firm(session, name: str, region: str, inn: str, source: str | None = "procurement") -> int:
    data = {"name": name, "region_code": region, "inn": inn}
    enterprise = service.create_enterprise(session, None, data)
    enterprise.data_source = source
    return enterprise.id


def contract(session, number, law, year, customer, supplier, region, items, total=None):
    """A contract with ``items`` (code, name, sum in roubles or None when not split)."""
    priced = total is None
    document = ProcurementDocument(
        law=law,
        kind="contract",
        number=number,
        version=1,
        signed_on=date(year, 3, 1),
        year=year,
        customer_id=customer,
        customer_kpp="720301001",
        supplier_id=supplier,
        supplier_region_code=region,
        total_kopecks=(total if total is not None else sum(s or 0 for _, _, s in items)) * RUB,
        priced_items=priced,
        file="sample.xml",
    )
    document.items = [
        ProcurementItem(
            position=i,
            name=name,
            okpd2_code=code,
            quantity=10,
            price_kopecks=s * RUB // 10 if s is not None else None,
            sum_kopecks=s * RUB if s is not None else None,
        )
        for i, (code, name, s) in enumerate(items, start=1)
    ]
    session.add(document)
    session.flush()
    return document.id


def build_purchases(db: Database, region: str = "72") -> Purchases:
    """The hospital's contracts and plan above, with the lines, supplies and need the writer
    would derive of them (a consumption line of 23.61 worth 1,400,000 a year, outside share
    1,100,000/1,400,000)."""
    p = Purchases()
    with db.session() as session:
        p.ids["hospital"] = firm(session, HOSPITAL, region, inn10(f"{region}0100001"))
        p.ids["sverdlovsk"] = firm(session, "ООО «Уралбетон»", "66", inn10("660100001"))
        p.ids["tyumen"] = firm(session, "ООО «ТюменьЖБИ»", region, inn10(f"{region}0100002"))
        p.ids["moscow"] = firm(session, "АО «Столичные материалы»", "77", inn10("770100001"))
        hospital = p["hospital"]
        p.ids["first"] = contract(
            session, CONTRACTS["first"], "44", 2024, hospital, p["sverdlovsk"], "66",
            [("23.61.11.110", "Черепица бетонная", 600_000),
             ("20.30.11.120", "Краска водно-дисперсионная", 100_000)],
        )  # fmt: skip
        p.ids["second"] = contract(
            session, CONTRACTS["second"], "44", 2024, hospital, p["tyumen"], region,
            [("23.61.11.120", "Плиты бетонные", 300_000)],
        )  # fmt: skip
        p.ids["third"] = contract(
            session, CONTRACTS["third"], "223", 2025, hospital, p["moscow"], "77",
            [("23.61.11.110", "Черепица", None), ("23.61.11.130", "Кирпич бетонный", None)],
            total=500_000,
        )  # fmt: skip
        p.ids["fourth"] = contract(
            session, CONTRACTS["fourth"], "223", 2025, hospital, None, None,
            [("23.61.11.190", "Изделия из бетона", None), ("20.30.11.110", "Лак", None)],
            total=200_000,
        )  # fmt: skip
        need = Need(
            customer_id=hospital,
            region_code=region,
            product_name="Блоки силикатные",
            okpd2_code="23.61.11.140",
            volume=50,
            unit="м3",
            value=400_000,
            deadline=date(2026, 12, 31),
            status="open",
            data_source="procurement",
        )
        session.add(need)
        session.flush()
        p.ids["need"] = need.id
        plan = ProcurementDocument(
            law="223", kind="plan", number=PLAN, version=2, year=2026, customer_id=hospital,
            total_kopecks=400_000 * RUB, priced_items=True,
        )  # fmt: skip
        plan.items = [
            ProcurementItem(
                position=7, name="Блоки силикатные", okpd2_code="23.61.11.140",
                quantity=50, sum_kopecks=400_000 * RUB, need_id=need.id,
            )
        ]  # fmt: skip
        session.add(plan)
        session.add(
            ProductLine(
                enterprise_id=hospital, okpd2_code="23.61.11.110", direction="consumes",
                value=1_400_000, outside_share=1_100_000 / 1_400_000, year=2025,
                data_source="procurement",
            )
        )  # fmt: skip
        for supplier, value in (("sverdlovsk", 600_000), ("moscow", 500_000)):
            session.add(
                Supply(
                    supplier_id=p[supplier], buyer_id=hospital, okpd2_code="23.61.11.110",
                    year=2025, value=value, data_source="procurement",
                )
            )  # fmt: skip
    return p
