"""Pages of the yearly report: the cluster's targets (grid, edit forms, XLSX import and its
template), the report with its DOCX and XLSX, and a region's clusters side by side.

Every route is for logged-in users (targets and explanations are the cluster's own planning
data); targets are changed by administrators and the cluster's managers (the service checks).
"""

import io
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from promcluster import records
from promcluster.auth.models import User
from promcluster.auth.permissions import allowed, require_cluster
from promcluster.dossier import report_files, targets
from promcluster.dossier.report import (
    default_year,
    region_comparison,
    yearly_report,
    years_offered,
)
from promcluster.errors import InvalidField
from promcluster.registry.models import Cluster
from promcluster.web.deps import check_form_csrf, db_session, login_required
from promcluster.web.forms import render

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATTERS = {
    "shown": report_files.shown,
    "deviation_text": report_files.deviation_text,
    "relative_text": report_files.relative_text,
    "target_input": report_files.target_input,
}


def download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _targets_page(
    request: Request,
    session: Session,
    user: User,
    cluster_id: int,
    year: int,
    status_code: int = 200,
    **context,
):
    cluster = records.get(session, Cluster, cluster_id)
    rows = targets.targets_of(session, cluster_id)
    chosen = {t.indicator: t for t in rows if t.year == year}
    years = sorted({t.year for t in rows} | {year})
    grid = {(t.indicator, t.year): t for t in rows}
    return render(
        request,
        "dossier/targets.html",
        user,
        status_code=status_code,
        cluster=cluster,
        year=year,
        years=years,
        grid=grid,
        chosen=chosen,
        indicators=targets.REPORT_INDICATORS,
        label=targets.indicator_label,
        units=report_files.UNITS,
        can_edit=allowed(require_cluster, user, cluster_id),
        first_year=targets.FIRST_YEAR,
        last_year=targets.LAST_YEAR,
        **FORMATTERS,
        **context,
    )


@router.get("/clusters/{cluster_id}/targets")
def targets_page(
    request: Request,
    cluster_id: int,
    year: int | None = None,
    imported: int | None = None,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """The targets grid and, for managers, the forms of ``year``'s targets and the import."""
    year = default_year(year)
    targets.read_year(year)
    return _targets_page(request, session, user, cluster_id, year, imported=imported)


@router.post("/clusters/{cluster_id}/targets", dependencies=[Depends(check_form_csrf)])
async def target_form(
    request: Request,
    cluster_id: int,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Set or clear one target and its explanation; a stale version is a 409."""
    form = await request.form()
    indicator, year = str(form.get("indicator") or ""), str(form.get("year") or "")
    version = str(form.get("version") or "")
    try:
        with session.begin_nested():
            targets.set_target(
                session, user, cluster_id, indicator, year, form.get("target"),
                form.get("explanation"), int(version) if version.isdigit() else None,
            )  # fmt: skip
    except InvalidField as exc:
        shown_year = int(year) if year.isdigit() else default_year(None)
        return _targets_page(
            request, session, user, cluster_id, shown_year, 422,
            errors={indicator: exc.fields}, typed={indicator: form},
            error="; ".join(f"{targets.FIELDS.get(f, f)}: {m}" for f, m in exc.fields.items()),
        )  # fmt: skip
    return RedirectResponse(
        f"/clusters/{cluster_id}/targets?year={year}#target-{indicator}", status_code=303
    )


@router.post("/clusters/{cluster_id}/targets/import", dependencies=[Depends(check_form_csrf)])
async def targets_import(
    request: Request,
    cluster_id: int,
    file: Annotated[UploadFile, File()],
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """Import a workbook of targets, all rows or none (every refused row and field listed)."""
    typed = str((await request.form()).get("year") or "")
    year = default_year(int(typed) if typed.isdigit() else None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "targets"
        path.write_bytes(await file.read())
        try:
            with session.begin_nested():
                count = targets.import_targets(session, user, cluster_id, path)
        except InvalidField as exc:
            refused = [m if f == "file" else f"{f}: {m}" for f, m in exc.fields.items()]
            return _targets_page(
                request, session, user, cluster_id, year, 422, import_errors=refused
            )
    return RedirectResponse(
        f"/clusters/{cluster_id}/targets?year={year}&imported={count}", status_code=303
    )


@router.get("/clusters/{cluster_id}/targets/template.xlsx")
def targets_template(
    cluster_id: int, session: Session = db_session, user: User = Depends(login_required)
) -> Response:
    """The workbook to fill in: the header and the cluster's targets so far."""
    book = report_files.targets_template(targets.targets_of(session, cluster_id))
    return download(book.content(), XLSX, f"targets-{cluster_id}.xlsx")


@router.get("/clusters/{cluster_id}/report")
def report_page(
    request: Request,
    cluster_id: int,
    year: int | None = None,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    report = yearly_report(session, cluster_id, default_year(year))
    return render(
        request,
        "dossier/report.html",
        user,
        r=report,
        report_years=years_offered(),
        can_edit=allowed(require_cluster, user, cluster_id),
        **FORMATTERS,
    )


@router.get("/clusters/{cluster_id}/report.{fmt}")
def report_file(
    cluster_id: int,
    fmt: str,
    year: int | None = None,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Response:
    """The report as ``report-2025.docx`` or ``report-2025.xlsx``."""
    if fmt not in ("docx", "xlsx"):
        raise InvalidField("fmt", f"формат «{fmt}» не поддерживается: docx или xlsx")
    report = yearly_report(session, cluster_id, default_year(year))
    name = f"report-{report.year}.{fmt}"
    if fmt == "xlsx":
        return download(report_files.report_book(report).content(), XLSX, name)
    buffer = io.BytesIO()
    report_files.write_docx(report, buffer)
    return download(buffer.getvalue(), DOCX, name)


@router.get("/regions/{code}/reports")
def region_page(
    request: Request,
    code: str,
    year: int | None = None,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    """The region's clusters side by side: value / target of each indicator."""
    comparison = region_comparison(session, code, default_year(year))
    return render(
        request,
        "dossier/report_region.html",
        user,
        c=comparison,
        report_years=years_offered(),
        **FORMATTERS,
    )


@router.get("/regions/{code}/reports.xlsx")
def region_xlsx(
    code: str,
    year: int | None = None,
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Response:
    comparison = region_comparison(session, code, default_year(year))
    name = f"reports-{code}-{comparison.year}.xlsx"
    return download(report_files.comparison_book(comparison).content(), XLSX, name)
