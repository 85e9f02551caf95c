"""Niches of a region: products its enterprises buy from elsewhere, ranked by demand, by how
feasible making them here is, and by how attractive they are; with buyers and candidate producers.

A product group (OKPD2 class ``XX.XX``) maps to the OKVED2 activity with the same leading code
(``23.61`` → group ``23.6`` at the default level; docs/NICHES.md lists the exceptions). The score
(each component scaled to 0…1 over the region's niches, then their weighted mean) is computed by
:mod:`promcluster.analytics.niche_score`, which documents the formula.
"""

from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from promcluster import labels
from promcluster.analytics.niche_score import NicheFigures, niche_components, weighted_score
from promcluster.background import Job
from promcluster.cache import kept
from promcluster.errors import InvalidField, NotFound
from promcluster.niches.demand import GroupDemand, group_names, region_demand
from promcluster.niches.outlook import Outlook, outlook
from promcluster.procurement.queries import NicheBuyer, niche_buyers
from promcluster.reference.levels import DEFAULT_LEVEL, INDUSTRIAL_SECTIONS, PREFIX, group_of
from promcluster.reference.models import Okved, Region
from promcluster.registry.models import Cluster, Enterprise, ProductLine
from promcluster.registry.queries import cluster_query
from promcluster.russian import number

WEIGHTS = {"demand": 0.4, "feasibility": 0.4, "attractiveness": 0.2}
RELATED_ACTIVITIES = 8  # closest activities whose firms are candidate producers
CANDIDATES = 25


@dataclass
class Niche:
    """One product group of a region with every component and the combined score."""

    group: str
    name: str
    demand: float
    imported: float
    buyers: int
    produced: float
    producers: int
    activity: str | None = None
    activity_name: str | None = None
    feasibility: float | None = None
    density: float | None = None
    rca: float | None = None
    pci: float | None = None
    cog: float | None = None
    components: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    procurement: float = 0.0  # the part of ``demand`` known from public procurement (ЕИС)

    @property
    def import_share(self) -> float | None:
        return self.imported / self.demand if self.demand else None

    @property
    def specialised(self) -> bool:
        return self.rca is not None and self.rca >= 1


@dataclass
class Ranking:
    """The niches of a region (or of one cluster's members there), best first."""

    region: Region
    cluster: Cluster | None
    weights: dict[str, float]
    niches: list[Niche]
    level: int
    synthetic: bool
    outlook: Outlook | None


@dataclass
class Buyer:
    enterprise_id: int | None
    name: str
    outside: float
    imported: float
    total: float
    sources: list[str]
    supplier_regions: list[str]
    synthetic: bool
    procurement: NicheBuyer | None = None  # its contracts of the niche's products (ЕИС)


@dataclass
class Candidate:
    enterprise_id: int
    name: str
    city: str | None
    okved: str | None
    employees: int | None
    reason: str
    synthetic: bool


@dataclass
class NicheDetail:
    ranking: Ranking
    niche: Niche
    rank: int
    buyers: list[Buyer]
    candidates: list[Candidate]
    related: list[tuple[str, str, float]]  # activity, name, proximity


def parse_weights(raw: dict[str, float | None]) -> dict[str, float]:
    """The default weights with the given ones replaced; each from 0 to 10, not all zero."""
    weights = dict(WEIGHTS)
    for name, value in raw.items():
        if value is None:
            continue
        if name not in WEIGHTS:
            raise InvalidField(name, "неизвестный компонент оценки")
        if not 0 <= value <= 10:
            raise InvalidField(name, "вес должен быть от 0 до 10")
        weights[name] = float(value)
    if not any(weights.values()):
        raise InvalidField("weights", "хотя бы один вес должен быть больше нуля")
    return weights


def rank_niches(
    session: Session,
    region_code: str,
    cluster_id: int | None = None,
    weights: dict[str, float] | None = None,
    level: int = DEFAULT_LEVEL,
) -> Ranking:
    """Every product group with demand from outside ``region_code``, best first."""
    region = session.get(Region, region_code)
    if region is None:
        raise NotFound(f"регион с кодом {region_code} не найден")
    cluster = None
    if cluster_id is not None:
        cluster = session.get(Cluster, cluster_id)
        if cluster is None:
            raise NotFound(f"кластер №{cluster_id} не найден")
    if level not in PREFIX:
        raise InvalidField("level", "уровень ОКВЭД2: 1 (раздел XX), 2 (группа XX.X) или 3 (XX.XX)")
    weights = weights or dict(WEIGHTS)
    found = outlook(session, level)
    base, synthetic = kept(
        session,
        ("niches", region_code, cluster_id, level),
        lambda: _unscored(session, region_code, cluster_id, level, found),
    )
    niches = [replace(n, components={}) for n in base]
    _score(niches, weights, found, region_code)
    niches.sort(key=lambda n: (-n.score, -n.demand, n.group))
    return Ranking(region, cluster, weights, niches, level, synthetic, found)


