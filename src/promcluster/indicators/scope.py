"""Where the indicators read from: memberships of a set of clusters or of the clusters of a set
of regions, each row keyed by its cluster id or region code, and the SQL form of a membership's
status on a date.

Who is a participant on a date is :func:`promcluster.chains.graph.participant_condition`, the SQL
form of ``is_participant`` (``tests/indicators`` checks that both agree on every case)."""

from datetime import date
from typing import Literal

from sqlalchemy import ColumnElement, Select, and_, or_, select

from promcluster.registry.models import Cluster, InvestmentProject, Membership, cluster_region

Level = Literal["cluster", "region"]
LEVELS: tuple[str, ...] = ("cluster", "region")


def in_pipeline(status: str, as_of: date) -> ColumnElement[bool]:
    """An applicant or potential participant recorded by ``as_of`` (no later start date)."""
    m = Membership
    return and_(m.status == status, or_(m.since.is_(None), m.since <= as_of))


def memberships(level: Level, keys: list, *columns) -> Select:
    """``select(key, *columns)`` over the memberships of the clusters (or regions) ``keys``."""
    if level == "cluster":
        return select(Membership.cluster_id.label("key"), *columns).where(
            Membership.cluster_id.in_(keys)
        )
    r = cluster_region.c
    return (
        select(r.region_code.label("key"), *columns)
        .select_from(Membership)
        .join(cluster_region, r.cluster_id == Membership.cluster_id)
        .where(r.region_code.in_(keys))
    )


def projects(level: Level, keys: list, *columns) -> Select:
    """``select(key, *columns)`` over the investment projects of the clusters (or regions)."""
    p = InvestmentProject
    if level == "cluster":
        return select(p.cluster_id.label("key"), *columns).where(p.cluster_id.in_(keys))
    r = cluster_region.c
    return (
        select(r.region_code.label("key"), *columns)
        .select_from(p)
        .join(cluster_region, r.cluster_id == p.cluster_id)
        .where(r.region_code.in_(keys))
    )


def clusters(level: Level, keys: list, *columns) -> Select:
    """``select(key, *columns)`` over the clusters themselves (or those of the regions)."""
    if level == "cluster":
        return select(Cluster.id.label("key"), *columns).where(Cluster.id.in_(keys))
    r = cluster_region.c
    return (
        select(r.region_code.label("key"), *columns)
        .select_from(Cluster)
        .join(cluster_region, r.cluster_id == Cluster.id)
        .where(r.region_code.in_(keys))
    )
