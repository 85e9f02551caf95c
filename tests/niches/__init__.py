"""Hand-made niche data shared by the niche tests: a few dozen enterprises over six regions with
a regions × activities structure (so the outlook is defined), and the purchases, supplies and
needs of Tyumen (72) buyers whose demand figures the tests compute by hand.

Tyumen's demand, in roubles a year:

- 23.61 (concrete products): A consumes 1,000,000 (outside 0.6, import 0.1) → 600,000 and
  100,000; B consumes 500,000 (outside 1.0, import 0.5) → 500,000 and 250,000; a supply to A
  from Sverdlovsk (300,000) is already in A's consumption line; a supply to C from Sverdlovsk
  (200,000) counts; a supply to D from a Tyumen firm (900,000) does not; an open need of an
  outside customer (150,000) counts, a closed need (700,000) does not.
  Demand 1,450,000, imported 350,000, buyers A, B, C and the outside customer.
- 20.30 (paints): C consumes 9,000,000 (outside 1.0, import 0.4) → 9,000,000 and 3,600,000.
- 22.21 (plastic film): D consumes 2,000,000 (outside 0.5, import 0.0) → 1,000,000.
"""

from dataclasses import dataclass, field

from factories import Database

from promcluster.matching.models import Need
from promcluster.registry import service
from promcluster.registry.models import ProductLine, Supply

REGION = "72"
CONCRETE, PAINTS, FILM = "23.61", "20.30", "22.21"
CONCRETE_DEMAND, CONCRETE_IMPORTED = 1_450_000, 350_000
PAINTS_DEMAND, PAINTS_IMPORTED = 9_000_000, 3_600_000
FILM_DEMAND = 1_000_000
SAND, SAND_DEMAND = "08.12", 100_000
OUTSIDE_CUSTOMER = "ООО «Заказчик со стороны»"

# Employment of the other regions by OKVED2 class: concrete and quarrying go together, so do
# paints and plastics; retail and construction are everywhere.
OTHER_REGIONS = {
    "45": {"23.61": 120, "08.12": 90, "47.11": 60, "41.20": 40, "10.71": 50},
    "66": {"23.61": 200, "08.12": 150, "25.11": 180, "47.11": 150, "41.20": 90, "20.30": 30},
    "74": {"23.61": 160, "08.12": 110, "25.11": 220, "47.11": 120, "41.20": 70},
    "55": {"20.30": 140, "22.21": 120, "10.71": 80, "47.11": 90, "41.20": 40},
    "86": {"20.30": 90, "22.21": 150, "47.11": 70, "41.20": 60},
    "16": {"20.30": 110, "22.21": 90, "25.11": 60, "47.11": 100, "41.20": 50, "10.71": 40},
}


@dataclass
class World:
    """Ids of the hand-made enterprises by role."""

    ids: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, role: str) -> int:
        return self.ids[role]


def enterprise(session, name: str, region: str, okved: str | None, employees: int | None) -> int:
    data = {"name": name, "region_code": region, "okved_main": okved, "employees": employees}
    return service.create_enterprise(session, None, data).id


def consumes(session, enterprise_id: int, code: str, value: int, outside: float, imported: float):
    session.add(
        ProductLine(
            enterprise_id=enterprise_id,
            okpd2_code=code,
            direction="consumes",
            value=value,
            outside_share=outside,
            import_share=imported,
            year=2024,
        )
    )


def produces(session, enterprise_id: int, code: str, value: int) -> None:
    session.add(
        ProductLine(enterprise_id=enterprise_id, okpd2_code=code, direction="produces", value=value)
    )


def supplies(session, supplier_id: int, buyer_id: int, code: str, value: int) -> None:
    session.add(
        Supply(supplier_id=supplier_id, buyer_id=buyer_id, okpd2_code=code, year=2024, value=value)
    )


def need(session, code: str, value: int, status: str = "open", **who) -> None:
    session.add(
        Need(
            region_code=REGION,
            product_name=f"Потребность {code}",
            okpd2_code=code,
            value=value,
            status=status,
            **who,
        )
    )


def build_demand(db: Database) -> World:
    """Tyumen's buyers with their purchases, supplies and needs (no other structure)."""
    world = World()
    with db.session() as session:
        ids = world.ids
        ids["A"] = enterprise(session, "Покупатель А", REGION, "41.20", 40)
        ids["B"] = enterprise(session, "Покупатель Б", REGION, "43.99", 30)
        ids["C"] = enterprise(session, "Покупатель В", REGION, "41.20", 20)
        ids["D"] = enterprise(session, "Покупатель Г", REGION, "43.99", 10)
        ids["sverdlovsk"] = enterprise(session, "Поставщик из Екатеринбурга", "66", "23.61", 70)
        ids["local"] = enterprise(session, "Тюменский поставщик бетона", REGION, "23.61", 5)
        session.flush()
        consumes(session, ids["A"], "23.61.11", 1_000_000, 0.6, 0.1)
        consumes(session, ids["B"], "23.61.12", 500_000, 1.0, 0.5)
        consumes(session, ids["C"], "20.30.11", 9_000_000, 1.0, 0.4)
        consumes(session, ids["D"], "22.21.30", 2_000_000, 0.5, 0.0)
        supplies(session, ids["sverdlovsk"], ids["A"], "23.61.11", 300_000)
        supplies(session, ids["sverdlovsk"], ids["C"], "23.61.11", 200_000)
        supplies(session, ids["local"], ids["D"], "23.61.12", 900_000)
        produces(session, ids["local"], "23.61.11", 800_000)
        need(session, "23.61.12", 150_000, customer_name=OUTSIDE_CUSTOMER)
        need(session, "23.61.11", 700_000, status="closed", customer_id=ids["B"])
    return world


def build_world(db: Database) -> World:
    """``build_demand`` plus enterprises in six more regions and Tyumen's candidate producers
    for concrete products, the larger the less close: the small concrete works (the same
    activity), a builder who makes ready-mixed concrete (a related product), the quarry and a
    retailer (related activities) and the brick works (the same division, 23); a concrete works
    in Kurgan is no candidate. The builder also buys sand (08.12: 400,000 × 0.25 = 100,000), an
    activity Tyumen is specialised in."""
    world = build_demand(db)
    with db.session() as session:
        for region, activities in OTHER_REGIONS.items():
            for okved, employees in activities.items():
                for half in (1, 2):
                    name = f"Предприятие {okved} ({region}-{half})"
                    enterprise(session, name, region, okved, employees // 2)
        ids = world.ids
        ids["quarry"] = enterprise(session, "Тюменский карьер", REGION, "08.12", 400)
        ids["builder"] = enterprise(session, "Тюменская стройгруппа", REGION, "41.20", 150)
        ids["retail"] = enterprise(session, "Тюменская торговля", REGION, "47.11", 90)
        ids["bricks"] = enterprise(session, "Тюменский кирпичный завод", REGION, "23.32", 500)
        ids["far"] = enterprise(session, "Курганский бетонный завод", "45", "23.61", 300)
        session.flush()
        produces(session, ids["builder"], "23.63.10", 5_000_000)
        consumes(session, ids["builder"], "08.12.11", 400_000, 0.25, 0.0)
    return world
