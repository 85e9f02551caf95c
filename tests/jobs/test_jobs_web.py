"""The jobs page and API: who may call each route (administrator, cluster manager, enterprise
representative, anonymous visitor), what the page shows (Russian labels, owner, progress,
duration, cancel), search reindexing queued from the API and the command line and run by the
web application's own consumer, and the server's warm-up recorded as a job."""

import threading
import time

import pytest
from factories import check_full_text
from sqlalchemy import delete, func, select, text
from typer.testing import CliRunner

from promcluster.cli import app as cli
from promcluster.jobs import records
from promcluster.jobs.models import Job
from promcluster.matching.models import SearchDocument
from promcluster.registry.models import Enterprise
from promcluster.served import WARM_UP, warm_up
from promcluster.web.deps import CSRF_HEADER

API = "/api/v1"
ROLES = ("admin", "cluster_manager", "enterprise_rep", "anonymous")


@pytest.fixture
def people(db, users):
    """One user of each role (HTTP Basic credentials), and the representative's own job."""
    cluster = db.add_cluster(name="Кластер заданий")
    firm = db.add_enterprise(name="ООО «Задание»")
    accounts = {
        "admin": users.add("jobs-admin"),
        "cluster_manager": users.add("jobs-manager", "cluster_manager", clusters=[cluster]),
        "enterprise_rep": users.add("jobs-rep", "enterprise_rep", enterprise=firm),
    }
    return accounts


def own_job(db, owner_id: int | None, state: str = "queued") -> int:
    with db.session() as session:
        job = records.record(session, "search-reindex", owner_id, {"missing": True})
        job.state = state
        return job.id


def auth(people, role: str):
    return None if role == "anonymous" else people[role].auth


def wait(http, job_id: int, credentials=None) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        shown = http.get(f"{API}/jobs/{job_id}", auth=credentials).json()
        if shown["state"] not in ("queued", "running"):
            return shown
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end: {shown}")


# Who may call what


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_list_jobs(client, people, db, role):
    job_id = own_job(db, people["enterprise_rep"].id)
    answer = client.get(f"{API}/jobs", auth=auth(people, role))
    expected = {"admin": 200, "anonymous": 401}.get(role, 403)
    assert answer.status_code == expected, answer.text
    if role == "admin":
        (shown,) = answer.json()
        assert (shown["id"], shown["owner"], shown["kind_label"], shown["state_label"]) == (
            job_id, "jobs-rep", "перестроение поискового индекса", "в очереди"
        )  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_a_job_is_read_by_its_owner_and_administrators(client, people, db, role):
    job_id = own_job(db, people["enterprise_rep"].id, "done")
    answer = client.get(f"{API}/jobs/{job_id}", auth=auth(people, role))
    expected = {"admin": 200, "enterprise_rep": 200, "cluster_manager": 404, "anonymous": 401}
    assert answer.status_code == expected[role], answer.text
    if role == "cluster_manager":
        assert answer.json()["detail"] == f"задание №{job_id} не найдено"


@pytest.mark.parametrize("role", ROLES)
def test_a_job_is_cancelled_by_its_owner_and_administrators(client, people, db, role):
    job_id = own_job(db, people["enterprise_rep"].id)
    answer = client.post(f"{API}/jobs/{job_id}/cancel", auth=auth(people, role))
    expected = {"admin": 200, "enterprise_rep": 200, "cluster_manager": 404, "anonymous": 401}
    assert answer.status_code == expected[role], answer.text
    with db.session() as session:
        state = session.get(Job, job_id).state
    assert state == ("cancelled" if expected[role] == 200 else "queued")
    if expected[role] == 200:
        again = client.post(f"{API}/jobs/{job_id}/cancel", auth=auth(people, role))
        assert again.status_code == 409 and "уже закончено" in again.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_queue_a_search_reindex(client, people, db, role):
    answer = client.post(f"{API}/jobs/search-reindex", json={}, auth=auth(people, role))
    expected = {"admin": 202, "anonymous": 401}.get(role, 403)
    assert answer.status_code == expected, answer.text
    assert db.count("jobs") == (1 if role == "admin" else 0)
    if role != "admin" and role != "anonymous":
        assert answer.json()["detail"] == "это действие доступно только администратору"


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_see_the_jobs_page_and_use_its_forms(
    client, people, db, login_as, role
):
    job_id = own_job(db, people["enterprise_rep"].id)
    if role == "anonymous":
        http, token = client, "x"
        assert client.get("/jobs", follow_redirects=False).headers["location"].startswith("/login")
    else:
        http = login_as(people[role])
        token = http.headers[CSRF_HEADER]
        assert http.get("/jobs").status_code == (200 if role == "admin" else 403)
    reindex = http.post("/jobs/search-reindex", data={"csrf_token": token}, follow_redirects=False)
    cancel = http.post(f"/jobs/{job_id}/cancel", data={"csrf_token": token}, follow_redirects=False)
    expected = 303 if role == "admin" else 403
    assert (reindex.status_code, cancel.status_code) == (expected, expected)
    with db.session() as session:
        states = session.scalars(select(Job.state).order_by(Job.id)).all()
    # The administrator's reindex was queued (and may have run already); the job cancelled.
    assert states[0] == ("cancelled" if role == "admin" else "queued")
    assert len(states) == (2 if role == "admin" else 1)


def test_the_admin_link_is_shown_to_administrators_only(admin_client, people, login_as):
    assert 'href="/jobs"' in admin_client.get("/").text
    assert 'href="/jobs"' not in login_as(people["cluster_manager"]).get("/").text


