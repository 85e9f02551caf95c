"""The aggregate reads behind the indicators: one GROUP BY query per figure, over many clusters
(or regions) at once, keyed by cluster id or region code."""

from collections import defaultdict
from datetime import date

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from promcluster.chains.graph import cooperation, participant_condition, supply_graph
from promcluster.indicators import scope
from promcluster.indicators.scope import Level, in_pipeline, memberships
from promcluster.registry.models import (
    Cluster,
    Enterprise,
    InvestmentProject,
    Membership,
    ProductLine,
    cluster_region,
)

SME = ("micro", "small", "medium")


def counts(session: Session, level: Level, keys: list, as_of: date) -> dict:
    """Distinct enterprises per key: participants, applicants and potential participants."""
    m = Membership
    state = case(
        (participant_condition(as_of), "members"),
        (in_pipeline("applicant", as_of), "applicants"),
        (in_pipeline("potential", as_of), "potential"),
    )
    inner = memberships(level, keys, m.enterprise_id.label("eid"), state.label("state")).subquery()
    rows = session.execute(
        select(inner.c.key, inner.c.state, func.count(distinct(inner.c.eid)))
        .where(inner.c.state.is_not(None))
        .group_by(inner.c.key, inner.c.state)
    )
    found: dict = defaultdict(dict)
    for key, state_, n in rows:
        found[key][state_] = n
    return found


def roles(session: Session, level: Level, keys: list, as_of: date) -> dict:
    m = Membership
    inner = memberships(level, keys, m.enterprise_id.label("eid"), m.role).where(
        participant_condition(as_of)
    )
    inner = inner.subquery()
    rows = session.execute(
        select(inner.c.key, inner.c.role, func.count(distinct(inner.c.eid))).group_by(
            inner.c.key, inner.c.role
        )
    )
    found: dict = defaultdict(dict)
    for key, role, n in rows:
        found[key][role] = n
    return found


def firms(session: Session, level: Level, keys: list, as_of: date) -> dict:
    """Per key over distinct participants: count, employees and revenue (sum and how many
    known), SME and known categories."""
    pairs = (
        memberships(level, keys, Membership.enterprise_id.label("eid"))
        .where(participant_condition(as_of))
        .distinct()
        .subquery()
    )
    e = Enterprise
    sme = func.sum(case((e.sme_category.in_(SME), 1), else_=0))
    query = (
        select(
            pairs.c.key, func.count(), func.sum(e.employees), func.count(e.employees),
            func.sum(e.revenue), func.count(e.revenue), sme, func.count(e.sme_category),
        )
        .join(e, e.id == pairs.c.eid)
        .group_by(pairs.c.key)
    )  # fmt: skip
    return {row[0]: row[1:] for row in session.execute(query)}


def participant_ids(session: Session, level: Level, keys: list, as_of: date) -> dict:
    """Distinct participant enterprise ids per key."""
    query = (
        memberships(level, keys, Membership.enterprise_id)
        .where(participant_condition(as_of))
        .distinct()
    )
    found: dict = defaultdict(list)
    for key, eid in session.execute(query):
        found[key].append(eid)
    return found


def projects(session: Session, level: Level, keys: list) -> dict:
    """Per key and project status: count, count of known amounts, sum of known amounts."""
    p = InvestmentProject
    inner = scope.projects(level, keys, p.status, p.amount).subquery()
    c = inner.c
    query = select(c.key, c.status, func.count(), func.count(c.amount), func.sum(c.amount))
    found: dict = defaultdict(dict)
    for key, status, n, known, amount in session.execute(query.group_by(c.key, c.status)):
        found[key][status] = (n, known, int(amount or 0))
    return found


def cluster_statuses(session: Session, level: Level, keys: list) -> dict:
    c = scope.clusters(level, keys, Cluster.status).subquery().c
    query = select(c.key, c.status, func.count()).group_by(c.key, c.status)
    found: dict = defaultdict(dict)
    for key, status, n in session.execute(query):
        found[key][status or "none"] = n
    return found


def cooperation_figures(session: Session, level: Level, keys: list, as_of: date) -> dict:
    """Per key: (year, roubles inside, roubles of purchases, participants) from the clusters'
    supply graphs; a region sums its clusters' figures (latest year among them)."""
    if level == "cluster":
        members = {k: [k] for k in keys}
    else:
        rows = session.execute(
            select(cluster_region.c.region_code, cluster_region.c.cluster_id).where(
                cluster_region.c.region_code.in_(keys)
            )
        )
        members = defaultdict(list)
        for code, cid in rows:
            members[code].append(cid)
    graphs = {cid: cooperation(supply_graph(session, cid, as_of)) for cid in _flat(members)}
    found = {}
    for key, cids in members.items():
        with_year = [graphs[c] for c in cids if graphs[c].year is not None]
        if with_year:
            found[key] = (
                max(c.year for c in with_year),
                sum(c.inside for c in with_year),
                sum(c.purchases for c in with_year),
                sum(c.participants for c in with_year),
            )
    return found


def _flat(groups: dict) -> set:
    return {x for values in groups.values() for x in values}


def line_year(session: Session, ids: list[int]) -> int | None:
    return session.scalar(
        select(func.max(ProductLine.year)).where(
            ProductLine.enterprise_id.in_(ids), ProductLine.direction == "consumes"
        )
    )
