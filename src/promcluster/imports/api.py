"""REST API of imports and exports: upload a file, follow the run, fetch its error report,
download any kind as CSV, XLSX or GeoJSON under the list filters, and import templates."""

import io
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from promcluster.auth.models import User
from promcluster.errors import InvalidField, PermissionDenied
from promcluster.imports import exports, service
from promcluster.imports.columns import KINDS
from promcluster.web.deps import current_user, get_session, login_required

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
    started_at: datetime
    finished_at: datetime | None
    progress: float
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    message: str | None
    columns: dict[str, str]
    ignored_columns: list[str]


def save_upload(upload: UploadFile) -> Path:
    """The uploaded file copied to a temporary file (the import reads it in the background)."""
    suffix = Path(upload.filename or "").suffix.lower()[:10]
    with tempfile.NamedTemporaryFile(delete=False, suffix=suffix, prefix="promcluster-") as f:
        shutil.copyfileobj(upload.file, f)
        return Path(f.name)


def start(request: Request, user: User, kind: str, file: UploadFile, sheet: str | None) -> int:
    """Check the kind and the user's role, keep the upload and launch the import."""
    if kind not in KINDS:
        raise InvalidField("kind", f"нет вида загрузки «{kind}»; есть: {', '.join(KINDS)}")
    if user.role not in ("admin", "cluster_manager", "enterprise_rep"):
        raise PermissionDenied("загружать данные может администратор, менеджер или представитель")
    path = save_upload(file)
    factory = request.app.state.sessions
    return service.launch(factory, kind, path, file.filename or path.name, user, sheet or None)


@router.post("/imports", status_code=202, response_model=RunOut)
def import_file(
    request: Request,
    kind: Annotated[str, Form(description=", ".join(KINDS))],
    file: Annotated[UploadFile, File(description="CSV (любая кодировка и разделитель) или XLSX")],
    sheet: Annotated[str | None, Form(description="лист XLSX")] = None,
    user: User = Depends(login_required),
    session: Session = Depends(get_session),
):
    """Start an import; it runs in the background — follow it at ``GET /imports/{id}``."""
    run_id = start(request, user, kind, file, sheet)
    return service.visible_run(session, run_id, user)


@router.get("/imports/{run_id}", response_model=RunOut)
def import_run(
    run_id: int, user: User = Depends(login_required), session: Session = Depends(get_session)
):
    """Progress and outcome of an import run."""
    return service.visible_run(session, run_id, user)


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
def import_errors(
    run_id: int, user: User = Depends(login_required), session: Session = Depends(get_session)
):
    """The rejected rows: row, column, value, reason."""
    service.visible_run(session, run_id, user)
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


@router.get("/export/{kind}.{fmt}", response_class=FileResponse)
def export_kind(
    kind: str,
    fmt: Format,
    q: str | None = None,
    region: str | None = None,
    status: str | None = None,
    cluster_id: int | None = None,
    okved: str | None = None,
    specialisation: str | None = None,
    user: User | None = Depends(current_user),
    session: Session = Depends(get_session),
):
    """Download ``kind`` (clusters, enterprises, members, projects, products, supplies, needs,
    figures) filtered like its list."""
    filters = {
        "q": q,
        "region": region,
        "status": status,
        "cluster_id": cluster_id,
        "okved": okved,
        "specialisation": specialisation,
    }
    accepted = exports.filter_names(kind)
    chosen = {k: v for k, v in filters.items() if k in accepted and v not in (None, "")}
    return export_response(session, user, kind, fmt, chosen)


@router.get("/templates/{kind}.{fmt}", response_class=FileResponse)
def import_template(kind: str, fmt: Literal["csv", "xlsx"]):
    """An empty import file with the accepted headers (XLSX explains each column)."""
    with tempfile.NamedTemporaryFile(delete=False, suffix=f".{fmt}") as f:
        path = Path(f.name)
    exports.template(kind, path)
    return _download(path, f"{kind}-template.{fmt}", fmt)
