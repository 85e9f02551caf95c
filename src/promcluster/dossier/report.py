"""The yearly report of a cluster: the platform's indicators for a year and the years before it
that have data, each as ``indicators.service`` computes it on 31 December of that year (with
its basis), against the development programme's targets of the year, the deviation and its
explanation; and the side-by-side comparison of a region's clusters.

Nothing is computed here that the indicators service computes: a value the service computes
only for today (projects keep no history of their statuses) or from data of a later year is
not put in an earlier year's column; the report year's column shows it with that note."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.dossier.models import ProgrammeTarget
from promcluster.dossier.targets import FIRST_YEAR, REPORT_INDICATORS, indicator_label
from promcluster.errors import InvalidField
from promcluster.indicators import service
from promcluster.indicators.series import time_series
from promcluster.registry.models import Cluster, cluster_region

YEARS_BACK = 4  # the report shows the chosen year and up to four before it (with data)


@dataclass(frozen=True)
class Value:
    """An indicator's value in one year's column, with its basis («известно у 5 из 21») and,
    when the value is not of that year's end, why (or None when it could not be shown)."""

    value: float | None
    basis: str
    note: str | None = None


@dataclass
class Row:
    """One indicator of the report: its values by year, the target of the report's year, the
    deviation from it and the explanation."""

    key: str
    unit: str
    values: dict[int, Value]
    target: float | None = None
    explanation: str | None = None
    version: int | None = None  # the target row's version (None: no row)
    targets: dict[int, tuple[float | None, str | None]] = field(default_factory=dict)
    # every year's target and explanation

    @property
    def label(self) -> str:
        return indicator_label(self.key)

    def value_in(self, year: int) -> float | None:
        found = self.values.get(year)
        return found.value if found else None


@dataclass
class YearlyReport:
    cluster_id: int
    cluster_name: str
    year: int
    years: list[int]  # the columns, oldest first; the last one is ``year``
    as_of: date  # the date the report year's values are computed on
    rows: list[Row]
    project_statuses: dict[str, int] = field(default_factory=dict)  # on ``as_of``

    def deviation(self, row: Row) -> tuple[float | None, float | None]:
        """(value − target, (value − target) / target) in the report's year."""
        return deviation(row.value_in(self.year), row.target)


def deviation(value: float | None, target: float | None) -> tuple[float | None, float | None]:
    """The absolute and relative deviation of ``value`` from ``target`` (None when unknown)."""
    if value is None or target is None:
        return None, None
    return value - target, (value - target) / target if target else None


def year_end(year: int, today: date) -> date:
    """The date a year's values are computed on: 31 December, or today in the current year."""
    return min(date(year, 12, 31), today)


def check_year(year: int, today: date) -> int:
    """A year the report can be made for: FIRST_YEAR … the current year."""
    if not FIRST_YEAR <= year <= today.year:
        raise InvalidField("year", f"отчёт составляется за {FIRST_YEAR}–{today.year} годы")
    return year


def report_years(session: Session, cluster_id: int, year: int, today: date) -> list[int]:
    """The report's year and the years before it (up to YEARS_BACK) for which the cluster's
    time series (``indicators.series``) have data."""
    series = time_series(session, "cluster", cluster_id, [], year_end(year, today))
    earlier = [y for y in series.years if year - YEARS_BACK <= y < year]
    return [*earlier, year]


def plain(value: float | Decimal | None) -> float | None:
    """A value as a Python number: PostgreSQL's sums of big integers arrive as Decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _value(item: service.Indicator, year: int, as_of: date, last: bool) -> Value:
    """``item`` (computed on ``as_of``) as the value of ``year``'s column."""
    basis, value = item.basis_text, plain(item.value)
    if item.as_of is not None and item.as_of != as_of:
        note = f"на {item.as_of:%d.%m.%Y}: история статусов проектов не хранится"
        return Value(value, basis, note) if last else Value(None, basis, note)
    if item.year is not None and item.year > year:
        return Value(None, basis, f"данные только за {item.year} год")
    return Value(value, basis)


