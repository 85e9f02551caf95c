"""The application package over HTTP: the page (missing list, preview, the generate form, the
versions with downloads), the ZIP download, the API, and who may reach each route —
administrators and the cluster's managers; others get 403, anonymous visitors the login form
(pages) or 401 (API)."""

import hashlib
import io
import re
import zipfile

import pytest
from factories import Database, Login
from fastapi.testclient import TestClient

from dossier.package_kit import small_cluster
from promcluster.web.deps import CSRF_FIELD, CSRF_HEADER

ROLES = ("admin", "manager", "other_manager", "representative", "anonymous")
ALLOWED = {"admin", "manager"}


@pytest.fixture
def world(db: Database, users, login_as, app, admin: Login):
    """The small cluster, one kept package, and an HTTP client per role."""
    small = small_cluster(db)
    elsewhere = db.add_cluster(name="Другой кластер")
    accounts = {
        "manager": users.add("manager", "cluster_manager", clusters=[small.cluster]),
        "other_manager": users.add("other", "cluster_manager", clusters=[elsewhere]),
        "representative": users.add("rep", "enterprise_rep", enterprise=small.members[0]),
    }
    clients = {role: login_as(account) for role, account in accounts.items()}
    clients["admin"] = login_as(admin)
    clients["anonymous"] = TestClient(app)
    clients["admin"].post(
        f"/api/v1/clusters/{small.cluster}/applications", json={"as_of": "2024-12-31"}
    )
    yield small, clients
    clients["anonymous"].close()


def form_post(http: TestClient, url: str, **fields):
    token = http.headers.get(CSRF_HEADER, "")
    return http.post(url, data={CSRF_FIELD: token, **fields}, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_admits_administrators_and_the_clusters_managers_only(world, role, db):
    small, clients = world
    http = clients[role]
    base = f"/clusters/{small.cluster}/application"
    api = f"/api/v1/clusters/{small.cluster}"
    before = db.count("application_packages")
    answers = {
        "page": http.get(base, follow_redirects=False),
        "zip": http.get(f"{base}/1.zip", follow_redirects=False),
        "form": form_post(http, base, as_of="2024-12-31"),
        "api preview": http.get(f"{api}/application"),
        "api versions": http.get(f"{api}/applications"),
        "api generate": http.post(f"{api}/applications", json={}),
    }
    made = db.count("application_packages") - before
    if role in ALLOWED:
        assert answers["page"].status_code == 200
        assert answers["zip"].status_code == 200
        assert answers["form"].status_code == 303
        assert answers["api preview"].status_code == 200
        assert answers["api versions"].status_code == 200
        assert answers["api generate"].status_code == 201
        assert made == 2
    elif role == "anonymous":
        for name in ("page", "zip", "form"):
            assert answers[name].status_code in (303, 403), name
        assert answers["page"].headers["location"].startswith("/login")
        assert answers["zip"].headers["location"].startswith("/login")
        for name in ("api preview", "api versions", "api generate"):
            assert answers[name].status_code == 401, name
        assert made == 0
    else:
        for name, answer in answers.items():
            assert answer.status_code == 403, (name, answer.status_code)
        assert made == 0


def test_the_page_lists_what_is_missing_first_and_generates_a_version(world):
    small, clients = world
    http = clients["manager"]
    page = http.get(f"/clusters/{small.cluster}/application")
    html = page.text
    assert html.index("Чего не хватает для полного пакета") < html.index("Сформировать пакет")
    assert "Не загружен документ: программа развития кластера." in html
    assert small.inns[0] in html
    assert 'data-version="1"' in html and f"/clusters/{small.cluster}/application/1.zip" in html
    made = form_post(http, f"/clusters/{small.cluster}/application", as_of="2024-06-30")
    assert made.status_code == 303 and "made=2" in made.headers["location"]
    after = http.get(made.headers["location"]).text
    assert 'data-made="2"' in after and 'data-version="2"' in after
    assert re.search(r'data-version="2">.*?30\.06\.2024.*?manager', after, re.S)


def test_the_download_is_an_attachment_whose_hash_is_the_versions(world):
    small, clients = world
    http = clients["admin"]
    answer = http.get(f"/clusters/{small.cluster}/application/1.zip")
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["x-content-type-options"] == "nosniff"
    versions = http.get(f"/api/v1/clusters/{small.cluster}/applications").json()
    assert versions[0]["number"] == 1
    assert hashlib.sha256(answer.content).hexdigest() == versions[0]["sha256"]
    assert "application.docx" in zipfile.ZipFile(io.BytesIO(answer.content)).namelist()
    assert http.get(f"/clusters/{small.cluster}/application/9.zip").status_code == 404


def test_bad_dates_are_refused_with_the_field_named(world, db):
    small, clients = world
    http = clients["admin"]
    before = db.count("application_packages")
    refused = http.post(
        f"/api/v1/clusters/{small.cluster}/applications", json={"as_of": "2999-01-01"}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "as_of"]
    assert (
        http.post(f"/api/v1/clusters/{small.cluster}/applications", json={"as_of": "x"}).status_code
        == 422
    )
    form = form_post(http, f"/clusters/{small.cluster}/application", as_of="31.12.2024")
    assert form.status_code == 303 and "error=" in form.headers["location"]
    shown = http.get(form.headers["location"]).text
    assert "Дата пакета: дата в виде ГГГГ-ММ-ДД" in shown
    assert db.count("application_packages") == before


@pytest.mark.parametrize("role", ROLES)
def test_the_cluster_page_links_the_package_for_those_allowed(world, role):
    small, clients = world
    html = clients[role].get(f"/clusters/{small.cluster}").text
    assert ("Пакет документов для реестра" in html) == (role in ALLOWED)


def test_odd_addresses_and_bodies_are_refused(world):
    small, clients = world
    http = clients["admin"]
    base = f"/clusters/{small.cluster}/application"
    assert http.get(f"{base}/0.zip").status_code == 422
    assert http.get(f"{base}/{2**40}.zip").status_code == 422
    assert http.get(f"{base}/x.zip").status_code == 422
    assert http.get(f"/clusters/{10**6}/application").status_code == 404
    extra = http.post(f"/api/v1/clusters/{small.cluster}/applications", json={"number": 5})
    assert extra.status_code == 422
    future = http.get(f"/api/v1/clusters/{small.cluster}/application?as_of=2999-01-01")
    assert future.status_code == 422 and future.json()["detail"][0]["loc"] == ["body", "as_of"]
