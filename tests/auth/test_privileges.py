"""Least privilege (docs/PERMISSIONS.md): no membership or prospect a cluster manager makes
widens who may edit an enterprise's card, whichever door it comes through (API, prospects,
imports, pages); only administrators place a cluster in the federal registry."""

import pytest
from factories import csrf_from, fresh_inn
from imports.kit import report, write_csv
from sqlalchemy import select

from promcluster.auth.audit import Actor
from promcluster.auth.models import User
from promcluster.auth.permissions import allowed
from promcluster.imports import service as imports
from promcluster.registry import service
from promcluster.registry.models import Cluster, Enterprise

API = "/api/v1"
STATUSES = ["potential", "applicant", "member"]


@pytest.fixture
def world(db, users, login_as):
    """The issue's setting: enterprise «foreign» is a member of cluster B only; the manager
    manages cluster A, where «own» is a member; «loose» belongs to no cluster."""
    a, b = db.add_cluster(name="Кластер А"), db.add_cluster(name="Кластер Б")
    ids = {"a": a, "b": b}
    for key in ("own", "foreign", "loose"):
        ids[key] = db.add_enterprise(name=f"Предприятие {key}", inn=fresh_inn())
    db.add_membership(a, ids["own"])
    db.add_membership(b, ids["foreign"])
    account = users.add("manager", "cluster_manager", clusters=[a])
    ids["account"] = account
    ids["manager"] = login_as(account)
    return ids


def card(client, enterprise: int) -> dict:
    return client.get(f"{API}/enterprises/{enterprise}").json()


def rename(client, enterprise: int, name: str = "Переименовано"):
    version = card(client, enterprise)["version"]
    return client.patch(f"{API}/enterprises/{enterprise}", json={"name": name, "version": version})


def refused_rename(db, client, enterprise: int) -> None:
    before, counts = card(client, enterprise), db.counts()
    response = rename(client, enterprise)
    assert response.status_code == 403, response.text
    assert card(client, enterprise) == before
    assert db.counts() == counts


def add_member(client, cluster: int, enterprise: int, status: str):
    body = {"cluster_id": cluster, "enterprise_id": enterprise, "status": status}
    return client.post(f"{API}/memberships", json=body)


# The card of another cluster's member


def test_the_issue_scenario_refused_before_and_after_adding_as_potential(db, world):
    manager = world["manager"]
    refused_rename(db, manager, world["foreign"])
    assert add_member(manager, world["a"], world["foreign"], "potential").status_code == 201
    refused_rename(db, manager, world["foreign"])
    assert rename(manager, world["own"]).status_code == 200  # own members' cards stay editable


@pytest.mark.parametrize("status", STATUSES)
def test_no_membership_status_opens_another_clusters_member(db, world, status):
    manager = world["manager"]
    assert add_member(manager, world["a"], world["foreign"], status).status_code == 201
    refused_rename(db, manager, world["foreign"])
    detail = rename(manager, world["foreign"]).json()["detail"]
    why = "и другого кластера" if status == "member" else "не входит в число участников"
    assert why in detail


def test_raising_a_membership_to_member_does_not_open_the_card(db, world):
    manager = world["manager"]
    added = add_member(manager, world["a"], world["foreign"], "potential").json()
    for status in ("applicant", "member"):
        path = f"{API}/memberships/{added['id']}"
        version = manager.get(path).json()["version"]
        changed = manager.patch(path, json={"status": status, "version": version})
        assert changed.status_code == 200, changed.text
        refused_rename(db, manager, world["foreign"])


def test_moving_a_membership_onto_the_enterprise_does_not_open_the_card(db, world):
    manager = world["manager"]
    spare = db.add_enterprise(name="Запасное")
    added = add_member(manager, world["a"], spare, "member").json()
    path = f"{API}/memberships/{added['id']}"
    body = {"enterprise_id": world["foreign"], "version": added["version"]}
    assert manager.patch(path, json=body).status_code == 200
    refused_rename(db, manager, world["foreign"])


@pytest.mark.parametrize("status", ["potential", "applicant"])
def test_a_prospect_or_applicant_of_no_cluster_stays_out_of_reach(db, world, status):
    manager = world["manager"]
    refused_rename(db, manager, world["loose"])
    assert add_member(manager, world["a"], world["loose"], status).status_code == 201
    refused_rename(db, manager, world["loose"])


