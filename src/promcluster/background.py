"""Results computed once in a background thread of this process, for pages that answer «идёт
расчёт…» instead of making their visitor wait (``promcluster serve``; docs/OPERATIONS.md,
"Warm-up").

A :class:`Job` names a result (its ``key``) and computes it in a session of its own; what it
computes is kept by the service itself (``promcluster.cache``), so the page, once the job is
done, renders as usual from the cache. :class:`Computations` marks each job running (started
once, however many requests ask) and then done at the version of the database it read
(``cache.registry_version``): after a write the job runs again, as the cache computes again.
The marks are per process, like the cache they stand for: another worker's result is not in
this worker's memory.
"""

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from promcluster.cache import registry_version

log = logging.getLogger(__name__)
MARKS = 2000  # done marks kept per process (the oldest dropped: a page's path is the visitor's)


@dataclass(frozen=True)
class Job:
    """A result to compute: its ``key`` and how (``compute(session)``, which keeps it)."""

    key: Hashable
    compute: Callable[[Session], object]


class Computations:
    """The jobs of one process: running, or done at a database version. Off (``background``
    false: the pages compute in the request, as commands and tests expect) until the server
    switches it on."""

    def __init__(self, background: bool = False, wait_seconds: float = 0.5) -> None:
        self.background = background
        self.wait_seconds = wait_seconds
        self._running: dict[tuple, threading.Event] = {}
        self._done: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    def ready(self, session: Session, job: Job) -> bool:
        """Whether the page of ``job`` may be rendered now: background mode is off, or the job
        is done at the database's current version. Otherwise the job is started in a thread
        (unless it is running already) and awaited up to ``wait_seconds``."""
        if not self.background:
            return True
        engine = session.get_bind()
        place = (str(engine.url), job.key)
        version = registry_version(session)
        with self._lock:
            if self._done.get(place) == version:
                return True
            running = self._running.get(place)
            if running is None:
                running = self._running[place] = threading.Event()
                threading.Thread(
                    target=self._run, args=(engine, job, place, running), daemon=True
                ).start()
        return running.wait(self.wait_seconds) and self._done.get(place) == version

    def run(self, engine: Engine, job: Job) -> bool:
        """Compute ``job`` in this thread (the warm-up's) unless it is running or done at the
        current version; returns whether it was computed here."""
        place = (str(engine.url), job.key)
        with Session(engine) as session:
            version = registry_version(session)
        with self._lock:
            if place in self._running or self._done.get(place) == version:
                return False
            running = self._running[place] = threading.Event()
        self._run(engine, job, place, running)
        return True

    def is_running(self, engine: Engine, job: Job) -> bool:
        """Whether ``job`` is being computed now in this process."""
        with self._lock:
            return (str(engine.url), job.key) in self._running

    def busy(self) -> bool:
        """Whether any job is being computed now in this process."""
        with self._lock:
            return bool(self._running)

    def _run(self, engine: Engine, job: Job, place: tuple, running: threading.Event) -> None:
        """Compute, mark done at the version read before (a write during the computation makes
        the next request start it again), even after a failure: the request then computes
        itself and answers with the error."""
        version = None
        try:
            with Session(engine) as session:
                version = registry_version(session)
                job.compute(session)
        except Exception:
            log.warning("background computation %r failed", job.key, exc_info=True)
        finally:
            with self._lock:
                if version is not None:
                    self._done.pop(place, None)
                    self._done[place] = version
                    while len(self._done) > MARKS:
                        del self._done[next(iter(self._done))]
                del self._running[place]
            running.set()
