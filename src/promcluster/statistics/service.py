"""Reading official statistics: which indicators are loaded, every region's location quotient
against the country per OKVED2 section (``analytics.lq.share_quotients``), their change between
years, and one region's figures by activity and year.

The country is the file's «Российская Федерация» row when it has one, else the sum of the
subjects (two-digit codes; a complex subject's plain row, ``72+86+89``, is not added again). A
region's total is its «Всего по … видам экономической деятельности» row, else the sum of its
sections."""

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.analytics.lq import share_quotients
from promcluster.cache import kept
from promcluster.errors import InvalidField, NotFound
from promcluster.reference.models import Okved, Region
from promcluster.statistics.models import COUNTRY, TOTAL, OfficialFigure


@dataclass(frozen=True)
class Indicator:
    """A loaded indicator: its unit, years with notes, the form of ownership read, the source."""

    name: str
    unit: str
    ownership: str
    years: list[int]
    notes: dict[int, str | None]
    source: str
    source_date: date | None
    figures: int


@dataclass(frozen=True)
class Quotients:
    """Regions × sections of one year: values, the regions' totals, the country's, the LQs."""

    indicator: Indicator
    year: int
    regions: list[str]
    sections: list[str]
    values: np.ndarray
    totals: np.ndarray
    country: np.ndarray
    country_total: float
    country_source: str  # "file": the file's own row; "sum": the sum of the subjects
    lq: np.ndarray

    def region_lq(self, code: str) -> dict[str, float]:
        if code not in self.regions:
            return {}
        row = self.lq[self.regions.index(code)]
        return {s: float(v) for s, v in zip(self.sections, row, strict=True) if np.isfinite(v)}


def indicators(session: Session) -> list[Indicator]:
    """Every loaded indicator, the one with most figures first."""
    t = OfficialFigure
    found = []
    query = select(t.indicator, func.count()).group_by(t.indicator).order_by(func.count().desc())
    for name, count in session.execute(query):
        rows = session.execute(
            select(t.unit, t.ownership, t.year, t.note, t.source, t.source_date)
            .where(t.indicator == name)
            .distinct()
        ).all()
        ownerships = sorted({r.ownership for r in rows})
        ownership = next((o for o in ownerships if o.casefold().startswith("всего")), ownerships[0])
        latest = max(rows, key=lambda r: (r.source_date or date.min, r.year))
        found.append(
            Indicator(
                name,
                latest.unit,
                ownership,
                sorted({r.year for r in rows}),
                {r.year: r.note for r in rows},
                latest.source,
                latest.source_date,
                count,
            )
        )
    return found


def indicator(session: Session, name: str | None = None) -> Indicator | None:
    """The indicator named ``name`` (NotFound naming the field), or the first one loaded."""
    loaded = indicators(session)
    if name is None:
        return loaded[0] if loaded else None
    for i in loaded:
        if i.name == name:
            return i
    raise InvalidField("indicator", f"показатель «{name}» не загружен")


def _cells(session: Session, ind: Indicator, years: list[int]) -> dict[tuple[str, str, int], float]:
    t = OfficialFigure
    query = select(t.region_code, t.okved_code, t.year, t.value).where(
        t.indicator == ind.name, t.ownership == ind.ownership, t.year.in_(years)
    )
    return {(r, c, y): v for r, c, y, v in session.execute(query)}


def section_years(ind: Indicator, session: Session) -> list[int]:
    """The years in which the indicator has section figures (LQs are defined)."""
    t = OfficialFigure
    query = (
        select(t.year)
        .where(
            t.indicator == ind.name, t.ownership == ind.ownership, func.length(t.okved_code) == 1
        )
        .distinct()
        .order_by(t.year)
    )
    return list(session.scalars(query))


def check_year(session: Session, ind: Indicator, year: int | None, field: str = "year") -> int:
    """``year`` if it has section figures, else the latest such year when None."""
    years = section_years(ind, session)
    if not years:
        raise InvalidField(field, "в показателе нет данных по разделам ОКВЭД2")
    if year is None:
        return years[-1]
    if year not in years:
        shown = ", ".join(map(str, years))
        raise InvalidField(field, f"за {year} год нет данных по разделам ОКВЭД2; есть: {shown}")
    return year


def quotients(session: Session, ind: Indicator, year: int) -> Quotients:
    """Every subject's LQ per OKVED2 section in ``year`` against the country."""
    cells = _cells(session, ind, [year])
    sections = sorted({c for (_, c, _) in cells if len(c) == 1})
    regions = sorted({r for (r, _, _) in cells if len(r) == 2 and r.isdigit()})
    values = np.array([[cells.get((r, s, year), np.nan) for s in sections] for r in regions])
    summed = np.nansum(values, axis=1) if regions else np.zeros(0)
    totals = np.array([cells.get((r, TOTAL, year), summed[i]) for i, r in enumerate(regions)])
    if any((COUNTRY, s, year) in cells for s in sections):
        country = np.array([cells.get((COUNTRY, s, year), np.nan) for s in sections])
        total = cells.get((COUNTRY, TOTAL, year), float(np.nansum(country)))
        source = "file"
    else:
        country = np.nansum(values, axis=0) if regions else np.zeros(len(sections))
        total, source = float(totals.sum()), "sum"
    lq = share_quotients(values.reshape(len(regions), len(sections)), totals, country, total)
    return Quotients(ind, year, regions, sections, values, totals, country, total, source, lq)


