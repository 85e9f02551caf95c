"""The chain designer's reads: a chain's stages with their suppliers, candidate suppliers,
coverage, projects and the import dependence of the chain's inputs.

Candidates of a stage come from ``matching.candidates.suppliers_of`` (the ranking of the
need/offer matching: the cluster's participants first, then the cluster's region, then
elsewhere). The purchase value of a stage is its own ``value`` when set, else what the
cluster's participants buy under the stage's code (their consumption lines); when no participant
records such purchases, what the enterprises of the cluster's regions buy stands in (labelled
so). The parts bought outside the region and imported apply the shares of the lines read; a
stage without lines, or whose lines give no shares, has unknown parts."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.chains.coverage import Coverage, StageCoverage, chain_coverage, stage_coverage
from promcluster.chains.graph import participant_ids, purchases
from promcluster.chains.models import Chain, ChainStage, StageSupplier
from promcluster.chains.queries import ChainSummary, chain_summary
from promcluster.labels import CHAIN_MEMBER_REASON, MATCH_PARTIES, MATCH_REASONS
from promcluster.matching.candidates import suppliers_of
from promcluster.matching.scoring import Candidate
from promcluster.records import get
from promcluster.reference.levels import code_range
from promcluster.registry.models import DeclaredFigure, Enterprise, ProductLine

SHOWN = 8  # candidates listed per stage on the designer


@dataclass(frozen=True)
class StagePurchase:
    """A stage input's yearly purchase value and the parts bought outside and imported."""

    value: int | None
    outside: int | None
    imported: int | None
    basis: str | None  # "stage": its own value; "lines": participants'; "region": the region's
    lines: int  # consumption lines read under the code
    synthetic: bool = False  # its shares come from lines of the demo's synthetic firms


@dataclass
class StageCandidate:
    """A ranked candidate supplier of a stage, and whether it is in the cluster's regions."""

    candidate: Candidate
    in_region: bool
    assigned: bool


@dataclass
class StageDesign:
    """One stage as the designer shows it."""

    stage: ChainStage
    coverage: StageCoverage
    suppliers: list[tuple[StageSupplier, bool]]  # assigned supplier, in the cluster's regions
    purchase: StagePurchase
    candidates: list[StageCandidate] = field(default_factory=list)

    @property
    def in_region_candidates(self) -> int:
        return sum(c.in_region for c in self.candidates)


@dataclass(frozen=True)
class Dependence:
    """The chain's inputs: purchase value, and of the part with known shares, how much is
    bought outside the region and imported."""

    total: int  # stages with a known value
    assessed: int  # of which the stages whose outside and import parts are known
    outside: int
    imported: int
    unknown: int  # stages without a value or without known parts
    synthetic: bool = False  # some of the shares come from the demo's synthetic firms

    @property
    def outside_share(self) -> float | None:
        return self.outside / self.assessed if self.assessed else None

    @property
    def import_share(self) -> float | None:
        return self.imported / self.assessed if self.assessed else None


@dataclass
class ChainDesign:
    """A chain with its money, stages, coverage and import dependence."""

    chain: Chain
    summary: ChainSummary
    stages: list[StageDesign]
    coverage: Coverage
    dependence: Dependence
    region_codes: list[str]


def stage_purchase(
    session: Session, stage: ChainStage, participants: list[int], region_codes: list[str]
) -> StagePurchase:
    """What the chain buys of ``stage``'s input (see the module's note)."""
    bought, source = purchases(session, participants, [stage.okpd2_code]), "lines"
    if not bought.lines:
        bought, source = (
            purchases(
                session, _buyers(session, region_codes, stage.okpd2_code), [stage.okpd2_code]
            ),
            "region",
        )
    own = stage.value is not None
    value = stage.value if own else (bought.total if bought.lines else None)
    basis = None if value is None else "stage" if own else source
    if value is None or not bought.total or bought.unknown_shares == bought.lines:
        return StagePurchase(value, None, None, basis, bought.lines)
    return StagePurchase(
        value=value,
        outside=round(value * bought.outside / bought.total),
        imported=round(value * bought.imported / bought.total),
        basis=basis,
        lines=bought.lines,
        synthetic=bought.synthetic > 0,
    )


