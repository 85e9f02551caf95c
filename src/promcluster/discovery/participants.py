"""Potential participants of a cluster: enterprises of its regions (and of neighbouring regions
for an interregional cluster, or when asked) outside its pipeline, ranked by fit, each with its
reasons in Russian.

Signals (formulas and weights in docs/DISCOVERY.md, «In the platform»):

- activity — the main OKVED2 code falls under the cluster's specialisation (1.0), in a class of
  its participants' activities (0.8), or in a group related to them by the complexity engine's
  proximity (0.7 × proximity, groups with proximity ≥ ``MIN_PROXIMITY``);
- gap — it produces (a product line) under the OKPD2 code of a chain stage nobody in the region
  covers (1.0), or its activity fits that product (0.5);
- buyer — it buys (a consumption line) a chain's target product (1.0) or a product the
  participants make (0.8);
- distance to the participants' centre, 1 / (1 + km / 100), and size, log10(1 + employees) / 4
  (capped at 1), which only order firms that fit by one of the signals above.

Every query is bounded: indexed code ranges (``code_range``), the searched regions, and the
``POOL`` largest firms per signal and code, so one cluster ranks in a few indexed reads however
large the register (docs/BENCHMARKS.md)."""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from promcluster.chains.coverage import stage_coverage
from promcluster.chains.graph import participant_ids
from promcluster.chains.queries import chains_with_stages
from promcluster.discovery.relatedness import relatedness
from promcluster.geo import haversine_km
from promcluster.labels import PROSPECT_REASONS as SAY
from promcluster.records import get
from promcluster.reference.levels import DEFAULT_LEVEL, PREFIX, code_range, group_of
from promcluster.reference.models import Region
from promcluster.registry import maps
from promcluster.registry.models import Cluster, Enterprise, Membership, ProductLine
from promcluster.russian import amount, number

LIMIT = 50
POOL = 200  # firms read per signal and code
NEIGHBOUR_KM = (
    500.0  # a region is a neighbour when its centre is this close to one of the cluster's
)
MIN_PROXIMITY = 0.3
RELATED_GROUPS = 8
MEMBER_CLASSES = 10
BUYER_CODES = 20
CLASS_LENGTH = 5  # OKVED2 class "NN.NN"
GROUP_LENGTH = PREFIX[DEFAULT_LEVEL]  # OKVED2 group "NN.N", the level of the outlook's proximity
WEIGHTS = {"activity": 0.35, "gap": 0.25, "buyer": 0.15, "distance": 0.15, "size": 0.10}
DISTANCE_SCALE_KM = 100.0
FIT_SIGNALS = ("activity", "gap", "buyer")


@dataclass
class Prospect:
    """A ranked potential participant: where it is, its score and why."""

    enterprise_id: int
    name: str
    region_code: str
    region_name: str
    okved: str | None
    employees: int | None
    lat: float
    lon: float
    precision: str
    distance_km: float | None
    score: float
    signals: list[str]  # "specialisation", "members", "related", "gap", "buyer"
    reasons: list[str]
    synthetic: bool = False


@dataclass(frozen=True)
class Scope:
    """Where a cluster's prospects are looked for and from which centre."""

    regions: list[str]
    neighbours: list[str]
    centre: tuple[float, float] | None


@dataclass
class _Fit:
    row: object
    parts: dict[str, float] = field(default_factory=dict)
    signals: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def add(self, part: str, value: float, signal: str, reason: str) -> None:
        self.parts[part] = max(self.parts.get(part, 0.0), value)
        if signal not in self.signals:
            self.signals.append(signal)
        if reason not in self.reasons:
            self.reasons.append(reason)


def scope(session: Session, cluster: Cluster, include_neighbours: bool | None = None) -> Scope:
    """The cluster's regions plus, for an interregional cluster (``include_neighbours`` None) or
    when asked, the regions whose centre lies within ``NEIGHBOUR_KM`` of one of theirs."""
    own = cluster.region_codes
    wanted = cluster.kind == "interregional" if include_neighbours is None else include_neighbours
    neighbours: list[str] = []
    if wanted:
        centres = [(r.lat, r.lon) for r in cluster.regions if r.lat is not None]
        for code, lat, lon in session.execute(
            select(Region.code, Region.lat, Region.lon).order_by(Region.code)
        ):
            if code in own or lat is None:
                continue
            if any(haversine_km((lat, lon), c) <= NEIGHBOUR_KM for c in centres):
                neighbours.append(code)
    return Scope(own, neighbours, maps.cluster_point(cluster))


