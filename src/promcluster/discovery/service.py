"""Discovery in a region: its specialisations (location quotients of OKVED2 activities against
the country or a chosen set of regions, from official statistics when they are loaded or from the
register — every region in the database), their growth and its candidate clusters (dense groups
of the register's firms in related activities), each marked when it is one of the clusters the
region already has.

The specialisations come from ``discovery.specialisation``; the region's firms are read
column-wise with one Core SELECT (no ORM objects) and handed to ``analytics.discovery``. Results
are kept per database until the next write to the firm register (and, under the official
reference, to the official figures; ``promcluster.cache``); only the existing-cluster marks
(``discovery.existing``), which read the registry, are made on every call."""

from dataclasses import dataclass, field, replace

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster import labels
from promcluster.analytics.discovery import CandidateCluster, candidate_clusters
from promcluster.analytics.lq import CODE_LENGTH, Specialisation, cut
from promcluster.background import Job
from promcluster.cache import FIRMS, kept
from promcluster.discovery.candidates import Candidate
from promcluster.discovery.existing import marked
from promcluster.discovery.relatedness import relatedness
from promcluster.discovery.specialisation import (
    OFFICIAL,
    REGISTER,
    Options,
    Specialism,
    activity_names,
    available_years,
    check_options,
    grown,
    national_specialisation,
    official_growth,
    official_reference,
    official_specialisation,
    period_of,
    region_growth,
    region_specialisations,
    register_cells,
    register_sections,
    section_lq,
    specialisation_growth,
)
from promcluster.errors import NotFound
from promcluster.geo import haversine_km
from promcluster.reference.levels import PREFIX
from promcluster.reference.models import City, Region
from promcluster.reference.service import industrial_codes
from promcluster.registry import maps
from promcluster.registry.models import Enterprise, EnterpriseFigure
from promcluster.statistics.service import OFFICIAL as OFFICIAL_TABLES
from promcluster.statistics.service import Quotients

EPS_KM, MIN_FIRMS, TOP_CANDIDATES = 20.0, 8, 20
FIRMS_LISTED = 500


@dataclass
class Discovery:
    """What discovery finds in one region: against the ``reference`` regions (None: the
    country) of the ``basis`` (``official`` statistics, whose latest year is ``official``, or
    the ``register``), with the specialisations' growth between ``growth_years`` (official
    years, or the register's ``years`` when it has figures of two years) and the candidates'
    between ``years``."""

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
    basis: str = REGISTER
    official: Quotients | None = None
    growth_years: tuple[int, int] | None = None
    register_regions: int = 0  # regions with firms of the level in the register

    @property
    def reference_text(self) -> str:
        """Which national reference the LQs use, as the page and the API say it."""
        if self.official is not None:
            q = self.official
            return labels.REFERENCE_OFFICIAL.format(indicator=q.indicator.name, year=q.year)
        return labels.REFERENCE_REGISTER.format(regions=self.register_regions)

    @property
    def query(self) -> str:
        """The options as a query string, for links to the same view."""
        parts = [f"level={self.level}", f"measure={self.measure}", f"reference={self.basis}"]
        parts += [f"against={r.code}" for r in self.reference or []]
        if self.years:
            parts += [f"since={self.years[0]}", f"until={self.years[1]}"]
        return "&".join(parts)


