"""The application package of a cluster for the Ministry's registry of industrial clusters
(Decree No. 779), assembled from the records as of a date: the specialised organisation, the
participants, the evidence of functional dependence (supplies between participants and the
cooperation share exactly as rule C3 reads it), the investment projects, the chains with their
stages (the functional map), the compliance check with every rule and the attached documents.
What a complete package still lacks comes first, in words (``missing``)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster import labels, records
from promcluster.chains.coverage import stage_coverage
from promcluster.chains.downloads import ClusterGraph
from promcluster.chains.graph import Cooperation, cooperation
from promcluster.chains.queries import chains_with_stages
from promcluster.compliance.facts import Facts, gather
from promcluster.compliance.rules import FEDERAL, in_force
from promcluster.compliance.service import Report, check
from promcluster.documents import store
from promcluster.dossier.package_documents import (
    ACCESSION,
    CONTRACT,
    DocumentRow,
    cluster_documents,
)
from promcluster.registry.models import Cluster, Enterprise, EnterpriseFigure, Membership
from promcluster.registry.queries import project_query

REQUIRED_KINDS = ("cluster_agreement", "programme", "statutes")  # of the cluster as a whole
UNMET = ("fail", "unknown", "checklist")  # compliance statuses a complete package has none of
INDUSTRIAL = ("C",)  # when rule C2 (and its industrial sections) is not in force


@dataclass(frozen=True)
class Organisation:
    """The specialised organisation as the application letter names it."""

    id: int
    name: str
    full_name: str | None
    inn: str | None
    ogrn: str | None
    address: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class ParticipantRow:
    """A participant of the cluster on the package's date."""

    enterprise_id: int
    membership_id: int
    name: str
    inn: str | None
    ogrn: str | None
    address: str | None
    okved_main: str | None
    okved_name: str | None
    role: str
    since: date | None
    agreement: DocumentRow | None  # the accession agreement of the membership
    industrial: bool | None  # None: main activity unknown
    headcount: int | None
    headcount_year: int | None  # None: the card's current figure


@dataclass(frozen=True)
class SupplyRow:
    """Supplies of one product between two participants in the graph's year."""

    supplier: str
    customer: str
    okpd2_code: str
    product: str
    year: int
    value: int | None


@dataclass(frozen=True)
class ProjectRow:
    name: str
    status: str
    amount: int | None
    start_year: int | None
    end_year: int | None
    initiator: str | None
    chain: str | None
    stage: str | None


@dataclass(frozen=True)
class StageRow:
    """A stage of a chain with its assigned suppliers (the functional map as a table)."""

    position: int
    okpd2_code: str
    name: str
    suppliers: list[str]
    covered: bool


@dataclass(frozen=True)
class ChainMap:
    name: str
    status: str
    products: list[str]
    stages: list[StageRow]


@dataclass
class Package:
    """Everything the application package holds, as of ``as_of``."""

    cluster_id: int
    cluster_name: str
    as_of: date
    organisation: Organisation | None
    participants: list[ParticipantRow]
    supplies: list[SupplyRow]
    cooperation: Cooperation
    contracts: list[DocumentRow]
    projects: list[ProjectRow]
    chains: list[ChainMap]
    compliance: Report
    documents: list[DocumentRow]
    graph: ClusterGraph  # the supply graph on the date (GraphML in the package)
    missing: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records of each section the package holds."""
        return {
            "participants": len(self.participants),
            "supplies": len(self.supplies),
            "contracts": len(self.contracts),
            "projects": len(self.projects),
            "chains": len(self.chains),
            "stages": sum(len(c.stages) for c in self.chains),
            "documents": len(self.documents),
        }


def assemble(session: Session, cluster_id: int, as_of: date) -> Package:
    """The package of ``cluster_id`` as of ``as_of`` (NotFound for an unknown cluster)."""
    cluster = records.get(session, Cluster, cluster_id)
    report = check(session, cluster_id, as_of, FEDERAL)
    facts = gather(session, cluster, as_of, in_force(session, as_of, FEDERAL))
    documents = cluster_documents(session, cluster_id, as_of)
    names = {k: n.name for k, n in facts.graph.nodes.items()}
    share = cooperation(facts.graph)
    package = Package(
        cluster_id=cluster.id,
        cluster_name=cluster.name,
        as_of=as_of,
        organisation=_organisation(cluster.specialised_org),
        participants=_participants(session, facts, documents),
        supplies=[
            SupplyRow(
                names[e.supplier_id],
                names[e.buyer_id],
                e.okpd2_code,
                e.product,
                facts.graph.year,
                e.value,
            )
            for e in facts.graph.participant_edges()
        ],
        cooperation=share,
        contracts=[d for d in documents if d.kind == CONTRACT],
        projects=_projects(session, cluster_id),
        chains=_chains(session, cluster_id),
        compliance=report,
        documents=documents,
        graph=ClusterGraph(cluster, facts.graph, share),
    )
    package.missing = missing(package)
    return package


def _organisation(org: Enterprise | None) -> Organisation | None:
    if org is None:
        return None
    return Organisation(
        org.id, org.name, org.full_name, org.inn, org.ogrn, org.address, org.email, org.phone
    )


def _participants(
    session: Session, facts: Facts, documents: list[DocumentRow]
) -> list[ParticipantRow]:
    nodes = facts.graph.participants
    if not nodes:
        return []
    ids = list(nodes)
    cards = {e.id: e for e in session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)))}
    memberships = dict(
        session.execute(
            select(Membership.enterprise_id, Membership.id).where(
                Membership.cluster_id == facts.cluster.id, Membership.enterprise_id.in_(ids)
            )
        ).all()
    )
    agreements = {d.membership_id: d for d in documents if d.kind == ACCESSION and d.membership_id}
    c2 = facts.rules.get("C2")
    sections = set(c2.params["industrial_sections"]) if c2 else set(INDUSTRIAL)
    counts = _headcounts(session, ids, facts.as_of.year)
    rows = []
    for k, node in nodes.items():
        card = cards[k]
        section = facts.sections.get(node.okved_main or "")
        headcount, year = counts.get(k, (card.employees, None))
        rows.append(
            ParticipantRow(
                enterprise_id=k,
                membership_id=memberships[k],
                name=node.name,
                inn=card.inn,
                ogrn=card.ogrn,
                address=card.address,
                okved_main=node.okved_main,
                okved_name=card.main_activity.name if card.main_activity else None,
                role=node.role,
                since=node.since,
                agreement=agreements.get(memberships[k]),
                industrial=None if section is None else section in sections,
                headcount=headcount,
                headcount_year=year,
            )
        )
    return rows


def _headcounts(session: Session, ids: list[int], year: int) -> dict[int, tuple[int, int]]:
    """Each enterprise's headcount of the latest reporting year up to ``year`` that has one."""
    f = EnterpriseFigure
    latest = (
        select(f.enterprise_id, func.max(f.year).label("year"))
        .where(f.enterprise_id.in_(ids), f.year <= year, f.employees.is_not(None))
        .group_by(f.enterprise_id)
        .subquery()
    )
    rows = session.execute(
        select(f.enterprise_id, f.employees, f.year).join(
            latest, (latest.c.enterprise_id == f.enterprise_id) & (latest.c.year == f.year)
        )
    )
    return {k: (employees, y) for k, employees, y in rows}


