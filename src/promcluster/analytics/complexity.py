"""Economic complexity of one period: RCA, Mcp, diversity, ubiquity, proximity, density, ECI, PCI,
COI and COG, with the definitions, normalisations and sign rule of the Growth Lab's reference
package ``ecomplexity`` 0.5.3 (formulas, sources and the cases the reference leaves undefined are
in docs/COMPLEXITY.md).

Pure NumPy over a dense locations × products matrix; no database, no web. The ECI eigenvector is
taken from a symmetric matrix similar to the smaller of the two reference matrices (locations or
products), which gives the reference's vectors up to a factor that its normalisation removes.
"""

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from threadpoolctl import threadpool_limits

from promcluster.analytics.panel import Panel
from promcluster.errors import DomainError

Orientation = Literal["diversity", "ubiquity"]

NO_VALUE = "нулевая сумма значений за год"
NO_SPECIALISATION = "нет ни одной специализации (RCA ниже порога везде)"
UNCONNECTED = "не связан специализациями с основной частью таблицы"


class ComplexityError(DomainError):
    """Input on which complexity is not defined (too small, or no shared specialisations)."""


@dataclass(frozen=True)
class Complexity:
    """Results for ``locations`` × ``products`` (rows and columns of the matrices).

    ECI, PCI, COI and COG are defined on the largest part of the table connected by
    specialisations; locations and products outside it have NaN there and are named with the
    reason in ``outside``. ``dropped`` names those removed before computing (zero totals).
    """

    locations: list[str]
    products: list[str]
    rca: np.ndarray
    mcp: np.ndarray
    diversity: np.ndarray
    ubiquity: np.ndarray
    proximity: np.ndarray
    density: np.ndarray
    eci: np.ndarray
    pci: np.ndarray
    coi: np.ndarray
    cog: np.ndarray
    year: int | None = None
    outside: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)


def rca(values: np.ndarray) -> np.ndarray:
    """Balassa's revealed comparative advantage (location quotient): a location's share of a
    product over the product's share of the whole."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = values / values.sum(axis=1, keepdims=True)
        world = values.sum(axis=0, keepdims=True) / values.sum()
        return share / world


def proximity(mcp: np.ndarray, ubiquity: np.ndarray) -> np.ndarray:
    """Product proximity: the smaller of the two conditional probabilities of co-specialisation
    (0 for a product no location specialises in)."""
    phi = _divide(mcp.T @ mcp, ubiquity[None, :])
    return np.minimum(phi, phi.T)


def _divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, with 0 where b is 0."""
    return np.divide(a, b, out=np.zeros(np.broadcast_shapes(a.shape, b.shape)), where=b != 0)


