"""The job queue: Huey over a SQLite file (docs/adr/0011-jobs-with-huey.md), and its consumer
run either as ``promcluster worker`` or as threads inside the web application.

The queue only carries "run job N"; what a job is, how far it got and how it ended is kept in
the platform's database by the domain that owns it (imports: ``import_runs``). A job taken by a
process that then died is lost from the queue: the domain finds it by its stale heartbeat and
enqueues it again.
"""

import hashlib
import logging
import threading

from huey import SqliteHuey
from huey.consumer import Consumer

from promcluster.config import Settings, jobs_path

logger = logging.getLogger(__name__)
SHUTDOWN_SECONDS = 10  # an embedded consumer's running job may finish within this at shutdown


def open_queue(settings: Settings) -> SqliteHuey:
    """The queue of ``settings``' database: one SQLite file may hold the queues of several
    databases, each named after its URL, so that a worker never runs another database's job."""
    path = jobs_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
    return SqliteHuey(name=f"promcluster-{digest}", filename=str(path), results=False, timeout=30)


class ThreadConsumer(Consumer):
    """A consumer living inside another program (the web server), which owns the signals."""

    def _set_signal_handlers(self) -> None:
        pass


class EmbeddedConsumer:
    """The consumer threads of a web application: started with the application (or by the
    first job it enqueues), stopped with it; starting twice is harmless."""

    def __init__(self, queue: SqliteHuey, workers: int, poll_seconds: float) -> None:
        self.queue, self.workers, self.poll_seconds = queue, workers, poll_seconds
        self.consumer: Consumer | None = None
        self.lock = threading.Lock()

    def start(self) -> None:
        with self.lock:
            if self.consumer is not None:
                return
            self.consumer = ThreadConsumer(
                self.queue,
                workers=self.workers,
                max_delay=self.poll_seconds,
                shutdown_timeout=SHUTDOWN_SECONDS,
                check_worker_health=False,
            )
            self.consumer.start()

    def stop(self) -> None:
        with self.lock:
            consumer, self.consumer = self.consumer, None
        if consumer is not None:
            consumer.stop(graceful=True)


def run_worker(queue: SqliteHuey, workers: int, processes: bool, poll_seconds: float) -> None:
    """Consume ``queue`` in the foreground until SIGINT (finish running jobs) or SIGTERM."""
    consumer = Consumer(
        queue,
        workers=workers,
        worker_type="process" if processes else "thread",
        max_delay=poll_seconds,
    )
    consumer.run()
