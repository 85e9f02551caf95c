"""Candidate clusters inside one region: dense groups of firms in related activities, each with
its firms, activities, employment, outline and a score that says why (docs/DISCOVERY.md).

Method. Firms are first gathered into a grid of cells ``cell_km`` wide (a tenth of ``eps_km`` by
default, wider — up to a quarter — when that would make more than ``MAX_CELLS`` cells); each
cell stands at the mean point of its firms and weighs as many firms as it holds, so the many
firms placed at their city's point, and those a few hundred metres apart, cost one point. The
neighbourhoods of the cells within ``eps_km`` (haversine, ball tree) are searched once. For every
activity with at least ``min_firms`` firms (a seed), the firms of the seed and of the activities
related to it (proximity ≥ ``min_proximity`` in the complexity engine's activity × activity
matrix; an activity absent from it relates only to itself) are clustered by DBSCAN over those
neighbourhoods (``min_firms`` firms make a core). Each dense group holding at least one firm of
its seed is scored; groups of different seeds sharing most firms (Jaccard ≥ 0.5) are one
candidate, the best scored kept. Deterministic: no sampling, ties broken by codes.

Pure NumPy/SciPy/scikit-learn; no database, no web.
"""

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from promcluster.analytics.lq import SpecialisationError, numbered
from promcluster.errors import DomainError

EARTH_KM = 6371.0088
KM_PER_DEGREE = np.pi * EARTH_KM / 180
WEIGHTS = {"size": 0.35, "lq": 0.25, "relatedness": 0.2, "density": 0.2}
SAME_CANDIDATE = 0.5  # Jaccard share of firms above which two groups are one candidate
MIN_RADIUS_KM = 1.0  # outline and density of a group smaller than this (one city point)
CIRCLE_VERTICES = 16
# Cells are a tenth of eps wide; when a region's points would fill more than MAX_CELLS of them
# (firms spread over the land rather than at city points), they widen up to eps / COARSEST.
MAX_CELLS, COARSEST = 6000, 4


class DiscoveryError(DomainError):
    """Input on which candidate clusters cannot be searched."""


@dataclass(frozen=True)
class CandidateCluster:
    """A dense group of firms in related activities.

    ``firms`` are indices into the input arrays; ``outline`` is a closed ring of (lat, lon), the
    convex hull of the firms' points (a circle of ``radius_km`` around the centre when they are
    fewer than three distinct points or on one line), its longitudes continuous (beyond ±180°
    for a group across that meridian); ``radius_km`` is the farthest firm's distance from the
    centre. ``reasons`` holds the score's parts before normalisation: ``size`` (employees, or
    firms when the region has no headcounts), ``lq`` (firm-weighted mean LQ of its activities),
    ``relatedness`` (firm-weighted mean proximity between its different activities, 1 for one
    activity), ``density`` (firms per km² within the effective radius) and ``firms``.
    """

    firms: np.ndarray
    activities: dict[str, int]
    employees: float
    centre: tuple[float, float]
    outline: list[tuple[float, float]]
    radius_km: float
    score: float
    reasons: dict[str, float]
    seed_activity: str


@dataclass(frozen=True)
class _Group:
    seed: int
    cells: np.ndarray  # cell indices
    related: np.ndarray  # activity mask
    firms: float
    score: float
    reasons: dict[str, float]


@dataclass(frozen=True)
class _Region:
    """The region's firms gathered into grid cells."""

    lat: np.ndarray
    lon: np.ndarray  # unwrapped around the first firm (continuous across ±180°)
    activity: np.ndarray  # activity index per firm
    cell: np.ndarray  # cell index per firm
    points: np.ndarray  # cells × (lat, lon) in degrees: mean of the cell's firms
    firms: sparse.csr_matrix  # cells × activities
    employees: sparse.csr_matrix  # cells × activities
    adjacency: sparse.csr_matrix  # cells × cells within eps_km
    by_activity: sparse.csc_matrix  # ``firms`` by columns
    size_by_employees: bool
    total_size: float
    density: float


