"""The documents an application package lists and attaches: the cluster's documents not signed
after the package's date (``documents.queries``), each with its current file, as a snapshot."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from promcluster.documents.queries import document_query, numbered

CONTRACT = "cooperation_contract"
ACCESSION = "accession_agreement"


@dataclass(frozen=True)
class FileRef:
    """The current file of a document: its name in the store and as uploaded."""

    sha256: str
    size: int
    filename: str
    media_type: str


@dataclass(frozen=True)
class DocumentRow:
    """A document of the cluster listed in the package (its current file, if any)."""

    id: int
    kind: str
    title: str
    number: str | None
    signed_on: date | None
    parties: str | None
    membership_id: int | None
    project_id: int | None
    file: FileRef | None

    @property
    def reference(self) -> str:
        """«№ 12 от 01.03.2024», as a basis or contract is cited (the title without either)."""
        return numbered(self.number, self.signed_on) or self.title


def cluster_documents(session: Session, cluster_id: int, as_of: date) -> list[DocumentRow]:
    """The cluster's documents not signed after ``as_of``, by kind, date and id, each with its
    current file (the highest number)."""
    found = session.scalars(document_query(cluster_id, signed_by=as_of)).all()
    order = sorted(found, key=lambda d: (d.kind, d.signed_on or date.min, d.id))
    rows = []
    for d in order:
        current = d.files[-1] if d.files else None
        file = (
            FileRef(current.sha256, current.size, current.filename, current.media_type)
            if current
            else None
        )
        rows.append(
            DocumentRow(
                d.id,
                d.kind,
                d.title,
                d.number,
                d.signed_on,
                d.parties,
                d.membership_id,
                d.project_id,
                file,
            )
        )
    return rows
