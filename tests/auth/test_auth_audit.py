"""The audit log: every write through the API is recorded with its author; refused ones are not."""

import pytest

API = "/api/v1"


def entity_rows(db, entity: str, entity_id: int):
    return db.audit(entity=entity, entity_id=str(entity_id))


def test_create_update_delete_of_a_cluster_are_logged(admin_client, admin, db):
    created = admin_client.post(
        f"{API}/clusters", json={"name": "Кластер А", "region_codes": ["72"], "status": "forming"}
    )
    assert created.status_code == 201
    id_ = created.json()["id"]
    [create] = entity_rows(db, "clusters", id_)
    assert (create.action, create.actor, create.user_id) == ("create", "admin", admin.id)
    assert create.changes["name"] == "Кластер А"
    assert create.changes["status"] == "forming"
    assert "version" not in create.changes

    updated = admin_client.patch(f"{API}/clusters/{id_}", json={"name": "Кластер Б", "version": 1})
    assert updated.status_code == 200
    update = entity_rows(db, "clusters", id_)[-1]
    assert (update.action, update.actor) == ("update", "admin")
    assert update.changes == {"name": ["Кластер А", "Кластер Б"]}

    assert admin_client.delete(f"{API}/clusters/{id_}").status_code == 204
    delete = entity_rows(db, "clusters", id_)[-1]
    assert (delete.action, delete.actor) == ("delete", "admin")
    assert delete.changes["name"] == "Кластер Б"
    assert [r.action for r in entity_rows(db, "clusters", id_)] == ["create", "update", "delete"]


@pytest.mark.parametrize(
    ("resource", "entity", "field", "old", "new"),
    [
        ("enterprises", "enterprises", "employees", 10, 25),
        ("memberships", "memberships", "status", "applicant", "member"),
        ("chains", "chains", "name", "Цепочка 1", "Цепочка 2"),
        ("projects", "investment_projects", "amount", 1_000_000, 2_000_000),
    ],
)
def test_updates_record_before_and_after(admin_client, db, resource, entity, field, old, new):
    cluster = db.add_cluster()
    id_ = {
        "enterprises": lambda: db.add_enterprise(employees=old),
        "memberships": lambda: db.add_membership(cluster, db.add_enterprise(), status=old),
        "chains": lambda: db.add_chain(cluster, name=old),
        "projects": lambda: db.add_project(cluster, amount=old),
    }[resource]()
    response = admin_client.patch(f"{API}/{resource}/{id_}", json={field: new, "version": 1})
    assert response.status_code == 200, response.text
    [row] = db.audit(entity=entity, entity_id=str(id_), action="update")
    assert row.actor == "admin"
    assert row.changes == {field: [old, new]}


def test_writes_by_the_system_and_by_users_are_told_apart(admin_client, db):
    enterprise = db.add_enterprise(name="Завод")
    [system] = db.audit(entity="enterprises", entity_id=str(enterprise))
    assert (system.actor, system.user_id) == ("system", None)
    admin_client.patch(f"{API}/enterprises/{enterprise}", json={"phone": "1", "version": 1})
    assert db.audit(entity="enterprises", entity_id=str(enterprise))[-1].actor == "admin"


def test_manager_writes_are_logged_under_the_managers_name(db, users, login_as):
    cluster = db.add_cluster()
    manager = users.add("m.petrova", "cluster_manager", clusters=[cluster])
    http = login_as(manager)
    created = http.post(f"{API}/chains", json={"cluster_id": cluster, "name": "Цепочка"})
    assert created.status_code == 201
    [row] = db.audit(entity="chains", entity_id=str(created.json()["id"]))
    assert (row.action, row.actor, row.user_id) == ("create", "m.petrova", manager.id)


def test_http_basic_writes_are_logged_under_the_users_name(client, db, users):
    account = users.add("ivanov", "admin")
    created = client.post(
        f"{API}/clusters", json={"name": "К", "region_codes": ["72"]}, auth=account.auth
    )
    assert created.status_code == 201
    [row] = db.audit(entity="clusters", entity_id=str(created.json()["id"]))
    assert row.actor == "ivanov"


def test_list_changes_are_logged(admin_client, db):
    cluster = db.add_cluster(region_codes=["72"])
    response = admin_client.patch(
        f"{API}/clusters/{cluster}", json={"region_codes": ["86"], "version": 1}
    )
    assert response.status_code == 200
    [row] = db.audit(entity="clusters", entity_id=str(cluster), action="update")
    assert row.changes["regions"] == [["72"], ["86"]]


def test_refused_requests_write_no_audit_row(admin_client, client, db, users, login_as):
    cluster = db.add_cluster()
    enterprise = db.add_enterprise()
    stranger = login_as(users.add("stranger", "cluster_manager", clusters=[db.add_cluster()]))
    before = db.audit_count()
    refused = [
        admin_client.post(f"{API}/enterprises", json={"name": "X", "region_code": "00"}),
        admin_client.post(f"{API}/clusters", json={"name": "X", "region_codes": ["72"], "x": 1}),
        admin_client.patch(f"{API}/clusters/{cluster}", json={"name": "X", "version": 7}),
        admin_client.post(
            f"{API}/projects",
            json={"cluster_id": cluster, "name": "П", "start_year": 2030, "end_year": 2020},
        ),
        stranger.patch(f"{API}/clusters/{cluster}", json={"name": "X", "version": 1}),
        stranger.delete(f"{API}/enterprises/{enterprise}"),
        client.post(f"{API}/clusters", json={"name": "X", "region_codes": ["72"]}),
    ]
    assert [r.status_code for r in refused] == [422, 422, 409, 422, 403, 403, 401]
    assert db.audit_count() == before


def test_audit_api_filters_by_entity_and_record(admin_client, db):
    first = admin_client.post(f"{API}/clusters", json={"name": "Первый", "region_codes": ["72"]})
    second = admin_client.post(f"{API}/clusters", json={"name": "Второй", "region_codes": ["72"]})
    admin_client.patch(
        f"{API}/clusters/{first.json()['id']}", json={"name": "Первый!", "version": 1}
    )
    page = admin_client.get(
        f"{API}/audit", params={"entity": "clusters", "entity_id": first.json()["id"]}
    ).json()
    assert page["total"] == 2
    assert [e["action"] for e in page["items"]] == ["update", "create"]  # newest first
    assert page["items"][0]["changes"] == {"name": ["Первый", "Первый!"]}
    by_actor = admin_client.get(f"{API}/audit", params={"actor": "admin", "entity": "clusters"})
    assert by_actor.json()["total"] == 3
    other = admin_client.get(
        f"{API}/audit", params={"entity": "clusters", "entity_id": second.json()["id"]}
    )
    assert [e["action"] for e in other.json()["items"]] == ["create"]