def _buyers(session: Session, region_codes: list[str], code: str) -> list[int]:
    """Enterprises of the regions with consumption lines under the OKPD2 ``code``."""
    return list(
        session.scalars(
            select(ProductLine.enterprise_id)
            .join(Enterprise, Enterprise.id == ProductLine.enterprise_id)
            .where(
                Enterprise.region_code.in_(region_codes),
                ProductLine.direction == "consumes",
                code_range(ProductLine.okpd2_code, code),
            )
            .distinct()
        )
    )


def dependence(stages: list[StageDesign]) -> Dependence:
    """The chain's import dependence summed over its stages."""
    known = [s.purchase for s in stages if s.purchase.value is not None]
    assessed = [p for p in known if p.outside is not None]
    return Dependence(
        total=sum(p.value for p in known),
        assessed=sum(p.value for p in assessed),
        outside=sum(p.outside for p in assessed),
        imported=sum(p.imported for p in assessed),
        unknown=len(stages) - len(assessed),
        synthetic=any(p.synthetic for p in assessed),
    )


def stage_candidates(
    session: Session, stage: ChainStage, limit: int = SHOWN, participants: list[int] | None = None
) -> list[StageCandidate]:
    """Ranked candidate suppliers of ``stage``: the cluster's participants that make it, then
    enterprises of the cluster's (first) region, then elsewhere, each with its reasons."""
    cluster = stage.chain.cluster
    regions = set(cluster.region_codes)
    if participants is None:
        participants = participant_ids(session, cluster.id)
    members = dict.fromkeys(participants, cluster.name)
    product = stage.name or stage.product.name
    found = suppliers_of(
        session, stage.okpd2_code, product, cluster.region_codes[0], members, limit
    )
    assigned = {s.enterprise_id for s in stage.suppliers}
    return [
        StageCandidate(_as_chain_member(c), c.region_code in regions, c.enterprise_id in assigned)
        for c in found
    ]


def _as_chain_member(candidate: Candidate) -> Candidate:
    """The matching's member reason speaks of a customer; a stage has none."""
    if candidate.member_of:
        said = MATCH_REASONS["member"].format(
            cluster=candidate.member_of, party=MATCH_PARTIES["supplier"]
        )
        ours = CHAIN_MEMBER_REASON.format(cluster=candidate.member_of)
        candidate.reasons = [ours if r == said else r for r in candidate.reasons]
    return candidate


def chain_design(session: Session, chain_id: int, candidates: int = SHOWN) -> ChainDesign:
    """Everything the designer shows for ``chain_id`` (``candidates``: per stage, 0 for none)."""
    chain = get(session, Chain, chain_id)
    regions = chain.cluster.region_codes
    participants = participant_ids(session, chain.cluster_id)
    stages = []
    for stage in chain.stages:
        design = StageDesign(
            stage=stage,
            coverage=stage_coverage(stage, set(regions)),
            suppliers=[(s, s.enterprise.region_code in regions) for s in stage.suppliers],
            purchase=stage_purchase(session, stage, participants, regions),
        )
        if candidates:
            design.candidates = stage_candidates(session, stage, candidates, participants)
        stages.append(design)
    declared = list(
        session.scalars(
            select(DeclaredFigure)
            .where(DeclaredFigure.chain_id == chain_id)
            .order_by(DeclaredFigure.id)
        )
    )
    return ChainDesign(
        chain=chain,
        summary=chain_summary(chain, declared),
        stages=stages,
        coverage=chain_coverage(chain),
        dependence=dependence(stages),
        region_codes=regions,
    )
