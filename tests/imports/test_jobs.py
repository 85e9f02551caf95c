"""Imports as jobs of the queue (issue 18, docs/adr/0011-jobs-with-huey.md): the upload request
returns at once and a worker elsewhere runs the import (a real ``promcluster worker`` process,
or a real Huey consumer thread over a SQLite queue in a temporary directory); a job no worker
took yet is cancelled at once; a dead worker's run is marked interrupted and resumed by a new
run, whose upload is deleted when it ends; a task the queue lost is enqueued again."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from factories import SESSION_COOKIE, TEST_SECRET_KEY, TEST_TILES, csrf_from
from fastapi.testclient import TestClient
from sqlalchemy import update

from promcluster.app import create_app
from promcluster.config import Settings
from promcluster.db import utcnow
from promcluster.imports.jobs import ImportJobs
from promcluster.imports.models import ImportRun
from promcluster.imports.runs import MAX_ATTEMPTS
from promcluster.jobs import EmbeddedConsumer, open_queue
from promcluster.web.deps import CSRF_HEADER

from .kit import HEADER, csv_bytes, enterprise_rows, import_run, run, stored_inns, write_csv

API = "/api/v1"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def job_settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings of a web server that runs no consumer itself (``jobs_embedded`` false), with
    its queue and uploads in this test's directory."""
    return Settings(
        _env_file=None,
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        tile_url=TEST_TILES,
        anonymous_expensive_per_minute=0,
        jobs_file=tmp_path / "jobs.db",
        jobs_embedded=False,
        jobs_poll_seconds=0.1,
        upload_dir=tmp_path / "uploads",
    )


@pytest.fixture
def web(db, admin, job_settings) -> Iterator[TestClient]:
    """The administrator's HTTP client of that web server."""
    app = create_app(job_settings)
    with TestClient(app) as http:
        http.cookies.set(SESSION_COOKIE, admin.cookie)
        http.headers[CSRF_HEADER] = admin.csrf
        yield http
    app.state.engine.dispose()


@pytest.fixture
def worker(job_settings: Settings, db) -> Iterator[EmbeddedConsumer]:
    """A consumer as ``promcluster worker`` builds it (its own queue object and import tasks
    over the same file), in threads of this process; started by the test."""
    queue = open_queue(job_settings)
    ImportJobs(queue, db.sessions, job_settings)
    consumer = EmbeddedConsumer(queue, workers=1, poll_seconds=0.1)
    yield consumer
    consumer.stop()


def _upload(web: TestClient, rows: int, name: str = "заводы.csv") -> dict:
    body = csv_bytes([HEADER, *enterprise_rows(rows)])
    answer = web.post(
        f"{API}/imports", data={"kind": "enterprises"}, files={"file": (name, body, "text/csv")}
    )
    assert answer.status_code == 202, answer.text
    return answer.json()


def _wait(db, run_id: int, seconds: float = 20) -> ImportRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = import_run(db, run_id)
        if run.status != "running":
            return run
        time.sleep(0.05)
    raise AssertionError(f"import {run_id} did not finish")


def _uploads(settings: Settings) -> list[Path]:
    return list(settings.upload_dir.glob("promcluster-*")) if settings.upload_dir.exists() else []


def test_the_request_returns_at_once_and_a_worker_process_runs_the_job(
    web, db, job_settings, database_url
):
    shown = _upload(web, 3)
    assert (shown["status"], shown["queued"], shown["created"]) == ("running", True, 0)
    time.sleep(0.5)  # no consumer anywhere: the job waits, nothing is written
    assert import_run(db, shown["id"]).queued and stored_inns(db) == []
    assert "в очереди" in web.get(f"/imports/{shown['id']}").text
    assert len(_uploads(job_settings)) == 1

    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "PROMCLUSTER_DATABASE_URL": database_url,
        "PROMCLUSTER_JOBS_FILE": str(job_settings.jobs_file),
        "PROMCLUSTER_JOBS_POLL_SECONDS": "0.1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "promcluster.cli", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        run = _wait(db, shown["id"])
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0].decode()
    assert (run.status, run.created, run.picked_at is not None) == ("done", 3, True), output
    assert len(stored_inns(db)) == 3
    assert _uploads(job_settings) == [] and run.upload_path is None
    assert process.returncode == 0, output


