"""The generic jobs table (issue 18, ADR 0011): a job is recorded «queued», taken by one worker,
reports progress and a heartbeat, ends once; a queued job is cancelled at once and a running one
at its next report; a job whose heartbeat stopped is marked interrupted and, when its kind is
safe to repeat, recorded again and run; a job done in the process (the warm-up) is recorded too.
Real Huey consumers over a SQLite queue in the test's directory, on SQLite and PostgreSQL."""

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from factories import TEST_SECRET_KEY, TEST_TILES
from sqlalchemy import update

from promcluster.config import Settings
from promcluster.db import utcnow
from promcluster.errors import Conflict, NotFound
from promcluster.jobs import EmbeddedConsumer, open_queue, records
from promcluster.jobs.models import Job
from promcluster.jobs.runner import JobHandle, JobKind, JobRunner, running


@pytest.fixture
def job_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        tile_url=TEST_TILES,
        jobs_file=tmp_path / "jobs.db",
        jobs_embedded=False,
        jobs_poll_seconds=0.1,
        upload_dir=tmp_path / "files",
    )


class Steps:
    """A test kind: ``steps`` progress reports ``pause`` seconds apart; fails when asked."""

    def __init__(self) -> None:
        self.runs: list[int] = []
        self.started = threading.Event()

    def __call__(self, handle: JobHandle) -> str:
        self.runs.append(handle.job_id)
        steps = handle.params.get("steps", 3)
        handle.progress(0, steps)
        self.started.set()
        for step in range(1, steps + 1):
            time.sleep(handle.params.get("pause", 0))
            if handle.params.get("fail_at") == step:
                raise ValueError(f"шаг {step} не удался")
            handle.progress(step)
        if handle.params.get("file"):
            handle.output(".txt").write_text("готово")
        return f"шагов: {steps}"


@pytest.fixture
def steps() -> Steps:
    return Steps()


@pytest.fixture
def runner(job_settings, db, steps) -> JobRunner:
    runner = JobRunner(open_queue(job_settings), db.sessions, job_settings)
    runner.register(JobKind("steps", steps, rerun=True))
    runner.register(JobKind("once", steps, rerun=False))
    return runner


@pytest.fixture
def consumer(runner) -> Iterator[EmbeddedConsumer]:
    consumer = EmbeddedConsumer(runner.queue, workers=1, poll_seconds=0.1)
    yield consumer
    consumer.stop()


def job(db, job_id: int) -> Job:
    with db.session() as session:
        found = session.get(Job, job_id)
        session.expunge(found)
        return found


def wait(db, job_id: int, states=("done", "failed", "cancelled", "interrupted")) -> Job:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = job(db, job_id)
        if found.state in states:
            return found
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} is still {found.state}")


def age(db, job_id: int, minutes: int, **columns) -> None:
    """Move the job's times ``minutes`` into the past (a worker that died that long ago)."""
    past = utcnow() - timedelta(minutes=minutes)
    with db.session() as session:
        session.execute(update(Job).where(Job.id == job_id).values(dict.fromkeys(columns, past)))


def test_a_job_goes_from_queued_to_running_to_done_once(db, users):
    owner = users.add("owner")
    with db.session() as session:
        recorded = records.record(session, "steps", owner.id, {"steps": 2})
        assert (recorded.state, recorded.started_at, recorded.done) == ("queued", None, 0)
        job_id = recorded.id
    with db.session() as session:
        taken = records.claim(session, job_id)
        assert taken.state == "running" and taken.started_at and taken.heartbeat_at
        assert records.claim(session, job_id) is None  # a second worker does not take it
        assert records.beat(session, job_id, 1, 2) is False
        assert records.finish(session, job_id, "done", "готово") is True
        assert records.finish(session, job_id, "failed", error="поздно") is False
        assert records.beat(session, job_id, 2) is True  # ended: the body must stop
    ended = job(db, job_id)
    assert (ended.state, ended.done, ended.total, ended.result, ended.error) == (
        "done", 1, 2, "готово", None
    )  # fmt: skip
    assert ended.progress == 0.5 and ended.finished_at >= ended.started_at


def test_a_worker_runs_the_job_reporting_progress(runner, consumer, db, users):
    owner = users.add("asker")
    job_id = runner.enqueue("steps", owner.id, {"steps": 4, "file": True})
    assert job(db, job_id).state == "queued" and job(db, job_id).task_id
    consumer.start()
    ended = wait(db, job_id)
    assert (ended.state, ended.done, ended.total, ended.owner_id) == ("done", 4, 4, owner.id)
    assert ended.result == "шагов: 4" and ended.progress == 1.0
    assert Path(ended.file_path).read_text() == "готово"
    assert ended.seconds is not None and ended.seconds >= 0


def test_a_failing_job_records_its_error_and_loses_its_file(runner, consumer, db):
    job_id = runner.enqueue("steps", None, {"steps": 3, "fail_at": 2})
    consumer.start()
    ended = wait(db, job_id)
    assert ended.state == "failed" and ended.done == 1
    assert ended.error == "ValueError: шаг 2 не удался" and ended.file_path is None


