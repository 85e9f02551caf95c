"""Reads of the registry: filtered lists, the platform's figures, cluster and region profiles."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from promcluster.errors import NotFound
from promcluster.labels import MEMBERSHIP_ROLES, MEMBERSHIP_STATUSES, PROJECT_STATUSES
from promcluster.reference.models import City, Region
from promcluster.registry.models import (
    Chain,
    Cluster,
    DeclaredFigure,
    Enterprise,
    InvestmentProject,
    Membership,
    ProductLine,
    Supply,
    cluster_okved,
    cluster_region,
    search_key,
)
from promcluster.registry.service import get


@dataclass
class PageOf:
    """Rows of one page and the total count under the same filters."""

    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(session: Session, query: Select, page: int, per_page: int) -> PageOf:
    """Run ``query`` for one page (1-based) and count all its rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).unique().all()
    return PageOf(list(rows), total or 0, page, per_page)


def _matching(model, q: str | None):
    if not q or not q.strip():
        return None
    return model.search_text.contains(search_key(q.strip()), autoescape=True)


def cluster_query(
    q: str | None = None,
    region: str | None = None,
    status: str | None = None,
    specialisation: str | None = None,
) -> Select:
    """Clusters filtered by text, region, status and OKVED2 specialisation (code prefix)."""
    query = select(Cluster).order_by(Cluster.name)
    if (cond := _matching(Cluster, q)) is not None:
        query = query.where(cond)
    if region:
        query = query.where(
            Cluster.id.in_(
                select(cluster_region.c.cluster_id).where(cluster_region.c.region_code == region)
            )
        )
    if status:
        query = query.where(Cluster.status == status)
    if specialisation:
        query = query.where(
            Cluster.id.in_(
                select(cluster_okved.c.cluster_id).where(
                    cluster_okved.c.okved_code.startswith(specialisation, autoescape=True)
                )
            )
        )
    return query


def enterprise_query(
    q: str | None = None,
    region: str | None = None,
    okved: str | None = None,
    cluster_id: int | None = None,
) -> Select:
    """Enterprises filtered by text (name, INN, OGRN), region, main activity prefix, cluster."""
    query = select(Enterprise).order_by(Enterprise.name)
    if (cond := _matching(Enterprise, q)) is not None:
        query = query.where(cond)
    if region:
        query = query.where(Enterprise.region_code == region)
    if okved:
        query = query.where(Enterprise.okved_main.startswith(okved, autoescape=True))
    if cluster_id is not None:
        query = query.where(
            Enterprise.id.in_(
                select(Membership.enterprise_id).where(Membership.cluster_id == cluster_id)
            )
        )
    return query


