"""HTML pages of imports: the upload form, a run's progress and outcome (with a button to
cancel it), downloads."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.imports import api, exports, official, runs, service
from promcluster.imports.columns import KINDS
from promcluster.web.deps import check_form_csrf, db_session, login_required
from promcluster.web.forms import render

router = APIRouter(include_in_schema=False)
SHOWN_LINES = 100  # of the error report, on the run's page (the whole report is the CSV)


@router.get("/imports")
def upload_form(
    request: Request, user: User = Depends(login_required), session: Session = db_session
):
    return render(
        request,
        "imports/upload.html",
        user,
        kinds=KINDS,
        official=official.KINDS,
        runs=runs.recent_runs(session, user, stale_minutes=api.stale_minutes(request)),
        describe=exports.describe,
    )


@router.post("/imports", dependencies=[Depends(check_form_csrf)])
def upload(
    request: Request,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    sheet: Annotated[str | None, Form()] = None,
    create_missing: Annotated[bool, Form()] = False,
    user: User = Depends(login_required),
):
    """Start the import; scripts get the run's address as JSON, plain forms a redirect."""
    run_id = api.start(request, user, kind, file, sheet, create_missing)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"id": run_id, "url": f"/imports/{run_id}"}, status_code=202)
    return RedirectResponse(f"/imports/{run_id}", status_code=303)


@router.get("/imports/{run_id}")
def run_page(
    request: Request,
    run_id: int,
    user: User = Depends(login_required),
    session: Session = db_session,
):
    run = runs.visible_run(session, run_id, user, api.stale_minutes(request))
    template = "imports/_run.html" if request.headers.get("hx-request") else "imports/run.html"
    shown, total = service.report_extent(session, run)
    note = service.truncation_note(shown, total) if shown < total else None
    lines = list(service.rejections(session, run.id, limit=SHOWN_LINES + 1))
    return render(
        request,
        template,
        user,
        run=run,
        kinds=KINDS,
        report_note=note,
        rejected_lines=lines[:SHOWN_LINES],
        more_lines=len(lines) > SHOWN_LINES,
    )


@router.post("/imports/{run_id}/cancel", dependencies=[Depends(check_form_csrf)])
def cancel(
    request: Request,
    run_id: int,
    user: User = Depends(login_required),
    session: Session = db_session,
):
    """The run page's «Отменить» button: the import stops after its current batch."""
    runs.request_cancel(session, run_id, user, api.stale_minutes(request))
    return RedirectResponse(f"/imports/{run_id}", status_code=303)


@router.get("/imports/{run_id}/errors.csv")
def run_errors(run_id: int, user: User = Depends(login_required), session: Session = db_session):
    runs.visible_run(session, run_id, user)
    return api.report_response(session, run_id)
