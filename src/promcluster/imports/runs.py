"""Import runs as users see them: whose they are, asking one to stop, and the runs whose worker
died (killed process, restarted server) marked interrupted: a job of the queue whose upload is
still there is resumed as a new run (``resume_stale``, by the consumer), any other has its
upload deleted."""

import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from promcluster.auth.models import User
from promcluster.db import utcnow
from promcluster.errors import Conflict, NotFound
from promcluster.imports.models import ImportRun

logger = logging.getLogger(__name__)
STALE = (
    "прервана: обработчик загрузки перестал отвечать (сервер перезапущен или процесс "
    "остановлен); завершённые части сохранены, загрузите файл снова, чтобы закончить"
)
RESUMED = (
    "прервана: обработчик загрузки перестал отвечать (сервер перезапущен или процесс "
    "остановлен); завершённые части сохранены, файл загружается снова как загрузка №{}"
)
CANCELLED = "отменена пользователем; завершённые части сохранены"
MAX_ATTEMPTS = 3  # a file whose import kills its worker is not resumed for ever


def end_run(run: ImportRun, status: str, message: str | None) -> None:
    """Close ``run`` with ``status``; its temporary upload, if any, is deleted."""
    run.status, run.message, run.finished_at = status, message, utcnow()
    if run.upload_path:
        Path(run.upload_path).unlink(missing_ok=True)
        run.upload_path = None


def stale_runs(session: Session, stale_minutes: int) -> list[ImportRun]:
    """The runs still «running» whose worker stopped beating more than ``stale_minutes`` ago
    (or never beat and started before that); a job still waiting in the queue is not one."""
    cutoff = utcnow() - timedelta(minutes=stale_minutes)
    query = select(ImportRun).where(
        ImportRun.status == "running",
        or_(ImportRun.job_id.is_(None), ImportRun.picked_at.is_not(None)),
        or_(
            ImportRun.heartbeat_at < cutoff,
            and_(ImportRun.heartbeat_at.is_(None), ImportRun.started_at < cutoff),
        ),
    )
    return list(session.scalars(query))


def resumable(run: ImportRun) -> bool:
    """Whether a dead worker's run can be started again: a job of the queue whose upload is
    still on disk, below the attempts' limit."""
    return (
        run.job_id is not None
        and run.attempt < MAX_ATTEMPTS
        and run.upload_path is not None
        and Path(run.upload_path).exists()
    )


def sweep_stale(session: Session, stale_minutes: int) -> int:
    """Mark interrupted the stale runs that cannot be resumed, deleting their upload; the
    resumable ones are left to ``resume_stale`` (the consumer's); returns how many."""
    stale = [run for run in stale_runs(session, stale_minutes) if not resumable(run)]
    for run in stale:
        end_run(run, "interrupted", STALE)
    session.flush()
    return len(stale)


def resume_stale(session: Session, stale_minutes: int) -> list[ImportRun]:
    """Mark every stale run interrupted; each resumable one hands its upload to a new run
    continuing it, returned for the caller to enqueue once committed (the upsert makes the rows
    already imported count as unchanged). A run another sweeper got first is skipped."""
    continued = []
    for run in stale_runs(session, stale_minutes):
        claimed = session.execute(
            update(ImportRun)
            .where(ImportRun.id == run.id, ImportRun.status == "running")
            .values(status="interrupted")
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue
        if not resumable(run):
            end_run(run, "interrupted", STALE)
            continue
        follow = ImportRun(
            kind=run.kind,
            filename=run.filename,
            actor=run.actor,
            user_id=run.user_id,
            columns={},
            ignored_columns=[],
            upload_path=run.upload_path,
            sheet=run.sheet,
            options=run.options,
            attempt=run.attempt + 1,
            resumed_from=run.id,
            started_at=utcnow(),
        )
        session.add(follow)
        session.flush()
        run.upload_path = None  # handed over to the new run
        end_run(run, "interrupted", RESUMED.format(follow.id))
        continued.append(follow)
    session.flush()
    return continued


def sweep_stale_runs(factory: sessionmaker[Session], stale_minutes: int) -> int:
    """``sweep_stale`` in a transaction of its own (at start-up); a database not migrated yet
    is left alone (the first request then says what is missing)."""
    try:
        with factory() as session, session.begin():
            return sweep_stale(session, stale_minutes)
    except (OperationalError, ProgrammingError) as exc:
        logger.warning("import runs not checked for stale ones: %s", exc.orig)
        return 0


def visible_run(
    session: Session, run_id: int, user: User, stale_minutes: int | None = None
) -> ImportRun:
    """The run ``run_id`` if ``user`` started it or is an administrator (stale runs swept
    first when ``stale_minutes`` is given)."""
    if stale_minutes is not None:
        sweep_stale(session, stale_minutes)
    run = session.get(ImportRun, run_id)
    if run is None or (user.role != "admin" and run.user_id != user.id):
        raise NotFound(f"загрузка №{run_id} не найдена")
    return run


def request_cancel(session: Session, run_id: int, user: User, stale_minutes: int) -> ImportRun:
    """Ask the running import ``run_id`` to stop after its current batch (its owner or an
    administrator may); a job no worker has taken yet ends at once."""
    run = visible_run(session, run_id, user, stale_minutes)
    if run.status != "running":
        raise Conflict(f"загрузка №{run_id} уже закончена, отменять нечего")
    run.cancel_requested = True
    if run.job_id is not None and claim(session, run):
        end_run(run, "cancelled", CANCELLED)
    session.flush()
    return run


def claim(session: Session, run: ImportRun) -> bool:
    """Take the queued job ``run`` (for a worker, or for a cancel before any worker did);
    False when someone else took it or it ended."""
    now = utcnow()
    taken = session.execute(
        update(ImportRun)
        .where(
            ImportRun.id == run.id,
            ImportRun.status == "running",
            ImportRun.picked_at.is_(None),
        )
        .values(picked_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return False
    run.picked_at = run.heartbeat_at = now
    return True


def recent_runs(
    session: Session, user: User, limit: int = 20, stale_minutes: int | None = None
) -> list[ImportRun]:
    """The latest runs the user may see: all for administrators, their own for others."""
    if stale_minutes is not None:
        sweep_stale(session, stale_minutes)
    query = select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)
    if user.role != "admin":
        query = query.where(ImportRun.user_id == user.id)
    return list(session.scalars(query))


def runs_by_state(session: Session) -> dict[str, int]:
    """How many import runs are in each state (one grouped count over the status index; read
    on every metrics scrape)."""
    query = select(ImportRun.status, func.count()).group_by(ImportRun.status)
    return {status: count for status, count in session.execute(query)}
