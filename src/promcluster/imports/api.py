"""REST API of imports and exports: upload a file, follow the run, fetch its error report,
download any kind as CSV, XLSX or GeoJSON under the list filters, and import templates."""

import io
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from promcluster.auth.models import User
from promcluster.errors import InvalidField, PermissionDenied
from promcluster.imports import export_jobs, exports, official, runs, service
from promcluster.imports.access import require_import
from promcluster.imports.columns import KINDS
from promcluster.imports.jobs import ImportJobs
from promcluster.russian import number
from promcluster.web.deps import current_user, db_session, login_required
from promcluster.web.limits import Code, Id, Line, Search, Short, UtcDateTime
from promcluster.web.ratelimit import anonymous_limit

router = APIRouter(prefix="/api/v1", tags=["Загрузка и выгрузка"])
Format = Literal["csv", "xlsx", "geojson"]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}
# Registry lists are public; commercial data (product lines, supplies, needs) needs a login.
PUBLIC_EXPORTS = {"clusters", "enterprises", "members", "projects"}


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    filename: str
    actor: str
    status: str
    started_at: UtcDateTime
    finished_at: UtcDateTime | None
    progress: float
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    message: str | None
    columns: dict[str, str]
    ignored_columns: list[str]
    cancel_requested: bool
    queued: bool
    attempt: int
    resumed_from: int | None


def save_upload(upload: UploadFile, max_bytes: int, directory: Path | None = None) -> Path:
    """The uploaded file copied to a temporary file in ``directory`` (the system's temporary
    directory by default), where the import's job reads it; 413 as soon as the copy passes
    ``max_bytes``, the partial copy deleted."""
    suffix = Path(upload.filename or "").suffix.lower()[:10]
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    options = {"suffix": suffix, "prefix": "promcluster-", "dir": directory}
    with tempfile.NamedTemporaryFile(delete=False, **options) as f:
        path, size = Path(f.name), 0
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:
                break
            f.write(chunk)
    if size > max_bytes:
        path.unlink(missing_ok=True)
        limit = number(max_bytes / 2**20)
        raise HTTPException(413, f"файл больше {limit} МиБ: разделите его на части")
    return path


def start(
    request: Request,
    user: User,
    kind: str,
    file: UploadFile,
    sheet: str | None,
    create_missing: bool = False,
) -> int:
    """Check the kind and that the user's role may import it, then keep the upload and queue
    the import's job (nothing is saved for a refused user). ``create_missing``: the kinds of
    FNS figures add the enterprises of unknown INNs."""
    if kind not in KINDS and kind not in official.KINDS:
        known = ", ".join([*KINDS, *official.KINDS])
        raise InvalidField("kind", f"нет вида загрузки «{kind}»; есть: {known}")
    require_import(user, kind)
    settings = request.app.state.settings
    path = save_upload(file, settings.max_upload_bytes, settings.upload_dir)
    jobs: ImportJobs = request.app.state.import_jobs
    try:
        options = {"create_missing": True} if create_missing else None
        return jobs.enqueue(kind, path, file.filename or path.name, user, sheet or None, options)
    except BaseException:  # no run owns the upload: nothing would ever delete it
        path.unlink(missing_ok=True)
        raise


def stale_minutes(request: Request) -> int:
    """Minutes without a heartbeat after which a running import counts as interrupted."""
    return request.app.state.settings.import_stale_minutes


@router.post("/imports", status_code=202, response_model=RunOut)
def import_file(
    request: Request,
    kind: Annotated[Short, Form(description=", ".join([*KINDS, *official.KINDS]))],
    file: Annotated[
        UploadFile,
        File(
            description="CSV (любая кодировка и разделитель) или XLSX; для fns-* и "
            "procurement: ZIP или XML"
        ),
    ],
    sheet: Annotated[Line | None, Form(description="лист XLSX")] = None,
    create_missing: Annotated[
        bool, Form(description="fns-headcount, fns-revenue: добавить предприятия с новыми ИНН")
    ] = False,
    user: User = Depends(login_required),
    session: Session = db_session,
):
    """Start an import; it runs in the background — follow it at ``GET /imports/{id}``.
    The role must allow the kind (representatives import neither members nor projects; the
    FNS open-data kinds ``fns-*`` and public procurement ``procurement`` only administrators)."""
    run_id = start(request, user, kind, file, sheet, create_missing)
    return runs.visible_run(session, run_id, user)