def prospects(
    session: Session,
    cluster_id: int,
    limit: int = LIMIT,
    include_neighbours: bool | None = None,
) -> list[Prospect]:
    """The ``limit`` best-fitting enterprises outside the cluster's pipeline (see the module)."""
    cluster = get(session, Cluster, cluster_id)
    where = scope(session, cluster, include_neighbours)
    reader = _Reader(session, cluster, [*where.regions, *where.neighbours])
    fits: dict[int, _Fit] = {}
    _by_activity(session, cluster, reader, fits)
    _by_gaps(session, cluster, reader, fits)
    _by_purchases(session, cluster, reader, fits)
    ranked = [_prospect(f, where) for f in fits.values()]
    ranked.sort(key=lambda p: (-p.score, p.enterprise_id))
    return ranked[:limit]


class _Reader:
    """Bounded reads of firms of the searched regions outside the cluster's pipeline."""

    def __init__(self, session: Session, cluster: Cluster, regions: list[str]) -> None:
        self.session, self.regions = session, regions
        self.pipeline = select(Membership.enterprise_id).where(Membership.cluster_id == cluster.id)

    def _bounded(self, query: Select) -> list:
        # On SQLite the region test is kept off the region index (``|| ''``): the code range is
        # the selective condition, and SQLite without statistics would otherwise read every firm
        # of a large region to sort them by size. PostgreSQL's planner, with statistics, combines
        # both indexes well and the guard would make it read the code range nationwide.
        region = Enterprise.region_code
        if self.session.get_bind().dialect.name == "sqlite":
            region = region.concat("")
        query = query.where(region.in_(self.regions), Enterprise.id.not_in(self.pipeline))
        order = (Enterprise.employees.desc().nulls_last(), Enterprise.id)
        return list(self.session.execute(query.order_by(*order).limit(POOL)))

    def firms(self, prefix: str) -> list:
        """Firms whose main activity starts with ``prefix``."""
        located = maps.located(Enterprise.okved_main, Enterprise.employees, Enterprise.region_code)
        return self._bounded(located.where(code_range(Enterprise.okved_main, prefix)))

    def lines(self, direction: str, code: str) -> list:
        """Firms with a product line of ``direction`` under the OKPD2 ``code``."""
        located = maps.located(
            Enterprise.okved_main, Enterprise.employees, Enterprise.region_code,
            ProductLine.okpd2_code.label("line_code"),
        ).join(ProductLine, ProductLine.enterprise_id == Enterprise.id)  # fmt: skip
        return self._bounded(
            located.where(
                ProductLine.direction == direction, code_range(ProductLine.okpd2_code, code)
            )
        )


def _fit(fits: dict[int, _Fit], row) -> _Fit:
    return fits.setdefault(row.id, _Fit(row))


def _member_classes(session: Session, cluster_id: int) -> Counter:
    """OKVED2 classes of the cluster's members and applicants, with how many have each."""
    rows = session.execute(
        select(Enterprise.okved_main, func.count())
        .join(Membership, Membership.enterprise_id == Enterprise.id)
        .where(
            Membership.cluster_id == cluster_id,
            Membership.status.in_(("member", "applicant")),
            Enterprise.okved_main.is_not(None),
        )
        .group_by(Enterprise.okved_main)
    )
    found: Counter = Counter()
    for code, count in rows:
        found[code[:CLASS_LENGTH]] += count
    return found


def _by_activity(session: Session, cluster: Cluster, reader: _Reader, fits: dict) -> None:
    specialisation = [s.code for s in cluster.specialisation]
    for code in specialisation:
        for row in reader.firms(code):
            reason = SAY["specialisation"].format(code=row.okved_main, target=code)
            _fit(fits, row).add("activity", 1.0, "specialisation", reason)
    classes = _member_classes(session, cluster.id)
    own = [
        (c, n)
        for c, n in classes.most_common(MEMBER_CLASSES)
        if not any(c.startswith(s) for s in specialisation)
    ]
    for code, count in own:
        for row in reader.firms(code):
            reason = SAY["members"].format(code=row.okved_main, count=count)
            _fit(fits, row).add("activity", 0.8, "members", reason)
    targets = {c[:GROUP_LENGTH] for c in [*specialisation, *classes] if len(c) >= GROUP_LENGTH}
    for group, target, proximity in related_groups(session, targets):
        shown = number(proximity, 2)
        for row in reader.firms(group):
            reason = SAY["related"].format(code=row.okved_main, target=target, proximity=shown)
            _fit(fits, row).add("activity", 0.7 * proximity, "related", reason)