def candidate_clusters(
    lat: np.ndarray,
    lon: np.ndarray,
    activity: np.ndarray,
    employees: np.ndarray,
    *,
    proximity: np.ndarray,
    proximity_codes: list[str],
    lq: dict[str, float] | None = None,
    eps_km: float = 20.0,
    min_firms: int = 8,
    min_proximity: float = 0.3,
    top: int = 20,
    cell_km: float | None = None,
    seeds: Collection[str] | None = None,
) -> list[CandidateCluster]:
    """The ``top`` candidate clusters of one region's firms, best score first (none for no
    firms). ``employees`` NaN = unknown (counts 0); ``lq`` maps activity → LQ in the region
    (missing or NaN = 1, neutral); ``seeds``: the activities a candidate may grow from (every
    activity when None); the others still join candidates as related activities."""
    lat, lon, employees = _checked_points(lat, lon, activity, employees)
    _check_parameters(proximity, proximity_codes, eps_km, min_firms, min_proximity, top, cell_km)
    if lat.size == 0:
        return []
    try:
        codes, index = numbered(np.asarray(activity), "вид деятельности")
    except SpecialisationError as error:
        raise DiscoveryError(str(error)) from error
    region = _gather(lat, lon, index, len(codes), employees, eps_km, cell_km)
    proximity_here = relatedness(codes, proximity, proximity_codes)
    related = proximity_here >= min_proximity
    lqs = np.array([_neutral((lq or {}).get(c)) for c in codes])
    counts = np.asarray(region.firms.sum(axis=0)).ravel()
    groups = []
    eligible = counts >= min_firms
    if seeds is not None:
        eligible &= np.isin(codes, list(seeds))
    for seed in np.flatnonzero(eligible):
        for cells in _dense_groups(region, related[seed], seed, min_firms):
            groups.append(_scored(region, seed, cells, related[seed], lqs, proximity_here))
    kept = _distinct(region, groups, top)
    return [_candidate(region, g, codes) for g in kept]


def relatedness(codes: list[str], proximity: np.ndarray, proximity_codes: list[str]) -> np.ndarray:
    """Proximity between the given activities: 1 on the diagonal, NaN between an activity
    absent from ``proximity_codes`` and any other (it relates only to itself, whatever the
    threshold)."""
    position = {c: i for i, c in enumerate(proximity_codes)}
    at = np.array([position.get(c, -1) for c in codes], dtype=int)
    known = np.flatnonzero(at >= 0)
    result = np.full((len(codes), len(codes)), np.nan)
    result[np.ix_(known, known)] = proximity[np.ix_(at[known], at[known])]
    np.fill_diagonal(result, 1.0)
    return result


def _neutral(value: float | None) -> float:
    return 1.0 if value is None or not np.isfinite(value) else float(value)


