"""What a region's enterprises buy from elsewhere, and what its producers already make, by OKPD2
product group (``XX.XX``), read from consumption lines, supplies and open needs.

Demand for a group is the part bought outside the region: a consumption line's value times its
outside share; supplies to the region's buyers from suppliers in other regions (only where the
buyer has no consumption line of that group, which would already count them); open needs posted
in the region. The imported part is a consumption line's value times its import share.
What the ``procurement`` import derived (``data_source``) is counted the same way and marked as
known from public procurement (ЕИС).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from promcluster.matching.models import Need
from promcluster.reference.levels import group_of
from promcluster.reference.models import Okpd
from promcluster.registry.models import Enterprise, Membership, ProductLine, Supply


@dataclass
class Purchase:
    """One buyer's demand for a group: from outside the region, imported, and how it is known."""

    buyer_id: int | None
    buyer_name: str
    outside: float = 0.0
    imported: float = 0.0
    total: float = 0.0
    sources: set[str] = field(default_factory=set)
    supplier_regions: set[str] = field(default_factory=set)
    procurement: float = 0.0  # the part of ``outside`` known from public procurement

    def add(self, outside: float, total: float, source: str) -> None:
        """Count a purchase known from ``source`` (a key of ``labels.DEMAND_SOURCES``)."""
        self.outside += outside
        self.total += total
        self.sources.add(source)
        if source.startswith("procurement"):
            self.procurement += outside


@dataclass
class GroupDemand:
    """Demand for one product group in a region, by buyer, with what the region produces."""

    group: str
    buyers: dict[str | int, Purchase] = field(default_factory=dict)
    produced: float = 0.0
    producers: set[int] = field(default_factory=set)

    @property
    def outside_buyers(self) -> list[Purchase]:
        """Buyers with a part bought outside the region."""
        return [p for p in self.buyers.values() if p.outside > 0]

    @property
    def outside(self) -> float:
        return sum(p.outside for p in self.buyers.values())

    @property
    def imported(self) -> float:
        return sum(p.imported for p in self.buyers.values())

    @property
    def procurement(self) -> float:
        """The part of the outside demand known from public procurement (ЕИС)."""
        return sum(p.procurement for p in self.buyers.values())

    def buyer(self, key: str | int, name: str) -> Purchase:
        if key not in self.buyers:
            self.buyers[key] = Purchase(key if isinstance(key, int) else None, name)
        return self.buyers[key]


def region_demand(
    session: Session, region: str, cluster_id: int | None = None, group: str | None = None
) -> dict[str, GroupDemand]:
    """Demand and production by group for ``region``; with ``cluster_id``, only the demand of
    the cluster's members; with ``group``, only that group."""
    found: dict[str, GroupDemand] = defaultdict(lambda: GroupDemand(""))
    members = (
        set(
            session.scalars(
                select(Membership.enterprise_id).where(Membership.cluster_id == cluster_id)
            )
        )
        if cluster_id is not None
        else None
    )

    def demand(code: str) -> GroupDemand:
        key = group_of(code)
        if not found[key].group:
            found[key].group = key
        return found[key]

    lines = (
        select(
            ProductLine.okpd2_code,
            ProductLine.direction,
            ProductLine.enterprise_id,
            Enterprise.name,
            ProductLine.value,
            ProductLine.outside_share,
            ProductLine.import_share,
            ProductLine.data_source,
        )
        .join(Enterprise, Enterprise.id == ProductLine.enterprise_id)
        .where(Enterprise.region_code == region)
    )
    if group is not None:
        lines = lines.where(ProductLine.okpd2_code.startswith(group))
    consumed: set[tuple[int, str]] = set()
    for code, direction, enterprise_id, name, value, outside, imported, origin in session.execute(
        lines
    ):
        if direction == "produces":
            demand(code).produced += value or 0
            demand(code).producers.add(enterprise_id)
            continue
        if members is not None and enterprise_id not in members:
            continue
        purchase = demand(code).buyer(enterprise_id, name)
        source = "procurement" if origin == "procurement" else "consumption"
        purchase.add((value or 0) * (outside or 0), value or 0, source)
        purchase.imported += (value or 0) * (imported or 0)
        consumed.add((enterprise_id, group_of(code)))
    suppliers = _supplies(session, region, members, group, demand, consumed)
    _needs(session, region, members, group, demand)
    for (key, buyer_id), regions in suppliers.items():  # where the niche's buyers buy today
        if buyer_id in found[key].buyers:
            found[key].buyers[buyer_id].supplier_regions |= regions
    return {k: v for k, v in found.items() if v.group}


def _supplies(session, region, members, group, demand, consumed) -> dict[tuple, set[str]]:
    """Count outside supplies not already in a consumption line; return the supplier regions
    of every (group, buyer)."""
    buyer, supplier = aliased(Enterprise), aliased(Enterprise)
    query = (
        select(
            Supply.okpd2_code,
            Supply.buyer_id,
            buyer.name,
            Supply.value,
            supplier.region_code,
            Supply.data_source,
        )
        .join(buyer, buyer.id == Supply.buyer_id)
        .join(supplier, supplier.id == Supply.supplier_id)
        .where(buyer.region_code == region)
    )
    if members is not None:
        query = query.where(Supply.buyer_id.in_(members))
    if group is not None:
        query = query.where(Supply.okpd2_code.startswith(group))
    suppliers: dict[tuple, set[str]] = defaultdict(set)
    for code, buyer_id, name, value, supplier_region, origin in session.execute(query):
        suppliers[group_of(code), buyer_id].add(supplier_region)
        if supplier_region != region and (buyer_id, group_of(code)) not in consumed:
            source = "procurement" if origin == "procurement" else "supply"
            demand(code).buyer(buyer_id, name).add(value or 0, value or 0, source)
    return suppliers


def _needs(session, region, members, group, demand) -> None:
    query = (
        select(
            Need.okpd2_code,
            Need.customer_id,
            Enterprise.name,
            Need.customer_name,
            Need.value,
            Need.data_source,
        )
        .outerjoin(Enterprise, Enterprise.id == Need.customer_id)
        .where(Need.region_code == region, Need.status == "open", Need.okpd2_code.is_not(None))
    )
    if members is not None:
        query = query.where(Need.customer_id.in_(members))
    if group is not None:
        query = query.where(Need.okpd2_code.startswith(group))
    for code, customer_id, name, customer_name, value, origin in session.execute(query):
        key = customer_id if customer_id is not None else f"need:{customer_name}"
        purchase = demand(code).buyer(key, name or customer_name or "—")
        source = "procurement-plan" if origin == "procurement" else "need"
        purchase.add(value or 0, value or 0, source)


def group_names(session: Session, groups: list[str]) -> dict[str, str]:
    """OKPD2 names of ``groups``."""
    if not groups:
        return {}
    return dict(session.execute(select(Okpd.code, Okpd.name).where(Okpd.code.in_(groups))).all())