def test_prospects_added_by_discovery_give_no_rights(db, world):
    manager = world["manager"]
    body = {"enterprise_ids": [world["foreign"], world["loose"]]}
    added = manager.post(f"{API}/clusters/{world['a']}/prospects", json=body)
    assert added.status_code == 201, added.text
    for enterprise in (world["foreign"], world["loose"]):
        refused_rename(db, manager, enterprise)


def test_admitting_an_enterprise_no_other_cluster_holds_makes_the_manager_its_steward(db, world):
    """The documented rule: a *member* of the manager's clusters and of no other."""
    manager = world["manager"]
    assert add_member(manager, world["a"], world["loose"], "member").status_code == 201
    assert rename(manager, world["loose"]).status_code == 200


def test_an_enterprise_in_two_clusters_is_edited_by_a_manager_of_both_only(
    db, users, login_as, world
):
    a, b, foreign = world["a"], world["b"], world["foreign"]
    db.add_membership(a, foreign)  # a member of both clusters
    refused_rename(db, world["manager"], foreign)
    of_b = login_as(users.add("manager-b", "cluster_manager", clusters=[b]))
    refused_rename(db, of_b, foreign)
    of_both = login_as(users.add("manager-ab", "cluster_manager", clusters=[a, b]))
    assert rename(of_both, foreign).status_code == 200
    rep = login_as(users.add("rep", "enterprise_rep", enterprise=foreign))
    assert rename(rep, foreign, "Своё имя").status_code == 200


def test_leaving_the_cluster_ends_the_managers_rights(db, world):
    manager = world["manager"]
    [membership] = manager.get(f"{API}/memberships", params={"enterprise_id": world["own"]}).json()[
        "items"
    ]
    path = f"{API}/memberships/{membership['id']}"
    body = {"status": "left", "version": membership["version"]}
    assert manager.patch(path, json=body).status_code == 200
    refused_rename(db, manager, world["own"])


def test_acting_for_the_enterprise_is_not_widened_either(db, world):
    """Posting a need (and reading its responses) for an enterprise follows the same rule."""
    manager = world["manager"]
    add_member(manager, world["a"], world["foreign"], "potential")
    body = {"customer_id": world["foreign"], "product_name": "Газобетонные блоки"}
    before = db.counts()
    refused = manager.post(f"{API}/needs", json=body)
    assert refused.status_code == 403, refused.text
    assert db.counts() == before
    assert (
        manager.post(f"{API}/needs", json={**body, "customer_id": world["own"]}).status_code == 201
    )


# Pages


def test_the_edit_form_stays_closed_after_adding_as_potential(db, world):
    manager, foreign = world["manager"], world["foreign"]
    add_member(manager, world["a"], foreign, "potential")
    assert f'href="/enterprises/{foreign}/edit"' not in manager.get(f"/enterprises/{foreign}").text
    assert manager.get(f"/enterprises/{foreign}/edit").status_code == 403
    token = csrf_from(manager.get(f"/enterprises/{world['own']}/edit").text)
    before = card(manager, foreign)
    posted = manager.post(
        f"/enterprises/{foreign}/edit",
        data={
            "csrf_token": token,
            "version": before["version"],
            "name": "Чужое",
            "region_code": "72",
        },
    )
    assert posted.status_code == 403
    assert card(manager, foreign) == before


# Imports


def manager_import(db, world, kind: str, tmp_path, rows) -> int:
    with db.sessions() as session:
        user = session.get(User, world["account"].id)
        _ = user.clusters  # loaded while the session is open
    path = write_csv(tmp_path / f"{kind}.csv", rows)
    run = imports.run_import(db.sessions, kind, path, actor=Actor("manager", user.id), user=user)
    return run.id


def test_importing_members_gives_no_rights_over_another_clusters_member(db, world, tmp_path):
    inn = db.get(Enterprise, world["foreign"]).inn
    members = [["Кластер", "ИНН", "Статус"], [str(world["a"]), inn, "участник"]]
    manager_import(db, world, "members", tmp_path, members)
    with db.sessions() as session:
        statuses = {
            m.cluster_id: m.status for m in session.get(Enterprise, world["foreign"]).memberships
        }
    assert statuses == {world["a"]: "member", world["b"]: "member"}
    refused_rename(db, world["manager"], world["foreign"])

    cards = [["ИНН", "Наименование", "Регион"], [inn, "Переименовано импортом", "72"]]
    run = manager_import(db, world, "enterprises", tmp_path, cards)
    assert "нет прав" in report(db, run)[0]["reason"]
    assert db.get(Enterprise, world["foreign"]).name == "Предприятие foreign"
    own_inn = db.get(Enterprise, world["own"]).inn
    figures = [["ИНН", "Год", "Численность"], [inn, "2024", "5"], [own_inn, "2024", "7"]]
    run = manager_import(db, world, "figures", tmp_path, figures)
    [problem] = report(db, run)
    assert problem["row"] == "2" and "нет прав" in problem["reason"]


