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
from promcluster.errors import InvalidField
from promcluster.labels import DISCOVERY_MEASURES
from promcluster.niches.cache import FIRMS, kept
from promcluster.reference.models import Okved, Region
from promcluster.registry.models import Enterprise, EnterpriseFigure

LEVELS = (2, 3, 4)
TOP_SPECIALISATIONS = 30
MIN_SPECIALISATION_FIRMS = 3


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
