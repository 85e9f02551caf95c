"""A checklist mark cites an uploaded document of the cluster's dossier: through the API and the
report page's form, refused for another cluster's document, shown with its kind, number and
date in the report (page, JSON, workbook) — to the public only when the document is public —,
and open again when the document is deleted."""

import io
from datetime import date

import pytest
from factories import csrf_from
from openpyxl import load_workbook

from compliance.kit import Builder
from promcluster.documents.models import Document

PRIVATE = "документ досье (доступен участникам)"


def marks_url(cluster: int) -> str:
    return f"/api/v1/clusters/{cluster}/compliance/marks"


def item_of(report: dict, rule: str, key: str) -> dict:
    criterion = next(c for c in report["criteria"] if c["id"] == rule)
    return next(i for i in criterion["checklist"] if i["key"] == key)


def checklist_rows(content: bytes) -> dict[tuple[str, str], tuple]:
    rows = load_workbook(io.BytesIO(content))["Чек-лист"].iter_rows(min_row=2, values_only=True)
    return {(r[0], r[1]): r for r in rows}


@pytest.fixture
def cited(build: Builder, login_as, users) -> dict:
    """A cluster whose C5 «application» item cites a private programme and whose C6
    «programme» item cites a public one, ticked by the cluster's manager through the API."""
    cluster = build.cluster(name="Кластер с досье")
    private = build.document(
        cluster, kind="registry_application", title="Заявление о включении в реестр",
        number="17-з", signed_on=date(2024, 3, 1),
    )  # fmt: skip
    public = build.document(
        cluster, content=b"%PDF-1.7 public", title="Программа развития на 2024-2028 годы",
        number="П-5", signed_on=date(2023, 12, 20), public=True,
    )  # fmt: skip
    manager = users.add("manager", "cluster_manager", [cluster])
    http = login_as(manager)
    for rule, item, document in (("C5", "application", private), ("C6", "programme", public)):
        body = {"rule": rule, "item": item, "document_id": document}
        response = http.put(marks_url(cluster), json=body)
        assert response.status_code == 200, response.text
        assert response.json()["document_id"] == document
        assert response.json()["reference"] is None
    return {"cluster": cluster, "private": private, "public": public, "manager": manager}


def test_a_document_alone_ticks_the_item_and_the_report_names_it(cited, login_as):
    http = login_as(cited["manager"])
    report = http.get(f"/api/v1/clusters/{cited['cluster']}/compliance").json()
    item = item_of(report, "C5", "application")
    assert item["done"] is True and item["document_removed"] is False
    assert item["document"] == {
        "id": cited["private"],
        "public": False,
        "kind": "registry_application",
        "title": "Заявление о включении в реестр",
        "number": "17-з",
        "signed_on": "2024-03-01",
    }
    c5 = next(c for c in report["criteria"] if c["id"] == "C5")
    assert c5["value"] == 1  # one of six items evidenced


def test_the_public_reads_a_private_document_only_as_existing(cited, client):
    report = client.get(f"/api/v1/clusters/{cited['cluster']}/compliance").json()
    assert item_of(report, "C5", "application")["document"] == {
        "id": cited["private"], "public": False, "kind": None, "title": None, "number": None,
        "signed_on": None,
    }  # fmt: skip
    assert item_of(report, "C6", "programme")["document"]["number"] == "П-5"
    page = client.get(f"/clusters/{cited['cluster']}/compliance")
    assert page.status_code == 200
    assert PRIVATE in page.text and "17-з" not in page.text
    assert "Заявление о включении в реестр" not in page.text
    assert f'href="/documents/{cited["private"]}"' not in page.text
    assert f'href="/documents/{cited["public"]}"' in page.text
    assert "№ П-5 от 20.12.2023" in page.text
    rows = checklist_rows(client.get(f"/clusters/{cited['cluster']}/compliance.xlsx").content)
    assert rows[("C5", "Заявление о подтверждении соответствия")][6:] == (
        PRIVATE, None, None, None, None,
    )  # fmt: skip


@pytest.mark.parametrize("role", ["admin", "cluster_manager", "enterprise_rep"])
def test_logged_in_users_read_the_cited_documents_with_number_date_and_link(
    cited, login_as, users, db, role
):
    if role == "cluster_manager":
        account = cited["manager"]
    else:
        account = users.add(f"u-{role}", role, enterprise=db.add_enterprise())
    http = login_as(account)
    page = http.get(f"/clusters/{cited['cluster']}/compliance")
    assert page.status_code == 200
    assert (
        f'<a href="/documents/{cited["private"]}">Заявление о включении в реестр</a> № 17-з '
        "от 01.03.2024" in page.text
    )
    assert "заявление о включении в реестр:" in page.text  # the kind's label
    assert PRIVATE not in page.text
    can_mark = role != "enterprise_rep"
    assert ('name="document_id"' in page.text) is can_mark
    workbook = http.get(f"/clusters/{cited['cluster']}/compliance.xlsx")
    assert workbook.status_code == 200
    rows = checklist_rows(workbook.content)
    row = rows[("C5", "Заявление о подтверждении соответствия")]
    assert row[2:4] == ("да", None)
    assert row[6:10] == (
        "Заявление о включении в реестр", "заявление о включении в реестр", "17-з",
        row[9],
    )  # fmt: skip
    assert row[9].date() == date(2024, 3, 1)
    assert row[10] == f"http://testserver/documents/{cited['private']}"
    assert rows[("C6", "Программа развития утверждена")][8] == "П-5"


