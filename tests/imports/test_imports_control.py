"""Who may start, follow and stop an import (issue 16): the role's right to the kind is checked
before the upload is saved; the owner or an administrator cancels a running import, which stops
between batches keeping the finished ones; a run whose worker died is shown as interrupted and
its temporary upload deleted."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from factories import csrf_from, inn10
from fastapi.testclient import TestClient
from sqlalchemy import update

from promcluster import labels
from promcluster.auth.audit import Actor
from promcluster.auth.models import User
from promcluster.db import utcnow
from promcluster.imports import official, service
from promcluster.imports.access import IMPORT_ROLES
from promcluster.imports.columns import KINDS
from promcluster.imports.models import ImportRun

from .kit import HEADER, enterprise_rows, import_run, write_csv

API = "/api/v1"
ROLES = ("admin", "cluster_manager", "enterprise_rep", "anonymous")
# Who may import each kind at all: the rule, written out independently of the code.
ALLOWED = {
    "enterprises": {"admin", "cluster_manager", "enterprise_rep"},
    "members": {"admin", "cluster_manager"},
    "products": {"admin", "cluster_manager", "enterprise_rep"},
    "supplies": {"admin", "cluster_manager", "enterprise_rep"},
    "projects": {"admin", "cluster_manager"},
    "needs": {"admin", "cluster_manager", "enterprise_rep"},
    "figures": {"admin", "cluster_manager", "enterprise_rep"},
    "emiss": {"admin", "cluster_manager"},
    "fns-sme": {"admin"},
    "fns-headcount": {"admin"},
    "fns-revenue": {"admin"},
    "procurement": {"admin"},
    "gisp-products": {"admin", "cluster_manager"},
}


def _uploads(settings) -> set[str]:
    """The uploads kept for jobs (the suite's ``upload_dir``, a temporary directory)."""
    folder = settings.upload_dir
    return {p.name for p in folder.glob("promcluster-*")} if folder.exists() else set()


def _wait(db, run_id: int) -> ImportRun:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        run = import_run(db, run_id)
        if run.status != "running":
            return run
        time.sleep(0.05)
    raise AssertionError(f"import {run_id} did not finish")


def _account(db, users, role: str):
    """HTTP Basic credentials of a user of ``role`` (None for anonymous)."""
    if role == "anonymous":
        return None
    cluster = db.add_cluster(name="Кластер загрузок", region_codes=["72"])
    firm = db.add_enterprise(name="ООО «Своё»", region_code="72")
    clusters = [cluster] if role == "cluster_manager" else []
    enterprise = firm if role == "enterprise_rep" else None
    return users.add(f"importer-{role}", role=role, clusters=clusters, enterprise=enterprise).auth


def test_the_rule_covers_every_kind():
    assert set(IMPORT_ROLES) == set(KINDS) | set(official.KINDS) == set(ALLOWED)


@pytest.mark.parametrize("kind", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_the_kind_is_checked_before_the_upload_is_saved(client, db, users, settings, role, kind):
    auth = _account(db, users, role)
    before = _uploads(settings)
    body = "\n".join([";".join(HEADER), f"{inn10('720400077')};ООО «Права»;72"]).encode()
    answer = client.post(
        f"{API}/imports",
        data={"kind": kind},
        files={"file": ("права.csv", body, "text/csv")},
        auth=auth,
    )
    if role == "anonymous":
        assert answer.status_code == 401
    elif role in ALLOWED[kind]:
        assert answer.status_code == 202, answer.text
        _wait(db, answer.json()["id"])
        return
    else:
        assert answer.status_code == 403
        assert f"загружать {labels.IMPORT_KINDS[kind]}" in answer.json()["detail"]
    assert db.count("import_runs") == 0
    assert _uploads(settings) - before == set()


def test_the_upload_page_refuses_a_kind_before_saving(client, db, users, settings, login_as):
    firm = db.add_enterprise(name="ООО «Своё»", region_code="72")
    rep = users.add("rep-page", role="enterprise_rep", enterprise=firm)
    http = login_as(rep)
    token = csrf_from(http.get("/imports").text)
    before = _uploads(settings)
    answer = http.post(
        "/imports",
        data={"kind": "projects", "csrf_token": token},
        files={"file": ("проекты.csv", b"x", "text/csv")},
    )
    assert answer.status_code == 403
    assert "загружать инвестиционные проекты" in answer.text
    assert db.count("import_runs") == 0 and _uploads(settings) - before == set()


def test_a_representative_bound_to_no_enterprise_may_import_nothing(client, db, users):
    firm = db.add_enterprise(name="ООО «Бывшее»", region_code="72")
    rep = users.add("rep-unbound", role="enterprise_rep", enterprise=firm)
    with db.sessions() as session, session.begin():  # its enterprise was removed meanwhile
        session.execute(update(User).where(User.id == rep.id).values(enterprise_id=None))
    answer = client.post(
        f"{API}/imports",
        data={"kind": "products"},
        files={"file": ("п.csv", b"x", "text/csv")},
        auth=rep.auth,
    )
    assert answer.status_code == 403
    assert "не привязана к предприятию" in answer.json()["detail"]


# Cancel


def _running(db, user_id: int | None, name: str = "manager") -> int:
    return service.start_run(db.sessions, "enterprises", "файл.csv", Actor(name, user_id))


CANCEL_ACCESS = {
    "anonymous": 401,
    "admin": 200,
    "owner": 200,
    "another manager": 404,
    "representative": 404,
}


@pytest.mark.parametrize("who", list(CANCEL_ACCESS))
def test_who_may_cancel_a_run(client, db, users, who):
    cluster = db.add_cluster(name="Кластер отмены", region_codes=["72"])
    firm = db.add_enterprise(name="ООО «Отмена»", region_code="72")
    owner = users.add("owner", role="cluster_manager", clusters=[cluster])
    accounts = {
        "anonymous": None,
        "admin": users.add("admin-2", role="admin").auth,
        "owner": owner.auth,
        "another manager": users.add("other", role="cluster_manager", clusters=[cluster]).auth,
        "representative": users.add("rep-c", role="enterprise_rep", enterprise=firm).auth,
    }
    run_id = _running(db, owner.id, "owner")
    answer = client.post(f"{API}/imports/{run_id}/cancel", auth=accounts[who])
    assert answer.status_code == CANCEL_ACCESS[who], answer.text
    assert import_run(db, run_id).cancel_requested is (CANCEL_ACCESS[who] == 200)
    if answer.status_code == 200:
        assert answer.json()["cancel_requested"] is True


def test_cancelling_an_ended_run_is_a_conflict(admin_client, db):
    run_id = _running(db, None)
    with db.sessions() as session, session.begin():
        session.execute(update(ImportRun).where(ImportRun.id == run_id).values(status="done"))
    answer = admin_client.post(f"{API}/imports/{run_id}/cancel")
    assert answer.status_code == 409
    assert "уже закончена" in answer.json()["detail"]


def test_a_cancelled_import_stops_between_batches_keeping_the_finished_ones(
    admin_client, db, tmp_path
):
    path = write_csv(tmp_path / "шесть.csv", [HEADER, *enterprise_rows(6)])
    run_id = service.start_run(db.sessions, "enterprises", path.name, Actor("admin"), path)
    asked = []

    def cancel_after_the_first_batch(run: ImportRun) -> None:
        if not asked:
            asked.append(admin_client.post(f"{API}/imports/{run.id}/cancel").status_code)

    done = service.run_import(
        db.sessions,
        "enterprises",
        path,
        actor=Actor("admin"),
        run_id=run_id,
        batch_size=2,
        on_batch=cancel_after_the_first_batch,
    )
    assert asked == [200]
    assert (done.status, done.created, done.rows_read) == ("cancelled", 2, 2)
    assert "отменена пользователем" in done.message
    assert db.count("enterprises") == 2
    assert not path.exists()  # the upload is deleted whatever the end
    assert admin_client.get(f"{API}/imports/{run_id}").json()["status"] == "cancelled"


def test_the_run_page_cancels_through_a_csrf_protected_form(admin_client, db):
    run_id = _running(db, None)
    page = admin_client.get(f"/imports/{run_id}").text
    assert f'action="/imports/{run_id}/cancel"' in page
    assert "onclick" not in page and "<script>" not in page
    no_token = admin_client.post(f"/imports/{run_id}/cancel", data={}, follow_redirects=False)
    assert no_token.status_code == 403
    assert import_run(db, run_id).cancel_requested is False
    sent = admin_client.post(
        f"/imports/{run_id}/cancel", data={"csrf_token": csrf_from(page)}, follow_redirects=False
    )
    assert sent.status_code == 303
    assert import_run(db, run_id).cancel_requested is True
    assert "Отмена запрошена" in admin_client.get(f"/imports/{run_id}").text


# Liveness


def _stale(db, tmp_path, minutes: int = 30) -> tuple[int, Path]:
    upload = tmp_path / "promcluster-upload.csv"
    upload.write_bytes(b"x")
    run_id = _running(db, None)
    with db.sessions() as session, session.begin():
        session.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(heartbeat_at=utcnow() - timedelta(minutes=minutes), upload_path=str(upload))
        )
    return run_id, upload


def test_a_run_whose_worker_died_is_shown_interrupted_and_its_upload_deleted(
    admin_client, db, tmp_path
):
    run_id, upload = _stale(db, tmp_path)
    alive = _running(db, None)
    shown = admin_client.get(f"{API}/imports/{run_id}").json()
    assert shown["status"] == "interrupted"
    assert "перестал отвечать" in shown["message"]
    assert not upload.exists()
    stored = import_run(db, run_id)
    assert (stored.status, stored.upload_path) == ("interrupted", None)
    assert stored.finished_at is not None
    assert import_run(db, alive).status == "running"


def test_the_list_page_sweeps_stale_runs(admin_client, db, tmp_path):
    run_id, upload = _stale(db, tmp_path)
    page = admin_client.get("/imports").text
    assert "прерван" in page
    assert import_run(db, run_id).status == "interrupted" and not upload.exists()


def test_stale_runs_are_swept_at_start_up(app, db, tmp_path):
    run_id, upload = _stale(db, tmp_path)
    with TestClient(app):
        pass
    assert import_run(db, run_id).status == "interrupted" and not upload.exists()


def test_a_finished_web_upload_leaves_no_temporary_file(admin_client, db, settings):
    before = _uploads(settings)
    body = "\n".join([";".join(HEADER), f"{inn10('720400088')};ООО «Чисто»;72"]).encode()
    answer = admin_client.post(
        f"{API}/imports",
        data={"kind": "enterprises"},
        files={"file": ("чисто.csv", body, "text/csv")},
    )
    run = _wait(db, answer.json()["id"])
    assert run.status == "done" and run.upload_path is None
    assert _uploads(settings) - before == set()