def test_a_job_no_worker_took_is_cancelled_at_once_and_never_runs(web, db, job_settings, worker):
    shown = _upload(web, 2)
    page = web.get(f"/imports/{shown['id']}").text
    sent = web.post(
        f"/imports/{shown['id']}/cancel",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    run = import_run(db, shown["id"])
    assert (run.status, run.upload_path) == ("cancelled", None)
    assert "отменена пользователем" in run.message
    assert _uploads(job_settings) == []
    worker.start()  # the task is still in the queue: the worker takes it and leaves it be
    time.sleep(0.6)
    assert import_run(db, shown["id"]).status == "cancelled" and stored_inns(db) == []
    assert web.post(f"{API}/imports/{shown['id']}/cancel").status_code == 409


def test_a_running_job_is_cancelled_between_batches(web, db, job_settings, worker):
    shown = _upload(web, 4)
    with db.sessions() as session, session.begin():  # the owner asked before the first batch
        session.execute(
            update(ImportRun).where(ImportRun.id == shown["id"]).values(cancel_requested=True)
        )
    worker.start()
    run = _wait(db, shown["id"])
    assert (run.status, run.created, run.picked_at is not None) == ("cancelled", 0, True)
    assert stored_inns(db) == [] and _uploads(job_settings) == []


def _died_while_running(db, run_id: int, attempt: int = 1) -> None:
    """What a worker killed in the middle of ``run_id`` leaves behind: taken, upload kept,
    heartbeat stopped half an hour ago."""
    long_ago = utcnow() - timedelta(minutes=30)
    with db.sessions() as session, session.begin():
        session.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(picked_at=long_ago, heartbeat_at=long_ago, attempt=attempt)
        )


def test_a_dead_workers_run_is_interrupted_and_resumed_by_a_new_run(
    web, db, job_settings, worker, tmp_path
):
    rows = enterprise_rows(5)
    body = csv_bytes([HEADER, *rows])
    answer = web.post(
        f"{API}/imports",
        data={"kind": "enterprises"},
        files={"file": ("пять.csv", body, "text/csv")},
    )
    first = answer.json()["id"]
    # The dead worker had written two rows; its task left the queue with it.
    assert run(db, "enterprises", write_csv(tmp_path / "две.csv", [HEADER, *rows[:2]])).created
    open_queue(job_settings).flush()
    _died_while_running(db, first)
    # The page, polled meanwhile, does not end a run the consumer will resume.
    assert web.get(f"{API}/imports/{first}").json()["status"] == "running"

    worker.start()  # its first act: resume the dead runs (and re-enqueue the lost task)
    old = _wait(db, first)
    assert old.status == "interrupted" and old.upload_path is None
    follow_id = int(old.message.rsplit("№", 1)[1])
    assert "файл загружается снова" in old.message
    follow = _wait(db, follow_id)
    assert (follow.status, follow.resumed_from, follow.attempt) == ("done", first, 2)
    assert (follow.created, follow.unchanged) == (3, 2)  # the rows kept count as unchanged
    assert sorted(stored_inns(db)) == sorted(r[0] for r in rows)
    assert _uploads(job_settings) == []
    page = web.get(f"/imports/{follow_id}").text
    assert f'href="/imports/{first}"' in page and "попытка 2" in page


def test_a_run_that_killed_its_worker_too_often_is_not_resumed(web, db, job_settings, worker):
    first = _upload(web, 2)["id"]
    open_queue(job_settings).flush()
    _died_while_running(db, first, attempt=MAX_ATTEMPTS)
    worker.start()
    old = _wait(db, first)
    assert old.status == "interrupted" and "загрузите файл снова" in old.message
    assert _uploads(job_settings) == [] and stored_inns(db) == []
    assert db.count("import_runs") == 1


def test_a_waiting_job_whose_task_was_lost_is_enqueued_again(web, db, job_settings, worker):
    run_id = _upload(web, 2)["id"]
    open_queue(job_settings).flush()  # e.g. the queue file was deleted
    long_ago = utcnow() - timedelta(minutes=30)
    with db.sessions() as session, session.begin():
        session.execute(update(ImportRun).where(ImportRun.id == run_id).values(started_at=long_ago))
    worker.start()
    run = _wait(db, run_id)
    assert (run.status, run.created, run.attempt) == ("done", 2, 1)


def test_a_job_whose_upload_the_worker_cannot_see_fails_saying_so(web, db, job_settings, worker):
    run_id = _upload(web, 2)["id"]
    for path in _uploads(job_settings):
        path.unlink()
    worker.start()
    run = _wait(db, run_id)
    assert run.status == "failed" and "PROMCLUSTER_UPLOAD_DIR" in run.message
