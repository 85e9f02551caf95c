"""A small cluster for the application package tests: a specialised organisation, three
industrial participants supplying each other, purchases, a chain with a stage, a project, and
documents written as rows with their files in the store (as the documents service will)."""

from dataclasses import dataclass, field
from datetime import date

from compliance.kit import INDUSTRIAL, PRODUCT, YEAR, Builder
from factories import Database, fresh_inn, ogrn

from promcluster.chains.models import ChainStage, StageSupplier
from promcluster.documents import store
from promcluster.documents.models import Document, DocumentFile
from promcluster.registry.models import EnterpriseFigure

AS_OF = date(2024, 12, 31)
_ogrn_serial = iter(range(1_000, 10_000))


@dataclass
class Small:
    """The ids of the small cluster's records."""

    cluster: int
    org: int
    members: list[int]
    memberships: dict[int, int]  # enterprise → membership
    inns: list[str]
    chain: int
    documents: list[int] = field(default_factory=list)


def enterprise_fields(name: str) -> dict:
    return {
        "name": name,
        "inn": fresh_inn(),
        "ogrn": ogrn(f"1027200{next(_ogrn_serial):05d}"),
        "address": "г. Тюмень, ул. Республики, 1",
        "okved_main": INDUSTRIAL,
        "employees": 120,
    }


def small_cluster(db: Database) -> Small:
    """Three participants (A → B 600 000 ₽, B → C 400 000 ₽; C buys 1 000 000 ₽ in all), a
    specialised organisation without INN, OGRN or address, a chain with one stage, a project."""
    build = Builder(db)
    org = db.add_enterprise(name="Ассоциация «Кластер»", okved_main="94.11")
    cluster = db.add_cluster(name="Малый кластер", specialised_org_id=org)
    members, memberships, inns = [], {}, []
    for letter in "АБВ":
        fields = enterprise_fields(f"Завод {letter}")
        enterprise = db.add_enterprise(**fields)
        memberships[enterprise] = db.add_membership(cluster, enterprise, since=date(2023, 1, 10))
        members.append(enterprise)
        inns.append(fields["inn"])
    memberships[org] = db.add_membership(cluster, org, role="specialised_org")
    a, b, c = members
    build.supply(a, b, 600_000)
    build.supply(b, c, 400_000)
    build.consumes(c, 1_000_000)
    chain = db.add_chain(cluster, name="Бетонные изделия")
    with db.session() as session:
        stage = ChainStage(chain_id=chain, position=1, okpd2_code=PRODUCT, name="Блоки")
        session.add(stage)
        session.flush()
        session.add(StageSupplier(stage_id=stage.id, enterprise_id=a))
        session.add(EnterpriseFigure(enterprise_id=a, year=YEAR, employees=150))
    db.add_project(
        cluster, name="Новый цех", amount=50_000_000, status="in_progress", chain_id=chain
    )
    return Small(cluster, org, members, memberships, inns, chain)


def add_document(
    db: Database,
    cluster: int,
    kind: str,
    content: bytes = b"%PDF-1.4 test document\n",
    filename: str = "document.pdf",
    membership: int | None = None,
    **fields,
) -> int:
    """A document row with one file put into the store (what the documents service does)."""
    stored = store.put([content])
    with db.session() as session:
        document = Document(
            cluster_id=cluster,
            membership_id=membership,
            kind=kind,
            title=fields.pop("title", f"Документ {kind}"),
            number=fields.pop("number", "1"),
            signed_on=fields.pop("signed_on", date(2024, 3, 1)),
            **fields,
        )
        session.add(document)
        session.flush()
        session.add(
            DocumentFile(
                document_id=document.id,
                number=1,
                sha256=stored.sha256,
                size=stored.size,
                media_type="application/pdf",
                filename=filename,
            )
        )
        return document.id
