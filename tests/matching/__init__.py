"""Hand-made matching data shared by the matching tests.

A Tyumen (72) customer in the «Бетон» cluster needs 1,000 m³ a year of wall blocks (OKPD2
23.61.11.140). Its candidate suppliers, in the order the ranking must give:

- ``member`` — a co-member of the cluster in Yekaterinburg (city coordinates), producing the
  same code, 5,000 m³ a year (covers the need);
- ``offer_local`` — a Tyumen firm with an open offer of the same code, 500 m³ (half the need);
- ``group_local`` — a Tyumen firm producing foundation blocks (same class 23.61, no volume);
- ``activity_local`` — a Tyumen firm whose main activity is 23.61 (nothing posted);
- ``offer_far`` — a Chelyabinsk firm (region centre) offering the same code, 2,000 m³;
- ``near_far`` — a Yekaterinburg firm producing ready-mixed concrete (group 23.6).

Not candidates: the customer itself (it also produces blocks), a bakery, a closed offer.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from factories import Database
from sqlalchemy import select

from promcluster.matching import postings
from promcluster.reference.models import City
from promcluster.registry import service as registry
from promcluster.registry.models import Membership, ProductLine

TYUMEN = (57.1529744, 65.5344099)
YEKATERINBURG = (56.8385216, 60.6054911)
CHELYABINSK = (55.1602624, 61.4008078)
BLOCKS = "23.61.11.140"
NEED_NAME = "Блоки стеновые газобетонные"
FUTURE = date.today() + timedelta(days=60)
ORDER = ["member", "offer_local", "group_local", "activity_local", "offer_far", "near_far"]


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    cluster: int = 0
    need: int = 0
    offer_local: int = 0
    offer_far: int = 0

    def __getitem__(self, role: str) -> int:
        return self.ids[role]


def enterprise(session, name: str, region: str, okved: str | None = None, **extra) -> int:
    data = {"name": name, "region_code": region, "okved_main": okved, **extra}
    return registry.create_enterprise(session, None, data).id


def line(session, enterprise_id: int, code: str, direction: str, **extra) -> None:
    session.add(
        ProductLine(enterprise_id=enterprise_id, okpd2_code=code, direction=direction, **extra)
    )
    session.flush()


def offer(session, supplier_id: int, code: str, name: str, volume: float | None, **extra) -> int:
    data = {"supplier_id": supplier_id, "okpd2_code": code, "product_name": name, "unit": "м3"}
    return postings.create_offer(session, None, {**data, "volume": volume, **extra}).id


def build_suppliers(db: Database) -> World:
    """Everything above except the need itself."""
    world = World()
    ids = world.ids
    with db.session() as session:
        yekaterinburg = session.scalar(select(City.id).where(City.name == "Екатеринбург"))
        lat, lon = TYUMEN
        ids["customer"] = enterprise(
            session, "Тюменский домостроительный комбинат", "72", "41.20", lat=lat, lon=lon
        )
        ids["member"] = enterprise(
            session, "Уральский завод ячеистого бетона", "66", "23.61", city_id=yekaterinburg
        )
        ids["offer_local"] = enterprise(
            session, "Тюменский газобетон", "72", "23.61", lat=57.10, lon=65.60
        )
        ids["group_local"] = enterprise(
            session, "Тюменский завод ЖБИ", "72", "23.61", lat=57.20, lon=65.40
        )
        ids["activity_local"] = enterprise(
            session, "Ишимский бетонный цех", "72", "23.61", lat=56.11, lon=69.49
        )
        ids["offer_far"] = enterprise(session, "Челябинский стройкомбинат", "74", "23.61")
        ids["near_far"] = enterprise(
            session, "Екатеринбургский бетонный узел", "66", "23.63", city_id=yekaterinburg
        )
        ids["bakery"] = enterprise(session, "Тюменский хлебозавод", "72", "10.71")
        ids["closed"] = enterprise(session, "Закрывшийся поставщик блоков", "45", "46.73")
        world.cluster = registry.create_cluster(
            session, None, {"name": "Бетон", "region_codes": ["72", "66"]}
        ).id
        for role in ("customer", "member"):
            registry.create_record(
                session,
                None,
                Membership,
                {"cluster_id": world.cluster, "enterprise_id": ids[role], "status": "member"},
            )
        line(
            session,
            ids["member"],
            BLOCKS,
            "produces",
            name="Блоки газобетонные стеновые",
            volume=5000,
            unit="м3",
        )
        line(
            session,
            ids["customer"],
            BLOCKS,
            "produces",
            name="Блоки стеновые",
            volume=100,
            unit="м3",
        )
        line(
            session,
            ids["group_local"],
            "23.61.12.111",
            "produces",
            name="Блоки фундаментов железобетонные",
        )
        line(
            session,
            ids["near_far"],
            "23.63.10",
            "produces",
            name="Бетон товарный",
            volume=90000,
            unit="м3",
        )
        line(session, ids["bakery"], "10.71.11", "produces", name="Хлеб", volume=100, unit="т")
        world.offer_local = offer(
            session, ids["offer_local"], BLOCKS, "Блоки газобетонные D500", 500
        )
        world.offer_far = offer(session, ids["offer_far"], BLOCKS, "Газобетонный блок", 2000)
        closed = offer(session, ids["closed"], BLOCKS, "Блоки силикатные", 9000)
        postings.update_offer(session, None, closed, {"status": "closed"})
    return world


def post_need(db: Database, world: World, **extra) -> int:
    data = {
        "customer_id": world["customer"],
        "product_name": NEED_NAME,
        "okpd2_code": BLOCKS,
        "volume": 1000,
        "unit": "м3",
        "value": 5_000_000,
        "deadline": FUTURE,
        **extra,
    }
    with db.session() as session:
        world.need = postings.create_need(session, None, data).id
    return world.need


def build_world(db: Database) -> World:
    world = build_suppliers(db)
    post_need(db, world)
    return world
