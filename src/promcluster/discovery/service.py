"""Discovery in a region: its specialisations (location quotients of OKVED2 activities against
the country, i.e. every region in the database, or a chosen set of regions), their growth between
two reporting years (``EnterpriseFigure``) and its candidate clusters (dense groups of firms in
related activities), each marked when it is one of the clusters the region already has.

The national register is summed per region × activity by the database and the region's firms are
read column-wise with one Core SELECT (no ORM objects), both handed to the pure analytics
(``analytics.lq``, ``analytics.discovery``); results are kept per database
until the next write to the firm register (``niches.cache``), and only the existing-cluster marks,
which read the registry, are made on every call."""

import re
from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.analytics.discovery import CandidateCluster, candidate_clusters
from promcluster.analytics.lq import (
    CODE_LENGTH,
    Growth,
    Specialisation,
    SpecialisationError,
    cell_quotients,
    cut,
    growth,
)
from promcluster.discovery.relatedness import relatedness
from promcluster.errors import InvalidField, NotFound
from promcluster.labels import DISCOVERY_MEASURES
from promcluster.matching.scoring import haversine_km
from promcluster.niches.cache import FIRMS, kept
from promcluster.niches.outlook import PREFIX
from promcluster.reference.models import Okved, Region
from promcluster.registry import maps
from promcluster.registry.models import (
    Cluster,
    Enterprise,
    EnterpriseFigure,
    Membership,
    cluster_region,
)

LEVELS = (2, 3, 4)
TOP_SPECIALISATIONS = 30
MIN_SPECIALISATION_FIRMS = 3
EPS_KM, MIN_FIRMS, TOP_CANDIDATES = 20.0, 8, 20
FIRMS_LISTED = 500
MIN_INSIDE = 3  # a cluster's firms inside a candidate that make it that cluster, whatever its
# specialisation, when they are also at least half of the cluster's firms


@dataclass(frozen=True)
class Specialism:
    """An activity of the region: LQ, firms, the measure and the region's share of the country."""

    code: str
    name: str | None
    lq: float
    firms: int
    value: float
    share: float | None
    growth: float | None = None  # relative change of the measure between the two years
    lq_change: float | None = None


@dataclass(frozen=True)
class ExistingCluster:
    """A cluster of the region that a candidate is, and why (``_existing``)."""

    id: int
    name: str
    specialisation: list[str]  # its codes holding the candidate's core activities
    members: int  # its pipeline's firms among the candidate's
    near: int  # its pipeline's firms placed within the candidate's radius (at least ``EPS_KM``)
    pipeline: int  # its pipeline's firms in all
    placed: int  # of them, placed on the map by their own or their city's coordinates


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
    growth: float | None = None  # of the headcount of its firms with figures of both years
    growth_firms: int = 0  # those firms


@dataclass
class Discovery:
    """What discovery finds in one region: against the ``reference`` regions (None: the
    country), with growth between ``years`` when the register has figures of two years."""

    region: Region
    level: int
    measure: str
    firms: int  # the region's firms with an activity of the level
    national_firms: int
    specialisations: list[Specialism]
    candidates: list[Candidate]
    synthetic: bool
    reference: list[Region] | None = None
    years: tuple[int, int] | None = None
    available_years: list[int] = field(default_factory=list)
    region_growth: float | None = None  # the region's measure over all activities

    @property
    def query(self) -> str:
        """The options as a query string, for links to the same view."""
        parts = [f"level={self.level}", f"measure={self.measure}"]
        parts += [f"against={r.code}" for r in self.reference or []]
        if self.years:
            parts += [f"since={self.years[0]}", f"until={self.years[1]}"]
        return "&".join(parts)


@dataclass(frozen=True)
class Options:
    """How a region is looked at: OKVED2 level, measure, reference regions, growth years."""

    level: int = 4
    measure: str = "employees"
    against: tuple[str, ...] = ()  # reference regions; empty: the country
    since: int | None = None
    until: int | None = None


