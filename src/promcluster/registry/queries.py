"""Reads of the registry: filtered lists, the platform's figures, cluster and region profiles."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session, selectinload

from promcluster.cache import kept
from promcluster.errors import NotFound
from promcluster.labels import MEMBERSHIP_ROLES, MEMBERSHIP_STATUSES
from promcluster.pagination import where_given
from promcluster.records import get
from promcluster.reference.models import Region
from promcluster.registry import maps
from promcluster.registry.models import (
    NAME_ORDER,
    Cluster,
    DeclaredFigure,
    Enterprise,
    EnterpriseFigure,
    InvestmentProject,
    Membership,
    ProductLine,
    Supply,
    cluster_okved,
    cluster_region,
    search_key,
)


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
    """Enterprises filtered by text (name, INN, OGRN), region, main activity prefix, cluster, in
    the order of their names with numbers read as numbers; their extra activities loaded with
    them (one query per page, not one per enterprise)."""
    query = (
        select(Enterprise).options(selectinload(Enterprise.extra_activities)).order_by(*NAME_ORDER)
    )
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
    return where_given(
        query,
        (Membership.cluster_id, cluster_id),
        (Membership.enterprise_id, enterprise_id),
        (Membership.status, status),
        (Membership.role, role),
    )


def project_query(
    cluster_id: int | None = None, chain_id: int | None = None, status: str | None = None
) -> Select:
    """Investment projects filtered by cluster, chain and status."""
    query = select(InvestmentProject).order_by(InvestmentProject.id)
    return where_given(
        query,
        (InvestmentProject.cluster_id, cluster_id),
        (InvestmentProject.chain_id, chain_id),
        (InvestmentProject.status, status),
    )


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
    synthetic_enterprises: int  # the demo's labelled synthetic supplement


def all_clusters(session: Session) -> list[Cluster]:
    """Every cluster, in the list's order."""
    return list(session.scalars(cluster_query()))


def national_figures(session: Session) -> list[DeclaredFigure]:
    """Figures declared for the country as a whole (no region, no cluster)."""
    query = select(DeclaredFigure).where(
        DeclaredFigure.region_code.is_(None), DeclaredFigure.cluster_id.is_(None)
    )
    return list(session.scalars(query))


def region_enterprises(session: Session, code: str, limit: int = 200) -> list[Enterprise]:
    """The first ``limit`` enterprises of a region, in the list's order (for its page and map)."""
    return list(session.scalars(enterprise_query(region=code).limit(limit)))


def platform_figures(session: Session) -> Figures:
    """Counts over the whole registry (members = distinct enterprises with a *member* status),
    kept until the next write: counting 100,000 enterprises at every view of the home page
    and /api/v1/stats was most of their database time."""
    return kept(session, ("platform figures",), lambda: _count_figures(session))


def _count_figures(session: Session) -> Figures:
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
        synthetic_enterprises=count(
            select(func.count(Enterprise.id)).where(Enterprise.is_synthetic.is_(True))
        ),
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
class ClusterProfile:
    """Everything the cluster page shows."""

    cluster: Cluster
    members: dict[str, dict[str, list["MemberRow"]]]
    status_counts: dict[str, int]
    other_projects: list[InvestmentProject]
    declared: list[DeclaredFigure]  # of the cluster as a whole
    chain_figures: list[DeclaredFigure]  # of its chains
    project_count: int = 0
    investment: int = 0
    points: list[dict] = field(default_factory=list)


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


def _member_rows(session: Session, cluster_id: int) -> list[MemberRow]:
    m = Membership.__table__
    query = (
        maps.located(
            m.c.id.label("mid"), m.c.version, m.c.status, m.c.role, m.c.note, Enterprise.inn
        )
        .join(m, m.c.enterprise_id == Enterprise.id)
        .where(m.c.cluster_id == cluster_id)
        .order_by(Enterprise.name)
    )
    return [
        MemberRow(
            x.mid,
            x.version,
            x.status,
            x.role,
            x.note,
            x.id,
            x.name,
            x.inn,
            maps.point_of(x, x.status),
        )
        for x in session.execute(query)
    ]


def cluster_profile(session: Session, cluster_id: int) -> ClusterProfile:
    """The cluster with members grouped by status then role, projects and figures (its chains
    are summarised by ``chains.queries.chain_summaries``)."""
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
        other_projects=[p for p in projects if p.chain_id is None],
        declared=[d for d in declared if d.chain_id is None],
        chain_figures=[d for d in declared if d.chain_id is not None],
        project_count=len(projects),
        investment=sum(p.amount or 0 for p in projects),
        points=[row.point for row in rows],
    )


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


def enterprise_figures(session: Session, enterprise_id: int) -> list[EnterpriseFigure]:
    """An enterprise's headcount and revenue by reporting year, the earliest first."""
    return list(
        session.scalars(
            select(EnterpriseFigure)
            .where(EnterpriseFigure.enterprise_id == enterprise_id)
            .order_by(EnterpriseFigure.year)
        )
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
