"""What pages read of public procurement: a customer's purchases by OKPD2 class and year with
the regions of its suppliers, the buyers of a niche with their contract numbers, and the plan
row a need was made of.

Only contracts count as purchases (plans become needs). A contract's value is the sum of its
items; a 223-FZ contract whose total could not be split over its positions (``priced_items``
false) counts its total for its class when every item is of one class, and stays unallocated
(class None) otherwise. Money is returned in roubles."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Row, Select, distinct, func, select
from sqlalchemy.orm import Session

from promcluster.procurement.models import ProcurementDocument, ProcurementItem
from promcluster.reference.levels import GROUP_LENGTH, code_range, group_of
from promcluster.reference.models import Okpd, Region
from promcluster.registry.models import Enterprise

CONTRACTS_SHOWN = 3  # contract numbers named per buyer; the rest are counted


@dataclass
class RegionShare:
    """Where a customer buys: a supplier region (None: not stated) and its part of the value."""

    code: str | None
    name: str | None
    value: float
    share: float


@dataclass
class ClassYear:
    """A customer's contracts of one OKPD2 class (None: not split by item) in one year."""

    group: str | None
    name: str | None
    year: int
    value: float
    contracts: int


@dataclass
class CustomerPurchases:
    """A customer's purchases under contracts: by class and year, and by supplier region."""

    rows: list[ClassYear]
    regions: list[RegionShare]
    value: float
    contracts: int
    outside_share: float | None  # the part bought from suppliers of other regions


@dataclass
class NicheBuyer:
    """A customer of a region buying a niche's products under contracts."""

    customer_id: int
    name: str
    value: float
    contracts: list[str]  # the largest first, at most CONTRACTS_SHOWN
    contract_count: int
    regions: list[RegionShare]
    outside_share: float | None


@dataclass
class PlanRow:
    """The purchase-plan row a need was made of."""

    law: str
    number: str
    position: int
    year: int
    customer_id: int


