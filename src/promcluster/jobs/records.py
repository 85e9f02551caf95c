"""The life of a job's record: created «queued», taken by one worker («running»), beating while
it runs, ended once («done», «failed», «cancelled»), or found dead by its stale heartbeat
(«interrupted») and, when its kind is safe to repeat, recorded again as a new queued job.

Every change of state is a conditional update, so that two workers, a worker and a sweeper, or
a worker and a cancel never both win."""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from promcluster.db import utcnow
from promcluster.errors import Conflict, NotFound
from promcluster.jobs.models import LIVE, Job

INTERRUPTED = (
    "прервано: обработчик заданий перестал отвечать (сервер перезапущен или процесс остановлен)"
)
RERUN = INTERRUPTED + "; задание запущено снова как №{}"
CANCELLED = "отменено пользователем"
MAX_ATTEMPTS = 3  # a job that kills its worker is not repeated for ever
RESULT_CHARS = 2000


def record(
    session: Session,
    kind: str,
    owner_id: int | None,
    params: dict | None = None,
    *,
    running: bool = False,
    total: int | None = None,
) -> Job:
    """A new job, «queued» for a worker (or already «running» in this process)."""
    now = utcnow()
    job = Job(
        kind=kind,
        owner_id=owner_id,
        params=params or {},
        state="running" if running else "queued",
        total=total,
        created_at=now,
        started_at=now if running else None,
        heartbeat_at=now if running else None,
    )
    session.add(job)
    session.flush()
    return job


def claim(session: Session, job_id: int) -> Job | None:
    """Take the queued job ``job_id`` for this worker; None when it is gone, ended or taken."""
    now = utcnow()
    taken = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "queued")
        .values(state="running", started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    job = session.get(Job, job_id)
    session.refresh(job)
    return job


def beat(session: Session, job_id: int, done: int | None = None, total: int | None = None) -> bool:
    """Show that the running job is alive (and how far it got); True when it should stop: a
    cancel was asked, or it no longer runs (a sweeper took it for dead)."""
    values: dict = {"heartbeat_at": utcnow()}
    if done is not None:
        values["done"] = done
    if total is not None:
        values["total"] = total
    beaten = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if beaten.rowcount != 1:
        return True
    return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def finish(
    session: Session,
    job_id: int,
    state: str,
    result: str | None = None,
    error: str | None = None,
    *,
    from_states: tuple[str, ...] = ("running",),
) -> bool:
    """End the job with ``state`` if it is in one of ``from_states``; False when it was not
    (ended already, or taken by a worker). A job that did not end «done» loses its file."""
    values = {
        "state": state,
        "finished_at": utcnow(),
        "result": None if result is None else result[:RESULT_CHARS],
        "error": None if error is None else error[:RESULT_CHARS],
    }
    ended = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state.in_(from_states))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if ended.rowcount == 1 and state != "done":
        drop_file(session, job_id)
    return ended.rowcount == 1


def drop_file(session: Session, job_id: int) -> None:
    """Delete the job's generated file, if any, and forget it."""
    job = session.get(Job, job_id)
    if job is not None and job.file_path:
        Path(job.file_path).unlink(missing_ok=True)
        job.file_path = None
        session.flush()


def visible(session: Session, job_id: int, user_id: int, admin: bool) -> Job:
    """The job ``job_id`` if the user asked for it or is an administrator."""
    job = session.get(Job, job_id)
    if job is None or (not admin and job.owner_id != user_id):
        raise NotFound(f"задание №{job_id} не найдено")
    return job


def request_cancel(session: Session, job_id: int, user_id: int, admin: bool) -> Job:
    """Stop the job ``job_id``: a queued one ends at once, a running one at its next report."""
    job = visible(session, job_id, user_id, admin)
    if job.state not in LIVE:
        raise Conflict(f"задание №{job_id} уже закончено, отменять нечего")
    if not finish(session, job_id, "cancelled", error=CANCELLED, from_states=("queued",)):
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "running")
            .values(cancel_requested=True)
            .execution_options(synchronize_session=False)
        )
    session.refresh(job)
    return job


def mark_stale(session: Session, stale_minutes: int) -> list[Job]:
    """Mark «interrupted» the running jobs whose heartbeat is older than ``stale_minutes``;
    returns those this call marked (another sweeper's are skipped)."""
    cutoff = utcnow() - timedelta(minutes=stale_minutes)
    query = select(Job.id).where(
        Job.state == "running",
        or_(
            Job.heartbeat_at < cutoff,
            and_(Job.heartbeat_at.is_(None), Job.started_at < cutoff),
        ),
    )
    marked = []
    for job_id in session.scalars(query).all():
        if finish(session, job_id, "interrupted", error=INTERRUPTED):
            marked.append(session.get(Job, job_id))
    for job in marked:
        session.refresh(job)
    return marked


def rerun(session: Session, job: Job) -> Job:
    """A new queued job repeating the interrupted ``job`` (its error names the new one)."""
    again = record(session, job.kind, job.owner_id, dict(job.params))
    again.attempt, again.rerun_of = job.attempt + 1, job.id
    job.error = RERUN.format(again.id)
    session.flush()
    return again


def lost(session: Session, stale_minutes: int, pending: set[str], kinds: set[str]) -> list[Job]:
    """Jobs of ``kinds`` queued longer than ``stale_minutes`` whose task is not in the queue
    (the queue's file was lost): to enqueue again."""
    cutoff = utcnow() - timedelta(minutes=stale_minutes)
    query = select(Job).where(Job.state == "queued", Job.kind.in_(kinds), Job.created_at < cutoff)
    return [job for job in session.scalars(query) if job.task_id not in pending]


def expire_files(session: Session, keep_hours: int) -> int:
    """Delete the generated files of jobs that ended more than ``keep_hours`` ago."""
    cutoff = utcnow() - timedelta(hours=keep_hours)
    query = select(Job).where(Job.file_path.is_not(None), Job.finished_at < cutoff)
    old = list(session.scalars(query))
    for job in old:
        drop_file(session, job.id)
    return len(old)


def recent(session: Session, owner_id: int | None = None, limit: int = 100) -> list[Job]:
    """The latest jobs, newest first (only ``owner_id``'s when given)."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if owner_id is not None:
        query = query.where(Job.owner_id == owner_id)
    return list(session.scalars(query))


def jobs_by_state(session: Session) -> dict[str, int]:
    """How many jobs are in each state (read on every metrics scrape)."""
    query = select(Job.state, func.count()).group_by(Job.state)
    return {state: count for state, count in session.execute(query)}
