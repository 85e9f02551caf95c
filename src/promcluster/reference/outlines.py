"""Region outlines for the maps, from the boundaries shipped in ``reference/data``: simplified
once per level of detail and kept in memory, cut to the regions in view of a map, with the
labels (region names, the largest cities of the regions in focus) that every map draws, so that
a map reads without tiles (closed networks)."""

import json
import math
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.errors import InvalidField
from promcluster.reference.models import City, Region
from promcluster.reference.service import region_outlines_path

# Douglas–Peucker tolerances in degrees, by the larger side of the view (degrees) up to which
# each serves: a map of one small region, of a large one with its neighbours, the whole country
# (choropleths, the overview map). A small map is a few hundred pixels wide: each keeps the
# outlines under a pixel or two off.
DETAIL = ((10.0, 0.01), (25.0, 0.02), (math.inf, 0.05))
COUNTRY = DETAIL[-1][1]
DIGITS = 3  # about 100 m: finer than either tolerance
CITIES = 6  # largest cities labelled per region in focus (its capital always among them)
MARGIN = 0.15  # share of the focus box added on each side: neighbours within it are in view
MOST_FOCUSED = 20  # regions in focus of one map (a cluster spans a few)

Point = list[float]
Box = tuple[float, float, float, float]  # west, south, east, north


@dataclass(frozen=True)
class Outline:
    code: str
    name: str
    geometry: dict  # GeoJSON Polygon or MultiPolygon
    box: Box


def simplified(points: list[Point], tolerance: float) -> list[Point]:
    """The points of a line kept by Douglas–Peucker at ``tolerance`` (ends always kept)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, distance = first, 0.0
        for i in range(first + 1, last):
            px, py = points[i]
            d = (
                abs(dy * px - dx * py + bx * ay - by * ax) / length
                if length
                else math.hypot(px - ax, py - ay)
            )
            if d > distance:
                farthest, distance = i, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [
        [round(x, DIGITS), round(y, DIGITS)] for (x, y), k in zip(points, keep, strict=True) if k
    ]


def _ring(ring: list[Point], tolerance: float) -> list[Point] | None:
    """A closed ring simplified; None when it shrinks below a triangle (a tiny island).
    Longitudes west of Greenwich (Chukotka across the antimeridian) go on past 180° east, so
    that a map of the region draws it in one piece."""
    kept = simplified([[x + 360 if x < 0 else x, y] for x, y in ring], tolerance)
    return kept if len(kept) >= 4 else None


def _polygons(geometry: dict) -> list[list[list[Point]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def _simplified_geometry(geometry: dict, tolerance: float) -> dict:
    polygons = []
    for rings in _polygons(geometry):
        outer = _ring(rings[0], tolerance)
        if outer is None:
            continue
        holes = [r for r in (_ring(h, tolerance) for h in rings[1:]) if r is not None]
        polygons.append([outer, *holes])
    if not polygons:  # a region made only of tiny islands keeps its largest one
        largest = max(_polygons(geometry), key=lambda rings: len(rings[0]))
        polygons = [
            [[[round(x + 360 if x < 0 else x, DIGITS), round(y, DIGITS)] for x, y in largest[0]]]
        ]
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _box(geometry: dict) -> Box:
    xs = [x for rings in _polygons(geometry) for x, _ in rings[0]]
    ys = [y for rings in _polygons(geometry) for _, y in rings[0]]
    return min(xs), min(ys), max(xs), max(ys)


@cache
def outlines(tolerance: float) -> dict[str, Outline]:
    """Every region's outline simplified at ``tolerance``, by region code (computed once per
    tolerance and kept for the life of the process: the file ships with the package)."""
    shipped = json.loads(region_outlines_path().read_text(encoding="utf-8"))
    found = {}
    for f in shipped["features"]:
        geometry = _simplified_geometry(f["geometry"], tolerance)
        code = str(f["properties"]["code"])
        found[code] = Outline(code, f["properties"]["name"], geometry, _box(geometry))
    return found


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _around(boxes: list[Box]) -> Box:
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    dx, dy = (east - west) * MARGIN, (north - south) * MARGIN
    return west - dx, south - dy, east + dx, north + dy


def in_view(focus: list[str]) -> list[Outline]:
    """The outlines a map of the regions ``focus`` shows: those regions and the neighbours
    whose box meets the focus box widened by ``MARGIN``; every region (coarser) when ``focus``
    names none that has an outline."""
    boxes = [b.box for c, b in outlines(COUNTRY).items() if c in focus]
    if not boxes:
        return list(outlines(COUNTRY).values())
    view = _around(boxes)
    side = max(view[2] - view[0], view[3] - view[1])
    detailed = outlines(next(t for up_to, t in DETAIL if side <= up_to))
    return [o for o in detailed.values() if o.code in focus or _overlaps(o.box, view)]


def map_regions(session: Session, focus: list[str]) -> dict:
    """GeoJSON of the regions in view of a map of ``focus`` (see ``in_view``): one polygon
    feature per region (``focus`` true for the regions in focus) and one point feature per label
    (``label`` "region" at the region's centre, "city" for the largest cities of the regions in
    focus), in the order a map keeps them when they collide: the regions in focus, their
    cities (capitals first, then by population), the neighbours. ``InvalidField`` for an
    unknown code or too many."""
    focus = [c.strip() for c in focus if c.strip()]  # «?focus=» names no region
    if len(focus) > MOST_FOCUSED:
        raise InvalidField("focus", f"не больше {MOST_FOCUSED} регионов на одной карте")
    known = set(outlines(COUNTRY))
    unknown = [c for c in focus if c not in known]
    if unknown:
        raise InvalidField("focus", f"нет региона с кодом «{unknown[0]}»")
    shown = in_view(focus)
    codes = [o.code for o in shown]
    focused = {o.code for o in shown if o.code in focus}
    regions = session.execute(
        select(Region.code, Region.short_name, Region.lat, Region.lon).where(Region.code.in_(codes))
    )
    features = [
        {
            "type": "Feature",
            "geometry": o.geometry,
            "properties": {"code": o.code, "name": o.name, "focus": o.code in focused},
        }
        for o in shown
    ]
    names = sorted(regions, key=lambda r: r.code)
    features += [_label("region", n, lat, lon, True) for c, n, lat, lon in names if c in focused]
    for code in sorted(focused):
        capital = session.scalar(select(Region.capital).where(Region.code == code))
        cities = session.execute(
            select(City.name, City.lat, City.lon)
            .where(City.region_code == code)
            .order_by((City.name == capital).desc(), City.population.desc().nulls_last())
            .limit(CITIES)
        )
        features += [_label("city", name, lat, lon, True) for name, lat, lon in cities]
    features += [
        _label("region", n, lat, lon, False) for c, n, lat, lon in names if c not in focused
    ]
    return {"type": "FeatureCollection", "features": features}


def _label(kind: str, name: str, lat: float, lon: float, focus: bool) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, DIGITS), round(lat, DIGITS)]},
        "properties": {"label": kind, "name": name, "focus": focus},
    }
