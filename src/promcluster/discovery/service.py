"""Discovery in a region: its specialisations (location quotients of OKVED2 activities against
the country, i.e. every region in the database) and its candidate clusters (dense groups of firms
in related activities), each marked when it overlaps a cluster the region already has.

The national register is read column-wise with one Core SELECT (no ORM objects) and handed to
the pure analytics (``analytics.lq``, ``analytics.discovery``); results are kept per database
until its next write (``niches.cache``)."""

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.analytics.discovery import CandidateCluster, candidate_clusters
from promcluster.analytics.lq import CODE_LENGTH, Specialisation, cut, location_quotients
from promcluster.discovery.relatedness import relatedness
from promcluster.errors import InvalidField, NotFound
from promcluster.labels import DISCOVERY_MEASURES
from promcluster.niches.cache import kept
from promcluster.niches.outlook import PREFIX
from promcluster.reference.models import Okved, Region
from promcluster.registry import maps
from promcluster.registry.models import Cluster, Enterprise, Membership, cluster_region

LEVELS = (2, 3, 4)
TOP_SPECIALISATIONS = 30
MIN_SPECIALISATION_FIRMS = 3
EPS_KM, MIN_FIRMS, TOP_CANDIDATES = 20.0, 8, 20
FIRMS_LISTED = 500
MAIN_ACTIVITIES = 3  # a candidate's activities compared with a cluster's specialisation


@dataclass(frozen=True)
class Specialism:
    """An activity of the region: LQ, firms, the measure and the region's share of the country."""

    code: str
    name: str | None
    lq: float
    firms: int
    value: float
    share: float | None


@dataclass(frozen=True)
class ExistingCluster:
    """A cluster of the region that a candidate overlaps, and how."""

    id: int
    name: str
    specialisation: list[str]  # its codes matching the candidate's activities
    members: int  # its pipeline's firms among the candidate's


@dataclass
class Candidate:
    """A candidate cluster as the pages, API and CLI show it."""

    number: int
    score: float
    seed: str
    seed_name: str | None
    firms: int
    employees: float
    activities: list[tuple[str, str | None, int]]  # code, name, firms
    centre: tuple[float, float]
    outline: list[tuple[float, float]]
    radius_km: float
    parts: dict[str, float]
    firm_ids: list[int]
    listed_ids: list[int]  # the ``FIRMS_LISTED`` largest by employees
    synthetic_firms: int
    existing: list[ExistingCluster] = field(default_factory=list)


@dataclass
class Discovery:
    """What discovery finds in one region."""

    region: Region
    level: int
    measure: str
    firms: int  # the region's firms with an activity of the level
    national_firms: int
    specialisations: list[Specialism]
    candidates: list[Candidate]
    synthetic: bool


def check_options(level: int, measure: str) -> None:
    """Refuse an unknown OKVED2 level or measure, naming the field."""
    if level not in LEVELS:
        raise InvalidField("level", f"уровень ОКВЭД2: {', '.join(map(str, LEVELS))}")
    if measure not in DISCOVERY_MEASURES:
        raise InvalidField("measure", f"мера: {', '.join(DISCOVERY_MEASURES)}")


def discover(
    session: Session, region: str, level: int = 4, measure: str = "employees"
) -> Discovery:
    """Specialisations and candidate clusters of ``region`` (see the module)."""
    check_options(level, measure)
    found = session.get(Region, region.strip())
    if found is None:
        raise NotFound(f"нет субъекта РФ с кодом «{region}»")
    # The inputs are kept on their own first: ``kept`` computes one thing at a time.
    spec = national_specialisation(session, level, measure)
    proximity = _proximity(session, level)
    return kept(
        session,
        ("discover", found.code, level, measure),
        lambda: _compute(session, found, level, measure, spec, proximity),
    )


