"""Reading chains: lists, a cluster's chains with everything coverage needs, and the money and
coverage summary the cluster page shows per chain."""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from promcluster.chains.coverage import Coverage, chain_coverage
from promcluster.chains.models import Chain, ChainStage
from promcluster.labels import PROJECT_STATUSES
from promcluster.registry.models import DeclaredFigure, InvestmentProject


def chain_query(cluster_id: int | None = None) -> Select:
    """Chains, optionally of one cluster."""
    query = select(Chain).order_by(Chain.cluster_id, Chain.position)
    return query if cluster_id is None else query.where(Chain.cluster_id == cluster_id)


def chains_with_stages(session: Session, cluster_id: int) -> list[Chain]:
    """The chains of a cluster with their projects, stages, stage suppliers and stage projects
    loaded in a few queries (coverage reads them all)."""
    stages = selectinload(Chain.stages)
    query = chain_query(cluster_id).options(
        selectinload(Chain.projects),
        stages.selectinload(ChainStage.suppliers),
        stages.selectinload(ChainStage.projects),
    )
    return list(session.scalars(query))


@dataclass
class ChainSummary:
    """A chain with its projects and the money on it, by project status, and how many of its
    stages are covered in the cluster's regions."""

    chain: Chain
    projects: list[InvestmentProject]
    amount: int
    amount_by_status: dict[str, int]
    unknown_amounts: int
    declared: list[DeclaredFigure]
    coverage: Coverage


def chain_summary(chain: Chain, declared: list[DeclaredFigure]) -> ChainSummary:
    """The projects, money and stage coverage of ``chain``; ``declared`` may hold figures of
    other chains (those of this one are kept)."""
    by_status: dict[str, int] = defaultdict(int)
    for p in chain.projects:
        by_status[p.status] += p.amount or 0
    return ChainSummary(
        chain=chain,
        projects=list(chain.projects),
        amount=chain.project_amount,
        amount_by_status={s: by_status[s] for s in PROJECT_STATUSES if s in by_status},
        unknown_amounts=sum(p.amount is None for p in chain.projects),
        declared=[d for d in declared if d.chain_id == chain.id],
        coverage=chain_coverage(chain),
    )


def chain_summaries(
    session: Session, cluster_id: int, declared: list[DeclaredFigure]
) -> list[ChainSummary]:
    """The summary of every chain of a cluster (``declared``: the figures of its chains)."""
    return [chain_summary(c, declared) for c in chains_with_stages(session, cluster_id)]
