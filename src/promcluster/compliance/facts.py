"""What the evaluators of the requirements read about one cluster on a date: its supply graph,
the activities of its participants, the declared size, the checklist marks, the platform's own
chains and projects. Gathered once per check so that each rule stays a short function."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.chains.graph import Node, SupplyGraph, supply_graph
from promcluster.chains.models import Chain, ChainStage
from promcluster.compliance.messages import MESSAGES
from promcluster.compliance.models import Mark, Rule
from promcluster.reference.models import Okved
from promcluster.registry.models import Cluster, DeclaredFigure, InvestmentProject


@dataclass(frozen=True)
class Offender:
    """A record that makes a criterion fail (or leaves it undecided), and why."""

    kind: str  # "enterprise", "membership", "cluster"
    id: int
    name: str
    reason: str


@dataclass
class Outcome:
    """What one rule's evaluator found."""

    status: str  # pass, fail, unknown, checklist, not_applicable
    explanation: str
    value: float | int | str | None = None
    threshold: float | int | str | None = None
    op: str | None = None  # ">=" or "<=": how value is compared with threshold
    unit: str | None = None
    offenders: list[Offender] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Facts:
    """One cluster on ``as_of`` as the rules see it."""

    cluster: Cluster
    as_of: date
    graph: SupplyGraph
    sections: dict[str, str]  # OKVED2 code of a participant's main activity → its section
    declared_members: DeclaredFigure | None
    marks: dict[tuple[str, str], Mark]
    platform: dict[str, int]  # chains, stages, projects recorded for the cluster
    rules: dict[str, Rule]  # the editions in force, by code (C1 reads C4's window)

    def participants(self, rule: Rule) -> dict[int, Node]:
        """The graph's participants without the roles the rule's ``exclude_roles`` names."""
        excluded = set(rule.params.get("exclude_roles") or ())
        return {k: n for k, n in self.graph.participants.items() if n.role not in excluded}

    def ticked(self, code: str, item: str) -> Mark | None:
        """The mark of a checklist item when it is ticked with a reference or a document of the
        dossier (else None)."""
        mark = self.marks.get((code, item))
        return mark if mark is not None and mark.evidenced else None

    @staticmethod
    def evidence(mark: Mark) -> str:
        """What a tick rests on, for an explanation: its reference, else the dossier document."""
        return (mark.reference or "").strip() or MESSAGES["dossier_document"]


def gather(session: Session, cluster: Cluster, as_of: date, rules: list[Rule]) -> Facts:
    """Read everything the rules in force need, in a handful of queries."""
    graph = supply_graph(session, cluster.id, as_of)
    codes = {n.okved_main for n in graph.participants.values() if n.okved_main}
    rows = session.execute(select(Okved.code, Okved.section).where(Okved.code.in_(codes)))
    sections = {code: section for code, section in rows} if codes else {}
    marks = {
        (m.rule_code, m.item): m
        for m in session.scalars(select(Mark).where(Mark.cluster_id == cluster.id))
    }
    return Facts(
        cluster=cluster,
        as_of=as_of,
        graph=graph,
        sections=sections,
        declared_members=_declared_members(session, cluster.id, as_of),
        marks=marks,
        platform=_platform(session, cluster.id),
        rules={r.code: r for r in rules},
    )


def _declared_members(session: Session, cluster_id: int, as_of: date) -> DeclaredFigure | None:
    """The latest published member count of the cluster not dated after ``as_of``."""
    figures = session.scalars(
        select(DeclaredFigure).where(
            DeclaredFigure.cluster_id == cluster_id,
            DeclaredFigure.chain_id.is_(None),
            DeclaredFigure.indicator == "members",
        )
    )
    dated = [f for f in figures if f.as_of is None or f.as_of <= as_of]
    return max(dated, key=lambda f: f.as_of or date.min, default=None)


def _platform(session: Session, cluster_id: int) -> dict[str, int]:
    chains = select(Chain.id).where(Chain.cluster_id == cluster_id)
    return {
        "chains": session.scalar(select(func.count()).select_from(chains.subquery())) or 0,
        "stages": session.scalar(
            select(func.count(ChainStage.id)).where(ChainStage.chain_id.in_(chains))
        )
        or 0,
        "projects": session.scalar(
            select(func.count(InvestmentProject.id)).where(
                InvestmentProject.cluster_id == cluster_id
            )
        )
        or 0,
    }


def add_years(day: date, years: int) -> date:
    """The same month and day ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
