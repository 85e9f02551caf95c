"""What discovery shows of a candidate cluster (``Candidate``) and of a cluster of the region
that the candidate already is (``ExistingCluster``): the shapes ``discovery.service`` builds and
``discovery.existing`` marks, kept apart so neither imports the other."""

from dataclasses import dataclass, field

from promcluster.labels import EXISTING_CLUSTER, POSSIBLE_CLUSTER


@dataclass(frozen=True)
class ExistingCluster:
    """A cluster of the region that a candidate is, and why (``existing.marked``)."""

    id: int
    name: str
    specialisation: list[str]  # its codes holding the candidate's core activities
    members: int  # its pipeline's firms among the candidate's
    near: int  # its pipeline's firms placed within the candidate's radius (at least ``EPS_KM``)
    pipeline: int  # its pipeline's firms in all
    placed: int  # of them, placed on the map by their own or their city's coordinates
    possible: bool = False  # only «возможно»: none of its firms is placed, so none can be near

    @property
    def mark(self) -> str:
        """How the candidate is marked: the cluster it is, or only possibly is."""
        return (POSSIBLE_CLUSTER if self.possible else EXISTING_CLUSTER).format(name=self.name)


@dataclass
class Candidate:
    """A candidate cluster as the pages, API and CLI show it."""

    number: int
    score: float
    seed: str
    seed_name: str | None
    firms: int
    employees: float
    activities: list[tuple[str, str | None, int]]  # code, name, firms
    centre: tuple[float, float]
    outline: list[tuple[float, float]]
    radius_km: float
    parts: dict[str, float]
    firm_ids: list[int]
    listed_ids: list[int]  # the ``service.FIRMS_LISTED`` largest by employees
    synthetic_firms: int
    existing: list[ExistingCluster] = field(default_factory=list)
    growth: float | None = None  # of the headcount of its firms with figures of both years
    growth_firms: int = 0  # those firms
    town: tuple[str, float] | None = None  # the region's city nearest its centre, km away
