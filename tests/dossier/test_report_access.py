"""Who may open and post each route of the yearly report: every logged-in user reads the
report, the targets and the regional comparison; administrators and the cluster's own managers
change targets; anonymous visitors are sent to log in (401 from the API)."""

import pytest

from dossier.report_kit import csrf, post_target, roles, target_count, upload, workbook
from promcluster.dossier.models import ProgrammeTarget

READS = [
    "/clusters/{own}/targets",
    "/clusters/{own}/targets?year=2026",
    "/clusters/{own}/targets/template.xlsx",
    "/clusters/{own}/report?year=2024",
    "/clusters/{own}/report",
    "/clusters/{own}/report.docx?year=2024",
    "/clusters/{own}/report.xlsx?year=2024",
    "/regions/72/reports?year=2024",
    "/regions/72/reports.xlsx?year=2024",
]
API_READS = ["/api/v1/clusters/{own}/report?year=2024", "/api/v1/clusters/{own}/targets"]
ROLES = ("admin", "manager", "stranger", "rep")


@pytest.fixture
def world(db, users, login_as):
    return roles(db, users, login_as)


@pytest.mark.parametrize("path", READS)
def test_anonymous_visitors_are_sent_to_log_in(client, world, path):
    answer = client.get(path.format(own=world.own), follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=/")


@pytest.mark.parametrize("path", API_READS)
def test_anonymous_api_calls_are_refused(client, world, path):
    assert client.get(path.format(own=world.own)).status_code == 401


@pytest.mark.parametrize("path", READS + API_READS)
@pytest.mark.parametrize("role", ROLES)
def test_every_logged_in_role_reads(world, path, role):
    answer = getattr(world, role).get(path.format(own=world.own))
    assert answer.status_code == 200, answer.text[-300:]


@pytest.mark.parametrize(("role", "status"), [("admin", 303), ("manager", 303),
                                              ("stranger", 403), ("rep", 403)])  # fmt: skip
def test_who_sets_a_target_on_the_page(db, world, role, status):
    answer = post_target(getattr(world, role), world.own, indicator="members", year=2024, target=5)
    assert answer.status_code == status
    assert target_count(db) == (1 if status == 303 else 0)


@pytest.mark.parametrize(("role", "status"), [("admin", 303), ("manager", 303),
                                              ("stranger", 403), ("rep", 403)])  # fmt: skip
def test_who_imports_targets(db, world, role, status):
    answer = upload(getattr(world, role), world.own, workbook([["members", 2024, 5, None]]))
    assert answer.status_code == status
    assert target_count(db) == (1 if status == 303 else 0)


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("manager", 200),
                                              ("stranger", 403), ("rep", 403)])  # fmt: skip
def test_who_sets_a_target_through_the_api(db, world, role, status):
    body = {"indicator": "members", "year": 2024, "target": 5, "version": 0}
    answer = getattr(world, role).put(f"/api/v1/clusters/{world.own}/targets", json=body)
    assert answer.status_code == status
    assert target_count(db) == (1 if status == 200 else 0)


def test_edit_forms_only_for_those_who_may_edit(world):
    path = f"/clusters/{world.own}/targets?year=2024"
    assert 'class="target-form"' in world.manager.get(path).text
    assert 'class="target-form"' in world.admin.get(path).text
    for reader in (world.stranger, world.rep):
        page = reader.get(path).text
        assert 'class="target-form"' not in page and 'id="import"' not in page


def test_anonymous_posts_write_nothing(client, db, world):
    posted = client.post(f"/clusters/{world.own}/targets",
                         data={"indicator": "members", "year": "2024", "target": "5"},
                         follow_redirects=False)  # fmt: skip
    assert posted.status_code in (303, 403)
    files = {"file": ("t.xlsx", workbook([["members", 2024, 5, None]]), "application/xlsx")}
    imported = client.post(f"/clusters/{world.own}/targets/import", files=files,
                           follow_redirects=False)  # fmt: skip
    assert imported.status_code in (303, 403)
    body = {"indicator": "members", "year": 2024, "target": 5}
    assert client.put(f"/api/v1/clusters/{world.own}/targets", json=body).status_code == 401
    assert target_count(db) == 0


def test_a_form_without_its_csrf_token_is_refused(db, world):
    http = world.manager
    answer = http.post(f"/clusters/{world.own}/targets", follow_redirects=False,
                       data={"indicator": "members", "year": "2024", "target": "5",
                             "csrf_token": csrf(http)[::-1]})  # fmt: skip
    assert answer.status_code == 403
    with db.sessions() as session:
        assert session.query(ProgrammeTarget).count() == 0
