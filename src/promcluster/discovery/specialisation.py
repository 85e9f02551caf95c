"""The specialisation of regions: location quotients of OKVED2 activities against the country
or a chosen set of regions, from one of two references — the register (every region in the
database, summed per region × activity by the database and handed to ``analytics.lq``; growth
between two reporting years of ``EnterpriseFigure``) or official statistics (Rosstat's
organisations per region × OKVED2 section, read through ``statistics.service``; growth between
its first and latest year with sections); the options that say how a region is looked at."""

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
    share_quotients,
)
from promcluster.cache import FIRMS, kept
from promcluster.errors import InvalidField
from promcluster.labels import DISCOVERY_MEASURES
from promcluster.reference.models import Okved, Region
from promcluster.registry.models import Enterprise, EnterpriseFigure
from promcluster.statistics.service import NationalReference, Quotients, national_reference

LEVELS = (2, 3, 4)
TOP_SPECIALISATIONS = 30
MIN_SPECIALISATION_FIRMS = 3
WEIGHTED = ("employees", "revenue")  # measures summed from a column (``count`` counts firms)
OFFICIAL, REGISTER = "official", "register"
REFERENCES = (OFFICIAL, REGISTER)  # the national reference: official statistics or the register


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
    register_firms: int | None = None  # official reference: the region's firms in the register


@dataclass(frozen=True)
class Options:
    """How a region is looked at: OKVED2 level, measure, reference regions, growth years."""

    level: int = 4
    measure: str = "employees"
    against: tuple[str, ...] = ()  # reference regions; empty: the country
    since: int | None = None
    until: int | None = None
    reference: str | None = None  # ``REFERENCES``; None: official statistics when loaded


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
    if options.reference is not None and options.reference not in REFERENCES:
        raise InvalidField(
            "reference", f"база сравнения: {OFFICIAL} (данные Росстата) или {REGISTER} (реестр)"
        )
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


def official_reference(session: Session, options: Options) -> NationalReference | None:
    """Official statistics when they are the reference asked for (by default: when loaded);
    None for the register. Asking for them when none are loaded names the field."""
    if options.reference == REGISTER:
        return None
    found = national_reference(session)
    if found is None and options.reference == OFFICIAL:
        raise InvalidField(
            "reference", "официальная статистика (ЕМИСС) не загружена: база сравнения — реестр"
        )
    return found


def official_specialisation(q: Quotients, against: tuple[str, ...] = ()) -> Specialisation:
    """Rosstat's figures of one year as a ``Specialisation`` over OKVED2 sections: LQs against
    the country (the same as the statistics page's) or against the sum of the ``against``
    subjects' figures; ``firms`` and ``value`` are the official counts."""
    values = np.nan_to_num(q.values)
    reference, total = q.country, q.country_total
    if against:
        missing = sorted(set(against) - set(q.regions))
        if missing:
            raise InvalidField(
                "against", f"нет официальных данных по регионам: {', '.join(missing)}"
            )
        rows = [q.regions.index(c) for c in against]
        reference, total = values[rows].sum(axis=0), float(q.totals[rows].sum())
    lq = share_quotients(q.values, q.totals, reference, total)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = values / np.where(q.country > 0, q.country, np.nan)[None, :]
    return Specialisation(
        list(q.regions), list(q.sections), values, lq, share, values.astype(np.int64),
        measure="count", reference=list(against) or None,
    )  # fmt: skip


def official_growth(reference: NationalReference, against: tuple[str, ...] = ()) -> Growth | None:
    """Change of the official figures and LQs between the first and the latest year with
    sections (None with one year only)."""
    if reference.first is None:
        return None
    before = official_specialisation(reference.first, against)
    return growth(before, official_specialisation(reference.latest, against))


def register_sections(session: Session, region: str) -> dict[str, int]:
    """The region's firms in the register per OKVED2 section of their main activity."""
    query = (
        select(Okved.section, func.count())
        .join(Enterprise, Enterprise.okved_main == Okved.code)
        .where(Enterprise.region_code == region)
        .group_by(Okved.section)
    )
    return dict(session.execute(query).all())


def section_lq(session: Session, lq: dict[str, float], codes) -> dict[str, float]:
    """Activity code → the LQ of its OKVED2 section (codes whose section has none left out):
    what candidate clusters weigh their activities by under the official reference."""
    codes = list(set(codes))
    if not codes:
        return {}
    sections = session.execute(select(Okved.code, Okved.section).where(Okved.code.in_(codes)))
    return {code: lq[section] for code, section in sections if section in lq}
