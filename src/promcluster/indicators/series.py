"""Time series of a cluster or region, only for years that have data: participants at each
year-end (from membership dates), projects and money by start year, supplies between
participants and the cooperation share by supply year, declared figures by their date."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.chains.graph import cooperation, is_participant, supply_graph
from promcluster.indicators import scope
from promcluster.indicators.scope import Level
from promcluster.indicators.service import Declared
from promcluster.registry.models import InvestmentProject, Membership, Supply, cluster_region


@dataclass(frozen=True)
class Point:
    year: int
    value: float | None
    known: int | None = None  # e.g. projects with a known amount
    total: int | None = None


@dataclass
class Series:
    key: str  # an indicator key
    unit: str
    points: list[Point]
    undated: int = 0  # records without a date (members without ``since``, counted every year)


@dataclass
class TimeSeries:
    level: Level
    key: int | str
    series: dict[str, Series] = field(default_factory=dict)
    declared: list[tuple[int, Declared]] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        return sorted({p.year for s in self.series.values() for p in s.points})


def _members(session: Session, level: Level, key, as_of: date) -> Series | None:
    """Participants at each year-end. A cluster's memberships are grouped by their dates in
    SQL (one per enterprise); a region's are read per enterprise, so that an enterprise in two
    clusters is counted once."""
    m = Membership
    if level == "cluster":
        inner = scope.memberships(level, [key], m.status, m.since, m.until).subquery().c
        query = select(inner.status, inner.since, inner.until, func.count())
        query = query.group_by(inner.status, inner.since, inner.until)
    else:
        query = scope.memberships(level, [key], m.enterprise_id, m.status, m.since, m.until)
        query = query.distinct()
    rows = session.execute(query).all()
    dated = [d.year for r in rows for d in (r.since, r.until) if d is not None]
    if not dated:
        return None
    points = []
    for year in range(min(dated), as_of.year + 1):
        end = min(date(year, 12, 31), as_of)
        on = [r for r in rows if is_participant(r.status, r.since, r.until, end)]
        points.append(Point(year, _count(level, on)))
    undated = _count(level, [r for r in rows if r.since is None and r.status == "member"])
    return Series("members", "count", points, undated)


def _count(level: Level, rows) -> int:
    if level == "cluster":
        return sum(r[-1] for r in rows)
    return len({r.enterprise_id for r in rows})


def _projects(session: Session, level: Level, key) -> tuple[Series, Series] | None:
    p = InvestmentProject
    inner = scope.projects(level, [key], p.start_year, p.amount).subquery().c
    rows = session.execute(
        select(inner.start_year, func.count(), func.count(inner.amount), func.sum(inner.amount))
        .where(inner.start_year.is_not(None))
        .group_by(inner.start_year)
        .order_by(inner.start_year)
    ).all()
    if not rows:
        return None
    counts = Series("projects", "count", [Point(y, n) for y, n, _, _ in rows])
    money = Series(
        "project_amount",
        "rub",
        [Point(y, int(s) if k else None, k, n) for y, n, k, s in rows],
    )
    return counts, money


def _cluster_ids(session: Session, level: Level, key) -> list[int]:
    if level == "cluster":
        return [key]
    r = cluster_region.c
    return list(session.scalars(select(r.cluster_id).where(r.region_code == key)))


def _supplies(session: Session, cluster_ids: list[int], as_of: date) -> Series | None:
    """Cooperation share per supply year: each year's graph on that year's end."""
    nodes = select(Membership.enterprise_id).where(Membership.cluster_id.in_(cluster_ids))
    years = session.scalars(
        select(Supply.year)
        .where(Supply.supplier_id.in_(nodes), Supply.buyer_id.in_(nodes), Supply.year <= as_of.year)
        .distinct()
        .order_by(Supply.year)
    ).all()
    points = []
    for year in years:
        end = min(date(year, 12, 31), as_of)
        coops = [cooperation(supply_graph(session, c, end, year)) for c in cluster_ids]
        inside, bought = sum(c.inside for c in coops), sum(c.purchases for c in coops)
        if bought:
            points.append(Point(year, inside / bought, inside, bought))
    return Series("cooperation_share", "share", points) if points else None


def _declared_year(d: Declared) -> int | None:
    if d.as_of is not None:
        return d.as_of.year
    return d.period_end


def time_series(
    session: Session, level: Level, key, declared: list[Declared], as_of: date | None = None
) -> TimeSeries:
    """The series of one cluster or region up to ``as_of``; ``declared`` are its declared
    figures (from :mod:`indicators.service`), listed by year when they carry one."""
    as_of = as_of or date.today()
    result = TimeSeries(level, key)
    if members := _members(session, level, key, as_of):
        result.series["members"] = members
    if projects := _projects(session, level, key):
        result.series["projects"], result.series["project_amount"] = projects
    if supplies := _supplies(session, _cluster_ids(session, level, key), as_of):
        result.series["cooperation_share"] = supplies
    dated = [(y, d) for d in declared if (y := _declared_year(d)) is not None]
    result.declared = sorted(dated, key=lambda x: x[0])
    return result
