"""Writes of documents: create one with its first file, change its metadata (optimistic
version), replace its file (a new version; the earlier ones kept), delete it (administrators).
Every refusal names its field and happens before anything is written; the file goes into the
store only after every check passed (``uploads``)."""

from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth import permissions
from promcluster.auth.models import User
from promcluster.db import utcnow
from promcluster.documents import store, uploads
from promcluster.documents.models import Document, DocumentFile
from promcluster.errors import FieldChecks, InvalidField
from promcluster.labels import DOCUMENT_KINDS
from promcluster.registry.models import Cluster, InvestmentProject, Membership

FIELDS = (
    "kind",
    "title",
    "number",
    "signed_on",
    "parties",
    "valid_from",
    "valid_to",
    "public",
    "note",
    "membership_id",
    "project_id",
)


def check_metadata(session: Session, cluster_id: int, data: dict[str, Any]) -> None:
    """Refuse every wrong field of ``data`` (the whole metadata, after any change) at once."""
    checks = FieldChecks()
    checks.check(check_kind, data.get("kind"))
    checks.check(check_title, data.get("title"))
    checks.check(check_dates, data)
    checks.check(check_subject, session, cluster_id, Membership, data.get("membership_id"))
    checks.check(check_subject, session, cluster_id, InvestmentProject, data.get("project_id"))
    checks.done()


def check_kind(kind: str | None) -> None:
    if kind not in DOCUMENT_KINDS:
        raise InvalidField("kind", "выберите вид документа из списка")


def check_title(title: str | None) -> None:
    if not (title or "").strip():
        raise InvalidField("title", "укажите название документа")


def check_dates(data: dict[str, Any]) -> None:
    """The document's date not in the future; its validity not ending before it starts."""
    checks = FieldChecks()
    signed_on, valid_from, valid_to = (data.get(k) for k in ("signed_on", "valid_from", "valid_to"))
    if signed_on is not None and signed_on > date.today():
        checks.refused["signed_on"] = "дата документа не может быть в будущем"
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        checks.refused["valid_to"] = "срок действия не может кончаться раньше, чем начался"
    checks.done()


def check_subject(session: Session, cluster_id: int, model: type, id_: int | None) -> None:
    """A membership or project the document belongs to must be one of the cluster's."""
    if id_ is None:
        return
    field = "membership_id" if model is Membership else "project_id"
    record = records.get(session, model, id_, field)
    if record.cluster_id != cluster_id:
        raise InvalidField(field, f"{model.record_label} относится к другому кластеру")


def create_document(
    session: Session,
    user: User | None,
    cluster_id: int,
    data: dict[str, Any],
    stream: BinaryIO,
    filename: str | None,
) -> Document:
    """A new document of the cluster with its first file (administrators and the cluster's
    managers). The metadata is checked before the upload is read; nothing is written when
    either is refused."""
    records.get(session, Cluster, cluster_id, "cluster_id")
    permissions.require_cluster(user, cluster_id)
    values = {key: data.get(key) for key in FIELDS}
    values["public"] = bool(values["public"])
    check_metadata(session, cluster_id, values)
    received = uploads.receive(stream, filename)
    document = Document(cluster_id=cluster_id, **values)
    file = uploads.keep(session, received)
    file.number, file.uploaded_by, file.uploaded_at = 1, user and user.id, utcnow()
    document.files.append(file)
    session.add(document)
    records.flush(session)
    return document


def update_document(
    session: Session, user: User | None, document_id: int, data: dict[str, Any]
) -> Document:
    """Change a document's metadata; ``data["version"]`` is the version read."""
    document = records.get(session, Document, document_id)
    permissions.require_cluster(user, document.cluster_id)
    data = dict(data)
    records.check_version(document, data)
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise InvalidField(sorted(unknown)[0], "такого поля у документа нет")
    merged = {key: data.get(key, getattr(document, key)) for key in FIELDS}
    merged["public"] = bool(merged["public"])
    check_metadata(session, document.cluster_id, merged)
    for key, value in merged.items():
        setattr(document, key, value)
    records.flush(session)
    return document


def replace_file(
    session: Session,
    user: User | None,
    document_id: int,
    stream: BinaryIO,
    filename: str | None,
    version: int | None = None,
) -> DocumentFile:
    """A new current file of the document (number + 1); the earlier files stay downloadable.
    ``version``, when given, is the document's version read (a stale one is a 409)."""
    document = records.get(session, Document, document_id)
    permissions.require_cluster(user, document.cluster_id)
    records.check_version(document, {"version": version})
    received = uploads.receive(stream, filename)
    last = session.scalar(
        select(func.max(DocumentFile.number)).where(DocumentFile.document_id == document.id)
    )
    file = uploads.keep(session, received)
    file.number, file.uploaded_by, file.uploaded_at = (last or 0) + 1, user and user.id, utcnow()
    document.files.append(file)
    document.updated_at = utcnow()  # a new version of the document: its version moves on
    records.flush(session)
    return file


def delete_document(session: Session, user: User | None, document_id: int) -> None:
    """Delete a document with its files' rows (administrators); a stored file no other row
    names leaves the store once the transaction has ended."""
    document = records.get(session, Document, document_id)
    permissions.require_admin(user)
    for file in document.files:
        store.unsure(session, file.sha256)
    session.delete(document)
    records.flush(session)
