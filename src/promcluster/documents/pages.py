"""HTML pages of documents: a cluster's list with the upload form, a document with its versions
and the forms to edit its metadata, replace its file or delete it, and the downloads. The same
services, rules and refusals as the API (``documents/api.py``)."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from promcluster import records
from promcluster.auth.models import User
from promcluster.auth.permissions import allowed, require_admin, require_cluster
from promcluster.documents import access, content, queries, service
from promcluster.documents.api import download, readable
from promcluster.documents.models import Document
from promcluster.documents.schemas import DocumentIn, DocumentPatch
from promcluster.errors import InvalidField
from promcluster.registry.models import Cluster
from promcluster.web.deps import check_form_csrf, current_user, db_session, login_required
from promcluster.web.forms import field_errors, form_data, render

router = APIRouter(include_in_schema=False)
FILE_FIELDS = ("file", "filename", "csrf_token")
TYPE_LABELS = {k.media_type: k.extension.upper() for k in content.KINDS} | {
    content.SIGNED.media_type: "подписанный контейнер (.sig)"
}


def metadata(form: FormData, schema: type) -> dict[str, Any]:
    """The form's metadata fields validated by ``schema`` (the file fields set aside)."""
    fields = FormData([(k, v) for k, v in form.multi_items() if k not in FILE_FIELDS])
    return form_data(fields, schema)


def chosen_file(form: FormData) -> UploadFile:
    """The form's file; InvalidField naming ``file`` when none was chosen."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidField("file", "выберите файл")
    return upload


def values_of(form: FormData) -> dict[str, str]:
    """What was typed, to show the form again after a refusal."""
    return {k: str(v) for k, v in form.multi_items() if k not in FILE_FIELDS}


def _list_page(
    request: Request,
    session: Session,
    user: User | None,
    cluster_id: int,
    kind: str | None = None,
    subject: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
):
    cluster = records.get(session, Cluster, cluster_id)
    public_only = not access.reads_all(session, user, cluster_id)
    members, projects = queries.subjects(session, cluster_id)
    return render(
        request,
        "documents/list.html",
        user,
        422 if errors else 200,
        c=cluster,
        documents=queries.cluster_documents(
            session, cluster_id, kind or None, subject or None, public_only
        ),
        public_only=public_only,
        filters={"kind": kind or "", "subject": subject or ""},
        subjects=queries.SUBJECTS,
        can_write=access.may_write(user, cluster_id),
        members=members,
        projects=projects,
        type_labels=TYPE_LABELS,
        errors=errors or {},
        values=values or {},
    )


@router.get("/clusters/{cluster_id}/documents")
def document_list(
    request: Request,
    cluster_id: int,
    kind: str | None = None,
    subject: str | None = None,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    """Everybody; anonymous visitors and outsiders see the public documents only."""
    if subject and subject not in queries.SUBJECTS:
        raise InvalidField("subject", "нет такого отбора")
    return _list_page(request, session, user, cluster_id, kind, subject)


def _create(session: Session, user: User, cluster_id: int, form: FormData) -> Document:
    with session.begin_nested():
        checks: dict[str, str] = {}
        try:
            data = metadata(form, DocumentIn)
        except ValidationError as exc:
            data, checks = {}, field_errors(exc)
        try:
            upload = chosen_file(form)
        except InvalidField as exc:
            checks.update(exc.fields)
        if checks:
            raise InvalidField(*next(iter(checks.items())), checks)
        return service.create_document(
            session, user, cluster_id, data, upload.file, upload.filename
        )


@router.post("/clusters/{cluster_id}/documents", dependencies=[Depends(check_form_csrf)])
async def document_upload(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Administrators and the cluster's managers (``service.create_document`` checks)."""
    form = await request.form()
    require_cluster(user, cluster_id)
    try:
        document = await run_in_threadpool(_create, session, user, cluster_id, form)
    except (InvalidField, ValidationError) as exc:
        errors, values = field_errors(exc), values_of(form)
        return _list_page(request, session, user, cluster_id, errors=errors, values=values)
    return RedirectResponse(f"/documents/{document.id}", status_code=303)


def _document_page(
    request: Request,
    session: Session,
    user: User | None,
    document: Document,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form: str | None = None,
):
    members, projects = queries.subjects(session, document.cluster_id)
    return render(
        request,
        "documents/page.html",
        user,
        422 if errors else 200,
        d=document,
        c=records.get(session, Cluster, document.cluster_id),
        uploaders=queries.uploader_names(session, document),
        can_write=access.may_write(user, document.cluster_id),
        can_delete=user is not None and allowed(require_admin, user),
        members=members,
        projects=projects,
        type_labels=TYPE_LABELS,
        errors=errors or {},
        values=values,
        failed_form=form,
    )


@router.get("/documents/{document_id}")
def document_page(
    request: Request,
    document_id: int,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    """Those who may read the document (anonymous visitors: public ones; others log in)."""
    return _document_page(request, session, user, readable(session, user, document_id))


@router.post("/documents/{document_id}/edit", dependencies=[Depends(check_form_csrf)])
async def document_edit(
    request: Request,
    document_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Administrators and the cluster's managers; a stale version is a 409."""
    form = await request.form()
    try:
        with session.begin_nested():
            data = metadata(form, DocumentPatch)
            service.update_document(session, user, document_id, data)
    except (InvalidField, ValidationError) as exc:
        document = readable(session, user, document_id)
        return _document_page(
            request, session, user, document, field_errors(exc), values_of(form), "edit"
        )
    return RedirectResponse(f"/documents/{document_id}", status_code=303)


def _replace(session: Session, user: User, document_id: int, form: FormData) -> None:
    version = str(form.get("version") or "")
    with session.begin_nested():
        upload = chosen_file(form)
        service.replace_file(
            session, user, document_id, upload.file, upload.filename,
            int(version) if version.isdigit() else None,
        )  # fmt: skip


@router.post("/documents/{document_id}/files", dependencies=[Depends(check_form_csrf)])
async def document_replace(
    request: Request,
    document_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """A new file of the document: administrators and the cluster's managers."""
    form = await request.form()
    try:
        await run_in_threadpool(_replace, session, user, document_id, form)
    except InvalidField as exc:
        document = readable(session, user, document_id)
        return _document_page(request, session, user, document, field_errors(exc), None, "file")
    return RedirectResponse(f"/documents/{document_id}#versions", status_code=303)


@router.post("/documents/{document_id}/delete", dependencies=[Depends(check_form_csrf)])
def document_delete(
    document_id: int, session: Session = db_session, user: User = Depends(login_required)
):
    """Administrators only."""
    cluster_id = queries.document(session, document_id).cluster_id
    service.delete_document(session, user, document_id)
    return RedirectResponse(f"/clusters/{cluster_id}/documents", status_code=303)


@router.get("/documents/{document_id}/download")
def document_download(
    document_id: int, session: Session = db_session, user: User | None = Depends(current_user)
):
    """The current file, for those who may read the document."""
    return download(queries.version(readable(session, user, document_id)))


@router.get("/documents/{document_id}/files/{number}")
def document_file(
    document_id: int,
    number: int,
    session: Session = db_session,
    user: User | None = Depends(current_user),
):
    """The file ``number``, for those who may read the document."""
    return download(queries.version(readable(session, user, document_id), number))
