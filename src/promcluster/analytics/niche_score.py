"""The score of a region's niches: each component scaled to 0…1, then their weighted mean
(docs/NICHES.md). Pure NumPy over plain values; no database, no web.

For the niches of one region, with ``D`` the demand from outside the region (roubles a year):

- demand = log(1 + D) / log(1 + max D over the region's niches) (0 when every D is 0);
- feasibility = P(f; the region's f over all activities), f being the learned probability of
  a new specialisation (1 where the region already is specialised);
- attractiveness = (P(PCI; PCI of all activities) + P(COG; the region's COG over all
  activities)) / 2;
- score = Σ wₖ · componentₖ / Σ wₖ over the components k with their weights w.

P(v; values) is the share of the known (not NaN) ``values`` not above ``v``: ties count as not
above, so the largest value has percentile 1; an unknown ``v`` (None) or no known values gives 0.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class NicheFigures:
    """What the score of one niche is computed from (None: not known for the region)."""

    demand: float
    feasibility: float | None = None
    pci: float | None = None
    cog: float | None = None


def percentile_of(values: np.ndarray) -> Callable[[float | None], float]:
    """value → share of the known ``values`` not above it (0 for an unknown value)."""
    known = np.sort(values[~np.isnan(values)])

    def percentile(value: float | None) -> float:
        if value is None or known.size == 0:
            return 0.0
        return float(np.searchsorted(known, value, "right") / known.size)

    return percentile


def niche_components(
    niches: Sequence[NicheFigures],
    pci: np.ndarray,
    cog: np.ndarray,
    feasibility: np.ndarray,
) -> list[dict[str, float]]:
    """The three components of each niche, in order. ``pci`` holds every activity's PCI, ``cog``
    and ``feasibility`` the region's row over all activities (empty when the region is unknown)."""
    if not niches:
        return []
    top_demand = np.log1p(max(n.demand for n in niches))
    pci_rank, cog_rank = percentile_of(pci), percentile_of(cog)
    feasible = percentile_of(feasibility)
    return [
        {
            "demand": float(np.log1p(n.demand) / top_demand) if top_demand else 0.0,
            "feasibility": feasible(n.feasibility),
            "attractiveness": (pci_rank(n.pci) + cog_rank(n.cog)) / 2,
        }
        for n in niches
    ]


def weighted_score(components: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The weighted mean of ``components`` over the keys of ``weights`` (not all zero)."""
    total = sum(weights.values())
    return sum(weights[k] * components[k] for k in weights) / total
