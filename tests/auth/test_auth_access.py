"""Who may change what through the API: visitors read, administrators do everything, cluster
managers edit their clusters' records, enterprise representatives their own card."""

import pytest

API = "/api/v1"
RESOURCES = ["clusters", "enterprises", "memberships", "chains", "projects"]


@pytest.fixture
def world(db):
    """Two clusters, each with a member enterprise, a chain and a project."""
    ids = {}
    for key in ("a", "b"):
        cluster = db.add_cluster(name=f"Кластер {key.upper()}")
        enterprise = db.add_enterprise(name=f"Предприятие {key.upper()}")
        chain = db.add_chain(cluster)
        ids[key] = {
            "clusters": cluster,
            "enterprises": enterprise,
            "memberships": db.add_membership(cluster, enterprise),
            "chains": chain,
            "projects": db.add_project(cluster, chain_id=chain),
        }
    ids["loose"] = db.add_enterprise(name="Предприятие вне кластеров")
    return ids


def expect(db, client, method: str, path: str, status: int, **kwargs):
    """Send a request expecting ``status``; a refused one must leave every table as it was."""
    before = db.counts()
    response = client.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    if status >= 400:
        assert db.counts() == before
    return response


def version(client, path: str) -> int:
    return client.get(path).json()["version"]


# Visitors


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_visitor_reads(client, world, resource):
    listed = client.get(f"{API}/{resource}")
    assert listed.status_code == 200
    assert listed.json()["total"] >= 2
    assert client.get(f"{API}/{resource}/{world['a'][resource]}").status_code == 200


def test_anonymous_visitor_reads_regions_stats_and_map(client, world):
    assert len(client.get(f"{API}/regions").json()) == 85
    assert client.get(f"{API}/stats").json()["clusters"] == 2
    kinds = [f["properties"]["kind"] for f in client.get(f"{API}/map").json()["features"]]
    assert kinds.count("cluster") == 2 and kinds.count("enterprise") == 3


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_writes_are_401(client, db, world, resource):
    path = f"{API}/{resource}/{world['a'][resource]}"
    before = client.get(path).json()
    for method, url, body in (
        ("POST", f"{API}/{resource}", {"name": "X"}),
        ("PATCH", path, {"version": before["version"]}),
        ("DELETE", path, None),
    ):
        response = expect(db, client, method, url, 401, json=body)
        assert response.json()["detail"] == "требуется вход в систему"
        # no Basic challenge to a client that did not use Basic: no browser login dialog
        assert "www-authenticate" not in response.headers
    assert client.get(path).json() == before


def test_wrong_basic_credentials_are_401(client, db, users, world):
    users.add("manager", "cluster_manager", clusters=[world["a"]["clusters"]])
    path = f"{API}/clusters/{world['a']['clusters']}"
    expect(db, client, "PATCH", path, 401, json={"name": "X", "version": 1}, auth=("manager", "x"))
    expect(db, client, "PATCH", path, 401, json={"name": "X", "version": 1}, auth=("nobody", "x"))


def test_deactivated_user_cannot_write(client, db, users, world):
    from promcluster.auth.models import User

    account = users.add("former", "admin")
    with db.session() as session:
        session.get(User, account.id).is_active = False
    expect(
        db,
        client,
        "POST",
        f"{API}/clusters",
        401,
        json={"name": "К", "region_codes": ["72"]},
        auth=account.auth,
    )


# Administrators


def test_only_admin_creates_and_deletes_clusters(client, db, users, world):
    manager = users.add("manager", "cluster_manager", clusters=[world["a"]["clusters"]])
    rep = users.add("rep", "enterprise_rep", enterprise=world["a"]["enterprises"])
    root = users.add("root", "admin")
    body = {"name": "Новый кластер", "region_codes": ["72"]}
    for account in (manager, rep):
        expect(db, client, "POST", f"{API}/clusters", 403, json=body, auth=account.auth)
        expect(
            db, client, "DELETE", f"{API}/clusters/{world['a']['clusters']}", 403, auth=account.auth
        )
    created = expect(db, client, "POST", f"{API}/clusters", 201, json=body, auth=root.auth)
    expect(db, client, "DELETE", f"{API}/clusters/{created.json()['id']}", 204, auth=root.auth)
    expect(db, client, "DELETE", f"{API}/clusters/{world['b']['clusters']}", 204, auth=root.auth)


def test_admin_edits_any_record(client, db, users, world, login_as):
    root = users.add("root", "admin")
    as_root = login_as(root)
    for key in ("a", "b"):
        path = f"{API}/chains/{world[key]['chains']}"
        expect(
            db,
            as_root,
            "PATCH",
            path,
            200,
            json={"name": "Изменено", "version": version(client, path)},
        )


# Cluster managers


def test_cluster_manager_edits_own_cluster_only(client, db, users, world, login_as):
    manager = users.add("manager", "cluster_manager", clusters=[world["a"]["clusters"]])
    as_manager = login_as(manager)
    own = f"{API}/clusters/{world['a']['clusters']}"
    other = f"{API}/clusters/{world['b']['clusters']}"
    changed = expect(
        db,
        as_manager,
        "PATCH",
        own,
        200,
        json={"status": "regional", "version": version(client, own)},
    )
    assert changed.json()["status"] == "regional"  # the federal registry: admins (PERMISSIONS.md)
    before = client.get(other).json()
    expect(
        db,
        as_manager,
        "PATCH",
        other,
        403,
        json={"status": "federal_registry", "version": before["version"]},
    )
    assert client.get(other).json() == before