@router.get("/imports/{run_id}", response_model=RunOut)
def import_run(
    request: Request,
    run_id: Id,
    user: User = Depends(login_required),
    session: Session = db_session,
):
    """Progress and outcome of an import run (a run whose worker stopped answering is shown
    as interrupted)."""
    return runs.visible_run(session, run_id, user, stale_minutes(request))


@router.post("/imports/{run_id}/cancel", response_model=RunOut)
def cancel_import(
    request: Request,
    run_id: Id,
    user: User = Depends(login_required),
    session: Session = db_session,
):
    """Ask a running import to stop after its current batch (the batches written stay);
    its owner or an administrator may. 409 when the run has already ended."""
    return runs.request_cancel(session, run_id, user, stale_minutes(request))


def report_response(session: Session, run_id: int) -> StreamingResponse:
    """The error report of a run as a CSV download."""
    out = io.StringIO()
    out.write("\ufeff")
    service.write_report(session, run_id, out)
    return StreamingResponse(
        iter([out.getvalue()]),
        media_type=MEDIA["csv"],
        headers={"Content-Disposition": f'attachment; filename="errors-{run_id}.csv"'},
    )


@router.get("/imports/{run_id}/errors.csv", response_class=StreamingResponse)
def import_errors(run_id: Id, user: User = Depends(login_required), session: Session = db_session):
    """The rejected rows: row, column, value, reason."""
    runs.visible_run(session, run_id, user)
    return report_response(session, run_id)


def _download(path: Path, name: str, fmt: str) -> FileResponse:
    return FileResponse(
        path,
        media_type=MEDIA[fmt],
        filename=name,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


def export_response(
    session: Session, user: User | None, kind: str, fmt: str, filters: dict[str, Any]
) -> FileResponse:
    """``kind`` under ``filters`` as a file download."""
    if kind not in exports.EXPORTS:
        raise InvalidField("kind", f"нет вида данных «{kind}»")
    if kind not in PUBLIC_EXPORTS and user is None:
        raise PermissionDenied("эти данные доступны после входа в систему")
    with tempfile.NamedTemporaryFile(delete=False, suffix=f".{fmt}") as f:
        path = Path(f.name)
    exports.export(session, kind, path, filters)
    return _download(path, f"{kind}.{fmt}", fmt)


class ExportFilters(BaseModel):
    """The list filters of an export (each kind takes those its list has)."""

    q: Search | None = None
    region: Code | None = None
    status: Short | None = None
    cluster_id: Id | None = None
    okved: Code | None = None
    specialisation: Code | None = None

    def of(self, kind: str) -> dict[str, Any]:
        """The filters ``kind`` accepts that are given."""
        accepted = exports.filter_names(kind)
        given = self.model_dump().items()
        return {k: v for k, v in given if k in accepted and v not in (None, "")}


@router.get("/export/{kind}.{fmt}", response_class=FileResponse, dependencies=[anonymous_limit])
def export_kind(
    kind: Short,
    fmt: Format,
    filters: Annotated[ExportFilters, Query()],
    user: User | None = Depends(current_user),
    session: Session = db_session,
):
    """Download ``kind`` (clusters, enterprises, members, projects, products, supplies, needs,
    figures) filtered like its list."""
    return export_response(session, user, kind, fmt, filters.of(kind))


class QueuedJob(BaseModel):
    id: int
    url: str


@router.post("/export/{kind}.{fmt}", status_code=202, response_model=QueuedJob)
def queue_export(
    request: Request,
    kind: Short,
    fmt: Format,
    filters: Annotated[ExportFilters, Query()],
    user: User = Depends(login_required),
) -> Any:
    """Write ``kind`` to a file in the background (a whole register takes a while): returns
    the job; follow it at ``GET /jobs/{id}``, download at ``GET /jobs/{id}/file``. Any signed-in
    user; the job is theirs."""
    job_params = export_jobs.params(kind, fmt, filters.of(kind))
    job_id = request.app.state.job_runner.enqueue(export_jobs.EXPORT, user.id, job_params)
    return QueuedJob(id=job_id, url=f"/api/v1/jobs/{job_id}")


@router.get("/templates/{kind}.{fmt}", response_class=FileResponse)
def import_template(kind: Short, fmt: Literal["csv", "xlsx"]):
    """An empty import file with the accepted headers (XLSX explains each column)."""
    with tempfile.NamedTemporaryFile(delete=False, suffix=f".{fmt}") as f:
        path = Path(f.name)
    exports.template(kind, path)
    return _download(path, f"{kind}-template.{fmt}", fmt)