def ranking_job(region_code: str, cluster_id: int | None = None) -> Job:
    """The ranking of a region (its page and ``/api/v1/niches`` read it; the weights are
    applied afterwards) as a job computed in the background (``promcluster.background``)."""
    return Job(
        ("niches", region_code, cluster_id), lambda s: rank_niches(s, region_code, cluster_id)
    )


def region_clusters(session: Session, region_code: str) -> list[Cluster]:
    """The clusters of a region by name: the choices for narrowing its niches to one cluster."""
    return list(session.scalars(cluster_query(region=region_code)))


def _unscored(
    session: Session, region: str, cluster_id: int | None, level: int, found: Outlook | None
) -> tuple[list[Niche], bool]:
    """The region's niches with every figure but the score, and whether it has synthetic firms."""
    demands = [d for d in region_demand(session, region, cluster_id).values() if d.outside]
    names = group_names(session, [d.group for d in demands])
    niches = [_niche(d, names.get(d.group, ""), found, region, level) for d in demands]
    _activity_names(session, niches)
    synthetic = session.scalar(
        select(exists().where(Enterprise.region_code == region, Enterprise.is_synthetic))
    )
    return niches, bool(synthetic)


def _niche(d: GroupDemand, name: str, found: Outlook | None, region: str, level: int) -> Niche:
    niche = Niche(
        d.group,
        name,
        d.outside,
        d.imported,
        len(d.outside_buyers),
        d.produced,
        len(d.producers),
        procurement=d.procurement,
    )
    if found is None or region not in found.region_index:
        return niche
    code = d.group[: PREFIX[level]]
    j = found.activity_index.get(code)
    if j is None:
        niche.activity = code
        return niche
    i = found.region_index[region]
    niche.activity = code
    niche.feasibility = float(found.feasibility[i, j])
    niche.density = float(found.density[i, j])
    niche.rca = float(found.rca[i, j])
    niche.pci = _number(found.pci[j])
    niche.cog = _number(found.cog[i, j])
    return niche


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _okved_names(session: Session, codes) -> dict[str, str]:
    query = select(Okved.code, Okved.name).where(Okved.code.in_(list(codes)))
    return dict(session.execute(query).all())


def _activity_names(session: Session, niches: list[Niche]) -> None:
    names = _okved_names(session, {n.activity for n in niches if n.activity})
    for n in niches:
        n.activity_name = names.get(n.activity or "")


def _score(
    niches: list[Niche], weights: dict[str, float], found: Outlook | None, region: str
) -> None:
    """Set each niche's components and score against the outlook's row of ``region``."""
    row = found.region_index.get(region) if found is not None else None
    empty = np.array([])
    components = niche_components(
        [NicheFigures(n.demand, n.feasibility, n.pci, n.cog) for n in niches],
        pci=found.pci if found is not None else empty,
        cog=found.cog[row] if row is not None else empty,
        feasibility=found.feasibility[row] if row is not None else empty,
    )
    for n, parts in zip(niches, components, strict=True):
        n.components = parts
        n.score = weighted_score(parts, weights)


def niche_detail(
    session: Session,
    region_code: str,
    group: str,
    cluster_id: int | None = None,
    weights: dict[str, float] | None = None,
) -> NicheDetail:
    """One niche with its buyers (who, how much, from where they buy today) and the region's
    candidate producers with the reason for each."""
    ranking = rank_niches(session, region_code, cluster_id, weights)
    ranks = {n.group: i for i, n in enumerate(ranking.niches, start=1)}
    if group not in ranks:
        raise NotFound(f"в регионе {region_code} нет спроса на группу ОКПД2 {group}")
    rank = ranks[group]
    niche = ranking.niches[rank - 1]
    demand = region_demand(session, region_code, cluster_id, group)[group]
    related = _related(session, ranking.outlook, niche.activity)
    return NicheDetail(
        ranking,
        niche,
        rank,
        _buyers(session, demand, niche_buyers(session, region_code, group)),
        candidate_producers(session, region_code, niche, related),
        related,
    )


