"""Writing chains over the REST API and the designer's forms: stages, suppliers and a project's
stage; bad input refused in Russian with the field named and nothing written; permissions
(public read, cluster manager scoped to own clusters, admin); stale versions refused (409)."""

import re

from factories import csrf_from, error_fields

from chains import CEMENT, CLAY, SAND, build_chain, build_cluster
from promcluster.chains.models import Chain, ChainStage
from promcluster.registry import service

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def refused(response, field: str) -> str:
    assert response.status_code == 422, response.text
    assert error_fields(response) == [field]
    message = response.json()["detail"][0]["msg"]
    assert CYRILLIC.search(message)
    return message


def new_chain(db, w) -> int:
    with db.session() as s:
        return service.create_record(s, None, Chain, {"cluster_id": w.cluster, "name": "Ц"}).id


def test_admin_adds_a_stage_named_after_its_product(admin_client, db):
    w = build_cluster(db)
    chain = new_chain(db, w)
    response = admin_client.post(f"/api/v1/chains/{chain}/stages", json={"okpd2_code": CEMENT})
    assert response.status_code == 201, response.text
    stage = response.json()
    assert (stage["position"], stage["version"], stage["okpd2_code"]) == (1, 1, CEMENT)
    assert stage["name"] == stage["product"]["name"]
    second = admin_client.post(f"/api/v1/chains/{chain}/stages", json={"okpd2_code": SAND})
    assert second.json()["position"] == 2
    listed = admin_client.get(f"/api/v1/chains/{chain}/stages").json()
    assert [s["okpd2_code"] for s in listed] == [CEMENT, SAND]
    audit = db.audit(entity="chain_stages", action="create")
    assert len(audit) == 2 and audit[0].actor == "admin"


def test_unknown_code_and_duplicate_stage_are_refused_and_nothing_written(admin_client, db):
    w = build_chain(db)
    before = db.counts()
    url = f"/api/v1/chains/{w.chain}/stages"
    assert "99.99.99" in refused(
        admin_client.post(url, json={"okpd2_code": "99.99.99"}), "okpd2_code"
    )
    assert "уже есть этап" in refused(
        admin_client.post(url, json={"okpd2_code": CEMENT}), "okpd2_code"
    )
    refused(admin_client.post(url, json={"okpd2_code": SAND, "value": -5}), "value")
    refused(admin_client.post(url, json={"okpd2_code": SAND, "colour": "red"}), "colour")
    assert db.counts() == before
    assert (
        admin_client.post("/api/v1/chains/999999/stages", json={"okpd2_code": SAND}).status_code
        == 404
    )