# What the page and the API show


def test_the_page_shows_kinds_owners_states_progress_and_duration(admin_client, people, db):
    rep = people["enterprise_rep"]
    with db.session() as session:
        running = records.record(session, "search-reindex", rep.id, total=200, running=True)
        running.done = 50
        warm = records.record(session, "warm-up", None, running=True)
        session.flush()
        records.finish(session, warm.id, "done", "процесс 1: загружено")
        failed = records.record(session, "export", rep.id, running=True)
        session.flush()
        records.finish(session, failed.id, "failed", error="ValueError: нет данных")
        running_id = running.id
    page = admin_client.get("/jobs").text
    for shown in (
        "перестроение поискового индекса", "прогрев сервера", "выгрузка в файл", "jobs-rep",
        "система", "выполняется", "завершено", "ошибка", "25\u00a0%", "50 из 200",
        "процесс 1: загружено", "ValueError: нет данных",
    ):  # fmt: skip
        assert shown in page, shown
    assert "search-reindex" not in page.split("<table")[1]  # labels, not raw kinds
    assert page.count("Отменить") == 1 and f'action="/jobs/{running_id}/cancel"' in page
    filtered = admin_client.get("/jobs?state=failed").text.split("<tbody>")[1]
    assert "ValueError" in filtered and "прогрев сервера" not in filtered
    shown = admin_client.get(f"{API}/jobs/{running_id}").json()
    assert (shown["progress"], shown["done"], shown["total"], shown["owner"]) == (
        0.25, 50, 200, "jobs-rep"
    )  # fmt: skip
    assert shown["started_at"].endswith("Z") or shown["started_at"].endswith("+00:00")
    assert admin_client.get(f"{API}/jobs?state=done").json()[0]["kind"] == "warm-up"
    assert admin_client.get(f"{API}/jobs?limit=0").status_code == 422
    assert admin_client.get(f"{API}/jobs/999999999").status_code == 404


# Search reindexing as a job


def _break_the_index(db) -> tuple[list[int], int]:
    """Enterprises without documents, and a document whose enterprise is gone."""
    ids = [db.add_enterprise(name=f"ООО «Индекс {n}»") for n in range(3)]
    with db.session() as session:
        session.execute(delete(SearchDocument).where(SearchDocument.ref_id.in_(ids[:2])))
        session.execute(
            text(
                "INSERT INTO search_documents (kind, ref_id, enterprise_id, title, lemmas) "
                "VALUES ('enterprise', 999999, 999999, 'Пропавшее', 'пропавшее')"
            )
        )
    return ids, 999999


def _indexed(db) -> set[int]:
    with db.session() as session:
        query = select(SearchDocument.ref_id).where(SearchDocument.kind == "enterprise")
        return set(session.scalars(query))


def test_the_api_queues_a_reindex_that_the_web_consumer_runs(admin_client, db):
    ids, orphan = _break_the_index(db)
    answer = admin_client.post(f"{API}/jobs/search-reindex", json={"missing": False})
    assert answer.status_code == 202 and answer.json()["state"] in ("queued", "running")
    done = wait(admin_client, answer.json()["id"])
    with db.session() as session:
        enterprises = session.scalar(select(func.count(Enterprise.id)))
    assert done["state"] == "done" and done["total"] >= enterprises
    assert done["done"] == done["total"] and done["owner"] == "admin"
    assert f"enterprise: {enterprises}" in done["result"]
    assert set(ids) <= _indexed(db) and orphan not in _indexed(db)
    check_full_text(db.engine)  # what the SQL above did to SQLite's full-text index is repaired


def test_the_command_line_queues_a_reindex_of_the_missing_records(
    admin_client, db, database_url, settings, monkeypatch
):
    ids, orphan = _break_the_index(db)
    monkeypatch.setenv("PROMCLUSTER_UPLOAD_DIR", str(settings.upload_dir))
    result = CliRunner().invoke(
        cli, ["search", "reindex", "--missing", "--queue", "--database", database_url]
    )
    assert result.exit_code == 0, result.output
    assert "поставлено в очередь" in result.output
    with db.session() as session:
        job = session.scalars(select(Job).order_by(Job.id.desc())).first()
        assert (job.kind, job.owner_id, job.params) == ("search-reindex", None, {"missing": True})
    admin_client.post(f"{API}/jobs/999999999/cancel")  # any request: the consumer is awake
    done = wait(admin_client, job.id)
    assert done["state"] == "done" and done["owner"] is None and done["total"] == 2
    assert set(ids) <= _indexed(db) and orphan in _indexed(db)  # --missing only adds


def test_the_warm_up_is_recorded_as_a_job_and_readiness_follows_either_way(db, database_url):
    """The server's warm-up with a light loading step (the real one fits models for half a
    minute; tests/test_workers.py runs it): recorded «done», or «failed» with its error while
    /readyz still turns ready (what failed is computed at first use)."""
    ready = threading.Event()
    warm_up([database_url], ready, warm=lambda engine: None)
    assert ready.is_set()

    def broken(engine) -> None:
        raise RuntimeError("модель ниш не загружена")

    failed = threading.Event()
    warm_up([database_url], failed, warm=broken)
    assert failed.is_set()
    with db.session() as session:
        done, broke = session.scalars(select(Job).where(Job.kind == WARM_UP).order_by(Job.id))
        assert (done.state, done.owner_id) == ("done", None)
        assert "классификатор ОКПД2" in done.result and done.seconds >= 0
        assert (broke.state, broke.error) == ("failed", "RuntimeError: модель ниш не загружена")
