"""Builders of small clusters for the compliance tests: industrial members, supplies between
them, purchases, and the check as of a fixed date."""

from datetime import date

from factories import Database

from promcluster.compliance.marks import set_mark
from promcluster.compliance.service import Criterion, Report, check
from promcluster.documents import store
from promcluster.documents.models import Document, DocumentFile
from promcluster.registry.models import Cluster, ProductLine, Supply

AS_OF = date(2024, 6, 1)
YEAR = 2024
PRODUCT = "23.61.11"  # OKPD2: building blocks and bricks of concrete
INDUSTRIAL = "23.61"  # OKVED2 section C
TRADE = "46.73"  # OKVED2 section G


class Builder:
    """Writes the records a test needs through the service layer (as the system)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def cluster(self, **fields) -> int:
        return self.db.add_cluster(**fields)

    def member(self, cluster_id: int, okved: str | None = INDUSTRIAL, **membership) -> int:
        enterprise = self.db.add_enterprise(okved_main=okved)
        self.db.add_membership(cluster_id, enterprise, **membership)
        return enterprise

    def members(self, cluster_id: int, count: int, **fields) -> list[int]:
        return [self.member(cluster_id, **fields) for _ in range(count)]

    def supply(self, supplier: int, buyer: int, value: int, year: int = YEAR) -> None:
        with self.db.session() as session:
            session.add(
                Supply(
                    supplier_id=supplier, buyer_id=buyer, okpd2_code=PRODUCT, year=year, value=value
                )
            )

    def consumes(self, enterprise: int, value: int, year: int = YEAR) -> None:
        with self.db.session() as session:
            session.add(
                ProductLine(
                    enterprise_id=enterprise,
                    okpd2_code=PRODUCT,
                    direction="consumes",
                    value=value,
                    year=year,
                )
            )

    def set_cluster(self, cluster_id: int, **fields) -> None:
        with self.db.session() as session:
            cluster = session.get(Cluster, cluster_id)
            for key, value in fields.items():
                setattr(cluster, key, value)

    def tick(self, cluster_id: int, rule: str, item: str, reference: str = "Договор № 1") -> None:
        with self.db.session() as session:
            set_mark(session, None, cluster_id, rule, item, True, reference)

    def document(self, cluster_id: int, content: bytes = b"%PDF-1.7 test", **fields) -> int:
        """A document of the cluster's dossier with one file put into the store (as the
        documents domain will upload it)."""
        stored = store.put([content])
        values = {"kind": "programme", "title": "Программа развития кластера", **fields}
        with self.db.session() as session:
            document = Document(cluster_id=cluster_id, **values)
            document.files.append(
                DocumentFile(
                    number=1, sha256=stored.sha256, size=stored.size,
                    media_type="application/pdf", filename="programme.pdf",
                )
            )  # fmt: skip
            session.add(document)
            session.flush()
            return document.id

    def report(self, cluster_id: int, as_of: date = AS_OF, rule_set: str = "federal") -> Report:
        with self.db.session() as session:
            return check(session, cluster_id, as_of, rule_set)

    def criterion(self, cluster_id: int, code: str, as_of: date = AS_OF, **kw) -> Criterion:
        found = {c.id: c for c in self.report(cluster_id, as_of, **kw).criteria}
        assert code in found, f"{code} is not in force on {as_of}"
        return found[code]