def test_an_unknown_kind_is_refused_and_a_stranger_task_fails(runner, db):
    with pytest.raises(ValueError, match="не известен"):
        runner.enqueue("nothing", None)
    with db.session() as session:
        job_id = records.record(session, "elsewhere", None).id
    runner.execute(job_id)
    ended = job(db, job_id)
    assert ended.state == "failed" and "«elsewhere» не известен" in ended.error


def test_a_queued_job_is_cancelled_at_once_and_never_runs(runner, consumer, db, steps, users):
    owner = users.add("mine")
    stranger = users.add("other")
    job_id = runner.enqueue("steps", owner.id)
    with db.session() as session, pytest.raises(NotFound):
        records.request_cancel(session, job_id, stranger.id, admin=False)
    with db.session() as session:
        cancelled = records.request_cancel(session, job_id, owner.id, admin=False)
        assert (cancelled.state, cancelled.error) == ("cancelled", records.CANCELLED)
    consumer.start()  # its task is still queued: taken, and left alone
    time.sleep(0.5)
    assert job(db, job_id).state == "cancelled" and steps.runs == []
    with db.session() as session, pytest.raises(Conflict, match="уже закончено"):
        records.request_cancel(session, job_id, owner.id, admin=False)


def test_a_running_job_stops_at_its_next_report(runner, consumer, db, steps):
    job_id = runner.enqueue("steps", None, {"steps": 200, "pause": 0.02})
    consumer.start()
    assert steps.started.wait(10)
    with db.session() as session:
        asked = records.request_cancel(session, job_id, 0, admin=True)
        assert asked.state == "running" and asked.cancel_requested
    ended = wait(db, job_id)
    assert ended.state == "cancelled" and 0 < ended.done < 200


def test_a_stale_job_is_interrupted_and_a_repeatable_one_runs_again(runner, consumer, db, steps):
    again_id = runner.enqueue("steps", None, {"steps": 2})
    once_id = runner.enqueue("once", None)
    last_id = runner.enqueue("steps", None)
    runner.queue.flush()  # the tasks were taken by a worker that then died
    with db.session() as session:
        for job_id in (again_id, once_id, last_id):
            records.claim(session, job_id)
        session.execute(update(Job).where(Job.id == last_id).values(attempt=records.MAX_ATTEMPTS))
    for job_id in (again_id, once_id, last_id):
        age(db, job_id, 6, heartbeat_at=True)
    fresh = runner.enqueue("steps", None)  # beating (queued): not stale
    runner.queue.flush()
    rerun = runner.resume()
    assert len(rerun) == 1
    for job_id in (again_id, once_id, last_id):
        assert job(db, job_id).state == "interrupted"
    assert job(db, again_id).error == records.RERUN.format(rerun[0])
    assert job(db, once_id).error == records.INTERRUPTED
    follow = job(db, rerun[0])
    assert (follow.state, follow.rerun_of, follow.attempt, follow.params) == (
        "queued", again_id, 2, {"steps": 2}
    )  # fmt: skip
    assert job(db, fresh).state == "queued"
    assert runner.resume() == []  # the same dead job is not repeated twice
    consumer.start()
    assert wait(db, rerun[0]).state == "done" and steps.runs == [rerun[0]]


def test_a_queued_job_whose_task_was_lost_is_queued_again(runner, consumer, db):
    job_id = runner.enqueue("steps", None)
    runner.queue.flush()  # the queue's file was lost
    assert runner.resume() == []  # younger than the stale time: its task may still come
    age(db, job_id, 6, created_at=True)
    assert runner.resume() == [job_id]
    consumer.start()
    assert wait(db, job_id).state == "done"


def test_generated_files_are_deleted_after_the_keeping_time(runner, db, job_settings):
    job_id = runner.enqueue("steps", None, {"steps": 1, "file": True})
    runner.queue.flush()
    runner.execute(job_id)
    path = Path(job(db, job_id).file_path)
    assert path.exists()
    runner.resume()
    assert path.exists()
    age(db, job_id, (job_settings.jobs_keep_hours + 1) * 60, finished_at=True)
    runner.resume()
    assert not path.exists() and job(db, job_id).file_path is None
    assert job(db, job_id).state == "done"


def test_a_job_done_in_the_process_is_recorded(db):
    with running(db.sessions, "warm-up") as handle:
        assert job(db, handle.job_id).state == "running"
        handle.result = "загружено"
    done = job(db, handle.job_id)
    assert (done.state, done.result, done.owner_id) == ("done", "загружено", None)
    with pytest.raises(RuntimeError), running(db.sessions, "warm-up") as failing:
        raise RuntimeError("нет модели")
    failed = job(db, failing.job_id)
    assert (failed.state, failed.error) == ("failed", "RuntimeError: нет модели")


def test_jobs_are_counted_by_state(db):
    with db.session() as session:
        for state in ("queued", "queued", "done"):
            recorded = records.record(session, "steps", None)
            recorded.state = state
        assert records.jobs_by_state(session) == {"queued": 2, "done": 1}
