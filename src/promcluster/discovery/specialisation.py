"""The specialisation of regions in the register: location quotients of OKVED2 activities
against the country (every region in the database) or a chosen set of regions, summed per
region × activity by the database and handed to ``analytics.lq``; their growth between two
reporting years of ``EnterpriseFigure``; the options that say how a region is looked at."""

import re
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.analytics.lq import (
    CODE_LENGTH,
    Growth,
    Specialisation,
    SpecialisationError,
    cell_quotients,
    growth,
)
from promcluster.cache import FIRMS, kept
from promcluster.errors import InvalidField
from promcluster.labels import DISCOVERY_MEASURES
from promcluster.reference.models import Okved, Region
from promcluster.registry.models import Enterprise, EnterpriseFigure

LEVELS = (2, 3, 4)
TOP_SPECIALISATIONS = 30
MIN_SPECIALISATION_FIRMS = 3
WEIGHTED = ("employees", "revenue")  # measures summed from a column (``count`` counts firms)


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


def national_specialisation(
    session: Session, level: int, measure: str, against: tuple[str, ...] = ()
) -> Specialisation | None:
    """LQs of every region × activity of the level against the regions ``against`` (the country
    when empty) in the current register (None for a register without activities)."""
    cells = register_cells(session, level, measure)
    return kept(
        session, ("lq", level, measure, against), lambda: _quotients(cells, measure, against),
        on=FIRMS,
    )  # fmt: skip


@dataclass(frozen=True)
class Cells:
    """The register summed per region × activity: firms, and the measure's sum with the firms
    that have a value of it (all of them for ``count``)."""

    regions: np.ndarray
    activities: np.ndarray
    firms: np.ndarray
    having: np.ndarray
    value: np.ndarray


def register_cells(
    session: Session, level: int, measure: str, year: int | None = None
) -> Cells | None:
    """The current register (``year`` None) or the enterprise figures of ``year``, summed in
    ``measure`` per region × activity of the level by the database, kept until the next write
    to the firm register (None without activities of the level). The reference set is applied
    afterwards, so another set costs no query."""

    def compute() -> Cells | None:
        length = CODE_LENGTH[level]
        activity = func.substr(Enterprise.okved_main, 1, length)
        sums = [func.count(), func.count()]
        if measure in WEIGHTED:
            weight = getattr(Enterprise if year is None else EnterpriseFigure, measure)
            sums = [func.count(weight), func.sum(weight)]
        query = select(Enterprise.region_code, activity, func.count(), *sums).where(
            Enterprise.okved_main.is_not(None), func.length(Enterprise.okved_main) >= length
        )
        if year is not None:
            query = query.join(
                EnterpriseFigure, EnterpriseFigure.enterprise_id == Enterprise.id
            ).where(EnterpriseFigure.year == year)
        rows = session.execute(query.group_by(Enterprise.region_code, activity)).all()
        if not rows:
            return None
        region, code, firms, having, value = zip(*rows, strict=True)
        return Cells(
            np.array(region), np.array(code), np.array(firms, dtype=np.int64),
            np.array(having, dtype=np.int64), np.array([v or 0 for v in value], dtype=float),
        )  # fmt: skip

    return kept(session, ("cells", level, measure, year), compute, on=FIRMS)


def _quotients(
    cells: Cells | None, measure: str, against: tuple[str, ...]
) -> Specialisation | None:
    """LQs of the cells (None without cells); a reference region without firms is an error
    naming the field ``against``."""
    if cells is None:
        return None
    try:
        return cell_quotients(
            cells.regions, cells.activities, cells.value, cells.firms,
            reference=list(against) or None, measure=measure,
            missing=int(cells.firms.sum() - cells.having.sum()),
        )  # fmt: skip
    except SpecialisationError as exc:
        raise InvalidField("against", str(exc)) from exc


def available_years(session: Session) -> list[int]:
    """The reporting years of the register's enterprise figures."""
    query = select(EnterpriseFigure.year).distinct().order_by(EnterpriseFigure.year)
    return list(kept(session, ("figure years",), lambda: list(session.scalars(query)), on=FIRMS))


def period_of(options: Options, years: list[int]) -> tuple[int, int] | None:
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
    cells = [register_cells(session, options.level, options.measure, y) for y in period]
    for year, found in zip(period, cells, strict=True):
        if found is None:
            raise InvalidField("since", f"за {year} год нет показателей предприятий")

    def compute() -> Growth:
        before, after = (_quotients(c, options.measure, options.against) for c in cells)
        return growth(before, after)  # type: ignore[arg-type]

    key = ("growth", options.level, options.measure, options.against, period)
    return kept(session, key, compute, on=FIRMS)


def grown(s: Specialism, change: Growth, region: str) -> Specialism:
    """``s`` with its growth and LQ change in ``region``."""
    if region not in change.regions or s.code not in change.activities:
        return s
    i, j = change.regions.index(region), change.activities.index(s.code)
    relative, lq = change.relative[i, j], change.lq_change[i, j]
    return replace(
        s,
        growth=float(relative) if np.isfinite(relative) else None,
        lq_change=float(lq) if np.isfinite(lq) else None,
    )


def region_growth(change: Growth, region: str) -> float | None:
    """The relative change of the region's measure over all activities."""
    if region not in change.regions:
        return None
    i = change.regions.index(region)
    before, after = change.value_before[i].sum(), change.value_after[i].sum()
    return float((after - before) / before) if before > 0 else None


def region_specialisations(session: Session, spec: Specialisation, region: str) -> list[Specialism]:
    """The region's ``TOP_SPECIALISATIONS`` highest LQs among activities with at least
    ``MIN_SPECIALISATION_FIRMS`` firms there."""
    if region not in spec.regions:
        return []
    i = spec.regions.index(region)
    order = [
        j
        for j in np.argsort(-np.nan_to_num(spec.lq[i], nan=-1.0), kind="stable")
        if np.isfinite(spec.lq[i, j]) and spec.firms[i, j] >= MIN_SPECIALISATION_FIRMS
    ][:TOP_SPECIALISATIONS]
    codes = [spec.activities[j] for j in order]
    names = activity_names(session, codes)
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


def activity_names(session: Session, codes) -> dict[str, str]:
    """OKVED2 code → name."""
    codes = list(set(codes))
    if not codes:
        return {}
    return dict(session.execute(select(Okved.code, Okved.name).where(Okved.code.in_(codes))).all())