def density(mcp: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Share of each product's proximity mass that a location already specialises in."""
    return mcp @ _divide(phi.T, phi.sum(axis=1)[None, :])


def main_part(mcp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the locations and products in the largest connected part of the bipartite
    specialisation network (most locations, then most products; of equal parts, the one with
    the first location). A breadth-first search over the matrix: each row and column is visited
    once, and SciPy's sparse graphs are not imported for it (a third of a second per process)."""
    linked = mcp > 0
    n_loc, n_prod = linked.shape
    seen = np.zeros(n_loc, dtype=bool)
    best = (np.zeros(n_loc, dtype=bool), np.zeros(n_prod, dtype=bool))
    best_size = (-1, -1)
    for start in range(n_loc):
        if seen[start]:
            continue
        locations, products = np.zeros(n_loc, dtype=bool), np.zeros(n_prod, dtype=bool)
        locations[start] = True
        frontier = locations.copy()
        while frontier.any():
            reached = linked[frontier].any(axis=0) & ~products
            products |= reached
            frontier = linked[:, reached].any(axis=1) & ~locations
            locations |= frontier
        seen |= locations
        size = (int(locations.sum()), int(products.sum()))
        if size > best_size:
            best, best_size = (locations, products), size
    return best


def _second_eigenvector(symmetric: np.ndarray) -> np.ndarray:
    _, vectors = np.linalg.eigh(symmetric)
    return vectors[:, -2]


def raw_eci_pci(mcp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unoriented, unstandardised ECI (kc) and PCI (kp) of a connected matrix with no empty row
    or column: kp is the eigenvector of the second largest eigenvalue of
    (M/k_p)ᵀ(M/k_c), kc = (M/k_c) kp (Hidalgo & Hausmann 2009)."""
    diversity, ubiquity = mcp.sum(axis=1), mcp.sum(axis=0)
    by_location = mcp / diversity[:, None]
    by_product = (mcp / ubiquity[None, :]).T
    if mcp.shape[1] <= mcp.shape[0]:
        # (M/k_p)ᵀ(M/k_c) = D_p^-½ S D_p^½ with S = D_p^-½ Mᵀ D_c^-1 M D_p^-½ symmetric.
        scaled = mcp / np.sqrt(diversity)[:, None] / np.sqrt(ubiquity)[None, :]
        kp = _second_eigenvector(scaled.T @ scaled) / np.sqrt(ubiquity)
    else:
        scaled = mcp / np.sqrt(diversity)[:, None] / np.sqrt(ubiquity)[None, :]
        kc = _second_eigenvector(scaled @ scaled.T) / np.sqrt(diversity)
        kp = by_product @ kc
    return by_location @ kp, kp


def _orientation_sign(
    kc: np.ndarray, kp: np.ndarray, diversity: np.ndarray, ubiquity: np.ndarray, rule: Orientation
) -> float:
    """+1 or −1: the reference's rule makes ECI correlate positively with diversity; the
    ``ubiquity`` rule makes PCI correlate negatively with ubiquity (complex products are made in
    few places). When the chosen correlation is undefined (a constant vector) the other decides."""

    def corr(a: np.ndarray, b: np.ndarray) -> float:
        if a.std() == 0 or b.std() == 0:
            return 0.0
        return float(np.corrcoef(a, b)[0, 1])

    by_diversity, by_ubiquity = corr(diversity, kc), -corr(ubiquity, kp)
    first, second = (
        (by_diversity, by_ubiquity) if rule == "diversity" else (by_ubiquity, by_diversity)
    )
    return float(np.sign(first) or np.sign(second) or 1.0)


# One BLAS thread: these matrices are small, and OpenBLAS's threads cost more than they give on a
# 2-core machine, a hundredfold when the other core is busy (docs/BENCHMARKS.md).
@threadpool_limits.wrap(limits=1, user_api="blas")
def complexity(
    values: np.ndarray,
    locations: list[str],
    products: list[str],
    threshold: float = 1.0,
    orientation: Orientation = "diversity",
    year: int | None = None,
) -> Complexity:
    """Every measure for a matrix of non-negative values whose rows and columns all have a
    positive total (``of_year`` drops the others, as the reference does)."""
    if values.shape != (len(locations), len(products)):
        raise ComplexityError("размер матрицы не совпадает с числом регионов и продуктов")
    r = rca(values)
    mcp = np.where(np.nan_to_num(r) >= threshold, 1.0, 0.0)
    diversity, ubiquity = mcp.sum(axis=1), mcp.sum(axis=0)
    rows, cols = main_part(mcp)
    if rows.sum() < 2 or cols.sum() < 2:
        raise ComplexityError(
            "сложность не определена: нужно хотя бы два региона и два продукта, связанных "
            "специализациями (RCA ≥ порога)"
        )
    kc, kp = raw_eci_pci(mcp[rows][:, cols])
    sign = _orientation_sign(kc, kp, diversity[rows], ubiquity[cols], orientation)
    if kc.std() < 1e-12:
        raise ComplexityError("ECI не определён: все регионы одинаковы по специализациям")
    phi = proximity(mcp, ubiquity)
    omega = density(mcp, phi)
    eci, pci = np.full(len(locations), np.nan), np.full(len(products), np.nan)
    eci[rows], pci[cols] = sign * kc, sign * kp
    coi, cog = _outlook(mcp, phi, omega, pci, rows, cols)
    mean, spread = eci[rows].mean(), eci[rows].std()
    coi_spread = coi[rows].std()
    outside = {n: _why_outside(diversity[i]) for i, n in enumerate(locations) if not rows[i]}
    outside |= {n: _why_outside(ubiquity[j]) for j, n in enumerate(products) if not cols[j]}
    return Complexity(
        locations,
        products,
        r,
        mcp,
        diversity,
        ubiquity,
        phi,
        omega,
        (eci - mean) / spread,
        (pci - mean) / spread,
        (coi - coi[rows].mean()) / coi_spread if coi_spread > 0 else np.where(rows, 0.0, np.nan),
        cog / spread,
        year,
        outside,
    )


def _why_outside(degree: float) -> str:
    return NO_SPECIALISATION if degree == 0 else UNCONNECTED


def _outlook(
    mcp: np.ndarray,
    phi: np.ndarray,
    omega: np.ndarray,
    pci: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw complexity outlook (COI) and outlook gain (COG) from the raw PCI, over the main part
    (NaN outside it)."""
    absent = 1 - mcp
    known = np.where(cols, pci, 0.0)
    coi = (omega * absent * known).sum(axis=1)
    weight = _divide(known, phi.sum(axis=1))
    cog = absent * (absent @ (phi * weight[:, None]))
    coi[~rows] = np.nan
    cog[~rows, :] = np.nan
    cog[:, ~cols] = np.nan
    return coi, cog


def of_year(
    panel: Panel,
    year: int | None,
    threshold: float = 1.0,
    orientation: Orientation = "diversity",
) -> Complexity:
    """Complexity of one year of a panel over the locations and products listed that year,
    after dropping those whose total that year is zero (named in ``dropped``)."""
    values = panel.matrix(year)
    listed = panel.listed[panel.years.index(year)]
    n_loc = len(panel.locations)
    totals = np.concatenate([values.sum(axis=1), values.sum(axis=0)])
    keep = listed & (totals > 0)
    names = panel.locations + panel.products
    rows, cols = keep[:n_loc], keep[n_loc:]
    result = complexity(
        values[rows][:, cols],
        [n for n, k in zip(panel.locations, rows, strict=True) if k],
        [n for n, k in zip(panel.products, cols, strict=True) if k],
        threshold,
        orientation,
        year,
    )
    result.dropped.update({names[i]: NO_VALUE for i in np.flatnonzero(listed & ~keep)})
    return result


def of_panel(
    panel: Panel, threshold: float = 1.0, orientation: Orientation = "diversity"
) -> list[Complexity]:
    """Complexity of every year of a panel, oldest first."""
    return [of_year(panel, year, threshold, orientation) for year in panel.years]
