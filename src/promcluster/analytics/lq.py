"""Specialisation of regions in activities: location quotients, shares, firm counts and their
change between two dates, the indicators of the U.S. Cluster Mapping project on OKVED2
(formulas in docs/DISCOVERY.md).

Pure NumPy over firm-level arrays (one entry per enterprise); no database, no web. Codes are
numbered once per axis (``pandas.factorize``, sorted: the result of ``np.unique(...,
return_inverse=True)`` at a quarter of its time on strings) and summed by one ``np.bincount``, so
a national register of millions of firms takes a few seconds (docs/BENCHMARKS.md).
"""

from dataclasses import dataclass

import numpy as np

from promcluster.errors import DomainError

# OKVED2 level (digits) → length of the code prefix: "NN", "NN.N", "NN.NN", "NN.NN.N", "NN.NN.NN".
CODE_LENGTH = {2: 2, 3: 4, 4: 5, 5: 7, 6: 8}


class SpecialisationError(DomainError):
    """Input on which location quotients are not defined."""


@dataclass(frozen=True)
class Specialisation:
    """``regions`` × ``activities`` matrices of one date.

    ``value`` is the measure summed (firms, employees, revenue); ``lq`` is NaN where the region's
    total or the activity's reference total is 0; ``share`` is a region's part of the activity's
    total over all regions given (NaN where that is 0). ``missing`` counts the firms whose weight
    was missing (NaN) and which therefore add 0 to ``value`` but 1 to ``firms``.
    """

    regions: list[str]
    activities: list[str]
    value: np.ndarray
    lq: np.ndarray
    share: np.ndarray
    firms: np.ndarray
    measure: str
    reference: list[str] | None
    missing: int = 0

    def region_lq(self, region: str) -> dict[str, float]:
        """Activity → LQ of one region (activities with an undefined LQ left out)."""
        if region not in self.regions:
            raise SpecialisationError(f"регион {region}: нет предприятий в данных")
        row = self.lq[self.regions.index(region)]
        return {a: float(v) for a, v in zip(self.activities, row, strict=True) if np.isfinite(v)}


@dataclass(frozen=True)
class Growth:
    """Change between two dates on the union of both dates' regions and activities.

    Values absent at one date count as 0; ``relative`` is NaN where the earlier value is not
    positive; LQs absent or undefined at one date are NaN, and so is their change.
    """

    regions: list[str]
    activities: list[str]
    value_before: np.ndarray
    value_after: np.ndarray
    change: np.ndarray
    relative: np.ndarray
    lq_before: np.ndarray
    lq_after: np.ndarray
    lq_change: np.ndarray
    measure: str


def cut(codes: np.ndarray, level: int) -> np.ndarray:
    """OKVED2 codes cut to a level: 2 = division "NN", 3 = group "NN.N", 4 = class "NN.NN"
    (5 and 6 = subclasses). Codes shorter than the level are kept as they are, so "23.6" stays
    "23.6" at level 4; the caller decides whether to drop them."""
    if level not in CODE_LENGTH:
        allowed = ", ".join(map(str, CODE_LENGTH))
        raise SpecialisationError(f"уровень ОКВЭД2 {level} не поддерживается; допустимы: {allowed}")
    codes = np.asarray(codes, dtype=str)
    return codes.astype(f"<U{CODE_LENGTH[level]}")


def location_quotients(
    region: np.ndarray,
    activity: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    reference: list[str] | None = None,
    measure: str = "count",
) -> Specialisation:
    """LQ_ra = (x_ra / x_r) / (X_a / X) for every region r and activity a, where x is the measure
    summed over firms (1 per firm without ``weight``) and X_a, X are totals over the
    ``reference`` regions (all regions when None)."""
    region, activity = np.asarray(region), np.asarray(activity)
    if region.ndim != 1 or region.shape != activity.shape:
        raise SpecialisationError(
            f"число регионов ({region.size}) и видов деятельности ({activity.size}) "
            "должно совпадать"
        )
    if region.size == 0:
        raise SpecialisationError("нет ни одного предприятия: показатели не определены")
    weights, missing = _weights(weight, region.size)
    return _specialisation(region, activity, weights, None, reference, measure, missing)


def cell_quotients(
    region: np.ndarray,
    activity: np.ndarray,
    value: np.ndarray,
    firms: np.ndarray,
    *,
    reference: list[str] | None = None,
    measure: str = "count",
    missing: int = 0,
) -> Specialisation:
    """The same as ``location_quotients`` from sums already made per region × activity (a SQL
    ``GROUP BY``): each entry's ``value`` (the measure summed) and ``firms`` (how many firms);
    ``missing`` is passed through. Repeated pairs are added up."""
    region, activity = np.asarray(region), np.asarray(activity)
    firms = np.asarray(firms, dtype=np.int64)
    if not region.shape == activity.shape == firms.shape == np.shape(value) or region.ndim != 1:
        raise SpecialisationError(
            "регионы, виды деятельности, суммы и числа предприятий не совпадают по длине"
        )
    if region.size == 0:
        raise SpecialisationError("нет ни одного предприятия: показатели не определены")
    weights, _ = _weights(value, region.size)
    if (firms < 0).any():
        raise SpecialisationError("число предприятий не может быть отрицательным")
    return _specialisation(region, activity, weights, firms, reference, measure, missing)