def related_groups(session: Session, targets: set[str]) -> list[tuple[str, str, float]]:
    """OKVED2 groups related to ``targets`` by the outlook's proximity: (group, the closest
    target, proximity), the ``RELATED_GROUPS`` closest with proximity ≥ ``MIN_PROXIMITY``."""
    known = relatedness(session)
    if known is None or not targets:
        return []
    columns = [known.index[t] for t in sorted(targets) if t in known.index]
    if not columns:
        return []
    found = []
    for j, group in enumerate(known.codes):
        if group in targets:
            continue
        row = known.proximity[j, columns]
        best = int(row.argmax())
        if math.isfinite(row[best]) and row[best] >= MIN_PROXIMITY:
            found.append((group, known.codes[columns[best]], float(row[best])))
    found.sort(key=lambda g: (-g[2], g[0]))
    return found[:RELATED_GROUPS]


def _by_gaps(session: Session, cluster: Cluster, reader: _Reader, fits: dict) -> None:
    regions = set(cluster.region_codes)
    for chain in chains_with_stages(session, cluster.id):
        for stage in chain.stages:
            if stage_coverage(stage, regions).covered:
                continue
            where = {"stage": stage.position, "chain": chain.position}
            for row in reader.lines("produces", stage.okpd2_code):
                reason = SAY["gap_maker"].format(code=row.line_code, **where)
                _fit(fits, row).add("gap", 1.0, "gap", reason)
            product = stage.name or stage.product.name
            for row in reader.firms(group_of(stage.okpd2_code)[:GROUP_LENGTH]):
                reason = SAY["gap_activity"].format(code=row.okved_main, product=product, **where)
                _fit(fits, row).add("gap", 0.5, "gap", reason)


def _by_purchases(session: Session, cluster: Cluster, reader: _Reader, fits: dict) -> None:
    targets: dict[str, int] = {}
    for chain in cluster.chains:
        for product in chain.products:
            targets.setdefault(product.code, chain.position)
    for code, chain in targets.items():
        for row in reader.lines("consumes", code):
            reason = SAY["chain_buyer"].format(code=row.line_code, chain=chain)
            _fit(fits, row).add("buyer", 1.0, "buyer", reason)
    participants = participant_ids(session, cluster.id, date.today())
    if not participants:
        return
    made = session.execute(
        select(ProductLine.okpd2_code)
        .where(ProductLine.enterprise_id.in_(participants), ProductLine.direction == "produces")
        .group_by(ProductLine.okpd2_code)
        .order_by(func.sum(func.coalesce(ProductLine.value, 0)).desc(), ProductLine.okpd2_code)
        .limit(BUYER_CODES)
    ).scalars()
    for code in made:
        if any(code.startswith(t) for t in targets):
            continue
        for row in reader.lines("consumes", code):
            reason = SAY["member_buyer"].format(code=row.line_code)
            _fit(fits, row).add("buyer", 0.8, "buyer", reason)


def _prospect(fit: _Fit, where: Scope) -> Prospect:
    x = fit.row
    lat, lon, precision = maps.placed(
        (x.lat, x.lon), (x.city_lat, x.city_lon), (x.region_lat, x.region_lon)
    )
    reasons = list(fit.reasons)
    if x.region_code in where.neighbours:
        reasons.append(SAY["neighbour"].format(region=x.region))
    km = None
    if where.centre is not None:
        km = haversine_km(where.centre, (lat, lon))
        fit.parts["distance"] = 1 / (1 + km / DISTANCE_SCALE_KM)
        reasons.append(SAY["distance"].format(km=amount(round(km))) if km >= 1 else SAY["near"])
    if x.employees:
        fit.parts["size"] = min(1.0, math.log10(1 + x.employees) / 4)
        reasons.append(SAY["size"].format(employees=amount(x.employees)))
    score = sum(WEIGHTS[k] * v for k, v in fit.parts.items())
    return Prospect(
        enterprise_id=x.id,
        name=x.name,
        region_code=x.region_code,
        region_name=x.region,
        okved=x.okved_main,
        employees=x.employees,
        lat=lat,
        lon=lon,
        precision=precision,
        distance_km=None if km is None else round(km, 1),
        score=round(score, 4),
        signals=fit.signals,
        reasons=reasons,
        synthetic=bool(x.is_synthetic),
    )