def _targets(session: Session, cluster_ids: list[int]) -> dict:
    rows = session.scalars(
        select(ProgrammeTarget).where(ProgrammeTarget.cluster_id.in_(cluster_ids))
    )
    return {(t.cluster_id, t.indicator, t.year): t for t in rows}


def default_year(year: int | None) -> int:
    """The year asked for, or the last finished year (what a report is about by default)."""
    return year if year is not None else date.today().year - 1


def years_offered() -> range:
    """The years a report may be asked for, newest first."""
    return range(date.today().year, FIRST_YEAR - 1, -1)


def yearly_report(
    session: Session, cluster_id: int, year: int, today: date | None = None
) -> YearlyReport:
    """The report of ``cluster_id`` for ``year``."""
    today = today or date.today()
    cluster = records.get(session, Cluster, cluster_id)
    check_year(year, today)
    years = report_years(session, cluster_id, year, today)
    computed = {
        y: service.cluster_indicators(session, cluster_id, year_end(y, today)) for y in years
    }
    targets = _targets(session, [cluster_id])
    rows = []
    for key in REPORT_INDICATORS:
        row = Row(key, service.UNITS[key], {})
        for y in years:
            row.values[y] = _value(computed[y][key], y, computed[y].as_of, y == year)
        row.targets = {y: (t.target, t.explanation) for (_, k, y), t in targets.items() if k == key}
        if (chosen := targets.get((cluster_id, key, year))) is not None:
            row.target, row.explanation = chosen.target, chosen.explanation
            row.version = chosen.version
        rows.append(row)
    last = computed[year]
    return YearlyReport(
        cluster.id, cluster.name, year, years, last.as_of, rows, dict(last.project_statuses)
    )


def report_json(report: YearlyReport) -> dict[str, Any]:
    """The report as JSON: every indicator's values by year with their bases, the target of
    the report's year, the deviation and the explanation."""
    rows = []
    for row in report.rows:
        absolute, relative = report.deviation(row)
        values = {
            str(y): {"value": v.value, "basis": v.basis, "note": v.note}
            for y, v in row.values.items()
        }
        rows.append(
            {
                "indicator": row.key,
                "label": row.label,
                "unit": row.unit,
                "values": values,
                "target": row.target,
                "deviation": absolute,
                "deviation_share": relative,
                "explanation": row.explanation,
            }
        )
    return {
        "cluster_id": report.cluster_id,
        "cluster": report.cluster_name,
        "year": report.year,
        "years": report.years,
        "as_of": report.as_of.isoformat(),
        "project_statuses": report.project_statuses,
        "indicators": rows,
    }


@dataclass
class Comparison:
    """A region's clusters side by side in one year: ``cells[key][cluster_id]`` is the
    (value, target) of each indicator of the report."""

    code: str
    region_name: str
    year: int
    as_of: date
    clusters: list[tuple[int, str]]
    cells: dict[str, dict[int, tuple[Value, float | None]]]

    def label(self, key: str) -> str:
        return indicator_label(key)

    def unit(self, key: str) -> str:
        return service.UNITS[key]


def region_comparison(
    session: Session, code: str, year: int, today: date | None = None
) -> Comparison:
    """The report's indicators of every cluster of region ``code`` on the end of ``year`` (by
    the same ``indicators.service.compute`` as each cluster's report) with their targets."""
    today = today or date.today()
    name = service.region(session, code).name
    check_year(year, today)
    r = cluster_region.c
    clusters = session.execute(
        select(Cluster.id, Cluster.name)
        .join(cluster_region, r.cluster_id == Cluster.id)
        .where(r.region_code == code)
        .order_by(Cluster.name)
    ).all()
    ids = [c.id for c in clusters]
    as_of = year_end(year, today)
    computed = service.compute(session, "cluster", ids, as_of) if ids else {}
    targets = _targets(session, ids)
    cells: dict[str, dict[int, tuple[Value, float | None]]] = {}
    for key in REPORT_INDICATORS:
        cells[key] = {}
        for cid in ids:
            target = targets.get((cid, key, year))
            value = _value(computed[cid][key], year, as_of, True)
            cells[key][cid] = (value, target.target if target else None)
    return Comparison(code, name, year, as_of, [(c.id, c.name) for c in clusters], cells)