def growth(before: Quotients, after: Quotients) -> tuple[np.ndarray, np.ndarray]:
    """(relative change of the values, change of the LQs) on ``after``'s regions × sections;
    NaN where either year lacks the figure or the earlier value is not positive."""

    def aligned(q: Quotients, m: np.ndarray) -> np.ndarray:
        out = np.full((len(after.regions), len(after.sections)), np.nan)
        for i, r in enumerate(after.regions):
            if r in q.regions:
                for j, s in enumerate(after.sections):
                    if s in q.sections:
                        out[i, j] = m[q.regions.index(r), q.sections.index(s)]
        return out

    value, lq = aligned(before, before.values), aligned(before, before.lq)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(value > 0, after.values / value - 1, np.nan)
    return relative, after.lq - lq


def section_names(session: Session, codes) -> dict[str, str]:
    """OKVED2 code → name (``TOTAL`` → «Всего»)."""
    names = dict(
        session.execute(select(Okved.code, Okved.name).where(Okved.code.in_(list(codes)))).all()
    )
    return {**names, TOTAL: "Всего по видам экономической деятельности"}


def region_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Region.code, Region.name)).all())


@dataclass(frozen=True)
class ActivityLine:
    """One activity of a region: its values by year, LQ and growth (sections only)."""

    code: str
    name: str
    values: dict[int, float]
    lq: float | None
    lq_change: float | None
    growth: float | None


@dataclass(frozen=True)
class RegionStatistics:
    indicator: Indicator
    code: str
    years: list[int]
    year: int | None
    since: int | None
    lines: list[ActivityLine]


def region_statistics(
    session: Session, code: str, name: str | None = None
) -> RegionStatistics | None:
    """A region's official figures by activity and year, with LQs of the latest year with
    sections and growth since the earliest (None when no statistics are loaded)."""
    if session.get(Region, code) is None:
        raise NotFound(f"нет субъекта РФ с кодом {code}")
    ind = indicator(session, name)
    if ind is None:
        return None
    cells = _cells(session, ind, ind.years)
    mine = {(c, y): v for (r, c, y), v in cells.items() if r == code}
    years = section_years(ind, session)
    year = years[-1] if years else None
    since = years[0] if len(years) >= 2 else None
    lq: dict[str, float] = {}
    lq_change: dict[str, float] = {}
    if year is not None:
        after = quotients(session, ind, year)
        lq = after.region_lq(code)
        if since is not None and code in after.regions:
            _, change = growth(quotients(session, ind, since), after)
            row = change[after.regions.index(code)]
            lq_change = {
                s: float(v) for s, v in zip(after.sections, row, strict=True) if np.isfinite(v)
            }
    owner = dict(session.execute(select(Okved.code, Okved.section)).all())
    codes = sorted(
        {c for c, _ in mine}, key=lambda c: (c == TOTAL, owner.get(c, "~"), not c.isalpha(), c)
    )
    names = section_names(session, codes)
    lines = []
    for c in codes:
        values = {y: v for (cc, y), v in mine.items() if cc == c}
        first, last = values.get(since or -1), values.get(year or -1)
        change = last / first - 1 if first and last is not None and first > 0 else None
        lines.append(ActivityLine(c, names.get(c, c), values, lq.get(c), lq_change.get(c), change))
    return RegionStatistics(ind, code, ind.years, year, since, lines)


@dataclass(frozen=True)
class YearTable:
    """The quotients of a year with the growth since the first year with sections."""

    indicator: Indicator
    quotients: Quotients
    years: list[int]
    since: int | None
    change: tuple[np.ndarray, np.ndarray] | None


def year_table(session: Session, name: str | None, year: int | None) -> YearTable:
    """The indicator ``name`` (the first loaded by default) in ``year`` (the latest with
    sections by default); NotFound when no official statistics are loaded."""
    ind = indicator(session, name)
    if ind is None:
        raise NotFound("официальная статистика не загружена")
    year = check_year(session, ind, year)
    years = section_years(ind, session)
    q = quotients(session, ind, year)
    since = years[0] if years[0] < year else None
    change = growth(quotients(session, ind, since), q) if since is not None else None
    return YearTable(ind, q, years, since, change)


OFFICIAL = (OfficialFigure.__tablename__,)  # what results read from official statistics key on


@dataclass(frozen=True)
class NationalReference:
    """Official statistics as other domains' national reference: the quotients of the latest
    year with sections and of the first one (None when there is one year only)."""

    latest: Quotients
    first: Quotients | None


def national_reference(session: Session) -> NationalReference | None:
    """The first loaded indicator's region × section figures (None when no official statistics
    with sections are loaded), kept until the next write to the official figures."""

    def compute() -> NationalReference | None:
        ind = indicator(session)
        years = section_years(ind, session) if ind else []
        if ind is None or not years:
            return None
        first = quotients(session, ind, years[0]) if len(years) >= 2 else None
        return NationalReference(quotients(session, ind, years[-1]), first)

    return kept(session, ("official reference",), compute, on=OFFICIAL)