def _projects(session: Session, cluster_id: int) -> list[ProjectRow]:
    return [
        ProjectRow(
            p.name,
            p.status,
            p.amount,
            p.start_year,
            p.end_year,
            p.initiator.name if p.initiator else None,
            p.chain.name if p.chain else None,
            (p.stage.name or p.stage.product.name) if p.stage else None,
        )
        for p in session.scalars(project_query(cluster_id=cluster_id))
    ]


def _chains(session: Session, cluster_id: int) -> list[ChainMap]:
    maps = []
    for chain in chains_with_stages(session, cluster_id):
        regions = set(chain.cluster.region_codes)
        stages = [
            StageRow(
                s.position,
                s.okpd2_code,
                s.name or s.product.name,
                [x.enterprise.name for x in s.suppliers],
                stage_coverage(s, regions).covered,
            )
            for s in chain.stages
        ]
        products = [f"{p.code} {p.name}" for p in chain.products]
        maps.append(ChainMap(chain.name, chain.status, products, stages))
    return maps


def missing(package: Package) -> list[str]:
    """What a complete package lacks, one sentence per record: the specialised organisation,
    the participants' details and accession, the cluster's documents, the supplies and
    contracts, the chains, then every requirement not met on the date."""
    found = _organisation_gaps(package.organisation)
    if not package.participants:
        found.append("Нет участников кластера на дату пакета.")
    for p in package.participants:
        found += _participant_gaps(p)
    kinds = {d.kind for d in package.documents}
    for kind in REQUIRED_KINDS:
        if kind not in kinds:
            found.append(f"Не загружен документ: {labels.DOCUMENT_KINDS[kind]}.")
    for d in package.documents:
        if d.file is None:
            found.append(f"У документа «{d.title}» нет файла.")
        elif not store.exists(d.file.sha256):
            found.append(
                f"Файла документа «{d.title}» нет в хранилище файлов (восстановите копию)."
            )
    if not package.supplies:
        found.append("Нет поставок между участниками: функциональная зависимость не подтверждена.")
    if not package.contracts:
        found.append(f"Не загружено ни одного документа вида «{labels.DOCUMENT_KINDS[CONTRACT]}».")
    if not package.chains:
        found.append("Не описано ни одной кооперационной цепочки (функциональная карта кластера).")
    for c in package.compliance.criteria:
        if c.status in UNMET:
            status = labels.COMPLIANCE_STATUSES[c.status]
            found.append(f"Требование {c.id} «{c.title}»: {status}. {c.explanation}".strip())
    return found


def _organisation_gaps(org: Organisation | None) -> list[str]:
    if org is None:
        return ["Не указана специализированная организация кластера (карточка кластера)."]
    lacking = [
        label
        for label, value in (("ИНН", org.inn), ("ОГРН", org.ogrn), ("адрес", org.address))
        if not value
    ]
    if not lacking:
        return []
    return [f"У специализированной организации «{org.name}» не указаны: {', '.join(lacking)}."]


def _participant_gaps(p: ParticipantRow) -> list[str]:
    found = []
    lacking = [
        label
        for label, value in (
            ("ИНН", p.inn),
            ("ОГРН", p.ogrn),
            ("адрес", p.address),
            ("ОКВЭД2", p.okved_main),
            ("численность", p.headcount),
        )
        if value is None or value == ""
    ]
    if lacking:
        found.append(f"У участника «{p.name}» не указаны: {', '.join(lacking)}.")
    if p.since is None:
        found.append(f"Участие «{p.name}»: не указана дата вступления в кластер.")
    if p.agreement is None:
        found.append(
            f"Участие «{p.name}»: не загружено основание вступления "
            f"({labels.DOCUMENT_KINDS[ACCESSION]})."
        )
    return found