def membership_query(
    cluster_id: int | None = None,
    enterprise_id: int | None = None,
    status: str | None = None,
    role: str | None = None,
) -> Select:
    """Memberships filtered by cluster, enterprise, status and role."""
    query = select(Membership).order_by(Membership.cluster_id, Membership.id)
    for column, value in (
        (Membership.cluster_id, cluster_id),
        (Membership.enterprise_id, enterprise_id),
        (Membership.status, status),
        (Membership.role, role),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


def chain_query(cluster_id: int | None = None) -> Select:
    """Chains, optionally of one cluster."""
    query = select(Chain).order_by(Chain.cluster_id, Chain.position)
    return query if cluster_id is None else query.where(Chain.cluster_id == cluster_id)


def project_query(
    cluster_id: int | None = None, chain_id: int | None = None, status: str | None = None
) -> Select:
    """Investment projects filtered by cluster, chain and status."""
    query = select(InvestmentProject).order_by(InvestmentProject.id)
    for column, value in (
        (InvestmentProject.cluster_id, cluster_id),
        (InvestmentProject.chain_id, chain_id),
        (InvestmentProject.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


@dataclass
class Figures:
    """The platform's headline figures, computed from records."""

    clusters: int
    federal_registry: int
    members: int
    enterprises: int
    projects: int
    investment: int
    regions: int
    declared_members: int
    declared_investment: int


def platform_figures(session: Session) -> Figures:
    """Counts over the whole registry (members = distinct enterprises with a *member* status)."""
    count = lambda q: session.scalar(q) or 0  # noqa: E731
    return Figures(
        clusters=count(select(func.count(Cluster.id))),
        federal_registry=count(
            select(func.count(Cluster.id)).where(Cluster.status == "federal_registry")
        ),
        members=count(
            select(func.count(distinct(Membership.enterprise_id))).where(
                Membership.status == "member"
            )
        ),
        enterprises=count(select(func.count(Enterprise.id))),
        projects=count(select(func.count(InvestmentProject.id))),
        investment=int(count(select(func.sum(InvestmentProject.amount)))),
        regions=count(select(func.count(distinct(cluster_region.c.region_code)))),
        declared_members=int(_declared_sum(session, ("members",))),
        declared_investment=int(_declared_sum(session, ("project_amount", "investment_planned"))),
    )


def _declared_sum(session: Session, indicators: tuple[str, ...]) -> float:
    """Sum of figures declared for clusters or their chains (not region- or country-wide)."""
    return (
        session.scalar(
            select(func.sum(DeclaredFigure.value)).where(
                DeclaredFigure.indicator.in_(indicators), DeclaredFigure.cluster_id.is_not(None)
            )
        )
        or 0
    )


@dataclass
class ChainSummary:
    """A chain with its projects and the money on it, by project status."""

    chain: Chain
    projects: list[InvestmentProject]
    amount: int
    amount_by_status: dict[str, int]
    unknown_amounts: int
    declared: list[DeclaredFigure]


@dataclass
class ClusterProfile:
    """Everything the cluster page shows."""

    cluster: Cluster
    members: dict[str, dict[str, list["MemberRow"]]]
    status_counts: dict[str, int]
    chains: list[ChainSummary]
    other_projects: list[InvestmentProject]
    declared: list[DeclaredFigure]
    project_count: int = 0
    investment: int = 0
    points: list[dict] = field(default_factory=list)


def _chain_summary(chain: Chain, declared: list[DeclaredFigure]) -> ChainSummary:
    by_status: dict[str, int] = defaultdict(int)
    for p in chain.projects:
        by_status[p.status] += p.amount or 0
    return ChainSummary(
        chain=chain,
        projects=list(chain.projects),
        amount=chain.project_amount,
        amount_by_status={s: by_status[s] for s in PROJECT_STATUSES if s in by_status},
        unknown_amounts=sum(p.amount is None for p in chain.projects),
        declared=[d for d in declared if d.chain_id == chain.id],
    )


@dataclass
class MemberRow:
    """A member as the cluster page shows it (read with one query, not as ORM objects: a cluster
    of a thousand members would otherwise cost most of the page's time)."""

    id: int
    version: int
    status: str
    role: str
    note: str | None
    enterprise_id: int
    name: str
    inn: str | None
    point: dict


def _located(*extra) -> Select:
    """Enterprises with what placing them on a map needs (own, city and region coordinates)."""
    e, c, r = Enterprise.__table__, City.__table__, Region.__table__
    columns = (
        e.c.id, e.c.name, e.c.lat, e.c.lon, e.c.is_synthetic, c.c.lat.label("city_lat"),
        c.c.lon.label("city_lon"), r.c.lat.label("region_lat"), r.c.lon.label("region_lon"),
        r.c.name.label("region"),
    )  # fmt: skip
    return select(*columns, *extra).select_from(
        e.join(r, r.c.code == e.c.region_code).outerjoin(c, c.c.id == e.c.city_id)
    )


def _point(x: Any, status: str | None = None) -> dict:
    """The map point of a row of ``_located``."""
    lat, lon, precision = placed(
        (x.lat, x.lon), (x.city_lat, x.city_lon), (x.region_lat, x.region_lon)
    )
    return {
        "id": x.id, "name": x.name, "lat": lat, "lon": lon, "precision": precision,
        "region": x.region, "status": status, "synthetic": x.is_synthetic,
    }  # fmt: skip


def _member_rows(session: Session, cluster_id: int) -> list[MemberRow]:
    m = Membership.__table__
    query = (
        _located(m.c.id.label("mid"), m.c.version, m.c.status, m.c.role, m.c.note, Enterprise.inn)
        .join(m, m.c.enterprise_id == Enterprise.id)
        .where(m.c.cluster_id == cluster_id)
        .order_by(Enterprise.name)
    )
    return [
        MemberRow(
            x.mid, x.version, x.status, x.role, x.note, x.id, x.name, x.inn, _point(x, x.status)
        )
        for x in session.execute(query)
    ]


def cluster_profile(session: Session, cluster_id: int) -> ClusterProfile:
    """The cluster with members grouped by status then role, chains with money, figures."""
    cluster = get(session, Cluster, cluster_id)
    rows = _member_rows(session, cluster_id)
    grouped: dict[str, dict[str, list[MemberRow]]] = {
        s: defaultdict(list) for s in MEMBERSHIP_STATUSES
    }
    for row in rows:
        grouped[row.status][row.role].append(row)
    members = {
        s: {r: roles[r] for r in MEMBERSHIP_ROLES if r in roles}
        for s, roles in grouped.items()
        if roles
    }
    declared = list(
        session.scalars(
            select(DeclaredFigure)
            .where(DeclaredFigure.cluster_id == cluster_id)
            .order_by(DeclaredFigure.id)
        )
    )
    projects = list(session.scalars(project_query(cluster_id=cluster_id)))
    return ClusterProfile(
        cluster=cluster,
        members=members,
        status_counts={s: sum(len(v) for v in roles.values()) for s, roles in members.items()},
        chains=[_chain_summary(c, declared) for c in cluster.chains],
        other_projects=[p for p in projects if p.chain_id is None],
        declared=[d for d in declared if d.chain_id is None],
        project_count=len(projects),
        investment=sum(p.amount or 0 for p in projects),
        points=[row.point for row in rows],
    )


Coordinates = tuple[float | None, float | None]


def placed(own: Coordinates, city: Coordinates, region: Coordinates) -> tuple[float, float, str]:
    """Where to draw an enterprise: its own coordinates, else its city's, else its region's
    centre, with the precision the map shows."""
    if own[0] is not None and own[1] is not None:
        return own[0], own[1], "exact"
    if city[0] is not None and city[1] is not None:
        return city[0], city[1], "city"
    return region[0], region[1], "region"  # type: ignore[return-value]


def enterprise_point(e: Enterprise, status: str | None = None) -> dict:
    """A map point for ``e``: its own coordinates, else its city's, else the region's centre."""
    city = (e.city.lat, e.city.lon) if e.city is not None else (None, None)
    lat, lon, precision = placed((e.lat, e.lon), city, (e.region.lat, e.region.lon))
    return {
        "id": e.id,
        "name": e.name,
        "lat": lat,
        "lon": lon,
        "precision": precision,
        "region": e.region.name,
        "status": status,
        "synthetic": e.is_synthetic,
    }


@dataclass
class Trade:
    """What an enterprise makes and buys, and its supplies to and from other enterprises."""

    produces: list[ProductLine]
    consumes: list[ProductLine]
    sells: list[Supply]
    buys: list[Supply]


def enterprise_trade(session: Session, enterprise_id: int) -> Trade:
    """The product lines and supplies of one enterprise (imported or entered)."""
    lines = session.scalars(
        select(ProductLine)
        .where(ProductLine.enterprise_id == enterprise_id)
        .order_by(ProductLine.okpd2_code)
    ).all()
    supplies = session.scalars(
        select(Supply)
        .where((Supply.supplier_id == enterprise_id) | (Supply.buyer_id == enterprise_id))
        .order_by(Supply.year.desc(), Supply.value.desc())
    ).all()
    return Trade(
        produces=[p for p in lines if p.direction == "produces"],
        consumes=[p for p in lines if p.direction == "consumes"],
        sells=[s for s in supplies if s.supplier_id == enterprise_id],
        buys=[s for s in supplies if s.buyer_id == enterprise_id],
    )


@dataclass
class RegionProfile:
    """What the region page shows."""

    region: Region
    clusters: list[Cluster]
    enterprises: int
    members: int
    projects: int
    investment: int
    declared: list[DeclaredFigure]


def region_profile(session: Session, code: str) -> RegionProfile:
    """A region with its clusters, enterprise counts, investment and declared figures."""
    region = session.get(Region, code)
    if region is None:
        raise NotFound(f"регион с кодом {code} не найден")
    clusters = list(session.scalars(cluster_query(region=code)))
    ids = [c.id for c in clusters]
    return RegionProfile(
        region=region,
        clusters=clusters,
        enterprises=session.scalar(
            select(func.count(Enterprise.id)).where(Enterprise.region_code == code)
        )
        or 0,
        members=session.scalar(
            select(func.count(distinct(Membership.enterprise_id))).where(
                Membership.cluster_id.in_(ids), Membership.status == "member"
            )
        )
        or 0,
        projects=session.scalar(
            select(func.count(InvestmentProject.id)).where(InvestmentProject.cluster_id.in_(ids))
        )
        or 0,
        investment=int(
            session.scalar(
                select(func.sum(InvestmentProject.amount)).where(
                    InvestmentProject.cluster_id.in_(ids)
                )
            )
            or 0
        ),
        declared=list(
            session.scalars(
                select(DeclaredFigure).where(
                    DeclaredFigure.region_code == code, DeclaredFigure.cluster_id.is_(None)
                )
            )
        ),
    )


def member_counts(session: Session, cluster_ids: list[int]) -> dict[int, int]:
    """Members (status *member*) per cluster, counted by the database."""
    query = (
        select(Membership.cluster_id, func.count())
        .where(Membership.cluster_id.in_(cluster_ids), Membership.status == "member")
        .group_by(Membership.cluster_id)
    )
    return {cluster_id: count for cluster_id, count in session.execute(query)}


def regions_with_clusters(session: Session) -> list[tuple[Region, int]]:
    """Regions that have clusters, with the number of clusters each."""
    rows = session.execute(
        select(Region, func.count(cluster_region.c.cluster_id))
        .join(cluster_region, cluster_region.c.region_code == Region.code)
        .group_by(Region.code)
        .order_by(Region.name)
    )
    return [(r, n) for r, n in rows]


MAP_ENTERPRISE_LIMIT = 2000


def map_enterprises(session: Session, limit: int = MAP_ENTERPRISE_LIMIT) -> list[dict]:
    """Map points of enterprises for the overview map: cluster participants first, at most
    ``limit``."""
    in_clusters = select(Membership.enterprise_id)
    query = _located().order_by(Enterprise.id).limit(limit)
    members = [_point(x) for x in session.execute(query.where(Enterprise.id.in_(in_clusters)))]
    rest = limit - len(members)
    others = (
        [
            _point(x)
            for x in session.execute(query.where(Enterprise.id.not_in(in_clusters)).limit(rest))
        ]
        if rest > 0
        else []
    )
    return [*members, *others]


def cluster_point(cluster: Cluster) -> tuple[float, float] | None:
    """The centroid of the cluster's members (all participants if none is a member yet),
    else the centre of its first region."""
    people = [m for m in cluster.memberships if m.status == "member"] or cluster.memberships
    return _centroid([enterprise_point(m.enterprise) for m in people]) or _region_centre(cluster)


def _centroid(points: list[dict]) -> tuple[float, float] | None:
    if not points:
        return None
    return (
        sum(p["lat"] for p in points) / len(points),
        sum(p["lon"] for p in points) / len(points),
    )


def _region_centre(cluster: Cluster) -> tuple[float, float] | None:
    return (cluster.regions[0].lat, cluster.regions[0].lon) if cluster.regions else None


def map_features(session: Session) -> dict:
    """GeoJSON of clusters and enterprises (capped, participants first); the collection's
    ``enterprises_total`` and ``enterprises_shown`` say whether the map shows every firm."""
    features = []
    for p in map_enterprises(session):
        props = {k: v for k, v in p.items() if k not in ("lat", "lon")}
        features.append(_feature("enterprise", p["lat"], p["lon"], props))
    shown = len(features)
    m = Membership.__table__
    located = defaultdict(list)
    for x in session.execute(
        _located(m.c.cluster_id, m.c.status).join(m, m.c.enterprise_id == Enterprise.id)
    ):
        located[x.cluster_id].append((x.status, _point(x)))
    for c in session.scalars(select(Cluster)):
        people = located.get(c.id, [])
        members = [p for status, p in people if status == "member"]
        point = _centroid(members or [p for _, p in people]) or _region_centre(c)
        if point is None:
            continue
        props = {
            "id": c.id,
            "name": c.name,
            "status": c.status,
            "regions": [r.name for r in c.regions],
            "members": len(members),
        }
        features.append(_feature("cluster", *point, props))
    total = session.scalar(select(func.count(Enterprise.id))) or 0
    return {
        "type": "FeatureCollection",
        "features": features,
        "enterprises_total": total,
        "enterprises_shown": shown,
    }


def _feature(kind: str, lat: float, lon: float, props: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"kind": kind, **props},
    }
