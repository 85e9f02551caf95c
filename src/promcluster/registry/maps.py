"""Where things are on a map: enterprises (own, city or region coordinates), clusters (the
centroid of their members), and the overview map's GeoJSON."""

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from promcluster.reference.models import City, Region
from promcluster.registry.models import Cluster, Enterprise, Membership


def located(*extra) -> Select:
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


def point_of(x: Any, status: str | None = None) -> dict:
    """The map point of a row of ``located``."""
    lat, lon, precision = placed(
        (x.lat, x.lon), (x.city_lat, x.city_lon), (x.region_lat, x.region_lon)
    )
    return {
        "id": x.id, "name": x.name, "lat": lat, "lon": lon, "precision": precision,
        "region": x.region, "status": status, "synthetic": x.is_synthetic,
    }  # fmt: skip


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


MAP_ENTERPRISE_LIMIT = 2000


def map_enterprises(session: Session, limit: int = MAP_ENTERPRISE_LIMIT) -> list[dict]:
    """Map points of enterprises for the overview map: cluster participants first, at most
    ``limit``."""
    in_clusters = select(Membership.enterprise_id)
    query = located().order_by(Enterprise.id).limit(limit)
    members = [point_of(x) for x in session.execute(query.where(Enterprise.id.in_(in_clusters)))]
    rest = limit - len(members)
    others = (
        [
            point_of(x)
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
    by_cluster = defaultdict(list)
    for x in session.execute(
        located(m.c.cluster_id, m.c.status).join(m, m.c.enterprise_id == Enterprise.id)
    ):
        by_cluster[x.cluster_id].append((x.status, point_of(x)))
    for c in session.scalars(select(Cluster)):
        people = by_cluster.get(c.id, [])
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