@dataclass
class _Contract:
    """A contract's value by a key of its items' OKPD2 codes, in kopecks (None: no code, or a
    total not split by item)."""

    document: Row  # the columns of ``DOCUMENT``
    by_group: dict[str | None, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def value(self) -> int:
        return sum(self.by_group.values())


DOCUMENT = (
    ProcurementDocument.id,
    ProcurementDocument.number,
    ProcurementDocument.year,
    ProcurementDocument.customer_id,
    ProcurementDocument.supplier_region_code,
    ProcurementDocument.total_kopecks,
    ProcurementDocument.priced_items,
)
ITEM = (
    ProcurementItem.document_id,
    ProcurementItem.okpd2_code,
    ProcurementItem.sum_kopecks,
    ProcurementItem.price_kopecks,
    ProcurementItem.quantity,
)


def _item_value(item: Row) -> int:
    if item.sum_kopecks is not None:
        return item.sum_kopecks
    if item.price_kopecks is not None and item.quantity is not None:
        return round(item.price_kopecks * item.quantity)
    return 0


def _contracts(
    session: Session, documents: Select, key: Callable[[str], str] = group_of
) -> list[_Contract]:
    """The contracts that ``documents`` (a select of ``ProcurementDocument`` ids, joins and
    conditions) picks, with their values by ``key`` of their items' OKPD2 codes (by default
    the class). Read as plain rows, items by a subquery rather than a list of ids."""
    picked = documents.where(ProcurementDocument.kind == "contract")
    found = {d.id: _Contract(d) for d in session.execute(picked.with_only_columns(*DOCUMENT))}
    if not found:
        return []
    items = select(*ITEM).where(ProcurementItem.document_id.in_(picked))
    groups: dict[int, set[str | None]] = defaultdict(set)
    for item in session.execute(items):
        contract = found[item.document_id]
        group = key(item.okpd2_code) if item.okpd2_code else None
        groups[item.document_id].add(group)
        if contract.document.priced_items:
            contract.by_group[group] += _item_value(item)
    for contract in found.values():
        if not contract.document.priced_items and contract.document.total_kopecks:
            classes = groups[contract.document.id]
            group = next(iter(classes)) if len(classes) == 1 else None
            contract.by_group[group] += contract.document.total_kopecks
    return list(found.values())


def _region_shares(session: Session, values: dict[str | None, int]) -> list[RegionShare]:
    total = sum(values.values())
    codes = [c for c in values if c is not None]
    query = select(Region.code, Region.name).where(Region.code.in_(codes))
    names = dict(session.execute(query).all())
    shares = [
        RegionShare(code, names.get(code) if code else None, value / 100, value / total)
        for code, value in values.items()
        if total and value
    ]
    return sorted(shares, key=lambda s: (-s.value, s.name is None, s.name or ""))


def _outside(values: dict[str | None, int], region: str) -> float | None:
    total = sum(values.values())
    if not total:
        return None
    return sum(v for code, v in values.items() if code is not None and code != region) / total


def customer_purchases(session: Session, enterprise_id: int) -> CustomerPurchases | None:
    """The contracts of customer ``enterprise_id`` by OKPD2 class and year (the latest year
    first, the largest class first) and by supplier region; None when it has none. Contracts
    with priced items are summed by the database (a large customer has thousands); those with
    a total only are read one by one."""
    customer = session.get(Enterprise, enterprise_id)
    if customer is None:
        return None
    cells: dict[tuple[str | None, int], list[int]] = defaultdict(lambda: [0, 0])
    regions: dict[str | None, int] = defaultdict(int)
    for group, year, value, count in session.execute(_priced_by_class(enterprise_id)):
        cells[group, year][0] += round(value or 0)
        cells[group, year][1] += count
    for region, value in session.execute(_priced_by_region(enterprise_id)):
        regions[region] += round(value or 0)
    unpriced = select(ProcurementDocument.id).where(
        ProcurementDocument.customer_id == enterprise_id,
        ProcurementDocument.priced_items.is_(False),
    )
    for contract in _contracts(session, unpriced):
        for group, value in contract.by_group.items():
            cells[group, contract.document.year][0] += value
            cells[group, contract.document.year][1] += 1
        regions[contract.document.supplier_region_code] += contract.value
    contracts = session.scalar(
        select(func.count(ProcurementDocument.id)).where(
            ProcurementDocument.customer_id == enterprise_id, ProcurementDocument.kind == "contract"
        )
    )
    if not contracts:
        return None
    names = _okpd_names(session, [g for g, _ in cells if g])
    rows = [
        ClassYear(group, names.get(group or ""), year, value / 100, count)
        for (group, year), (value, count) in cells.items()
    ]
    rows.sort(key=lambda r: (-r.year, -r.value, r.group is None, r.group or ""))
    return CustomerPurchases(
        rows,
        _region_shares(session, regions),
        sum(regions.values()) / 100,
        contracts,
        _outside(regions, customer.region_code),
    )


def _item_kopecks():
    """An item's value in SQL: its sum, else price × quantity."""
    return func.coalesce(
        ProcurementItem.sum_kopecks, ProcurementItem.price_kopecks * ProcurementItem.quantity, 0
    )


def _priced(enterprise_id: int, *columns) -> Select:
    return (
        select(*columns)
        .join(ProcurementDocument, ProcurementDocument.id == ProcurementItem.document_id)
        .where(
            ProcurementDocument.customer_id == enterprise_id,
            ProcurementDocument.kind == "contract",
            ProcurementDocument.priced_items.is_(True),
        )
    )


def _priced_by_class(enterprise_id: int) -> Select:
    """Value and number of contracts with priced items, by class (the code's first
    ``GROUP_LENGTH`` characters; None without a code) and year."""
    group = func.substr(ProcurementItem.okpd2_code, 1, GROUP_LENGTH)
    query = _priced(
        enterprise_id,
        group,
        ProcurementDocument.year,
        func.sum(_item_kopecks()),
        func.count(distinct(ProcurementDocument.id)),
    )
    return query.group_by(group, ProcurementDocument.year)


def _priced_by_region(enterprise_id: int) -> Select:
    region = ProcurementDocument.supplier_region_code
    return _priced(enterprise_id, region, func.sum(_item_kopecks())).group_by(region)


def niche_buyers(session: Session, region: str, code: str) -> dict[int, NicheBuyer]:
    """The customers of ``region`` whose contracts hold products of the OKPD2 class or code
    ``code``, by enterprise id: their purchases of it, contract numbers and supplier regions."""
    # The documents holding the code, found by the items' code index first and joined (an IN
    # of them would make SQLite probe the whole list for every customer of the region).
    holding = (
        select(ProcurementItem.document_id.label("id"))
        .where(code_range(ProcurementItem.okpd2_code, code))
        .distinct()
        .subquery()
    )
    query = (
        select(ProcurementDocument.id)
        .join(holding, holding.c.id == ProcurementDocument.id)
        .join(Enterprise, Enterprise.id == ProcurementDocument.customer_id)
        .where(Enterprise.region_code == region)
    )
    by_customer: dict[int, list[tuple[int, _Contract]]] = defaultdict(list)
    for contract in _contracts(session, query, lambda c: "in" if c.startswith(code) else "out"):
        value = contract.by_group.get("in", 0)
        by_customer[contract.document.customer_id].append((value, contract))
    names = dict(
        session.execute(
            select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(list(by_customer)))
        ).all()
    )
    buyers = {}
    for customer_id, found in by_customer.items():
        found.sort(key=lambda pair: (-pair[0], pair[1].document.number))
        regions: dict[str | None, int] = defaultdict(int)
        for value, contract in found:
            regions[contract.document.supplier_region_code] += value
        buyers[customer_id] = NicheBuyer(
            customer_id,
            names[customer_id],
            sum(value for value, _ in found) / 100,
            [c.document.number for _, c in found[:CONTRACTS_SHOWN]],
            len(found),
            _region_shares(session, regions),
            _outside(regions, region),
        )
    return buyers


def plan_row(session: Session, need_id: int) -> PlanRow | None:
    """The purchase-plan row ``need_id`` was made of, or None for a need typed in."""
    row = session.execute(
        select(
            ProcurementDocument.law,
            ProcurementDocument.number,
            ProcurementItem.position,
            ProcurementDocument.year,
            ProcurementDocument.customer_id,
        )
        .join(ProcurementDocument, ProcurementDocument.id == ProcurementItem.document_id)
        .where(ProcurementItem.need_id == need_id)
        .limit(1)
    ).first()
    return PlanRow(*row) if row else None


def _okpd_names(session: Session, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(session.execute(select(Okpd.code, Okpd.name).where(Okpd.code.in_(codes))).all())