def test_a_document_of_another_cluster_or_none_at_all_is_refused(build, admin_client, db):
    mine, other = build.cluster(), build.cluster()
    foreign = build.document(other)
    for body in (
        {"rule": "C5", "item": "application", "document_id": foreign},
        {"rule": "C5", "item": "application", "document_id": foreign + 1000},
        {"rule": "C5", "item": "application", "document_id": None, "reference": " "},
    ):
        response = admin_client.put(marks_url(mine), json=body)
        assert response.status_code == 422, body
        detail = response.json()["detail"][0]
        field = "document" if body["document_id"] else "reference"
        assert detail["loc"][-1] == field
        assert (
            "в досье кластера нет документа" if body["document_id"] else "укажите документ"
        ) in (detail["msg"])
    assert db.count("compliance_marks") == 0


def test_a_manager_cites_a_document_through_the_page_form(build, login_as, users, db):
    cluster, other = build.cluster(), build.cluster()
    document = build.document(cluster, number="П-1", signed_on=date(2024, 1, 15))
    foreign = build.document(other, title="Чужая программа")
    http = login_as(users.add("manager", "cluster_manager", [cluster]))
    page = http.get(f"/clusters/{cluster}/compliance")
    assert "Документ из досье кластера" in page.text
    assert f'<option value="{document}" >программа развития кластера № П-1 от 15.01.2024 — ' in (
        page.text
    )
    assert "Чужая программа" not in page.text  # only the cluster's own documents are offered
    form = {
        "csrf_token": csrf_from(page.text), "rule": "C6", "item": "programme", "done": "1",
        "as_of": "", "rule_set": "federal", "reference": "",
    }  # fmt: skip
    for bad, message in (("abc", "выберите документ"), (str(foreign), "нет документа")):
        refused = http.post(
            f"/clusters/{cluster}/compliance/marks", data={**form, "document_id": bad}
        )
        assert refused.status_code == 200 and message in refused.text
    assert db.count("compliance_marks") == 0
    done = http.post(
        f"/clusters/{cluster}/compliance/marks", data={**form, "document_id": str(document)}
    )
    assert done.status_code == 200
    assert (
        f'<a href="/documents/{document}">Программа развития кластера</a> № П-1 от 15.01.2024'
        in (done.text)
    )
    assert db.count("compliance_marks") == 1


def test_deleting_the_document_opens_the_item_again(cited, build, db, login_as):
    with db.session() as session:
        session.delete(session.get(Document, cited["private"]))
    http = login_as(cited["manager"])
    report = http.get(f"/api/v1/clusters/{cited['cluster']}/compliance").json()
    item = item_of(report, "C5", "application")
    assert (item["done"], item["document"], item["document_removed"]) == (False, None, True)
    assert next(c for c in report["criteria"] if c["id"] == "C5")["value"] == 0
    page = http.get(f"/clusters/{cited['cluster']}/compliance")
    assert "документ удалён из досье" in page.text
    rows = checklist_rows(http.get(f"/clusters/{cited['cluster']}/compliance.xlsx").content)
    assert rows[("C5", "Заявление о подтверждении соответствия")][2] == "нет"
    assert rows[("C5", "Заявление о подтверждении соответствия")][6] == "документ удалён из досье"


def test_a_reference_survives_the_deletion_of_its_document(build, admin_client, db):
    cluster = build.cluster()
    document = build.document(cluster)
    body = {"rule": "S1", "item": "legal_entity", "reference": "Устав", "document_id": document}
    assert admin_client.put(marks_url(cluster), json=body).status_code == 200
    with db.session() as session:
        session.delete(session.get(Document, document))
    report = admin_client.get(f"/api/v1/clusters/{cluster}/compliance").json()
    item = item_of(report, "S1", "legal_entity")
    assert (item["done"], item["reference"], item["document"], item["document_removed"]) == (
        True, "Устав", None, False,
    )  # fmt: skip


def test_the_marks_routes_per_role(cited, client, login_as, users, db):
    cluster, document = cited["cluster"], cited["public"]
    other = db.add_cluster()
    body = {"rule": "S1", "item": "legal_entity", "document_id": document}
    assert client.put(marks_url(cluster), json=body).status_code == 401
    anonymous_form = client.post(f"/clusters/{cluster}/compliance/marks", data={"rule": "S1"})
    assert anonymous_form.status_code == 403  # no session, so no CSRF token: refused first
    rep = login_as(users.add("rep", "enterprise_rep", enterprise=db.add_enterprise()))
    assert rep.put(marks_url(cluster), json=body).status_code == 403
    stranger = login_as(users.add("stranger", "cluster_manager", [other]))
    assert stranger.put(marks_url(cluster), json=body).status_code == 403
    page = stranger.get(f"/clusters/{cluster}/compliance")
    assert page.status_code == 200 and 'name="document_id"' not in page.text
    admin = login_as(users.add("boss", "admin"))
    assert admin.put(marks_url(cluster), json=body).status_code == 200
    assert admin.put(marks_url(other), json=body).status_code == 422  # not other's document
