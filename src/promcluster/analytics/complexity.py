"""Economic complexity of one period: RCA, Mcp, diversity, ubiquity, proximity, density, ECI, PCI,
COI and COG, with the definitions, normalisations and sign rule of the Growth Lab's reference
package ``ecomplexity`` 0.5.3 (formulas and sources in docs/COMPLEXITY.md).

Pure NumPy over a dense locations × products matrix; no database, no web. The ECI eigenvector is
taken from the smaller of the two similar matrices (locations or products), which gives the
reference's vectors up to a positive factor that its normalisation removes.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Complexity:
    """Results for ``locations`` × ``products`` (rows and columns of the matrices)."""

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


def rca(values: np.ndarray) -> np.ndarray:
    """Balassa's revealed comparative advantage (location quotient): a location's share of a
    product over the product's share of the whole."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = values / values.sum(axis=1, keepdims=True)
        world = values.sum(axis=0, keepdims=True) / values.sum()
        return share / world


def _second_eigenvector(matrix: np.ndarray) -> np.ndarray:
    """The real part of the eigenvector of the second largest eigenvalue (as the reference)."""
    values, vectors = np.linalg.eig(matrix)
    return np.real(vectors[:, values.argsort()[-2]])


def eci_pci(mcp: np.ndarray, diversity: np.ndarray, ubiquity: np.ndarray) -> tuple:
    """Raw (not yet standardised) ECI and PCI, oriented so that ECI correlates positively with
    diversity; NaN for locations and products with no specialisation at all."""
    rows, cols = diversity != 0, ubiquity != 0
    m = mcp[rows][:, cols]
    by_location = m / diversity[rows][:, None]
    by_product = (m / ubiquity[cols][None, :]).T
    if m.shape[1] <= m.shape[0]:
        kp = _second_eigenvector(by_product @ by_location)
    else:
        kp = by_product @ _second_eigenvector(by_location @ by_product)
    kc = by_location @ kp
    sign = np.sign(np.corrcoef(diversity[rows], kc)[0, 1])
    eci = np.full(mcp.shape[0], np.nan)
    pci = np.full(mcp.shape[1], np.nan)
    eci[rows], pci[cols] = sign * kc, sign * kp
    return eci, pci


def proximity(mcp: np.ndarray, ubiquity: np.ndarray) -> np.ndarray:
    """Product proximity: the smaller of the two conditional probabilities of co-specialisation."""
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = (mcp.T @ mcp) / ubiquity[None, :]
    return np.minimum(phi, phi.T)


def complexity(
    values: np.ndarray, locations: list[str], products: list[str], threshold: float = 1.0
) -> Complexity:
    """Every measure for a matrix of non-negative values whose rows and columns all have a
    positive total (callers drop the others, as the reference does)."""
    r = rca(values)
    mcp = np.where(np.nan_to_num(r) >= threshold, 1.0, 0.0)
    diversity, ubiquity = mcp.sum(axis=1), mcp.sum(axis=0)
    eci, pci = eci_pci(mcp, diversity, ubiquity)
    phi = proximity(mcp, ubiquity)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = mcp @ (phi.T / np.nansum(phi, axis=1)[None, :])
        absent = 1 - mcp
        coi = (density * absent * pci).sum(axis=1)
        cog = absent * (absent @ (phi * (pci / phi.sum(axis=1))[:, None]))
        spread = eci.std()
        pci = (pci - eci.mean()) / spread
        cog = cog / spread
        eci = (eci - eci.mean()) / spread
        coi = (coi - coi.mean()) / coi.std()
    return Complexity(
        locations, products, r, mcp, diversity, ubiquity, phi, density, eci, pci, coi, cog
    )
