"""Where each region stands in each OKVED2 activity, from the enterprises the platform holds:
employment by region × activity → RCA, density, PCI and COG (ubiquity orientation, ADR 0005)
and the learned feasibility of a new specialisation (``transfer.py``).

The computation takes about a second for 85 regions × 272 activity groups; it is kept per
database and recomputed only after a write (``cache.py``).
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.analytics.complexity import ComplexityError, of_year
from promcluster.analytics.panel import Panel, PanelError, build_panel
from promcluster.analytics.predict import score
from promcluster.cache import FIRMS, kept
from promcluster.niches.transfer import transfer_model
from promcluster.reference.levels import DEFAULT_LEVEL, PREFIX
from promcluster.registry.models import Enterprise


@dataclass(frozen=True)
class Outlook:
    """Regions × activities matrices of one snapshot of the registry."""

    level: int
    regions: list[str]
    activities: list[str]
    employees: np.ndarray  # the headcounts the rest is computed from
    rca: np.ndarray
    density: np.ndarray
    feasibility: np.ndarray  # learned probability; 1 where the region is already specialised
    pci: np.ndarray  # per activity
    cog: np.ndarray
    proximity: np.ndarray  # activities × activities

    @cached_property
    def region_index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.regions)}

    @cached_property
    def activity_index(self) -> dict[str, int]:
        return {c: j for j, c in enumerate(self.activities)}


def outlook(session: Session, level: int = DEFAULT_LEVEL) -> Outlook | None:
    """The outlook of the registry's current enterprises (None when there are too few to say
    anything: fewer than two regions and two activities connected by specialisations)."""

    def compute() -> Outlook | None:
        try:
            return compute_outlook(session, level)
        except (ComplexityError, PanelError):
            return None

    return kept(session, ("outlook", level), compute, on=FIRMS)


def employment_panel(session: Session, level: int = DEFAULT_LEVEL) -> Panel:
    """Employment (headcount, 1 for a firm without one) of every region × activity."""
    length = PREFIX[level]
    activity = func.substr(Enterprise.okved_main, 1, length)
    rows = session.execute(
        select(Enterprise.region_code, activity, func.sum(func.coalesce(Enterprise.employees, 1)))
        .where(func.length(Enterprise.okved_main) >= length)
        .group_by(Enterprise.region_code, activity)
    ).all()
    return build_panel([r[0] for r in rows], [r[1] for r in rows], [max(r[2], 0) for r in rows])


def compute_outlook(session: Session, level: int = DEFAULT_LEVEL) -> Outlook:
    """Employment (headcount, 1 for a firm without one) of every region × activity, and what
    the complexity engine and the feasibility model make of it."""
    panel = employment_panel(session, level)
    result = of_year(panel, None, orientation="ubiquity")
    feasibility = np.where(result.mcp > 0, 1.0, np.nan)
    scores = score(transfer_model(), panel, None)
    row = {c: i for i, c in enumerate(result.locations)}
    column = {c: j for j, c in enumerate(result.products)}
    kept_rows = [panel.locations.index(c) for c in result.locations]
    kept_columns = [panel.products.index(c) for c in result.products]
    for region, code, value in zip(scores.locations, scores.products, scores.score, strict=True):
        feasibility[row[region], column[code]] = value
    return Outlook(
        level,
        result.locations,
        result.products,
        panel.values[0][np.ix_(kept_rows, kept_columns)],
        result.rca,
        result.density,
        feasibility,
        result.pci,
        result.cog,
        result.proximity,
    )
