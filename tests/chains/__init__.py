"""Hand-made chain data shared by the chain tests.

A construction-materials cluster of Tyumen oblast (72) with:

- ``anchor`` (72, member, anchor) making cement; ``buyer`` (72, member) buying cement for
  1,000 roubles a year (half from outside the region, a fifth imported);
- ``far_member`` (66, member) making sand; ``applicant`` (72, in the pipeline);
- ``local_sand`` (72) and ``far_sand`` (74) making sand, members of nothing;
- ``outsider`` (72, no membership) buying sand for 400 roubles (all from outside, a quarter
  imported).

Supplies of 2024: anchor → buyer cement 600, far_member → buyer sand 200, anchor → applicant 100,
anchor → outsider 50; of 2023: anchor → buyer 70.

The chain has four stages: cement (anchor assigned: covered), sand (far_member assigned, yearly
value 3,000: a gap, the supplier is outside the region), rebar (a done project: covered) and
expanded clay (a planned project: a gap).
"""

from dataclasses import dataclass, field

from factories import Database

from promcluster.chains import service as chains
from promcluster.chains.models import Chain
from promcluster.registry import service as registry
from promcluster.registry.models import InvestmentProject, Membership, ProductLine, Supply

CEMENT, SAND, REBAR, CLAY = "23.51.12", "08.12.11", "24.10.62", "23.99.19"


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    cluster: int = 0
    chain: int = 0
    stages: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.ids[key]


def _firm(session, name: str, region: str, okved: str | None = None) -> int:
    data = {"name": name, "region_code": region, "okved_main": okved}
    return registry.create_enterprise(session, None, data).id


def _line(session, firm: int, code: str, direction: str, **extra) -> None:
    session.add(ProductLine(enterprise_id=firm, okpd2_code=code, direction=direction, **extra))


def _supply(session, supplier: int, buyer: int, code: str, year: int, value: int) -> None:
    session.add(
        Supply(supplier_id=supplier, buyer_id=buyer, okpd2_code=code, year=year, value=value)
    )


def build_cluster(db: Database) -> World:
    """The cluster, its members, product lines and supplies (no chain yet)."""
    w = World()
    with db.session() as s:
        w.ids = {
            "anchor": _firm(s, "Тюменский цементный завод", "72", "23.51"),
            "buyer": _firm(s, "Тюменский завод ЖБИ", "72", "23.61"),
            "far_member": _firm(s, "Уральский песчаный карьер", "66", "08.12"),
            "applicant": _firm(s, "Ишимский кирпичный завод", "72", "23.32"),
            "local_sand": _firm(s, "Тобольский карьер", "72", "08.12"),
            "far_sand": _firm(s, "Челябинский карьер", "74", "08.12"),
            "outsider": _firm(s, "Тюменская стройфирма", "72", "41.20"),
        }
        w.cluster = registry.create_cluster(
            s, None, {"name": "Стройматериалы", "region_codes": ["72"]}
        ).id
        for key, status, role in (
            ("anchor", "member", "anchor"),
            ("buyer", "member", "participant"),
            ("far_member", "member", "participant"),
            ("applicant", "applicant", "participant"),
        ):
            registry.create_record(
                s,
                None,
                Membership,
                {"cluster_id": w.cluster, "enterprise_id": w[key], "status": status, "role": role},
            )
        _line(s, w["anchor"], CEMENT, "produces", name="Цемент")
        _line(s, w["far_member"], SAND, "produces", name="Песок строительный")
        _line(s, w["local_sand"], SAND, "produces", name="Песок строительный")
        _line(s, w["far_sand"], SAND, "produces", name="Песок строительный")
        _line(s, w["buyer"], CEMENT, "consumes", value=1000, outside_share=0.5,
              import_share=0.2, year=2024)  # fmt: skip
        _line(s, w["outsider"], SAND, "consumes", value=400, outside_share=1.0,
              import_share=0.25, year=2024)  # fmt: skip
        _supply(s, w["anchor"], w["buyer"], CEMENT, 2024, 600)
        _supply(s, w["far_member"], w["buyer"], SAND, 2024, 200)
        _supply(s, w["anchor"], w["applicant"], CEMENT, 2024, 100)
        _supply(s, w["anchor"], w["outsider"], CEMENT, 2024, 50)
        _supply(s, w["anchor"], w["buyer"], CEMENT, 2023, 70)
    return w


def build_chain(db: Database) -> World:
    """The cluster above with its chain of four stages, suppliers and projects."""
    w = build_cluster(db)
    with db.session() as s:
        w.chain = registry.create_record(
            s, None, Chain, {"cluster_id": w.cluster, "name": "Стеновые блоки"}
        ).id
        for key, code, extra in (
            ("cement", CEMENT, {}),
            ("sand", SAND, {"value": 3000}),
            ("rebar", REBAR, {}),
            ("clay", CLAY, {}),
        ):
            w.stages[key] = chains.create_stage(s, None, w.chain, {"okpd2_code": code, **extra}).id
        chains.assign_supplier(s, None, w.stages["cement"], w["anchor"])
        chains.assign_supplier(s, None, w.stages["sand"], w["far_member"])
        for key, stage, status, amount in (
            ("done", "rebar", "done", 2_000_000),
            ("planned", "clay", "planned", None),
        ):
            w.projects[key] = registry.create_record(
                s,
                None,
                InvestmentProject,
                {
                    "cluster_id": w.cluster,
                    "chain_id": w.chain,
                    "stage_id": w.stages[stage],
                    "name": f"Проект {key}",
                    "status": status,
                    "amount": amount,
                },
            ).id
    return w
