"""Import runs as users see them: whose they are, asking one to stop, and the runs whose worker
died (killed process, restarted server) marked interrupted with their upload deleted."""

import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import and_, func, or_, select
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


def end_run(run: ImportRun, status: str, message: str | None) -> None:
    """Close ``run`` with ``status``; its temporary upload, if any, is deleted."""
    run.status, run.message, run.finished_at = status, message, utcnow()
    if run.upload_path:
        Path(run.upload_path).unlink(missing_ok=True)
        run.upload_path = None


def sweep_stale(session: Session, stale_minutes: int) -> int:
    """Mark interrupted the runs still «running» whose worker stopped beating more than
    ``stale_minutes`` ago (or never beat and started before that); returns how many."""
    cutoff = utcnow() - timedelta(minutes=stale_minutes)
    query = select(ImportRun).where(
        ImportRun.status == "running",
        or_(
            ImportRun.heartbeat_at < cutoff,
            and_(ImportRun.heartbeat_at.is_(None), ImportRun.started_at < cutoff),
        ),
    )
    stale = list(session.scalars(query))
    for run in stale:
        end_run(run, "interrupted", STALE)
    session.flush()
    return len(stale)


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
    administrator may)."""
    run = visible_run(session, run_id, user, stale_minutes)
    if run.status != "running":
        raise Conflict(f"загрузка №{run_id} уже закончена, отменять нечего")
    run.cancel_requested = True
    session.flush()
    return run


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
