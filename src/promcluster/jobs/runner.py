"""Jobs of any kind on the queue: a domain registers a kind (its body, and whether it is safe to
run again after its worker died); ``enqueue`` records a job and queues "run job N"; a worker
takes it, beats while the body runs and records how it ended. Every minute (and when a consumer
starts) the jobs whose heartbeat stopped are marked interrupted and the repeatable ones recorded
again; ``running`` records a job done in this process (the server's warm-up)."""

import logging
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from huey import SqliteHuey, crontab
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from promcluster.config import Settings
from promcluster.jobs import records
from promcluster.jobs.models import Job

logger = logging.getLogger(__name__)
UNKNOWN_KIND = "вид задания «{}» не известен этому обработчику заданий"
BEAT_SECONDS = 30  # at most; shorter when the stale time is short


class Cancelled(Exception):
    """Raised by ``JobHandle.progress`` in the body of a job asked to stop."""


class JobHandle:
    """What a job's body gets: its parameters, the database, progress reports (which raise
    ``Cancelled`` once a stop was asked) and a place for the file it produces."""

    def __init__(
        self, job: Job, factory: sessionmaker[Session], settings: Settings | None = None
    ) -> None:
        self.job_id, self.kind, self.owner_id = job.id, job.kind, job.owner_id
        self.params: dict = dict(job.params or {})
        self.factory, self.settings = factory, settings
        self.result: str | None = None  # what a job recorded by ``running`` ended with

    def progress(self, done: int, total: int | None = None) -> None:
        """Record ``done`` of ``total`` units and the heartbeat; stop if asked to."""
        with self.factory() as session, session.begin():
            stop = records.beat(session, self.job_id, done, total)
        if stop:
            raise Cancelled(self.job_id)

    def output(self, suffix: str, name: str | None = None) -> Path:
        """The path of this job's generated file, in ``upload_dir`` (which the web server
        and the workers share), recorded on the job so that it is deleted with it; ``name``
        is the file's name in a download."""
        directory = _files_dir(self.settings)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"promcluster-job-{self.job_id}{suffix}"
        with self.factory() as session, session.begin():
            job = session.get(Job, self.job_id)
            job.file_path, job.file_name = str(path), name or path.name
        return path


def _files_dir(settings: Settings | None) -> Path:
    if settings is not None and settings.upload_dir is not None:
        return settings.upload_dir
    return Path(tempfile.gettempdir())


@dataclass(frozen=True)
class JobKind:
    """A kind of job: ``body(handle)`` does the work and returns a short result text;
    ``rerun`` says that it may be run again from the start after its worker died."""

    name: str
    body: Callable[[JobHandle], str | None]
    rerun: bool = False


class Heartbeat:
    """A thread showing that the job's process is alive while the body works between
    progress reports (a long query, a file written in one go)."""

    def __init__(self, factory: sessionmaker[Session], job_id: int, seconds: float) -> None:
        self.factory, self.job_id, self.seconds = factory, job_id, seconds
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"job-{job_id}-beat")

    def run(self) -> None:
        while not self.stopped.wait(self.seconds):
            try:
                with self.factory() as session, session.begin():
                    records.beat(session, self.job_id)
            except Exception:  # the next beat may pass; the body's own reports still count
                logger.exception("job %s: heartbeat not recorded", self.job_id)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopped.set()
        self.thread.join()


def beat_seconds(stale_minutes: int) -> float:
    """A heartbeat several times within the stale time."""
    return min(BEAT_SECONDS, stale_minutes * 60 / 4)


def execute(job_id: int, handle: JobHandle, kind: JobKind, stale_minutes: int) -> None:
    """Run the claimed job's body, beating, and record its end (unless a sweeper ended it)."""
    factory = handle.factory
    state, result, error = "done", None, None
    with Heartbeat(factory, job_id, beat_seconds(stale_minutes)):
        try:
            result = kind.body(handle)
        except Cancelled:
            state, error = "cancelled", records.CANCELLED
        except Exception as exc:
            logger.exception("job %s (%s) failed", job_id, kind.name)
            state, error = "failed", f"{type(exc).__name__}: {exc}"
    with factory() as session, session.begin():
        if not records.finish(session, job_id, state, result, error):
            logger.warning("job %s ended as %s after it was marked ended", job_id, state)
    logger.info("job %s (%s) ended: %s", job_id, kind.name, state)