# The federal registry


def cluster_patch(client, cluster: int, **changes):
    version = client.get(f"{API}/clusters/{cluster}").json()["version"]
    return client.patch(f"{API}/clusters/{cluster}", json={**changes, "version": version})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "federal_registry"),
        ("status", "excluded"),
        ("registry_number", "ПК-999"),
        ("registry_date", "2024-01-15"),
    ],
)
def test_only_an_administrator_places_a_cluster_in_the_federal_registry(
    db, world, admin_client, field, value
):
    manager, a = world["manager"], world["a"]
    before, counts = manager.get(f"{API}/clusters/{a}").json(), db.counts()
    refused = cluster_patch(manager, a, **{field: value})
    assert refused.status_code == 403, refused.text
    assert f"«{field}»" in refused.json()["detail"]
    assert manager.get(f"{API}/clusters/{a}").json() == before
    assert db.counts() == counts
    assert cluster_patch(admin_client, a, **{field: value}).status_code == 200


def test_a_manager_keeps_other_edits_and_cannot_take_a_cluster_out_of_the_registry(
    db, world, admin_client
):
    manager, a = world["manager"], world["a"]
    changed = cluster_patch(manager, a, name="Новое имя", status="forming", description="Текст")
    assert changed.status_code == 200, changed.text
    placed = cluster_patch(
        admin_client, a, status="federal_registry", registry_number="77", registry_date="2023-05-04"
    )
    assert placed.status_code == 200
    same = {"status": "federal_registry", "registry_number": "77", "registry_date": "2023-05-04"}
    assert cluster_patch(manager, a, description="Ещё", **same).status_code == 200  # unchanged
    for change in ({"status": "regional"}, {"status": None}, {"registry_number": None}):
        assert cluster_patch(manager, a, **change).status_code == 403
    assert db.get(Cluster, a).status == "federal_registry"


def test_the_cluster_form_hides_registry_fields_from_a_manager(db, world, admin_client):
    manager, a = world["manager"], world["a"]
    form = manager.get(f"/clusters/{a}/edit").text
    assert 'name="registry_number"' not in form
    assert 'value="federal_registry"  disabled' in form or 'value="federal_registry" disabled' in (
        " ".join(form.split())
    )
    assert 'name="registry_number"' in admin_client.get(f"/clusters/{a}/edit").text
    version = manager.get(f"{API}/clusters/{a}").json()["version"]
    data = {
        "csrf_token": csrf_from(form),
        "version": version,
        "name": "Кластер А",
        "region_codes": "72",
        "status": "federal_registry",
    }
    assert manager.post(f"/clusters/{a}/edit", data=data).status_code == 403
    data["status"] = "forming"
    saved = manager.post(f"/clusters/{a}/edit", data=data, follow_redirects=False)
    assert saved.status_code == 303
    assert db.get(Cluster, a).status == "forming"


def test_a_representative_cannot_touch_the_registry_fields(db, world, users, login_as):
    rep = login_as(users.add("rep", "enterprise_rep", enterprise=world["own"]))
    assert cluster_patch(rep, world["a"], registry_number="1").status_code == 403


def test_the_rule_in_sql_agrees_with_the_rule_in_python(db, world, users):
    """``enterprises_acted_for`` (lists, the audit log) and ``require_enterprise_access``
    (writes) are one rule: checked over every enterprise for every role."""
    a, b = world["a"], world["b"]
    shared = db.add_enterprise(name="Общее")
    db.add_membership(a, shared)
    db.add_membership(b, shared)
    db.add_membership(a, world["loose"], status="potential")
    accounts = [
        world["account"],
        users.add("manager-ab", "cluster_manager", clusters=[a, b]),
        users.add("rep", "enterprise_rep", enterprise=world["foreign"]),
    ]
    with db.sessions() as session:
        enterprises = session.scalars(select(Enterprise)).unique().all()
        for account in accounts:
            user = session.get(User, account.id)
            in_sql = set(session.scalars(service.enterprises_acted_for(user)))
            in_python = {
                e.id for e in enterprises if allowed(service.require_enterprise_access, user, e)
            }
            assert in_sql == in_python, user.username
        manager = session.get(User, world["account"].id)
        assert set(session.scalars(service.enterprises_acted_for(manager))) == {world["own"]}
