"""Relatedness of OKVED2 activities from the complexity engine: the proximity of groups
(co-specialisation of regions, ``analytics.complexity``) over the registry's employment panel,
the same input as the niche outlook (``niches.outlook.employment_panel``) without its
feasibility model, kept per database until the next write."""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlalchemy.orm import Session

from promcluster.analytics.complexity import ComplexityError, of_year
from promcluster.analytics.panel import PanelError
from promcluster.cache import FIRMS, kept
from promcluster.niches.outlook import employment_panel
from promcluster.reference.levels import DEFAULT_LEVEL


@dataclass(frozen=True)
class Relatedness:
    """Activities (OKVED2 prefixes of one level) and their proximity matrix."""

    codes: list[str]
    proximity: np.ndarray

    @cached_property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.codes)}


def relatedness(session: Session, level: int = DEFAULT_LEVEL) -> Relatedness | None:
    """Proximity of the registry's activities (None when too few regions and activities are
    connected by specialisations to say anything)."""

    def compute() -> Relatedness | None:
        try:
            result = of_year(employment_panel(session, level), None, orientation="ubiquity")
        except (ComplexityError, PanelError):
            return None
        return Relatedness(list(result.products), result.proximity)

    return kept(session, ("proximity", level), compute, on=FIRMS)