class JobRunner:
    """The kinds registered on ``queue``, running against ``factory``'s database."""

    def __init__(
        self,
        queue: SqliteHuey,
        factory: sessionmaker[Session],
        settings: Settings,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.queue, self.factory, self.settings, self.wake = queue, factory, settings, wake
        self.kinds: dict[str, JobKind] = {}
        self.task = queue.task(name="job")(self.execute)
        queue.periodic_task(crontab(), name="resume_stale_jobs")(self.resume)

    def register(self, kind: JobKind) -> None:
        """Let this runner's workers run jobs of ``kind``."""
        self.kinds[kind.name] = kind

    def enqueue(
        self, kind: str, owner_id: int | None, params: dict | None = None, total: int | None = None
    ) -> int:
        """Record a job of a registered ``kind`` and queue it; returns its id."""
        if kind not in self.kinds:
            raise ValueError(UNKNOWN_KIND.format(kind))
        with self.factory() as session, session.begin():
            job = records.record(session, kind, owner_id, params, total=total)
            task = self.task.s(job.id)
            job.task_id = task.id
            job_id = job.id
        self.queue.enqueue(task)
        if self.wake is not None:
            self.wake()
        return job_id

    def execute(self, job_id: int) -> None:
        """The task: take job ``job_id`` (unless it ended or another worker took it) and run it."""
        with self.factory() as session, session.begin():
            job = records.claim(session, job_id)
            if job is None:
                logger.info("job %s already taken or ended", job_id)
                return
            kind = self.kinds.get(job.kind)
            if kind is None:
                records.finish(session, job_id, "failed", error=UNKNOWN_KIND.format(job.kind))
                return
            handle = JobHandle(job, self.factory, self.settings)
        logger.info("job %s (%s, attempt %s) started", job_id, kind.name, job.attempt)
        execute(job_id, handle, kind, self.settings.jobs_stale_minutes)

    def resume(self) -> list[int]:
        """Mark interrupted the jobs whose worker died, record again the repeatable ones, queue
        again the waiting jobs whose task the queue lost and delete expired files; returns the
        jobs enqueued."""
        stale = self.settings.jobs_stale_minutes
        pending = {task.id for task in self.queue.pending()}
        tasks = []
        with self.factory() as session, session.begin():
            again = []
            for job in records.mark_stale(session, stale):
                kind = self.kinds.get(job.kind)
                if kind is not None and kind.rerun and job.attempt < records.MAX_ATTEMPTS:
                    again.append(records.rerun(session, job))
            again += records.lost(session, stale, pending, set(self.kinds))
            for job in again:
                task = self.task.s(job.id)
                job.task_id = task.id
                tasks.append(task)
            records.expire_files(session, self.settings.jobs_keep_hours)
        for task in tasks:
            self.queue.enqueue(task)
        if tasks:
            logger.warning("jobs enqueued again: %s", [t.args[0] for t in tasks])
        return [task.args[0] for task in tasks]


@contextmanager
def running(
    factory: sessionmaker[Session], kind: str, owner_id: int | None = None, stale_minutes: int = 5
) -> Iterator[JobHandle | None]:
    """Record a job done in this process (not through the queue) while the block runs: «done»
    at its end, «failed» with the error if it raises (re-raised), beating meanwhile. A database
    without the jobs table (not migrated yet) runs the block unrecorded (``None``)."""
    try:
        with factory() as session, session.begin():
            job = records.record(session, kind, owner_id, running=True)
            handle = JobHandle(job, factory)
    except (OperationalError, ProgrammingError) as exc:
        logger.warning("job %s not recorded: %s", kind, exc.orig)
        yield None
        return
    state, error = "done", None
    try:
        with Heartbeat(factory, handle.job_id, beat_seconds(stale_minutes)):
            yield handle
    except BaseException as exc:
        state, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        with factory() as session, session.begin():
            records.finish(session, handle.job_id, state, handle.result, error)
