"""The supply graph of a cluster: its members as nodes, supplies between them as edges, and the
cooperation share that the indicators and the federal rule C3 read from it.

A *participant* on a date is a membership with status *member* (or *left* after that date) whose
``since`` is not later than the date; applicants and potential participants are nodes of the
graph but not participants. Supplies are read for one year: the one asked for, else the latest
year up to the date's year in which participants supplied each other."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from promcluster.reference.models import Okpd
from promcluster.registry.models import Enterprise, Membership, ProductLine, Supply


@dataclass(frozen=True)
class Node:
    """A member of the cluster (any status but *left* before the date)."""

    enterprise_id: int
    name: str
    status: str
    role: str
    region_code: str
    okved_main: str | None
    since: date | None
    without_output: bool
    participant: bool
    is_synthetic: bool


@dataclass(frozen=True)
class Edge:
    """Supplies of one product from one node to another in the graph's year (value summed)."""

    supplier_id: int
    buyer_id: int
    okpd2_code: str
    product: str
    value: int | None


@dataclass
class SupplyGraph:
    """Nodes and edges of a cluster's graph on ``as_of``, for the supplies of ``year``."""

    cluster_id: int
    as_of: date
    year: int | None
    nodes: dict[int, Node]
    edges: list[Edge]
    purchases: dict[int, int] = field(default_factory=dict)  # participant → purchases in year

    @property
    def participants(self) -> dict[int, Node]:
        return {k: n for k, n in self.nodes.items() if n.participant}

    def participant_edges(self) -> list[Edge]:
        """Edges whose both ends are participants."""
        p = self.participants
        return [e for e in self.edges if e.supplier_id in p and e.buyer_id in p]

    def linked(self) -> set[int]:
        """Participants with at least one supply to or from another participant."""
        return {x for e in self.participant_edges() for x in (e.supplier_id, e.buyer_id)}


@dataclass(frozen=True)
class Cooperation:
    """Supplies between participants against participants' purchases, in one year."""

    year: int | None
    inside: int  # roubles bought by participants from other participants
    purchases: int  # roubles of all participants' purchases (consumption lines or supplies)
    participants: int

    @property
    def share(self) -> float | None:
        return self.inside / self.purchases if self.purchases else None


def is_participant(status: str, since: date | None, until: date | None, as_of: date) -> bool:
    """Whether a membership made its enterprise a participant on ``as_of``."""
    if since is not None and since > as_of:
        return False
    if status == "member":
        return until is None or until > as_of
    return status == "left" and until is not None and until > as_of


def participant_condition(as_of: date, m=Membership) -> ColumnElement[bool]:
    """:func:`is_participant` in SQL, for counts and joins run by the database."""
    joined = or_(m.since.is_(None), m.since <= as_of)
    current = and_(m.status == "member", or_(m.until.is_(None), m.until > as_of))
    left_later = and_(m.status == "left", m.until.is_not(None), m.until > as_of)
    return and_(joined, or_(current, left_later))


def _nodes(session: Session, cluster_id: int, as_of: date) -> dict[int, Node]:
    m = Membership
    rows = session.execute(
        select(
            m.enterprise_id, m.status, m.role, m.since, m.until, m.without_output,
            Enterprise.name, Enterprise.region_code, Enterprise.okved_main,
            Enterprise.is_synthetic,
        )
        .join(Enterprise, Enterprise.id == m.enterprise_id)
        .where(m.cluster_id == cluster_id)
        .order_by(Enterprise.name)
    )  # fmt: skip
    nodes = {}
    for x in rows:
        if x.status == "left" and not is_participant(x.status, x.since, x.until, as_of):
            continue
        nodes[x.enterprise_id] = Node(
            x.enterprise_id, x.name, x.status, x.role, x.region_code, x.okved_main, x.since,
            bool(x.without_output), is_participant(x.status, x.since, x.until, as_of),
            bool(x.is_synthetic),
        )  # fmt: skip
    return nodes


def _between(query: Select, cluster_id: int, as_of: date, participants: bool) -> Select:
    """``query`` over supplies, restricted to those between two members of the cluster
    (participants on ``as_of``, or any node); joined through the memberships so that the
    database walks the cluster's members, not the supplies table."""
    for side in (Supply.supplier_id, Supply.buyer_id):
        m = aliased(Membership)
        on = [m.enterprise_id == side, m.cluster_id == cluster_id]
        if participants:
            on.append(participant_condition(as_of, m))
        else:  # a node: any membership but one left before the date
            on.append(or_(m.status != "left", participant_condition(as_of, m)))
        query = query.join(m, and_(*on))
    return query.where(Supply.supplier_id != Supply.buyer_id)


def _latest_year(session: Session, cluster_id: int, as_of: date, participants: bool):
    query = select(func.max(Supply.year)).where(Supply.year <= as_of.year)
    return session.scalar(_between(query, cluster_id, as_of, participants))


