"""Reads of documents: a cluster's list (filtered by kind and subject, only the public ones
for those who may not read the rest), one document with its files, and the cluster's documents
as choices for a picker (``options``, ``cluster_document``: the compliance checklist cites them).
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from promcluster import labels, records
from promcluster.auth.models import User
from promcluster.documents.models import Document, DocumentFile
from promcluster.errors import InvalidField, NotFound
from promcluster.registry.models import Enterprise, InvestmentProject, Membership

Subject = Literal["cluster", "membership", "project"]
SUBJECTS = {
    "cluster": "кластер в целом",
    "membership": "участие предприятия",
    "project": "инвестиционный проект",
}


@dataclass(frozen=True)
class Listed:
    """A document as listed: its current file, how many versions, who uploaded the current
    file (the user's name, or None when unknown)."""

    document: Document
    current: DocumentFile
    versions: int
    uploaded_by: str | None


def document_query(
    cluster_id: int,
    kind: str | None = None,
    subject: Subject | None = None,
    public_only: bool = False,
    signed_by: date | None = None,
) -> Select:
    """The cluster's documents, newest first, under the filters (``signed_by``: those not
    signed after that date)."""
    query = select(Document).where(Document.cluster_id == cluster_id)
    if signed_by is not None:
        query = query.where(Document.signed_on.is_(None) | (Document.signed_on <= signed_by))
    if kind:
        query = query.where(Document.kind == kind)
    if subject == "cluster":
        query = query.where(Document.membership_id.is_(None), Document.project_id.is_(None))
    elif subject == "membership":
        query = query.where(Document.membership_id.is_not(None))
    elif subject == "project":
        query = query.where(Document.project_id.is_not(None))
    if public_only:
        query = query.where(Document.public.is_(True))
    order = (Document.signed_on.desc().nulls_last(), Document.id.desc())
    return query.options(selectinload(Document.files)).order_by(*order)


def listed(session: Session, documents: list[Document]) -> list[Listed]:
    """``documents`` with their current file, number of versions and uploader's name."""
    uploader_ids = {d.files[-1].uploaded_by for d in documents if d.files}
    names = user_names(session, uploader_ids)
    return [
        Listed(d, d.files[-1], len(d.files), names.get(d.files[-1].uploaded_by))
        for d in documents
        if d.files
    ]


def cluster_documents(
    session: Session,
    cluster_id: int,
    kind: str | None = None,
    subject: Subject | None = None,
    public_only: bool = False,
) -> list[Listed]:
    """The cluster's documents as listed (every one: a cluster holds dozens, not thousands)."""
    query = document_query(cluster_id, kind, subject, public_only)
    return listed(session, list(session.scalars(query)))


def document(session: Session, document_id: int) -> Document:
    """A document with its files (oldest first; the last is current); NotFound if none."""
    return records.get(session, Document, document_id)


def version(document: Document, number: int | None = None) -> DocumentFile:
    """The file ``number`` of the document (the current one when None); NotFound if none."""
    if number is None and document.files:
        return document.files[-1]
    for file in document.files:
        if file.number == number:
            return file
    raise NotFound(f"у документа нет версии файла {number}")


def uploader_names(session: Session, document: Document) -> dict[int, str]:
    """The names of the users who uploaded the document's files."""
    return user_names(session, {f.uploaded_by for f in document.files})


def user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Users by id as people know them: their full name, else their login."""
    name = func.coalesce(User.full_name, User.username)
    query = select(User.id, name).where(User.id.in_({i for i in ids if i is not None}))
    return {id_: shown for id_, shown in session.execute(query)}


def numbered(number: str | None, signed_on: date | None) -> str:
    """A document's number and date as documents are cited: «№ 12 от 01.03.2024» (either part
    may be missing; empty when both are)."""
    parts = [f"№ {number}" if number else "", f"от {signed_on:%d.%m.%Y}" if signed_on else ""]
    return " ".join(p for p in parts if p)


def label(document: Document) -> str:
    """A document as people name it: «соглашение о вступлении в кластер № 12 от 01.03.2024 —
    title»."""
    kind = labels.DOCUMENT_KINDS.get(document.kind, document.kind)
    cited = numbered(document.number, document.signed_on)
    return f"{kind} {cited} — {document.title}" if cited else f"{kind} — {document.title}"


def options(session: Session, cluster_id: int) -> list[tuple[int, str]]:
    """The cluster's documents as (id, label) choices for a select, by kind then date."""
    query = (
        select(Document)
        .where(Document.cluster_id == cluster_id)
        .order_by(Document.kind, Document.signed_on.desc().nulls_last(), Document.id)
    )
    return [(d.id, label(d)) for d in session.scalars(query)]


def cluster_document(session: Session, cluster_id: int, document_id: int) -> Document:
    """The document ``document_id`` when it is one of the cluster's, else InvalidField naming
    ``document`` (for a checklist mark citing it); whether another cluster holds such a document
    is not said."""
    found = session.get(Document, document_id)
    if found is None or found.cluster_id != cluster_id:
        raise InvalidField("document", f"в досье кластера нет документа №{document_id}")
    return found


def count_documents(session: Session, cluster_id: int, public_only: bool = False) -> int:
    """How many documents the cluster has (the public ones only, when asked)."""
    query = select(func.count(Document.id)).where(Document.cluster_id == cluster_id)
    if public_only:
        query = query.where(Document.public.is_(True))
    return session.scalar(query) or 0


Choices = list[tuple[int, str]]


def subjects(session: Session, cluster_id: int) -> tuple[Choices, Choices]:
    """What a document of the cluster may belong to: its memberships (id, enterprise name) and
    its investment projects (id, name), by name."""
    members = session.execute(
        select(Membership.id, Enterprise.name)
        .join(Enterprise, Membership.enterprise_id == Enterprise.id)
        .where(Membership.cluster_id == cluster_id)
        .order_by(Enterprise.name)
    ).all()
    projects = session.execute(
        select(InvestmentProject.id, InvestmentProject.name)
        .where(InvestmentProject.cluster_id == cluster_id)
        .order_by(InvestmentProject.name)
    ).all()
    return [(i, n) for i, n in members], [(i, n) for i, n in projects]
