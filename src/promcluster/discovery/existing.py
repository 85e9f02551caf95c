"""Which clusters of a region a candidate cluster already is: the rule (``existing``) and the
marks made on every call of ``discover`` (they read the registry, which changes more often than
the firm register the candidates are kept for)."""

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.discovery.candidates import Candidate, ExistingCluster
from promcluster.geo import haversine_km
from promcluster.registry import maps
from promcluster.registry.models import Cluster, Enterprise, Membership, cluster_region

NEAR_KM = 20.0  # the least radius around a candidate's centre a cluster's firm counts as near
MIN_INSIDE = 3  # a cluster's firms inside a candidate that make it that cluster, whatever its
# specialisation, when they are also at least half of the cluster's firms


def marked(session: Session, region: str, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates, each with the region's clusters that it is (``ExistingCluster``)."""
    clusters = list(
        session.scalars(
            select(Cluster)
            .join(cluster_region, cluster_region.c.cluster_id == Cluster.id)
            .where(cluster_region.c.region_code == region)
            .order_by(Cluster.id)
        )
    )
    if not clusters or not candidates:
        return candidates
    pipeline: dict[int, dict[int, tuple[float, float] | None]] = {c.id: {} for c in clusters}
    query = (
        maps.located(Membership.cluster_id)
        .join(Membership, Membership.enterprise_id == Enterprise.id)
        .where(Membership.cluster_id.in_(list(pipeline)), Membership.status != "left")
    )
    for x in session.execute(query):
        lat, lon, precision = maps.placed(
            (x.lat, x.lon), (x.city_lat, x.city_lon), (x.region_lat, x.region_lon)
        )
        pipeline[x.cluster_id][x.id] = None if precision == "region" else (lat, lon)
    result = [replace(c, existing=_existing(c, clusters, pipeline)) for c in candidates]
    offered: set[int] = set()  # a «возможно» goes to the best-scored candidate only
    for c in sorted(result, key=lambda c: -c.score):
        kept = [e for e in c.existing if not e.possible or e.id not in offered]
        offered |= {e.id for e in c.existing if e.possible}
        c.existing[:] = kept
    return result


def _existing(
    candidate: Candidate,
    clusters: list[Cluster],
    pipeline: dict[int, dict[int, tuple[float, float] | None]],
) -> list[ExistingCluster]:
    """The clusters ``candidate`` is: its seed activity (the one it is named after) in a
    cluster's specialisation, with one of the cluster's firms among its firms or near its centre;
    or at least half (and ``MIN_INSIDE``) of a cluster's firms among its firms, whatever the
    specialisation. A cluster none of whose firms is placed on the map can only possibly be it
    (``possible``: its firms cannot be near)."""
    firms = set(candidate.firm_ids)
    core = {candidate.seed}
    reach = max(candidate.radius_km, NEAR_KM)
    found = []
    for cluster in clusters:
        codes = [
            s.code
            for s in cluster.specialisation
            if any(a.startswith(s.code) or s.code.startswith(a) for a in core)
        ]
        own = pipeline[cluster.id]
        inside = len(own.keys() & firms)
        points = [p for p in own.values() if p is not None]
        near = sum(haversine_km(p, candidate.centre) <= reach for p in points)
        same = bool(codes) and (inside > 0 or near > 0)
        most = inside >= MIN_INSIDE and 2 * inside >= len(own)
        possible = bool(codes) and not points and not (same or most)
        if same or most or possible:
            found.append(
                ExistingCluster(
                    cluster.id, cluster.name, codes, inside, near, len(own), len(points), possible
                )
            )
    return found
