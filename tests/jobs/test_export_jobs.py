"""Exports as jobs: who may queue one and download its file (the owner and administrators), the
file equal to the direct download, bad kinds and formats refused at once, and progress reported
while the records are written."""

import csv
import io
import time

import pytest

from promcluster.imports import exports
from promcluster.jobs import records

API = "/api/v1"
ROLES = ("admin", "cluster_manager", "enterprise_rep", "anonymous")


@pytest.fixture
def people(db, users):
    """One user of each role (HTTP Basic credentials) and a few enterprises to export."""
    cluster = db.add_cluster(name="Кластер выгрузки")
    firm = db.add_enterprise(name="ООО «Выгрузка»", region_code="72")
    for n in range(5):
        db.add_enterprise(name=f"АО «Завод {n}»", region_code="72" if n % 2 else "66")
    return {
        "admin": users.add("export-admin"),
        "cluster_manager": users.add("export-manager", "cluster_manager", clusters=[cluster]),
        "enterprise_rep": users.add("export-rep", "enterprise_rep", enterprise=firm),
    }


def finished(http, job_id: int, credentials) -> dict:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        shown = http.get(f"{API}/jobs/{job_id}", auth=credentials).json()
        if shown["state"] not in ("queued", "running"):
            return shown
        time.sleep(0.1)
    raise AssertionError(f"export job {job_id} did not end: {shown}")


def rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("role", ROLES)
def test_any_signed_in_user_queues_an_export_and_downloads_it(client, people, role):
    credentials = None if role == "anonymous" else people[role].auth
    answer = client.post(f"{API}/export/enterprises.csv?region=72", auth=credentials)
    if role == "anonymous":
        assert answer.status_code == 401
        return
    assert answer.status_code == 202, answer.text
    job = finished(client, answer.json()["id"], credentials)
    assert (job["state"], job["kind_label"]) == ("done", "выгрузка в файл"), job
    assert job["total"] == job["done"] == 3
    download = client.get(job["file_url"], auth=credentials)
    assert download.status_code == 200
    assert 'filename="enterprises.csv"' in download.headers["content-disposition"]
    direct = client.get(f"{API}/export/enterprises.csv?region=72", auth=credentials)
    assert rows(download.content) == rows(direct.content)
    assert len(rows(download.content)) == 1 + 3


def test_only_the_owner_and_administrators_download_the_file(client, people):
    owner = people["enterprise_rep"].auth
    job_id = client.post(f"{API}/export/enterprises.xlsx", auth=owner).json()["id"]
    assert finished(client, job_id, owner)["state"] == "done"
    url = f"{API}/jobs/{job_id}/file"
    assert client.get(url, auth=people["cluster_manager"].auth).status_code == 404
    assert client.get(url).status_code == 401
    assert client.get(url, auth=people["admin"].auth).status_code == 200
    assert client.get(url, auth=owner).content[:2] == b"PK"  # an XLSX (ZIP) file


def test_no_file_before_the_job_is_done(client, people, db, tmp_path):
    admin = people["admin"].auth
    started = tmp_path / "half.csv"
    started.write_text("ИНН;Наименование\n")
    with db.session() as session:
        job = records.record(session, "export", people["admin"].id, {"kind": "needs"})
        job.state, job.file_path = "running", str(started)
        job_id = job.id
    answer = client.get(f"{API}/jobs/{job_id}/file", auth=admin)
    assert answer.status_code == 404
    assert answer.json()["detail"] == f"у задания №{job_id} нет готового файла"


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        (f"{API}/export/unicorns.csv", 422, "нет вида данных «unicorns»"),
        (f"{API}/export/enterprises.pdf", 422, "csv"),
        (f"{API}/export/enterprises.csv?cluster_id=-1", 422, "cluster_id"),
    ],
)
def test_bad_exports_are_refused_before_any_job(client, people, db, url, status, words):
    answer = client.post(url, auth=people["admin"].auth)
    assert answer.status_code == status, answer.text
    assert words in answer.text
    listed = client.get(f"{API}/jobs", auth=people["admin"].auth).json()
    assert listed == []


def test_progress_is_reported_while_records_are_written(db, people, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    seen: list[int] = []
    with db.session() as session:
        written = exports.export(session, "enterprises", tmp_path / "e.csv", None, seen.append)
        assert exports.count(session, "enterprises") == written == 6
    assert seen == [2, 4, 6]