def _checked_points(
    lat: np.ndarray, lon: np.ndarray, activity: np.ndarray, employees: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    employees = np.asarray(employees, dtype=float)
    sizes = {lat.size, lon.size, np.asarray(activity).size, employees.size}
    if len(sizes) > 1 or lat.ndim != 1:
        raise DiscoveryError(
            f"число широт ({lat.size}), долгот ({lon.size}), видов деятельности "
            f"({np.asarray(activity).size}) и численностей ({employees.size}) должно совпадать"
        )
    bad = ~np.isfinite(lat) | (np.abs(lat) > 90) | ~np.isfinite(lon) | (np.abs(lon) > 180)
    if bad.any():
        raise DiscoveryError(
            f"координаты вне допустимых значений (широта ±90°, долгота ±180°) у {int(bad.sum())}"
            f" предприятий, первое — №{int(np.argmax(bad)) + 1}"
        )
    if (employees < 0).any() or np.isinf(employees).any():
        raise DiscoveryError("численность работников не может быть отрицательной или бесконечной")
    return lat, lon, np.nan_to_num(employees, nan=0.0)


def _check_parameters(
    proximity: np.ndarray,
    proximity_codes: list[str],
    eps_km: float,
    min_firms: int,
    min_proximity: float,
    top: int,
    cell_km: float | None,
) -> None:
    side = len(proximity_codes)
    if np.shape(proximity) != (side, side):
        raise DiscoveryError(
            f"матрица близости {np.shape(proximity)} не совпадает с числом кодов ({side})"
        )
    if not np.isfinite(proximity).all():
        raise DiscoveryError("матрица близости содержит пропуски (NaN)")
    problems = [
        ("радиус поиска eps_km", eps_km > 0, "должен быть больше 0"),
        ("min_firms", min_firms >= 2, "должно быть не меньше 2"),
        ("min_proximity", 0 <= min_proximity <= 1, "должна быть от 0 до 1"),
        ("top", top >= 1, "должно быть не меньше 1"),
        ("cell_km", cell_km is None or 0 < cell_km <= eps_km, "должен быть от 0 до eps_km"),
    ]
    for name, good, message in problems:
        if not good:
            raise DiscoveryError(f"{name}: {message}")


def _gather(
    lat: np.ndarray,
    lon: np.ndarray,
    activity: np.ndarray,
    n_activities: int,
    employees: np.ndarray,
    eps_km: float,
    cell_km: float | None,
) -> _Region:
    """Firms into grid cells (see ``cells``), with their counts and headcounts per activity."""
    lon = lon[0] + (lon - lon[0] + 180) % 360 - 180
    cell = cells(lat, lon, cell_km or eps_km / 10)
    n_cells = int(cell.max()) + 1
    if cell_km is None and n_cells > MAX_CELLS:
        coarser = eps_km / 10 * np.sqrt(n_cells / MAX_CELLS)
        cell = cells(lat, lon, min(coarser, eps_km / COARSEST))
        n_cells = int(cell.max()) + 1
    per_cell = np.bincount(cell, minlength=n_cells)
    points = np.column_stack(
        [np.bincount(cell, weights=lat) / per_cell, np.bincount(cell, weights=lon) / per_cell]
    )
    shape = (n_cells, n_activities)
    ones = np.ones(lat.size)
    firms = sparse.csr_matrix((ones, (cell, activity)), shape=shape)
    staff = sparse.csr_matrix((employees, (cell, activity)), shape=shape)
    by_employees = bool(employees.sum() > 0)
    total = float(employees.sum()) if by_employees else float(lat.size)
    spread = _effective_radius(points, per_cell.astype(float))
    near = neighbourhoods(points, eps_km)
    return _Region(
        lat, lon, activity, cell, points, firms, staff, near, firms.tocsc(), by_employees, total,
        lat.size / (np.pi * spread**2),
    )  # fmt: skip


def cells(lat: np.ndarray, lon: np.ndarray, cell_km: float) -> np.ndarray:
    """Cell number of each point in a grid ``cell_km`` wide: rows of latitude, each cut by
    longitude at its own width, numbered in order of (row, column)."""
    step = cell_km / KM_PER_DEGREE
    row = np.floor(lat / step)
    width = step / np.maximum(np.cos(np.radians((row + 0.5) * step)), 0.01)
    _, cell = np.unique(row * 1e6 + np.floor(lon / width), return_inverse=True)
    return cell


def _distances_km(points: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Haversine distance of each (lat, lon) point from ``centre``, in kilometres."""
    a, b = np.radians(points), np.radians(centre)
    h = (
        np.sin((a[:, 0] - b[0]) / 2) ** 2
        + np.cos(a[:, 0]) * np.cos(b[0]) * np.sin((a[:, 1] - b[1]) / 2) ** 2
    )
    return 2 * EARTH_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def _effective_radius(points: np.ndarray, weight: np.ndarray) -> float:
    """√2 × the weighted root-mean-square distance from the weighted centre (the radius of a
    uniformly filled disc with the same spread), at least ``MIN_RADIUS_KM``."""
    centre = (points * weight[:, None]).sum(axis=0) / weight.sum()
    rms = np.sqrt((weight * _distances_km(points, centre) ** 2).sum() / weight.sum())
    return max(float(np.sqrt(2) * rms), MIN_RADIUS_KM)


def neighbourhoods(points: np.ndarray, eps_km: float) -> sparse.csr_matrix:
    """Which (lat, lon) points lie within ``eps_km`` of each other (haversine, ball tree; each
    point its own neighbour), as a sparse matrix of ones computed once per region."""
    from sklearn.neighbors import NearestNeighbors  # on use: seconds to import (predict.py)

    search = NearestNeighbors(radius=eps_km / EARTH_KM, metric="haversine", algorithm="ball_tree")
    radians = np.radians(points)
    return search.fit(radians).radius_neighbors_graph(radians, mode="connectivity").tocsr()


def dbscan(adjacency: sparse.csr_matrix, weight: np.ndarray, min_weight: float) -> np.ndarray:
    """DBSCAN labels (−1 noise or outside) of the points with ``weight`` > 0, given their
    symmetric ``adjacency`` within eps (every point its own neighbour): a point is core when
    the weight of its neighbourhood reaches ``min_weight`` — scikit-learn's ``DBSCAN`` with
    ``sample_weight`` — groups are the connected core points, and a border point joins the
    lowest-numbered of the groups it touches (scikit-learn takes whichever reaches it first).
    The neighbourhoods are searched once per region, not once per call."""
    labels = np.full(weight.size, -1)
    inside = np.flatnonzero(weight > 0)
    near = adjacency[inside][:, inside]
    is_core = near @ weight[inside] >= min_weight
    core = np.flatnonzero(is_core)
    if core.size == 0:
        return labels
    # Symmetric, so the strong components are the connected parts (and need no transpose).
    _, part = connected_components(near[core][:, core], directed=True, connection="strong")
    labels[inside[core]] = part
    border = np.flatnonzero(~is_core)
    reach = near[border][:, core]
    reached = np.diff(reach.indptr) > 0
    if reached.any():
        starts = reach.indptr[:-1][reached]
        labels[inside[border[reached]]] = np.minimum.reduceat(part[reach.indices], starts)
    return labels


def _dense_groups(
    region: _Region, related: np.ndarray, seed: int, min_firms: int
) -> list[np.ndarray]:
    """Cells of each DBSCAN group of the firms in ``related`` activities holding a seed firm."""
    weight = region.firms @ related.astype(float)
    labels = dbscan(region.adjacency, weight, min_firms)
    has_seed = np.zeros(weight.size, dtype=bool)
    has_seed[region.by_activity[:, seed].indices] = True
    cells = np.flatnonzero(labels >= 0)
    order = np.argsort(labels[cells], kind="stable")
    cells, grouped = cells[order], labels[cells][order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if cells.size else []
    groups = np.split(cells, starts[1:]) if cells.size else []
    return [g for g in groups if has_seed[g].any()]


def _scored(
    region: _Region,
    seed: int,
    cells: np.ndarray,
    related: np.ndarray,
    lqs: np.ndarray,
    proximity: np.ndarray,
) -> _Group:
    """Score = Σ WEIGHTS × normalised parts (docs/DISCOVERY.md)."""
    present = np.flatnonzero(related)
    counts = np.asarray(region.firms[cells][:, present].sum(axis=0)).ravel()
    staff = float(region.employees[cells][:, present].sum())
    present, counts = present[counts > 0], counts[counts > 0]
    firms = float(counts.sum())
    size = staff if region.size_by_employees else firms
    mean_lq = float((counts * lqs[present]).sum() / firms)
    pairs = np.outer(counts, counts)
    np.fill_diagonal(pairs, 0)
    related_mean = (
        float((pairs * proximity[np.ix_(present, present)]).sum() / pairs.sum())
        if pairs.sum()
        else 1.0
    )
    per_cell = np.asarray(region.firms[cells][:, present].sum(axis=1)).ravel()
    density = firms / (np.pi * _effective_radius(region.points[cells], per_cell) ** 2)
    concentration = density / region.density
    parts = {
        "size": np.log1p(size) / np.log1p(region.total_size),
        "lq": mean_lq / (1 + mean_lq),
        "relatedness": related_mean,
        "density": concentration / (1 + concentration),
    }
    score = sum(WEIGHTS[k] * parts[k] for k in WEIGHTS)
    reasons = {
        "size": size,
        "lq": mean_lq,
        "relatedness": related_mean,
        "density": density,
        "firms": firms,
    }
    return _Group(seed, cells, related, firms, float(score), reasons)


def _distinct(region: _Region, groups: list[_Group], top: int) -> list[_Group]:
    """Best first; a group sharing ≥ SAME_CANDIDATE of its firms (Jaccard) with a better one
    is the same candidate and dropped."""
    order = sorted(groups, key=lambda g: (-g.score, g.seed, int(g.cells[0])))
    kept: list[_Group] = []
    for group in order:
        if all(_jaccard(region, group, other) < SAME_CANDIDATE for other in kept):
            kept.append(group)
            if len(kept) == top:
                break
    return kept


def _jaccard(region: _Region, a: _Group, b: _Group) -> float:
    cells = np.intersect1d(a.cells, b.cells, assume_unique=True)
    if cells.size == 0:
        return 0.0
    shared = float((region.firms[cells] @ (a.related & b.related).astype(float)).sum())
    return shared / (a.firms + b.firms - shared)


def _candidate(region: _Region, group: _Group, codes: list[str]) -> CandidateCluster:
    in_cells = np.zeros(region.points.shape[0], dtype=bool)
    in_cells[group.cells] = True
    firms = np.flatnonzero(in_cells[region.cell] & group.related[region.activity])
    points = np.column_stack([region.lat[firms], region.lon[firms]])
    centre = points.mean(axis=0)
    radius = float(_distances_km(points, centre).max())
    counts = np.bincount(region.activity[firms], minlength=len(codes))
    activities = {codes[j]: int(counts[j]) for j in np.argsort(-counts, kind="stable") if counts[j]}
    staff = (region.employees[group.cells] @ group.related.astype(float)).sum()
    centre_lon = (centre[1] + 180) % 360 - 180
    return CandidateCluster(
        firms=firms,
        activities=activities,
        employees=float(staff),
        centre=(float(centre[0]), float(centre_lon)),
        outline=outline(points, centre, radius),
        radius_km=radius,
        score=group.score,
        reasons=group.reasons,
        seed_activity=codes[group.seed],
    )


def outline(points: np.ndarray, centre: np.ndarray, radius_km: float) -> list[tuple[float, float]]:
    """Closed ring of (lat, lon): the convex hull of the points, or a circle around the centre
    when they are fewer than three distinct points or on one line."""
    from scipy.spatial import ConvexHull, QhullError

    try:
        ring = points[ConvexHull(points).vertices]
    except (QhullError, ValueError):  # fewer than three distinct points, or all on one line
        ring = _circle(centre, max(radius_km, MIN_RADIUS_KM))
    closed = np.vstack([ring, ring[:1]])
    return [(float(a), float(b)) for a, b in closed]


def _circle(centre: np.ndarray, radius_km: float) -> np.ndarray:
    angle = np.linspace(0, 2 * np.pi, CIRCLE_VERTICES, endpoint=False)
    step = radius_km / KM_PER_DEGREE
    width = step / max(np.cos(np.radians(centre[0])), 0.01)
    return np.column_stack([centre[0] + step * np.sin(angle), centre[1] + width * np.cos(angle)])
