"""REST API of documents: a cluster's list and upload (multipart), one document with its
versions, metadata changes, a new file, deletion, and the download of any version.

Who may call what: reading — everybody for public documents, and administrators, the cluster's
managers and representatives of its members and applicants for the rest (``access``); writing —
administrators and the cluster's managers; deleting — administrators (docs/PERMISSIONS.md)."""

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, HTTPException, Response, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth.models import User
from promcluster.documents import access, content, queries, service, store
from promcluster.documents.models import Document, DocumentFile
from promcluster.documents.queries import Subject
from promcluster.documents.schemas import DocumentIn, DocumentOut, DocumentPatch
from promcluster.errors import NotFound
from promcluster.labels import DOCUMENT_KINDS, choice
from promcluster.registry.models import Cluster
from promcluster.web.deps import current_user, db_session, login_required
from promcluster.web.limits import Id, Line, Text, Version

router = APIRouter(prefix="/api/v1", tags=["Документы"])
Kind = choice(DOCUMENT_KINDS)
FALLBACK_MEDIA = "application/octet-stream"


def present(document: Document) -> DocumentOut:
    """A document in its API shape, each file with its download address."""
    return DocumentOut.model_validate(document)


def readable(session: Session, user: User | None, document_id: int) -> Document:
    """The document when ``user`` may read it; 401 for an anonymous visitor (a page sends
    them to log in), PermissionDenied (403) for a signed-in user who may not."""
    document = queries.document(session, document_id)
    if access.may_read(session, user, document):
        return document
    if user is None:
        raise HTTPException(401, "документ не опубликован: войдите в систему")
    access.require_read(session, user, document)
    return document


def disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact one per RFC 5987/6266."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(file: DocumentFile) -> FileResponse:
    """The file as an attachment with its stored type (never HTML), streamed from the store."""
    path = store.path_of(file.sha256)
    if not path.is_file():
        raise NotFound("файл этой версии документа не найден в хранилище; сообщите администратору")
    media = file.media_type if file.media_type in content.MEDIA_TYPES else FALLBACK_MEDIA
    headers = {
        "Content-Disposition": disposition(file.filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
    }
    return FileResponse(path, media_type=media, headers=headers)


@router.get("/clusters/{cluster_id}/documents", response_model=list[DocumentOut])
def list_documents(
    cluster_id: Id,
    kind: Kind | None = None,  # type: ignore[valid-type]
    subject: Subject | None = None,
    session: Session = db_session,
    user: User | None = Depends(current_user),
) -> Any:
    """The cluster's documents, newest first (anonymous visitors and outsiders: the public ones)."""
    records.get(session, Cluster, cluster_id)
    public_only = not access.reads_all(session, user, cluster_id)
    found = queries.cluster_documents(session, cluster_id, kind, subject, public_only)
    return [present(item.document) for item in found]


@router.post("/clusters/{cluster_id}/documents", response_model=DocumentOut, status_code=201)
def upload_document(
    cluster_id: Id,
    file: Annotated[UploadFile, File(description="PDF, DOCX, XLSX, ODT, JPEG, PNG или .sig")],
    kind: Annotated[Kind, Form()],  # type: ignore[valid-type]
    title: Annotated[Line, Form()],
    number: Annotated[str | None, Form(max_length=100)] = None,
    signed_on: Annotated[date | None, Form()] = None,
    parties: Annotated[Text | None, Form()] = None,
    valid_from: Annotated[date | None, Form()] = None,
    valid_to: Annotated[date | None, Form()] = None,
    public: Annotated[bool, Form()] = False,
    note: Annotated[Text | None, Form()] = None,
    membership_id: Annotated[Id | None, Form()] = None,
    project_id: Annotated[Id | None, Form()] = None,
    filename: Annotated[Line | None, Form(description="имя файла, если не то, что у файла")] = None,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """Upload a document with its first file (administrators, the cluster's managers)."""
    data = DocumentIn.model_validate(
        {"kind": kind, "title": title, "number": number, "signed_on": signed_on,
         "parties": parties, "valid_from": valid_from, "valid_to": valid_to, "public": public,
         "note": note, "membership_id": membership_id, "project_id": project_id}
    ).model_dump()  # fmt: skip
    name = filename if filename is not None else file.filename
    document = service.create_document(session, user, cluster_id, data, file.file, name)
    return present(document)


@router.get("/documents/{document_id}", response_model=DocumentOut)
def get_document(
    document_id: Id, session: Session = db_session, user: User | None = Depends(current_user)
) -> Any:
    """A document with every version of its file (the last is current)."""
    return present(readable(session, user, document_id))


@router.patch("/documents/{document_id}", response_model=DocumentOut)
def patch_document(
    document_id: Id,
    body: DocumentPatch,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """Change a document's metadata; send the ``version`` read (a stale one is a 409)."""
    data = body.model_dump(exclude_unset=True)
    return present(service.update_document(session, user, document_id, data))


@router.post("/documents/{document_id}/files", response_model=DocumentOut, status_code=201)
def replace_document_file(
    document_id: Id,
    file: Annotated[UploadFile, File()],
    version: Annotated[Version | None, Form()] = None,
    filename: Annotated[Line | None, Form()] = None,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """A new file of the document (the earlier ones stay as versions)."""
    name = filename if filename is not None else file.filename
    service.replace_file(session, user, document_id, file.file, name, version)
    return present(queries.document(session, document_id))


@router.delete("/documents/{document_id}", status_code=204)
def delete_document(
    document_id: Id, session: Session = db_session, user: User = Depends(login_required)
) -> Response:
    """Delete a document and its versions (administrators)."""
    service.delete_document(session, user, document_id)
    return Response(status_code=204)


@router.get("/documents/{document_id}/file", response_class=FileResponse)
def download_current(
    document_id: Id, session: Session = db_session, user: User | None = Depends(current_user)
):
    """The current file, as an attachment."""
    return download(queries.version(readable(session, user, document_id)))


@router.get("/documents/{document_id}/files/{number}", response_class=FileResponse)
def download_version(
    document_id: Id,
    number: Id,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    """The file ``number`` (1 is the first uploaded), as an attachment."""
    return download(queries.version(readable(session, user, document_id), number))