def test_patch_and_delete_need_the_current_version(admin_client, db):
    w = build_chain(db)
    url = f"/api/v1/stages/{w.stages['clay']}"
    response = admin_client.patch(url, json={"value": 5000, "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = admin_client.patch(url, json={"value": 1, "version": 1})
    assert stale.status_code == 409 and "версия 1" in stale.json()["detail"]
    assert db.get(ChainStage, w.stages["clay"]).value == 5000
    refused(admin_client.patch(url, json={"okpd2_code": CEMENT, "version": 2}), "okpd2_code")
    assert admin_client.delete(url, params={"version": 1}).status_code == 409
    assert admin_client.delete(url, params={"version": 2}).status_code == 204
    assert db.get(ChainStage, w.stages["clay"]) is None
    # the stage's project stays, without a stage
    project = admin_client.get(f"/api/v1/projects/{w.projects['planned']}").json()
    assert project["stage_id"] is None


def test_suppliers_assigned_and_removed(admin_client, db):
    w = build_chain(db)
    url = f"/api/v1/stages/{w.stages['sand']}/suppliers"
    response = admin_client.post(url, json={"enterprise_id": w["local_sand"]})
    assert response.status_code == 201, response.text
    supplier = response.json()
    assert supplier["enterprise"]["name"] == "Тобольский карьер"
    sand = next(
        s for s in admin_client.get(f"/api/v1/chains/{w.chain}/design").json()["stages"]
        if s["okpd2_code"] == SAND
    )  # fmt: skip
    assert sand["covered"]  # now an in-region supplier
    assert "уже назначен" in refused(
        admin_client.post(url, json={"enterprise_id": w["local_sand"]}), "enterprise_id"
    )
    refused(admin_client.post(url, json={"enterprise_id": 999999}), "enterprise_id")
    removed = admin_client.delete(
        f"/api/v1/stage-suppliers/{supplier['id']}", params={"version": 1}
    )
    assert removed.status_code == 204
    assert db.audit(entity="stage_suppliers", action="delete")


def test_a_project_cannot_take_a_stage_of_another_chain(admin_client, db):
    w = build_chain(db)
    other = new_chain(db, w)
    foreign = admin_client.post(f"/api/v1/chains/{other}/stages", json={"okpd2_code": SAND}).json()
    project = admin_client.get(f"/api/v1/projects/{w.projects['planned']}").json()
    response = admin_client.patch(
        f"/api/v1/projects/{project['id']}",
        json={"stage_id": foreign["id"], "version": project["version"]},
    )
    assert "другой цепочке" in refused(response, "stage_id")


def test_writes_need_a_login_and_the_cluster(client, db, users, login_as):
    w = build_chain(db)
    stage_url = f"/api/v1/chains/{w.chain}/stages"
    # public read
    assert client.get(stage_url).status_code == 200
    assert client.get(f"/api/v1/chains/{w.chain}/design").status_code == 200
    # anonymous writes
    assert client.post(stage_url, json={"okpd2_code": SAND}).status_code == 401
    assert client.delete(f"/api/v1/stages/{w.stages['sand']}").status_code == 401
    # a manager of another cluster
    with db.session() as s:
        other = service.create_cluster(s, None, {"name": "Другой", "region_codes": ["72"]}).id
    stranger = users.add("stranger", "cluster_manager", [other])
    manager = users.add("manager", "cluster_manager", [w.cluster])
    before = db.counts()
    for response in (
        client.post(stage_url, json={"okpd2_code": "23.32.11"}, auth=stranger.auth),
        client.patch(
            f"/api/v1/stages/{w.stages['sand']}",
            json={"value": 1, "version": 1},
            auth=stranger.auth,
        ),
        client.post(
            f"/api/v1/stages/{w.stages['sand']}/suppliers",
            json={"enterprise_id": w["local_sand"]},
            auth=stranger.auth,
        ),
        client.delete(f"/api/v1/stages/{w.stages['sand']}", auth=stranger.auth),
    ):
        assert response.status_code == 403, response.text
    assert db.counts() == before
    # the cluster's own manager, by cookie and CSRF header
    http = login_as(manager)
    assert http.post(stage_url, json={"okpd2_code": "23.32.11"}).status_code == 201
    del http.headers["X-CSRF-Token"]
    assert http.post(stage_url, json={"okpd2_code": "23.31.10"}).status_code == 403


def test_openapi_lists_the_chain_routes(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/v1/clusters/{cluster_id}/graph",
        "/api/v1/clusters/{cluster_id}/graph.graphml",
        "/api/v1/clusters/{cluster_id}/graph.xlsx",
        "/api/v1/chains/{chain_id}/stages",
        "/api/v1/stages/{stage_id}",
        "/api/v1/stages/{stage_id}/suppliers",
        "/api/v1/stage-suppliers/{supplier_id}",
        "/api/v1/stages/{stage_id}/candidates",
        "/api/v1/chains/{chain_id}/design",
    ):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/chains/{chain_id}/stages"])
    assert {"patch", "delete"} <= set(paths["/api/v1/stages/{stage_id}"])


# The designer's forms


def test_forms_add_a_stage_assign_remove_and_attach(db, users, login_as):
    w = build_chain(db)
    http = login_as(users.add("manager", "cluster_manager", [w.cluster]))
    page = http.get(f"/chains/{w.chain}")
    assert page.status_code == 200 and "Добавить этап" in page.text
    token = csrf_from(page.text)
    before = db.counts()
    bad = http.post(
        f"/chains/{w.chain}/stages", data={"csrf_token": token, "okpd2_code": "99.99.99"}
    )
    assert bad.status_code == 422
    assert 'data-error-for="okpd2_code"' in bad.text and "нет кода ОКПД2 «99.99.99»" in bad.text
    assert db.counts() == before
    no_csrf = http.post(f"/chains/{w.chain}/stages", data={"okpd2_code": "23.32.11"})
    assert no_csrf.status_code == 403 and db.counts() == before
    added = http.post(
        f"/chains/{w.chain}/stages", data={"csrf_token": token, "okpd2_code": "23.32.11"},
        follow_redirects=False,
    )  # fmt: skip
    assert added.status_code == 303 and added.headers["location"].startswith(
        f"/chains/{w.chain}#stage-"
    )
    assigned = http.post(
        f"/stages/{w.stages['sand']}/suppliers",
        data={"csrf_token": token, "enterprise_id": w["local_sand"]},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    html = http.get(f"/chains/{w.chain}").text
    assert html.count('data-state="covered"') == 3
    supplier_id = re.search(
        r'action="/stage-suppliers/(\d+)/delete"', html.split(f'id="stage-{w.stages["sand"]}"')[1]
    ).group(1)
    removed = http.post(
        f"/stage-suppliers/{supplier_id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.status_code == 303
    attach = http.post(
        f"/chains/{w.chain}/projects/{w.projects['planned']}/stage",
        data={"csrf_token": token, "stage_id": str(w.stages["sand"]), "version": "1"},
        follow_redirects=False,
    )
    assert attach.status_code == 303
    project = http.get(f"/api/v1/projects/{w.projects['planned']}").json()
    assert project["stage_id"] == w.stages["sand"]
    stale = http.post(
        f"/chains/{w.chain}/projects/{w.projects['planned']}/stage",
        data={"csrf_token": token, "stage_id": "", "version": "1"},
    )
    assert stale.status_code == 409
    assert CLAY in http.get(f"/chains/{w.chain}").text


def test_forms_refuse_a_manager_of_another_cluster(db, users, login_as):
    w = build_chain(db)
    with db.session() as s:
        other = service.create_cluster(s, None, {"name": "Другой", "region_codes": ["72"]}).id
    http = login_as(users.add("stranger", "cluster_manager", [other]))
    page = http.get(f"/chains/{w.chain}")
    assert page.status_code == 200 and "Добавить этап" not in page.text
    token = csrf_from(http.get("/").text)
    before = db.counts()
    response = http.post(
        f"/chains/{w.chain}/stages", data={"csrf_token": token, "okpd2_code": "23.32.11"}
    )
    assert response.status_code == 403 and "не управляете" in response.text
    assert db.counts() == before
