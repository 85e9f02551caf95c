"""Ratings: clusters or regions ranked on one indicator (ties share a place, missing values go
last without a place), and the class breaks and colours of the choropleth map."""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.errors import InvalidField
from promcluster.indicators.scope import LEVELS, Level
from promcluster.indicators.service import CLUSTER_KEYS, REGION_KEYS, Indicator, compute
from promcluster.reference.models import Region
from promcluster.registry.models import Cluster, cluster_region

PALETTE = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")  # light → dark (ColorBrewer)
NO_DATA_COLOUR = "#d9d9d9"
DEFAULT_INDICATOR = "members"


@dataclass
class RatingRow:
    """One cluster or region in a rating: its place (None when the value is missing)."""

    rank: int | None
    key: int | str
    name: str
    indicator: Indicator
    region_codes: tuple[str, ...]  # a region's own code; a cluster's regions

    @property
    def value(self) -> float | None:
        return self.indicator.value


@dataclass
class Rating:
    indicator: str
    level: Level
    as_of: date
    unit: str
    rows: list[RatingRow]


def check(indicator: str, level: str) -> None:
    """Refuse an unknown level, or an indicator not computed at that level."""
    if level not in LEVELS:
        raise InvalidField("level", f"неизвестный уровень «{level}»; допустимы: cluster, region")
    keys = CLUSTER_KEYS if level == "cluster" else REGION_KEYS
    if indicator not in keys:
        raise InvalidField(
            "indicator", f"неизвестный показатель «{indicator}»; допустимы: {', '.join(keys)}"
        )


def _subjects(session: Session, level: Level) -> dict:
    """Key → (name, region codes) of every cluster, or of every region that has clusters."""
    pairs = session.execute(select(cluster_region.c.cluster_id, cluster_region.c.region_code))
    by_cluster: dict[int, list[str]] = {}
    for cid, code in pairs:
        by_cluster.setdefault(cid, []).append(code)
    if level == "cluster":
        rows = session.execute(select(Cluster.id, Cluster.name).order_by(Cluster.name))
        return {cid: (name, tuple(sorted(by_cluster.get(cid, ())))) for cid, name in rows}
    codes = {c for codes in by_cluster.values() for c in codes}
    rows = session.execute(
        select(Region.code, Region.name).where(Region.code.in_(codes)).order_by(Region.name)
    )
    return {code: (name, (code,)) for code, name in rows}


def rank(values: list[tuple[object, float | None]]) -> list[tuple[object, int | None]]:
    """Competition ranking, largest first (1, 1, 3); missing values last without a place.
    ``values`` must already be in the order wanted among equals (e.g. by name)."""
    known = sorted((x for x in values if x[1] is not None), key=lambda x: -x[1])  # stable
    ranked, place, previous = [], 0, None
    for i, (key, value) in enumerate(known, start=1):
        if value != previous:
            place, previous = i, value
        ranked.append((key, place))
    return ranked + [(key, None) for key, value in values if value is None]


def rating(
    session: Session, indicator: str, level: str = "cluster", as_of: date | None = None
) -> Rating:
    """Clusters (or regions with clusters) ranked on ``indicator`` as of ``as_of``."""
    check(indicator, level)
    as_of = as_of or date.today()
    subjects = _subjects(session, level)  # type: ignore[arg-type]
    computed = compute(session, level, list(subjects), as_of)  # type: ignore[arg-type]
    order = rank([(k, computed[k][indicator].value) for k in subjects])
    rows = [
        RatingRow(place, k, subjects[k][0], computed[k][indicator], subjects[k][1])
        for k, place in order
    ]
    unit = rows[0].indicator.unit if rows else "count"
    return Rating(indicator, level, as_of, unit, rows)  # type: ignore[arg-type]


def class_breaks(values: list[float], classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of the map's classes: one class per distinct value when there are at most
    ``classes`` of them, else quantiles (nearest rank) of the values, duplicates merged."""
    distinct = sorted(set(values))
    if len(distinct) <= classes:
        return distinct
    ordered = sorted(values)
    n = len(ordered)
    return sorted({ordered[-(-n * i // classes) - 1] for i in range(1, classes + 1)})


def colour(value: float | None, breaks: list[float]) -> str:
    """The colour of ``value``: its class (the first upper bound not below it), spread over the
    palette so that the darkest colour is always the top class."""
    if value is None or not breaks:
        return NO_DATA_COLOUR
    index = min(bisect_left(breaks, value), len(breaks) - 1)
    if len(breaks) == 1:
        return PALETTE[-1]
    return PALETTE[round(index * (len(PALETTE) - 1) / (len(breaks) - 1))]


@dataclass
class MapClass:
    """A legend entry: values above ``low`` (or from it, for the first) up to ``high``."""

    low: float | None
    high: float
    colour: str


def region_colours(rating: Rating) -> tuple[dict[str, str], list[MapClass]]:
    """Region code → colour and the legend, from a region-level rating."""
    values = {r.key: r.value for r in rating.rows}
    breaks = class_breaks([v for v in values.values() if v is not None])
    legend = [
        MapClass(breaks[i - 1] if i else None, b, colour(b, breaks)) for i, b in enumerate(breaks)
    ]
    return {str(k): colour(v, breaks) for k, v in values.items()}, legend