def national_specialisation(session: Session, level: int, measure: str) -> Specialisation | None:
    """LQs of every region × activity of the level (None for a register without activities)."""

    def compute() -> Specialisation | None:
        rows = session.execute(
            select(
                Enterprise.region_code, Enterprise.okved_main, Enterprise.employees,
                Enterprise.revenue,
            ).where(Enterprise.okved_main.is_not(None))
        ).all()  # fmt: skip
        if not rows:
            return None
        regions, codes, employees, revenue = (
            np.array(c, dtype=object) for c in zip(*rows, strict=True)
        )
        codes = cut(codes.astype(str), level)
        deep = np.char.str_len(codes) >= CODE_LENGTH[level]
        weight = {"count": None, "employees": employees, "revenue": revenue}[measure]
        if weight is not None:
            weight = np.array([np.nan if w is None else float(w) for w in weight[deep]])
        if not deep.any():
            return None
        return location_quotients(regions[deep].astype(str), codes[deep], weight, measure=measure)

    return kept(session, ("lq", level, measure), compute)


def _compute(
    session: Session,
    region: Region,
    level: int,
    measure: str,
    spec: Specialisation | None,
    proximity: tuple[list[str], np.ndarray] | None,
) -> Discovery:
    specialisations = _specialisations(session, spec, region.code) if spec else []
    national = int(spec.firms.sum()) if spec else 0
    firms, candidates, synthetic = _candidates(session, spec, proximity, region.code, level)
    return Discovery(
        region, level, measure, firms, national, specialisations, candidates, synthetic
    )


def _specialisations(session: Session, spec: Specialisation, region: str) -> list[Specialism]:
    if region not in spec.regions:
        return []
    i = spec.regions.index(region)
    order = [
        j
        for j in np.argsort(-np.nan_to_num(spec.lq[i], nan=-1.0), kind="stable")
        if np.isfinite(spec.lq[i, j]) and spec.firms[i, j] >= MIN_SPECIALISATION_FIRMS
    ][:TOP_SPECIALISATIONS]
    codes = [spec.activities[j] for j in order]
    names = _names(session, codes)
    return [
        Specialism(
            code=spec.activities[j],
            name=names.get(spec.activities[j]),
            lq=float(spec.lq[i, j]),
            firms=int(spec.firms[i, j]),
            value=float(spec.value[i, j]),
            share=None if not np.isfinite(spec.share[i, j]) else float(spec.share[i, j]),
        )
        for j in order
    ]


def _names(session: Session, codes) -> dict[str, str]:
    codes = list(set(codes))
    if not codes:
        return {}
    return dict(session.execute(select(Okved.code, Okved.name).where(Okved.code.in_(codes))).all())


def _candidates(
    session: Session,
    spec: Specialisation | None,
    known: tuple[list[str], np.ndarray] | None,
    region: str,
    level: int,
) -> tuple[int, list[Candidate], bool]:
    """The region's firms placed (own → city → region centre) and their candidate clusters."""
    length = CODE_LENGTH[level]
    rows = [
        x
        for x in session.execute(
            maps.located(Enterprise.okved_main, Enterprise.employees).where(
                Enterprise.region_code == region, Enterprise.okved_main.is_not(None)
            )
        )
        if len(x.okved_main) >= length
    ]
    if not rows:
        return 0, [], False
    points = [
        maps.placed((x.lat, x.lon), (x.city_lat, x.city_lon), (x.region_lat, x.region_lon))
        for x in rows
    ]
    lat = np.array([p[0] for p in points], dtype=float)
    lon = np.array([p[1] for p in points], dtype=float)
    activity = cut(np.array([x.okved_main for x in rows]), level)
    employees = np.array([np.nan if x.employees is None else x.employees for x in rows], float)
    codes, proximity = known if known else ([], np.zeros((0, 0)))
    found = candidate_clusters(
        lat, lon, activity, employees, proximity=proximity, proximity_codes=codes,
        lq=spec.region_lq(region) if spec and region in spec.regions else None,
        eps_km=EPS_KM, min_firms=MIN_FIRMS, top=TOP_CANDIDATES,
    )  # fmt: skip
    ids = np.array([x.id for x in rows])
    synthetic = np.array([bool(x.is_synthetic) for x in rows])
    names = _names(session, {c for f in found for c in f.activities})
    size = np.nan_to_num(employees, nan=0.0)
    result = [_candidate(n, f, ids, synthetic, size, names) for n, f in enumerate(found, start=1)]
    _mark_existing(session, region, result)
    return len(rows), result, bool(synthetic.any())