@pytest.mark.parametrize("resource", ["memberships", "chains", "projects"])
def test_cluster_manager_edits_records_of_own_cluster_only(
    client, db, users, world, resource, login_as
):
    manager = users.add("manager", "cluster_manager", clusters=[world["a"]["clusters"]])
    as_manager = login_as(manager)
    field, value = {
        "memberships": ("status", "left"),
        "chains": ("name", "Новая"),
        "projects": ("status", "done"),
    }[resource]
    own = f"{API}/{resource}/{world['a'][resource]}"
    other = f"{API}/{resource}/{world['b'][resource]}"
    expect(
        db,
        as_manager,
        "PATCH",
        own,
        200,
        json={field: value, "version": version(client, own)},
    )
    before = client.get(other).json()
    expect(
        db,
        as_manager,
        "PATCH",
        other,
        403,
        json={field: value, "version": before["version"]},
    )
    expect(db, as_manager, "DELETE", other, 403)
    assert client.get(other).json() == before
    expect(db, as_manager, "DELETE", own, 204)


def test_cluster_manager_adds_records_to_own_cluster_only(client, db, users, world, login_as):
    manager = users.add("manager", "cluster_manager", clusters=[world["a"]["clusters"]])
    as_manager = login_as(manager)
    a, b = world["a"]["clusters"], world["b"]["clusters"]
    newcomer = db.add_enterprise(name="Новичок")
    for cluster, status in ((a, 201), (b, 403)):
        expect(
            db,
            as_manager,
            "POST",
            f"{API}/memberships",
            status,
            json={"cluster_id": cluster, "enterprise_id": newcomer, "status": "applicant"},
        )
        expect(
            db,
            as_manager,
            "POST",
            f"{API}/chains",
            status,
            json={"cluster_id": cluster, "name": "Цепочка"},
        )
        expect(
            db,
            as_manager,
            "POST",
            f"{API}/projects",
            status,
            json={"cluster_id": cluster, "name": "Проект"},
        )


def test_cluster_manager_cannot_move_a_record_into_another_cluster(
    client, db, users, world, login_as
):
    manager = users.add("manager", "cluster_manager", clusters=[world["a"]["clusters"]])
    as_manager = login_as(manager)
    path = f"{API}/projects/{db.add_project(world['a']['clusters'])}"
    before = client.get(path).json()
    expect(
        db,
        as_manager,
        "PATCH",
        path,
        403,
        json={"cluster_id": world["b"]["clusters"], "version": before["version"]},
    )
    assert client.get(path).json() == before


def test_cluster_manager_edits_enterprises_of_own_cluster(client, db, users, world, login_as):
    manager = users.add("manager", "cluster_manager", clusters=[world["a"]["clusters"]])
    as_manager = login_as(manager)
    member = f"{API}/enterprises/{world['a']['enterprises']}"
    expect(
        db,
        as_manager,
        "PATCH",
        member,
        200,
        json={"employees": 300, "version": version(client, member)},
    )
    for foreign in (world["b"]["enterprises"], world["loose"]):
        path = f"{API}/enterprises/{foreign}"
        expect(
            db,
            as_manager,
            "PATCH",
            path,
            403,
            json={"employees": 1, "version": version(client, path)},
        )
    created = expect(
        db,
        as_manager,
        "POST",
        f"{API}/enterprises",
        201,
        json={"name": "ООО «Новое»", "region_code": "72"},
    )
    expect(
        db,
        as_manager,
        "DELETE",
        f"{API}/enterprises/{created.json()['id']}",
        403,
    )


# Enterprise representatives


def test_enterprise_rep_edits_own_card_only(client, db, users, world, login_as):
    rep = users.add("rep", "enterprise_rep", enterprise=world["a"]["enterprises"])
    as_rep = login_as(rep)
    own = f"{API}/enterprises/{world['a']['enterprises']}"
    changed = expect(
        db,
        as_rep,
        "PATCH",
        own,
        200,
        json={"phone": "+7 3452 00-00-00", "version": version(client, own)},
    )
    assert changed.json()["phone"] == "+7 3452 00-00-00"
    for foreign in (world["b"]["enterprises"], world["loose"]):
        path = f"{API}/enterprises/{foreign}"
        before = client.get(path).json()
        expect(
            db,
            as_rep,
            "PATCH",
            path,
            403,
            json={"phone": "1", "version": before["version"]},
        )
        assert client.get(path).json() == before
    expect(db, as_rep, "DELETE", own, 403)
    expect(
        db,
        as_rep,
        "POST",
        f"{API}/enterprises",
        403,
        json={"name": "ООО", "region_code": "72"},
    )


def test_enterprise_rep_cannot_edit_its_cluster(client, db, users, world, login_as):
    rep = users.add("rep", "enterprise_rep", enterprise=world["a"]["enterprises"])
    as_rep = login_as(rep)
    a = world["a"]
    for resource in ("clusters", "memberships", "chains", "projects"):
        path = f"{API}/{resource}/{a[resource]}"
        expect(db, as_rep, "PATCH", path, 403, json={"version": version(client, path)})
        expect(db, as_rep, "DELETE", path, 403)
    expect(
        db,
        as_rep,
        "POST",
        f"{API}/memberships",
        403,
        json={"cluster_id": a["clusters"], "enterprise_id": world["loose"], "status": "member"},
    )


def test_audit_log_is_for_logged_in_users(client, db, users, world):
    assert client.get(f"{API}/audit").status_code == 401
    rep = users.add("rep", "enterprise_rep", enterprise=world["a"]["enterprises"])
    assert client.get(f"{API}/audit", auth=rep.auth).status_code == 200