def _buyers(session: Session, demand: GroupDemand, contracts: dict[int, NicheBuyer]) -> list[Buyer]:
    """The niche's buyers from outside the region, the largest first, each with its contracts
    of the niche's products when it is a public customer (``contracts``, by enterprise id)."""
    purchases = demand.outside_buyers
    ids = [p.buyer_id for p in purchases if p.buyer_id is not None]
    synthetic = set(
        session.scalars(
            select(Enterprise.id).where(Enterprise.id.in_(ids), Enterprise.is_synthetic)
        )
    )
    regions = dict(session.execute(select(Region.code, Region.name)).all())
    buyers = [
        Buyer(
            p.buyer_id,
            p.buyer_name,
            p.outside,
            p.imported,
            p.total,
            sorted(labels.DEMAND_SOURCES[s] for s in p.sources),
            sorted(regions.get(r, r) for r in p.supplier_regions),
            p.buyer_id in synthetic,
            contracts.get(p.buyer_id) if p.buyer_id is not None else None,
        )
        for p in purchases
    ]
    return sorted(buyers, key=lambda b: (-b.outside, b.name))


def _related(
    session: Session, found: Outlook | None, activity: str | None
) -> list[tuple[str, str, float]]:
    if found is None or activity not in found.activity_index:
        return []
    j = found.activity_index[activity]
    closeness = found.proximity[j].copy()
    closeness[j] = 0
    close = [k for k in np.argsort(-closeness) if closeness[k] > 0]
    query = select(Okved.code, Okved.name, Okved.section).where(
        Okved.code.in_([found.activities[k] for k in close])
    )
    known = {code: (name, section) for code, name, section in session.execute(query)}
    industrial = [
        k for k in close if known.get(found.activities[k], ("", ""))[1] in INDUSTRIAL_SECTIONS
    ]
    return [
        (found.activities[k], known[found.activities[k]][0], float(closeness[k]))
        for k in industrial[:RELATED_ACTIVITIES]
    ]


def candidate_producers(
    session: Session, region_code: str, niche: Niche, related: list[tuple[str, str, float]]
) -> list[Candidate]:
    """Firms of the region that could make the niche's products: same activity, makers of
    related products (same OKPD2 group ``XX.X``), firms in the closest activities, firms of the
    same OKVED2 division; by that order, then by headcount (capacity)."""
    activity = niche.activity or group_of(niche.group)
    related_codes = {code: (name, phi) for code, name, phi in related}
    length = len(activity)
    prefix = func.substr(Enterprise.okved_main, 1, length)
    makers = select(ProductLine.enterprise_id).where(
        ProductLine.direction == "produces",
        ProductLine.okpd2_code.startswith(niche.group[:4]),
    )
    rows = session.execute(
        select(Enterprise, prefix.label("activity"))
        .where(
            Enterprise.region_code == region_code,
            or_(
                prefix == activity,
                prefix.in_(list(related_codes)),
                Enterprise.id.in_(makers),
                func.substr(Enterprise.okved_main, 1, 2) == activity[:2],
            ),
        )
        .order_by(Enterprise.employees.desc().nulls_last(), Enterprise.id)
        .limit(CANDIDATES * 4)
    ).all()
    maker_ids = set(
        session.scalars(makers.where(ProductLine.enterprise_id.in_([e.id for e, _ in rows])))
    )
    ranked = []
    for enterprise, code in rows:
        if code == activity:
            kind, reason = 0, labels.CANDIDATE_REASONS["same"].format(code=activity)
        elif enterprise.id in maker_ids:
            kind, reason = 1, labels.CANDIDATE_REASONS["product"].format(code=niche.group[:4])
        elif code in related_codes:
            name, phi = related_codes[code]
            kind = 2
            reason = labels.CANDIDATE_REASONS["activity"].format(
                code=code, name=name, proximity=number(phi, 2)
            )
        else:
            kind, reason = 3, labels.CANDIDATE_REASONS["division"].format(code=activity[:2])
        ranked.append((kind, enterprise, reason))
    ranked.sort(key=lambda r: (r[0], -(r[1].employees or 0), r[1].id))
    return [
        Candidate(
            e.id,
            e.name,
            e.city.name if e.city else None,
            e.okved_main,
            e.employees,
            reason,
            e.is_synthetic,
        )
        for _, e, reason in ranked[:CANDIDATES]
    ]
