"""Hand-made indicator data shared by the indicator tests.

Cluster A (Tyumen, 72), read on 30.06.2024 (``AS_OF``):

- e1 member since 01.01.2020: 100 employees, revenue 1,000,000, small; buys 1,000 of sand in
  2023 (outside 0.5, import 0.2);
- e2 member without a start date: 50 employees, revenue unknown, large;
- e3 member since 01.01.2024: employees, revenue and category unknown; buys 3,000 of concrete
  products in 2022 (outside 1.0, import unknown);
- e4 member since 01.09.2024 (joined after the date: not counted); 1,000 employees;
- e5 left on 31.12.2024 (after the date: counted): 10 employees, micro; buys 1,000 of sand in
  2022 with no shares;
- e6 left on 01.01.2023 (before the date: not counted);
- e7 applicant, e8 potential participant.

Participants e1, e2, e3, e5: 4; employees 160 known at 3 of 4; revenue 1,000,000 at 1 of 4; SME
2 of 3 known categories. Supplies of 2023: e1 → e2 200, e2 → e1 100, e4 → e1 1,000: inside 300;
purchases in 2023: e1 max(1,000 lines, 1,100 bought) = 1,100 and e2 200 → 1,300; cooperation
300 / 1,300. Consumption lines of participants: total 5,000, outside 500 + 3,000 = 3,500,
imported 200; shares known on 2 of 3 lines.

Projects: idea 100, planned (no amount), in progress 300, done 500, done (no amount), cancelled
50: planned 100 (1 of 2 known), in progress 300, done 500 (1 of 2), all 950 (4 of 6)."""

from dataclasses import dataclass, field
from datetime import date

from factories import Database

from promcluster.registry.models import ProductLine, Supply

AS_OF = date(2024, 6, 30)
SAND, CONCRETE = "08.12.11", "23.61.11"


@dataclass
class World:
    cluster: int
    ids: dict[str, int] = field(default_factory=dict)


def consumes(session, enterprise_id, code, value, outside, imported, year) -> None:
    session.add(
        ProductLine(
            enterprise_id=enterprise_id, okpd2_code=code, direction="consumes", value=value,
            outside_share=outside, import_share=imported, year=year,
        )
    )  # fmt: skip


def supply(session, supplier, buyer, value, year=2023, code=CONCRETE) -> None:
    session.add(
        Supply(supplier_id=supplier, buyer_id=buyer, okpd2_code=code, year=year, value=value)
    )


def build_world(db: Database) -> World:
    cluster = db.add_cluster(name="Кластер А")
    world = World(cluster)
    cards = {
        "e1": dict(employees=100, revenue=1_000_000, sme_category="small"),
        "e2": dict(employees=50, sme_category="large"),
        "e3": {},
        "e4": dict(employees=1000, sme_category="small"),
        "e5": dict(employees=10, sme_category="micro"),
        "e6": dict(employees=7, sme_category="small"),
        "e7": dict(employees=9),
        "e8": dict(employees=11),
    }
    memberships = {
        "e1": dict(since=date(2020, 1, 1)),
        "e2": {},
        "e3": dict(since=date(2024, 1, 1)),
        "e4": dict(since=date(2024, 9, 1)),
        "e5": dict(status="left", since=date(2019, 1, 1), until=date(2024, 12, 31)),
        "e6": dict(status="left", since=date(2019, 1, 1), until=date(2023, 1, 1)),
        "e7": dict(status="applicant"),
        "e8": dict(status="potential"),
    }
    for key, card in cards.items():
        world.ids[key] = db.add_enterprise(name=f"Предприятие {key}", **card)
        db.add_membership(cluster, world.ids[key], **memberships[key])
    e = world.ids
    with db.session() as session:
        consumes(session, e["e1"], SAND, 1000, 0.5, 0.2, 2023)
        consumes(session, e["e3"], CONCRETE, 3000, 1.0, None, 2022)
        consumes(session, e["e5"], SAND, 1000, None, None, 2022)
        supply(session, e["e1"], e["e2"], 200)
        supply(session, e["e2"], e["e1"], 100)
        supply(session, e["e4"], e["e1"], 1000)
    for status, amount in (
        ("idea", 100), ("planned", None), ("in_progress", 300), ("done", 500), ("done", None),
        ("cancelled", 50),
    ):  # fmt: skip
        db.add_project(cluster, status=status, amount=amount)
    return world