def _proximity(session: Session, level: int) -> tuple[list[str], np.ndarray] | None:
    """The complexity engine's proximity between activities of the level."""
    outlook_level = next((k for k, v in PREFIX.items() if v == CODE_LENGTH[level]), None)
    known = relatedness(session, outlook_level) if outlook_level else None
    return (known.codes, np.nan_to_num(known.proximity)) if known else None


def _candidate(
    number: int,
    c: CandidateCluster,
    ids: np.ndarray,
    synthetic: np.ndarray,
    size: np.ndarray,
    names: dict,
) -> Candidate:
    firms = np.asarray(c.firms)
    largest = firms[np.lexsort((ids[firms], -size[firms]))][:FIRMS_LISTED]
    activities = sorted(c.activities.items(), key=lambda a: (-a[1], a[0]))
    return Candidate(
        number=number,
        score=float(c.score),
        seed=c.seed_activity,
        seed_name=names.get(c.seed_activity),
        firms=len(c.firms),
        employees=float(c.employees),
        activities=[(code, names.get(code), n) for code, n in activities],
        centre=(float(c.centre[0]), float(c.centre[1])),
        outline=[(float(a), float(b)) for a, b in c.outline],
        radius_km=float(c.radius_km),
        parts={k: float(v) for k, v in c.reasons.items()},
        firm_ids=[int(i) for i in ids[firms]],
        listed_ids=[int(i) for i in ids[largest]],
        synthetic_firms=int(synthetic[firms].sum()),
    )


def _mark_existing(session: Session, region: str, candidates: list[Candidate]) -> None:
    """Mark each candidate with the region's clusters sharing its activities or its firms."""
    clusters = list(
        session.scalars(
            select(Cluster)
            .join(cluster_region, cluster_region.c.cluster_id == Cluster.id)
            .where(cluster_region.c.region_code == region)
            .order_by(Cluster.id)
        )
    )
    if not clusters or not candidates:
        return
    pipeline: dict[int, set[int]] = {c.id: set() for c in clusters}
    for cluster_id, enterprise_id in session.execute(
        select(Membership.cluster_id, Membership.enterprise_id).where(
            Membership.cluster_id.in_(list(pipeline)), Membership.status != "left"
        )
    ):
        pipeline[cluster_id].add(enterprise_id)
    for candidate in candidates:
        firms = set(candidate.firm_ids)
        main = {candidate.seed, *(a for a, _, _ in candidate.activities[:MAIN_ACTIVITIES])}
        for cluster in clusters:
            codes = [
                s.code
                for s in cluster.specialisation
                if any(a.startswith(s.code) or s.code.startswith(a) for a in main)
            ]
            members = len(pipeline[cluster.id] & firms)
            if codes or members:
                candidate.existing.append(ExistingCluster(cluster.id, cluster.name, codes, members))


def candidate(session: Session, region: str, number: int, level: int, measure: str):
    """One candidate of ``discover`` with its firms (the ``FIRMS_LISTED`` largest)."""
    found = discover(session, region, level, measure)
    chosen = next((c for c in found.candidates if c.number == number), None)
    if chosen is None:
        raise NotFound(f"в регионе {found.region.code} нет кандидата №{number}")
    rows = session.execute(
        maps.located(Enterprise.okved_main, Enterprise.employees)
        .where(Enterprise.id.in_(chosen.listed_ids))
        .order_by(Enterprise.employees.desc().nulls_last(), Enterprise.id)
    ).all()
    return found, chosen, rows