def _specialisation(
    region: np.ndarray,
    activity: np.ndarray,
    weights: np.ndarray | None,
    count: np.ndarray | None,
    reference: list[str] | None,
    measure: str,
    missing: int,
) -> Specialisation:
    """Entries (firms, or cells standing for ``count`` firms each) summed into the matrices."""
    regions, r_index = numbered(region, "регион")
    activities, a_index = numbered(activity, "вид деятельности")
    n_r, n_a = len(regions), len(activities)
    cell = r_index * n_a + a_index
    firms = np.bincount(cell, weights=count, minlength=n_r * n_a).astype(np.int64)
    firms = firms.reshape(n_r, n_a)
    value = firms.astype(float) if weights is None else _summed(cell, weights, n_r * n_a)
    value = value.reshape(n_r, n_a)
    base = _reference_rows(reference, regions)
    lq, share = _quotients(value, base)
    return Specialisation(regions, activities, value, lq, share, firms, measure, reference, missing)


def numbered(codes: np.ndarray, field: str) -> tuple[list[str], np.ndarray]:
    """The distinct codes, sorted, and each entry's position among them (as ``np.unique`` with
    ``return_inverse``); a missing or empty code is an error naming ``field``."""
    import pandas as pd  # on use: a third of a second to import (analytics/predict.py)

    index, distinct = pd.factorize(codes, sort=True)
    names = [str(c) for c in distinct]
    blank = [k for k, c in enumerate(names) if not c.strip()]
    empty = int((index < 0).sum() + np.isin(index, blank).sum())
    if empty:
        raise SpecialisationError(f"{field}: пустой код у {int(empty)} предприятий")
    return names, index


def _weights(weight: np.ndarray | None, size: int) -> tuple[np.ndarray | None, int]:
    """Weights with NaN (missing) as 0, and how many were missing."""
    if weight is None:
        return None, 0
    weight = np.asarray(weight, dtype=float)
    if weight.shape != (size,):
        raise SpecialisationError(
            f"число весов ({weight.size}) не совпадает с числом предприятий ({size})"
        )
    absent = np.isnan(weight)
    if np.isinf(weight).any():
        raise SpecialisationError("вес предприятия не может быть бесконечным")
    if (weight[~absent] < 0).any():
        raise SpecialisationError(
            f"вес предприятия не может быть отрицательным (таких {int((weight < 0).sum())})"
        )
    return np.where(absent, 0.0, weight), int(absent.sum())


def _summed(cell: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(cell, weights=weights, minlength=size)


def _reference_rows(reference: list[str] | None, regions: list[str]) -> np.ndarray:
    """Mask of the regions the base shares are taken over."""
    if reference is None:
        return np.ones(len(regions), dtype=bool)
    if not reference:
        raise SpecialisationError("список регионов сравнения пуст")
    unknown = sorted(set(reference) - set(regions))
    if unknown:
        raise SpecialisationError(
            f"регионы сравнения без предприятий в данных: {', '.join(unknown)}"
        )
    return np.isin(np.array(regions), np.array(reference, dtype=str))


def _quotients(value: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LQ against the ``base`` regions and each region's share of the activity's total."""
    own = value.sum(axis=1, keepdims=True)
    base_activity = value[base].sum(axis=0, keepdims=True)
    base_total = base_activity.sum()
    total_activity = value.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (value / own) / (base_activity / base_total)
        share = value / total_activity
    lq[np.broadcast_to((own == 0) | (base_activity == 0), lq.shape)] = np.nan
    share[np.broadcast_to(total_activity == 0, share.shape)] = np.nan
    return lq, share


def growth(before: Specialisation, after: Specialisation) -> Growth:
    """Change of value (absolute, and relative where the earlier value is positive) and of LQ
    for every region × activity between two dates of the same measure."""
    if before.measure != after.measure:
        raise SpecialisationError(
            f"показатели разных мер нельзя сравнивать: «{before.measure}» и «{after.measure}»"
        )
    regions = sorted(set(before.regions) | set(after.regions))
    activities = sorted(set(before.activities) | set(after.activities))
    v0, q0 = _aligned(before, regions, activities)
    v1, q1 = _aligned(after, regions, activities)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(v0 > 0, (v1 - v0) / v0, np.nan)
    return Growth(regions, activities, v0, v1, v1 - v0, relative, q0, q1, q1 - q0, after.measure)


def _aligned(
    spec: Specialisation, regions: list[str], activities: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Value (0 where absent) and LQ (NaN where absent) on the given axes."""
    rows = np.searchsorted(regions, spec.regions)
    cols = np.searchsorted(activities, spec.activities)
    value = np.zeros((len(regions), len(activities)))
    lq = np.full(value.shape, np.nan)
    value[np.ix_(rows, cols)] = spec.value
    lq[np.ix_(rows, cols)] = spec.lq
    return value, lq


def share_quotients(
    values: np.ndarray,
    totals: np.ndarray,
    reference_values: np.ndarray,
    reference_total: float,
) -> np.ndarray:
    """LQ_ra = (x_ra / x_r) / (X_a / X) from sums already made: ``values`` (regions ×
    activities), each region's own total ``totals`` (which may exceed the sum of the activities
    given, as an official «всего» does), and the reference's ``reference_values`` per activity
    and ``reference_total``. NaN where a total or a reference value is not positive or a value
    is missing (NaN)."""
    values = np.asarray(values, dtype=float)
    totals = np.asarray(totals, dtype=float)
    reference_values = np.asarray(reference_values, dtype=float)
    if values.ndim != 2 or totals.shape != (values.shape[0],):
        raise SpecialisationError("итоги регионов не совпадают с таблицей регионов")
    if reference_values.shape != (values.shape[1],):
        raise SpecialisationError("итоги эталона не совпадают с видами деятельности")
    with np.errstate(divide="ignore", invalid="ignore"):
        own = values / np.where(totals > 0, totals, np.nan)[:, None]
        share = reference_values / (reference_total if reference_total > 0 else np.nan)
        return own / np.where(share > 0, share, np.nan)[None, :]
