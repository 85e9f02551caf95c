"""Whether the stages of a chain are covered in the cluster's regions.

A stage is *covered* when a supplier assigned to it is located in one of the cluster's regions,
or when an investment project attached to it is done; otherwise it is a *gap*. The coverage
share of a chain is its covered stages over its stages. Read from loaded records, no queries of
its own beyond lazy loads, so the cluster page and the designer count alike."""

from dataclasses import dataclass

from promcluster.chains.models import Chain, ChainStage, StageSupplier
from promcluster.registry.models import InvestmentProject

DONE = "done"


@dataclass(frozen=True)
class StageCoverage:
    """What covers one stage: in-region suppliers and done projects (both empty: a gap)."""

    suppliers: list[StageSupplier]
    projects: list[InvestmentProject]

    @property
    def covered(self) -> bool:
        return bool(self.suppliers or self.projects)


@dataclass(frozen=True)
class Coverage:
    """Stages of a chain, how many are covered, and the share."""

    stages: int
    covered: int

    @property
    def gaps(self) -> int:
        return self.stages - self.covered

    @property
    def share(self) -> float | None:
        return self.covered / self.stages if self.stages else None


def stage_coverage(stage: ChainStage, region_codes: set[str]) -> StageCoverage:
    """The in-region suppliers and done projects of ``stage``."""
    return StageCoverage(
        suppliers=[s for s in stage.suppliers if s.enterprise.region_code in region_codes],
        projects=[p for p in stage.projects if p.status == DONE],
    )


def chain_coverage(chain: Chain) -> Coverage:
    """How many stages of ``chain`` are covered in its cluster's regions."""
    regions = set(chain.cluster.region_codes)
    covered = sum(stage_coverage(s, regions).covered for s in chain.stages)
    return Coverage(len(chain.stages), covered)