def discover(session: Session, region: str, options: Options = Options()) -> Discovery:
    """Specialisations, their growth and the candidate clusters of ``region`` (see the module)."""
    reference = check_options(session, options)
    found = session.get(Region, region.strip())
    if found is None:
        raise NotFound(f"нет субъекта РФ с кодом «{region}»")
    years = available_years(session)
    period = period_of(options, years)
    official = official_reference(session, options)
    cells = register_cells(session, options.level, options.measure)
    # The inputs are kept on their own first: ``kept`` computes one thing at a time.
    if official is not None:
        spec = official_specialisation(official.latest, options.against)
        change = official_growth(official, options.against)
        spans = (official.first.year, official.latest.year) if change else None
    else:
        spec = national_specialisation(session, options.level, options.measure, options.against)
        change = specialisation_growth(session, options, period) if period else None
        spans = period if change else None
    proximity = _proximity(session, options.level)
    basis = REGISTER if official is None else OFFICIAL
    result = kept(
        session,
        ("discover", found.code, options.level, options.measure, options.against, basis),
        lambda: _compute(session, found, options, spec, proximity, official is not None),
        on=FIRMS if official is None else (*FIRMS, *OFFICIAL_TABLES),
    )
    specialisations, candidates = result.specialisations, result.candidates
    if change is not None:
        specialisations = [grown(s, change, found.code) for s in specialisations]
    if period is not None:
        candidates = _candidates_grown(session, found.code, period, candidates)
    return replace(
        result,
        region=found,
        specialisations=specialisations,
        candidates=marked(session, found.code, candidates),
        reference=reference,
        years=period,
        available_years=years,
        region_growth=region_growth(change, found.code) if change else None,
        basis=basis,
        official=official.latest if official else None,
        growth_years=spans,
        national_firms=int(cells.firms.sum()) if cells else 0,
        register_regions=len(set(cells.regions.tolist())) if cells else 0,
    )


def discovery_job(region: str, options: Options = Options()) -> Job:
    """What ``discover`` finds in ``region`` with ``options`` (the region's page) as a job
    computed in the background (``promcluster.background``)."""
    return Job(("discover", region, options), lambda s: discover(s, region, options))


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
    official: bool,
) -> Discovery:
    specialisations = region_specialisations(session, spec, region.code) if spec else []
    if official:
        mine = register_sections(session, region.code)
        specialisations = [replace(s, register_firms=mine.get(s.code, 0)) for s in specialisations]
    lq = spec.region_lq(region.code) if spec and region.code in spec.regions else None
    firms, candidates, synthetic = _candidates(
        session, lq, official, proximity, region.code, options.level
    )
    return Discovery(
        region, options.level, options.measure, firms, 0, specialisations, candidates, synthetic
    )


def _candidates(
    session: Session,
    lq: dict[str, float] | None,
    by_section: bool,
    known: tuple[list[str], np.ndarray] | None,
    region: str,
    level: int,
) -> tuple[int, list[Candidate], bool]:
    """The region's firms placed (own → city → region centre) and their candidate clusters,
    seeded on industrial activities only, their activities weighed by the region's LQs
    (``by_section``: the LQs of their sections)."""
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
    if lq is not None and by_section:
        lq = section_lq(session, lq, np.unique(activity).tolist())
    employees = np.array([np.nan if x.employees is None else x.employees for x in rows], float)
    codes, proximity = known if known else ([], np.zeros((0, 0)))
    seeds = industrial_codes(session, np.unique(activity).tolist())
    found = candidate_clusters(
        lat, lon, activity, employees, proximity=proximity, proximity_codes=codes, lq=lq,
        eps_km=EPS_KM, min_firms=MIN_FIRMS, top=TOP_CANDIDATES, seeds=seeds,
    )  # fmt: skip
    ids = np.array([x.id for x in rows])
    synthetic = np.array([bool(x.is_synthetic) for x in rows])
    names = activity_names(session, {c for f in found for c in f.activities})
    size = np.nan_to_num(employees, nan=0.0)
    result = [_candidate(n, f, ids, synthetic, size, names) for n, f in enumerate(found, start=1)]
    towns = list(
        session.execute(select(City.name, City.lat, City.lon).where(City.region_code == region))
    )
    for c in result:
        c.town = _nearest_town(towns, c.centre)
    return len(rows), result, bool(synthetic.any())


def _nearest_town(towns: list, centre: tuple[float, float]) -> tuple[str, float] | None:
    """The region's city or town nearest to a candidate's centre, and how far it is (km)."""
    if not towns:
        return None
    name, lat, lon = min(towns, key=lambda t: haversine_km(centre, (t.lat, t.lon)))
    return name, haversine_km(centre, (lat, lon))


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
