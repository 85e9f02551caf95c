"""The jobs of the platform (search reindexing, warm-ups, generated files; imports have their
own page): the administrator's page ``/jobs`` and the API. Who may call what:

- ``GET /jobs``, ``POST /jobs/search-reindex``, ``POST /jobs/{id}/cancel`` (pages) and
  ``GET /api/v1/jobs``, ``POST /api/v1/jobs/search-reindex``: administrators only;
- ``GET /api/v1/jobs/{id}``, ``GET /api/v1/jobs/{id}/file`` and ``POST /api/v1/jobs/{id}/cancel``:
  an administrator or the user who asked for the job;
- anonymous visitors: 401 (pages: the login form)."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster import labels
from promcluster.auth.models import User
from promcluster.auth.permissions import require_admin
from promcluster.errors import NotFound
from promcluster.jobs import records
from promcluster.jobs.models import STATES, Job
from promcluster.jobs.runner import JobRunner
from promcluster.matching.jobs import SEARCH_REINDEX
from promcluster.web.deps import check_form_csrf, db_session, login_required
from promcluster.web.forms import render
from promcluster.web.limits import Id, Short, UtcDateTime

api = APIRouter(prefix="/api/v1", tags=["Задания"])
pages = APIRouter(include_in_schema=False)
LIMIT = 200


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    kind_label: str
    owner_id: int | None
    owner: str | None
    state: str
    state_label: str
    done: int
    total: int | None
    progress: float | None
    created_at: UtcDateTime
    started_at: UtcDateTime | None
    heartbeat_at: UtcDateTime | None
    finished_at: UtcDateTime | None
    seconds: float | None
    result: str | None
    error: str | None
    cancel_requested: bool
    attempt: int
    rerun_of: int | None
    file_url: str | None


class ReindexIn(BaseModel):
    missing: bool = False


def job_out(job: Job, owner: str | None) -> JobOut:
    """The API shape of ``job`` (labels in Russian beside the stored values)."""
    return JobOut(
        **{name: getattr(job, name) for name in JobOut.model_fields if hasattr(job, name)},
        kind_label=labels.JOB_KINDS.get(job.kind, job.kind),
        owner=owner,
        state_label=labels.JOB_STATES.get(job.state, job.state),
        file_url=f"/api/v1/jobs/{job.id}/file" if job.file_path and job.state == "done" else None,
    )


def owners(session: Session, jobs: list[Job]) -> dict[int, str]:
    """The user names of the jobs' owners."""
    ids = {job.owner_id for job in jobs if job.owner_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def listed(session: Session, state: str | None, kind: str | None, limit: int) -> list[JobOut]:
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        query = query.where(Job.state == state)
    if kind:
        query = query.where(Job.kind == kind)
    jobs = list(session.scalars(query))
    names = owners(session, jobs)
    return [job_out(job, names.get(job.owner_id)) for job in jobs]


def runner_of(request: Request) -> JobRunner:
    return request.app.state.job_runner


def is_admin(user: User) -> bool:
    return user.role == "admin"


@api.get("/jobs", response_model=list[JobOut])
def list_jobs(
    state: Short | None = None,
    kind: Short | None = None,
    limit: int = Query(50, ge=1, le=LIMIT),
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """The latest jobs, newest first (``state``: queued, running, done, failed, interrupted,
    cancelled). Administrators only."""
    require_admin(user)
    return listed(session, state, kind, limit)


@api.post("/jobs/search-reindex", status_code=202, response_model=JobOut)
def queue_search_reindex(
    request: Request,
    body: Annotated[ReindexIn, Body()] = ReindexIn(),
    session: Session = db_session,
    user: User = Depends(login_required),
) -> Any:
    """Queue a rebuild of the search index (``missing``: only add the records it lacks); follow
    it at ``GET /jobs/{id}``. Administrators only."""
    require_admin(user)
    job_id = runner_of(request).enqueue(SEARCH_REINDEX, user.id, {"missing": body.missing})
    return job_out(session.get(Job, job_id), user.username)


@api.get("/jobs/{job_id}", response_model=JobOut)
def read_job(job_id: Id, session: Session = db_session, user: User = Depends(login_required)):
    """A job's state, progress and outcome: its owner or an administrator."""
    job = records.visible(session, job_id, user.id, is_admin(user))
    return job_out(job, owners(session, [job]).get(job.owner_id))


@api.post("/jobs/{job_id}/cancel", response_model=JobOut)
def cancel_job(job_id: Id, session: Session = db_session, user: User = Depends(login_required)):
    """Stop a job: a queued one ends at once, a running one at its next progress report;
    409 when it has ended. Its owner or an administrator."""
    job = records.request_cancel(session, job_id, user.id, is_admin(user))
    return job_out(job, owners(session, [job]).get(job.owner_id))


@api.get("/jobs/{job_id}/file", response_class=FileResponse)
def job_file(job_id: Id, session: Session = db_session, user: User = Depends(login_required)):
    """The file a finished job generated (an export): its owner or an administrator; 404
    before it is done or once it expired."""
    job = records.visible(session, job_id, user.id, is_admin(user))
    path = Path(job.file_path) if job.file_path else None
    if job.state != "done" or path is None or not path.exists():
        raise NotFound(f"у задания №{job_id} нет готового файла")
    return FileResponse(path, filename=job.file_name or path.name)


@pages.get("/jobs")
def jobs_page(
    request: Request,
    state: Short | None = None,
    kind: Short | None = None,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    require_admin(user)
    return render(
        request,
        "jobs/list.html",
        user,
        jobs=listed(session, state, kind, LIMIT),
        states=STATES,
        state=state,
        kind=kind,
    )


@pages.post("/jobs/search-reindex", dependencies=[Depends(check_form_csrf)])
def search_reindex_form(
    request: Request,
    missing: Annotated[bool, Form()] = False,
    user: User = Depends(login_required),
):
    require_admin(user)
    job_id = runner_of(request).enqueue(SEARCH_REINDEX, user.id, {"missing": missing})
    return RedirectResponse(f"/jobs#job-{job_id}", status_code=303)


@pages.post("/jobs/{job_id}/cancel", dependencies=[Depends(check_form_csrf)])
def cancel_form(job_id: Id, session: Session = db_session, user: User = Depends(login_required)):
    require_admin(user)
    records.request_cancel(session, job_id, user.id, True)
    return RedirectResponse(f"/jobs#job-{job_id}", status_code=303)