def regions_of(values: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Region codes from form values or a text like «77, 50 78» (sorted, without repeats)."""
    if values is None:
        return ()
    texts = [values] if isinstance(values, str) else list(values)
    return tuple(sorted({c for t in texts for c in re.split(r"[\s,;]+", t) if c}))


def check_options(session: Session, options: Options) -> list[Region] | None:
    """Refuse an unknown OKVED2 level, measure or reference region, naming the field; the
    reference regions found (None for the country)."""
    if options.level not in LEVELS:
        raise InvalidField("level", f"уровень ОКВЭД2: {', '.join(map(str, LEVELS))}")
    if options.measure not in DISCOVERY_MEASURES:
        raise InvalidField("measure", f"мера: {', '.join(DISCOVERY_MEASURES)}")
    if not options.against:
        return None
    found = list(session.scalars(select(Region).where(Region.code.in_(options.against))))
    unknown = sorted(set(options.against) - {r.code for r in found})
    if unknown:
        raise InvalidField("against", f"нет субъектов РФ с кодами: {', '.join(unknown)}")
    return sorted(found, key=lambda r: r.code)


def discover(session: Session, region: str, options: Options = Options()) -> Discovery:
    """Specialisations, their growth and the candidate clusters of ``region`` (see the module)."""
    reference = check_options(session, options)
    found = session.get(Region, region.strip())
    if found is None:
        raise NotFound(f"нет субъекта РФ с кодом «{region}»")
    years = available_years(session)
    period = _period(options, years)
    # The inputs are kept on their own first: ``kept`` computes one thing at a time.
    spec = national_specialisation(session, options.level, options.measure, options.against)
    change = specialisation_growth(session, options, period) if period else None
    proximity = _proximity(session, options.level)
    result = kept(
        session,
        ("discover", found.code, options.level, options.measure, options.against),
        lambda: _compute(session, found, options, spec, proximity),
        on=FIRMS,
    )
    specialisations, candidates = result.specialisations, result.candidates
    if change is not None and period is not None:
        specialisations = [_grown(s, change, found.code) for s in specialisations]
        candidates = _candidates_grown(session, found.code, period, candidates)
    return replace(
        result,
        region=found,
        specialisations=specialisations,
        candidates=_marked(session, found.code, candidates),
        reference=reference,
        years=period,
        available_years=years,
        region_growth=_region_growth(change, found.code) if change else None,
    )


def national_specialisation(
    session: Session, level: int, measure: str, against: tuple[str, ...] = ()
) -> Specialisation | None:
    """LQs of every region × activity of the level against the regions ``against`` (the country
    when empty) in the current register (None for a register without activities)."""
    weight = {"count": None, "employees": Enterprise.employees, "revenue": Enterprise.revenue}
    return kept(
        session,
        ("lq", level, measure, against),
        lambda: _quotients(session, select(), weight[measure], level, measure, against),
        on=FIRMS,
    )


def available_years(session: Session) -> list[int]:
    """The reporting years of the register's enterprise figures."""
    query = select(EnterpriseFigure.year).distinct().order_by(EnterpriseFigure.year)
    return list(kept(session, ("figure years",), lambda: list(session.scalars(query)), on=FIRMS))


def _period(options: Options, years: list[int]) -> tuple[int, int] | None:
    """The growth years: as asked, else the earliest and the latest (None with fewer than two)."""
    if options.since is None and options.until is None:
        return (years[0], years[-1]) if len(years) >= 2 else None
    since = years[0] if options.since is None and years else options.since
    until = years[-1] if options.until is None and years else options.until
    shown = ", ".join(map(str, years)) or "нет"
    for name, year in (("since", since), ("until", until)):
        if year not in years:
            raise InvalidField(name, f"нет показателей предприятий за {year} год; есть: {shown}")
    if since >= until:  # type: ignore[operator]
        raise InvalidField("until", f"конец периода ({until}) должен быть позже начала ({since})")
    return since, until  # type: ignore[return-value]


def specialisation_growth(session: Session, options: Options, period: tuple[int, int]) -> Growth:
    """Change of the measure and of the LQs between the two years, on the enterprise figures of
    each year (the firms' current activity and region; ``count`` counts firms with figures)."""

    weight = {"count": None, "employees": EnterpriseFigure.employees,
              "revenue": EnterpriseFigure.revenue}[options.measure]  # fmt: skip

    def of_year(year: int) -> Specialisation:
        query = (
            select()
            .join_from(
                Enterprise, EnterpriseFigure, EnterpriseFigure.enterprise_id == Enterprise.id
            )
            .where(EnterpriseFigure.year == year)
        )
        found = _quotients(session, query, weight, options.level, options.measure, options.against)
        if found is None:
            raise InvalidField("since", f"за {year} год нет показателей предприятий")
        return found

    key = ("growth", options.level, options.measure, options.against, period)
    return kept(session, key, lambda: growth(of_year(period[0]), of_year(period[1])), on=FIRMS)


def _quotients(
    session: Session, query, weight, level: int, measure: str, against: tuple[str, ...]
) -> Specialisation | None:
    """LQs of the enterprises of ``query`` (a SELECT to add columns to), summed per region ×
    activity of the level by the database (None without activities of the level); a reference
    region without firms is an error naming the field ``against``."""
    length = CODE_LENGTH[level]
    activity = func.substr(Enterprise.okved_main, 1, length)
    columns = [Enterprise.region_code, activity, func.count()]
    if weight is not None:
        columns += [func.count(weight), func.coalesce(func.sum(weight), 0)]
    rows = session.execute(
        query.add_columns(*columns)
        .where(Enterprise.okved_main.is_not(None), func.length(Enterprise.okved_main) >= length)
        .group_by(Enterprise.region_code, activity)
    ).all()
    if not rows:
        return None
    region, code, firms, *summed = zip(*rows, strict=True)
    value, missing = firms, 0
    if summed:
        value = [float(v) for v in summed[1]]
        missing = sum(firms) - sum(summed[0])
    try:
        return cell_quotients(
            np.array(region), np.array(code), np.array(value, dtype=float), np.array(firms),
            reference=list(against) or None, measure=measure, missing=missing,
        )  # fmt: skip
    except SpecialisationError as exc:
        raise InvalidField("against", str(exc)) from exc


def _grown(s: Specialism, change: Growth, region: str) -> Specialism:
    if region not in change.regions or s.code not in change.activities:
        return s
    i, j = change.regions.index(region), change.activities.index(s.code)
    relative, lq = change.relative[i, j], change.lq_change[i, j]
    return replace(
        s,
        growth=float(relative) if np.isfinite(relative) else None,
        lq_change=float(lq) if np.isfinite(lq) else None,
    )


def _region_growth(change: Growth, region: str) -> float | None:
    if region not in change.regions:
        return None
    i = change.regions.index(region)
    before, after = change.value_before[i].sum(), change.value_after[i].sum()
    return float((after - before) / before) if before > 0 else None


def _candidates_grown(
    session: Session, region: str, period: tuple[int, int], candidates: list[Candidate]
) -> list[Candidate]:
    """Each candidate with the change of headcount of its firms with figures of both years."""
    ids, before, after = kept(
        session, ("headcounts", region, period), lambda: _headcounts(session, region, period),
        on=FIRMS,
    )  # fmt: skip
    grown = []
    for c in candidates:
        inside = np.isin(ids, c.firm_ids, assume_unique=True)
        total = before[inside].sum()
        change = float(after[inside].sum() / total - 1) if total > 0 else None
        grown.append(replace(c, growth=change, growth_firms=int(inside.sum())))
    return grown


def _headcounts(
    session: Session, region: str, period: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The region's firms with a headcount in both years: ids, the earlier and the later one."""
    earlier, later = (
        select(EnterpriseFigure.enterprise_id, EnterpriseFigure.employees)
        .join(Enterprise, Enterprise.id == EnterpriseFigure.enterprise_id)
        .where(
            Enterprise.region_code == region, EnterpriseFigure.year == year,
            EnterpriseFigure.employees.is_not(None),
        )
        .subquery()
        for year in period
    )  # fmt: skip
    rows = session.execute(
        select(earlier.c.enterprise_id, earlier.c.employees, later.c.employees).join(
            later, later.c.enterprise_id == earlier.c.enterprise_id
        )
    ).all()
    if not rows:
        return np.zeros(0, int), np.zeros(0), np.zeros(0)
    ids, before, after = (np.array(c) for c in zip(*rows, strict=True))
    return ids, before.astype(float), after.astype(float)


def _compute(
    session: Session,
    region: Region,
    options: Options,
    spec: Specialisation | None,
    proximity: tuple[list[str], np.ndarray] | None,
) -> Discovery:
    specialisations = _specialisations(session, spec, region.code) if spec else []
    national = int(spec.firms.sum()) if spec else 0
    firms, candidates, synthetic = _candidates(session, spec, proximity, region.code, options.level)
    return Discovery(
        region, options.level, options.measure, firms, national, specialisations, candidates,
        synthetic,
    )  # fmt: skip


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


def _marked(session: Session, region: str, candidates: list[Candidate]) -> list[Candidate]:
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
    return [replace(c, existing=_existing(c, clusters, pipeline)) for c in candidates]


def _existing(
    candidate: Candidate,
    clusters: list[Cluster],
    pipeline: dict[int, dict[int, tuple[float, float] | None]],
) -> list[ExistingCluster]:
    """The clusters ``candidate`` is: its core activities (seed and largest) in a cluster's
    specialisation, with one of the cluster's firms among its firms or near its centre (or none
    of the cluster's firms placed on the map); or at least half (and ``MIN_INSIDE``) of a
    cluster's firms among its firms, whatever the specialisation."""
    firms = set(candidate.firm_ids)
    core = {candidate.seed, *(a for a, _, _ in candidate.activities[:1])}
    reach = max(candidate.radius_km, EPS_KM)
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
        same = bool(codes) and (inside > 0 or near > 0 or not points)
        most = inside >= MIN_INSIDE and 2 * inside >= len(own)
        if same or most:
            found.append(
                ExistingCluster(
                    cluster.id, cluster.name, codes, inside, near, len(own), len(points)
                )
            )
    return found


def candidate(session: Session, region: str, number: int, options: Options = Options()):
    """One candidate of ``discover`` with its firms (the ``FIRMS_LISTED`` largest)."""
    found = discover(session, region, options)
    chosen = next((c for c in found.candidates if c.number == number), None)
    if chosen is None:
        raise NotFound(f"в регионе {found.region.code} нет кандидата №{number}")
    rows = session.execute(
        maps.located(Enterprise.okved_main, Enterprise.employees)
        .where(Enterprise.id.in_(chosen.listed_ids))
        .order_by(Enterprise.employees.desc().nulls_last(), Enterprise.id)
    ).all()
    return found, chosen, rows