def supply_graph(
    session: Session, cluster_id: int, as_of: date | None = None, year: int | None = None
) -> SupplyGraph:
    """The graph of ``cluster_id`` on ``as_of`` (today by default) for supplies of ``year``."""
    as_of = as_of or date.today()
    nodes = _nodes(session, cluster_id, as_of)
    participants = [k for k, n in nodes.items() if n.participant]
    if year is None and nodes:
        year = _latest_year(session, cluster_id, as_of, bool(participants))
    graph = SupplyGraph(cluster_id, as_of, year, nodes, [])
    if year is None:
        return graph
    query = (
        select(
            Supply.supplier_id, Supply.buyer_id, Supply.okpd2_code, Okpd.name,
            func.sum(Supply.value), func.count(Supply.value),
        )
        .join(Okpd, Okpd.code == Supply.okpd2_code)
        .where(Supply.year == year)
        .group_by(Supply.supplier_id, Supply.buyer_id, Supply.okpd2_code, Okpd.name)
        .order_by(Supply.supplier_id, Supply.buyer_id, Supply.okpd2_code)
    )  # fmt: skip
    graph.edges = [
        Edge(s, b, code, name, int(total) if known else None)
        for s, b, code, name, total, known in session.execute(
            _between(query, cluster_id, as_of, participants=False)
        )
    ]
    graph.purchases = _purchases(session, participants, year)
    return graph


def _purchases(session: Session, ids: list[int], year: int) -> dict[int, int]:
    """Each participant's purchases in ``year``: its consumption lines of that year (or without
    a year), or the supplies it bought from anyone, whichever is larger."""
    if not ids:
        return {}
    lines = session.execute(
        select(ProductLine.enterprise_id, func.sum(ProductLine.value))
        .where(
            ProductLine.enterprise_id.in_(ids),
            ProductLine.direction == "consumes",
            or_(ProductLine.year == year, ProductLine.year.is_(None)),
        )
        .group_by(ProductLine.enterprise_id)
    )
    bought = session.execute(
        select(Supply.buyer_id, func.sum(Supply.value))
        .where(and_(Supply.buyer_id.in_(ids), Supply.year == year))
        .group_by(Supply.buyer_id)
    )
    total: dict[int, int] = defaultdict(int)
    for rows in (lines, bought):
        for k, v in rows:
            total[k] = max(total[k], int(v or 0))
    return dict(total)


def cooperation(graph: SupplyGraph) -> Cooperation:
    """The cooperation share of ``graph``: supplies between participants / their purchases."""
    inside = sum(e.value or 0 for e in graph.participant_edges())
    purchases = max(sum(graph.purchases.values()), inside)
    return Cooperation(graph.year, inside, purchases, len(graph.participants))


@dataclass(frozen=True)
class Purchases:
    """What a set of enterprises buys per year, from their consumption lines (roubles)."""

    total: int  # lines with a known value
    outside: int  # bought outside the region (value × outside share)
    imported: int  # imported (value × import share)
    lines: int
    unknown_shares: int  # lines with a value but no outside or import share
    synthetic: int = 0  # lines of the demo's synthetic firms

    @property
    def import_share(self) -> float | None:
        return self.imported / self.total if self.total else None

    @property
    def outside_share(self) -> float | None:
        return self.outside / self.total if self.total else None


def purchases(
    session: Session, enterprise_ids: list[int], prefixes: list[str] | None = None
) -> Purchases:
    """Consumption of ``enterprise_ids`` (optionally only OKPD2 codes under ``prefixes``): the
    total value and the parts bought outside the region and imported."""
    if not enterprise_ids:
        return Purchases(0, 0, 0, 0, 0)
    line = ProductLine
    query = (
        select(line.value, line.outside_share, line.import_share, Enterprise.is_synthetic)
        .join(Enterprise, Enterprise.id == line.enterprise_id)
        .where(
            line.enterprise_id.in_(enterprise_ids),
            line.direction == "consumes",
            line.value.is_not(None),
        )
    )
    if prefixes:
        query = query.where(or_(*(line.okpd2_code.startswith(p) for p in prefixes)))
    total = outside = imported = lines = unknown = synthetic = 0
    for value, out, imp, made_up in session.execute(query):
        lines += 1
        total += value
        outside += round(value * (out or 0))
        imported += round(value * (imp or 0))
        unknown += out is None and imp is None
        synthetic += bool(made_up)
    return Purchases(total, outside, imported, lines, unknown, synthetic)


def participant_ids(session: Session, cluster_id: int, as_of: date | None = None) -> list[int]:
    """The enterprises that are participants of ``cluster_id`` on ``as_of`` (today by default)."""
    nodes = _nodes(session, cluster_id, as_of or date.today())
    return [k for k, n in nodes.items() if n.participant]
