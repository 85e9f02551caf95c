"""Imports as jobs of the queue (``promcluster.jobs``): a web upload records its run and enqueues
it; a worker (``promcluster worker``, or the web application's own consumer threads) takes the
run, imports the file and deletes the upload however the run ends. Every minute, and when a
consumer starts, the runs whose worker died are marked interrupted and resumed as new runs, and
a waiting run whose queued task was lost is enqueued again."""

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from huey import SqliteHuey, crontab
from huey.api import Task
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from promcluster.auth.audit import Actor
from promcluster.auth.models import User
from promcluster.config import Settings
from promcluster.db import utcnow
from promcluster.imports import runs, service
from promcluster.imports.limits import ImportLimits
from promcluster.imports.models import ImportRun

logger = logging.getLogger(__name__)
NO_USER = "пользователь, начавший загрузку, удалён; загрузка не выполнена"
NO_UPLOAD = (
    "файл загрузки не найден обработчиком ({}); обработчик заданий должен видеть каталог "
    "PROMCLUSTER_UPLOAD_DIR веб-сервера"
)


class ImportJobs:
    """The import tasks registered on ``queue``, running against ``factory``'s database."""

    def __init__(
        self,
        queue: SqliteHuey,
        factory: sessionmaker[Session],
        settings: Settings,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.queue, self.factory, self.settings, self.wake = queue, factory, settings, wake
        self.run_task = queue.task(name="import_run")(self.execute)
        queue.periodic_task(crontab(), name="resume_stale_imports")(self.resume)

    def enqueue(
        self,
        kind: str,
        upload: Path,
        filename: str,
        user: User,
        sheet: str | None = None,
        options: dict | None = None,
    ) -> int:
        """Record the run of an uploaded file and queue it; returns the run to follow."""
        tasks: list[Task] = []

        def job(run_id: int) -> str:
            tasks.append(self.run_task.s(run_id))
            return tasks[0].id

        actor = Actor(user.username, user.id)
        run_id = service.start_run(
            self.factory, kind, filename, actor, upload, sheet=sheet, job=job, options=options
        )
        self.queue.enqueue(tasks[0])
        if self.wake is not None:
            self.wake()
        return run_id

    def execute(self, run_id: int) -> None:
        """The task: take run ``run_id`` (unless it ended or another worker took it) and
        import its upload."""
        with self.factory() as session, session.begin():
            run = session.get(ImportRun, run_id)
            if run is None or not runs.claim(session, run):
                logger.info("import run %s already taken or ended", run_id)
                return
            user = None if run.user_id is None else session.get(User, run.user_id)
            upload = Path(run.upload_path) if run.upload_path else None
            problem = _unrunnable(user, upload)
            if problem is not None:
                runs.end_run(run, "failed", problem)
                return
        logger.info("import run %s (%s, attempt %s) started", run_id, run.kind, run.attempt)
        try:
            service.run_import(
                self.factory,
                run.kind,
                upload,
                actor=Actor(run.actor, run.user_id),
                user=user,
                run_id=run_id,
                sheet=run.sheet,
                limits=ImportLimits.of(self.settings),
            )
        except Exception:  # recorded in the run as failed or interrupted
            logger.exception("import run %s ended with an error", run_id)

    def resume(self) -> list[int]:
        """Resume the runs whose worker died and enqueue again the waiting runs whose task
        the queue lost; returns the runs enqueued."""
        pending = {task.id for task in self.queue.pending()}
        cutoff = utcnow() - timedelta(minutes=self.settings.import_stale_minutes)
        tasks = []
        with self.factory() as session, session.begin():
            again = runs.resume_stale(session, self.settings.import_stale_minutes)
            waiting = select(ImportRun).where(
                ImportRun.status == "running",
                ImportRun.job_id.is_not(None),
                ImportRun.picked_at.is_(None),
                ImportRun.started_at < cutoff,
            )
            again += [r for r in session.scalars(waiting) if r.job_id not in pending]
            for run in again:
                task = self.run_task.s(run.id)
                run.job_id = task.id
                tasks.append(task)
        for task in tasks:
            self.queue.enqueue(task)
        if tasks:
            logger.warning("import runs enqueued again: %s", [t.args[0] for t in tasks])
        return [task.args[0] for task in tasks]


def _unrunnable(user: User | None, upload: Path | None) -> str | None:
    if user is None:
        return NO_USER
    if upload is None or not upload.exists():
        return NO_UPLOAD.format(upload)
    return None
