"""The compliance REST API: the report as JSON, checklist marks (references, permissions,
optimistic locking, audit) and the administration of rule editions and regional sets."""

import pytest

from compliance.kit import AS_OF, Builder

REPORT_KEYS = {"cluster", "as_of", "rule_set", "verdict", "criteria", "not_in_force"}


def _marks_url(cluster: int) -> str:
    return f"/api/v1/clusters/{cluster}/compliance/marks"


def test_the_report_is_public_json_with_every_criterion(client, build: Builder):
    cluster = build.cluster()
    build.members(cluster, 10)
    response = client.get(f"/api/v1/clusters/{cluster}/compliance", params={"as_of": "2024-06-01"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == REPORT_KEYS
    assert body["as_of"] == AS_OF.isoformat() and body["rule_set"] == "federal"
    ids = [c["id"] for c in body["criteria"]]
    assert ids == ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "S1", "V1"]
    c2 = body["criteria"][1]
    assert (c2["status"], c2["value"], c2["threshold"]) == ("pass", 10, 10)
    assert c2["edition"]["params"]["min_participants"] == 10
    assert c2["edition"]["valid_from"] == "2015-08-12"
    assert body["verdict"] == "incomplete"  # no supplies (C1, C3), no specialised org (S1)


def test_the_report_refuses_a_bad_date_an_unknown_set_or_cluster(client, build: Builder):
    cluster = build.cluster()
    url = f"/api/v1/clusters/{cluster}/compliance"
    assert client.get(url, params={"as_of": "01.06.2024"}).status_code == 422
    unknown_set = client.get(url, params={"rule_set": "region:99"})
    assert unknown_set.status_code == 422
    assert unknown_set.json()["detail"][0]["loc"][-1] == "rule_set"
    assert client.get("/api/v1/clusters/999999/compliance").status_code == 404


def test_a_manager_ticks_an_item_with_a_reference_and_it_is_audited(
    login_as, users, build: Builder, db
):
    cluster = build.cluster()
    manager = users.add("manager", "cluster_manager", [cluster])
    http = login_as(manager)
    response = http.put(
        _marks_url(cluster),
        json={"rule": "C5", "item": "application", "reference": "Заявление № 7 от 01.03.2024"},
    )
    assert response.status_code == 200, response.text
    mark = response.json()
    assert (mark["done"], mark["marked_by"], mark["version"]) == (True, manager.id, 1)
    report = http.get(f"/api/v1/clusters/{cluster}/compliance").json()
    c5 = next(c for c in report["criteria"] if c["id"] == "C5")
    item = next(i for i in c5["checklist"] if i["key"] == "application")
    assert (item["done"], item["reference"], item["marked_by"]) == (
        True,
        "Заявление № 7 от 01.03.2024",
        "manager",
    )
    assert c5["value"] == 1
    audit = db.audit(entity="compliance_marks")
    assert [a.action for a in audit] == ["create"] and audit[0].user_id == manager.id


def test_a_tick_without_a_reference_is_refused_and_nothing_is_written(admin_client, build, db):
    cluster = build.cluster()
    before = db.count("compliance_marks")
    response = admin_client.put(
        _marks_url(cluster), json={"rule": "C5", "item": "application", "reference": "  "}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reference"
    assert "укажите документ" in response.json()["detail"][0]["msg"]
    assert db.count("compliance_marks") == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rule": "C9", "item": "x", "reference": "д"}, "rule"),
        ({"rule": "C5", "item": "nothing", "reference": "д"}, "item"),
    ],
)
def test_an_unknown_rule_or_item_is_refused(admin_client, build, body, field):
    response = admin_client.put(_marks_url(build.cluster()), json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_marks_need_a_login_and_the_managers_own_cluster(client, login_as, users, build, db):
    mine, other = build.cluster(), build.cluster()
    body = {"rule": "S1", "item": "legal_entity", "reference": "Устав"}
    assert client.put(_marks_url(mine), json=body).status_code == 401
    manager = login_as(users.add("manager", "cluster_manager", [mine]))
    assert manager.put(_marks_url(other), json=body).status_code == 403
    rep = login_as(users.add("rep", "enterprise_rep", enterprise=db.add_enterprise()))
    assert rep.put(_marks_url(mine), json=body).status_code == 403
    assert db.count("compliance_marks") == 0
    assert manager.put(_marks_url(mine), json=body).status_code == 200


def test_a_stale_version_of_a_mark_is_refused(admin_client, build, db):
    cluster = build.cluster()
    body = {"rule": "S1", "item": "legal_entity", "reference": "Устав"}
    first = admin_client.put(_marks_url(cluster), json=body).json()
    untick = {**body, "done": False, "version": first["version"]}
    second = admin_client.put(_marks_url(cluster), json=untick)
    assert second.status_code == 200 and second.json()["done"] is False
    assert second.json()["reference"] == "Устав"  # kept as history of the untick
    stale = admin_client.put(_marks_url(cluster), json={**body, "version": first["version"]})
    assert stale.status_code == 409
    assert "изменена другим пользователем" in stale.json()["detail"]


# Rule administration


def _rule_id(client, code: str, rule_set: str = "federal") -> dict:
    rules = client.get("/api/v1/compliance/rules", params={"rule_set": rule_set}).json()
    return next(r for r in rules if r["code"] == code)


def test_rules_are_listed_publicly_with_their_editions(client, db):
    rules = client.get("/api/v1/compliance/rules").json()
    assert [r["code"] for r in rules] == ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "S1", "V1"]
    c4 = rules[3]
    assert (c4["valid_from"], c4["decided_by"], c4["params"]["max_without_output"]) == (
        "2021-11-16",
        "data",
        3,
    )


def test_an_admin_changes_a_parameter_and_the_check_follows(admin_client, build):
    cluster = build.cluster()
    build.members(cluster, 9)
    c2 = _rule_id(admin_client, "C2")
    params = {**c2["params"], "min_participants": 9}
    response = admin_client.patch(
        f"/api/v1/compliance/rules/{c2['id']}", json={"version": c2["version"], "params": params}
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == c2["version"] + 1
    report = admin_client.get(f"/api/v1/clusters/{cluster}/compliance").json()
    assert next(c for c in report["criteria"] if c["id"] == "C2")["status"] == "pass"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"min_participants": 0}, "params.min_participants", "целое число не меньше 1"),
        ({"min_participants": "десять"}, "params.min_participants", "целое число"),
        ({"min_participants": 9.5}, "params.min_participants", "целое число"),
        ({"industrial_sections": ["C", "ZZ"]}, "params.industrial_sections", "раздел ОКВЭД2"),
        ({"exclude_roles": ["boss"]}, "params.exclude_roles", "неизвестная роль"),
        ({"extra": 1}, "params.extra", "неизвестный параметр"),
    ],
)
def test_bad_c2_params_are_refused_naming_the_parameter(admin_client, db, change, field, message):
    c2 = _rule_id(admin_client, "C2")
    params = {**c2["params"], **change}
    response = admin_client.patch(
        f"/api/v1/compliance/rules/{c2['id']}", json={"version": c2["version"], "params": params}
    )
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert (error["loc"][-1], message in error["msg"]) == (field, True)
    assert _rule_id(admin_client, "C2") == c2  # nothing written


@pytest.mark.parametrize("share", [1.5, -0.1, True])
def test_a_share_outside_zero_to_one_is_refused(admin_client, db, share):
    c3 = _rule_id(admin_client, "C3")
    params = {**c3["params"], "min_share": share}
    response = admin_client.patch(
        f"/api/v1/compliance/rules/{c3['id']}", json={"version": c3["version"], "params": params}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "params.min_share"


def test_a_missing_parameter_is_refused(admin_client, db):
    c2 = _rule_id(admin_client, "C2")
    params = {k: v for k, v in c2["params"].items() if k != "min_participants"}
    response = admin_client.patch(
        f"/api/v1/compliance/rules/{c2['id']}", json={"version": c2["version"], "params": params}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "params.min_participants"


def test_rule_changes_need_an_admin_and_the_current_version(
    admin_client, login_as, users, build, db
):
    cluster = build.cluster()
    c2 = _rule_id(admin_client, "C2")
    manager = login_as(users.add("manager", "cluster_manager", [cluster]))
    body = {"version": c2["version"], "enabled": False}
    assert manager.patch(f"/api/v1/compliance/rules/{c2['id']}", json=body).status_code == 403
    new = {"code": "C2", "valid_from": "2026-01-01"}
    assert manager.post("/api/v1/compliance/rules", json=new).status_code == 403
    assert (
        manager.post("/api/v1/compliance/rule-sets", json={"region_code": "72"}).status_code == 403
    )
    assert admin_client.patch(f"/api/v1/compliance/rules/{c2['id']}", json=body).status_code == 200
    stale = admin_client.patch(f"/api/v1/compliance/rules/{c2['id']}", json=body)
    assert stale.status_code == 409


def test_a_new_edition_and_a_regional_set_through_the_api(admin_client, build, db):
    cluster = build.cluster()
    build.members(cluster, 7)
    c2 = _rule_id(admin_client, "C2")
    created = admin_client.post(
        "/api/v1/compliance/rules",
        json={
            "code": "C2",
            "valid_from": "2026-01-01",
            "params": {**c2["params"], "min_participants": 7},
        },
    )
    assert created.status_code == 201, created.text
    again = admin_client.post(
        "/api/v1/compliance/rules", json={"code": "C2", "valid_from": "2026-01-01"}
    )
    assert again.status_code == 422 and again.json()["detail"][0]["loc"][-1] == "valid_from"
    url = f"/api/v1/clusters/{cluster}/compliance"
    status = {
        day: next(
            c
            for c in admin_client.get(url, params={"as_of": day}).json()["criteria"]
            if c["id"] == "C2"
        )["status"]
        for day in ("2025-12-31", "2026-01-01")
    }
    assert status == {"2025-12-31": "fail", "2026-01-01": "pass"}

    copied = admin_client.post("/api/v1/compliance/rule-sets", json={"region_code": "72"})
    assert copied.status_code == 201 and len(copied.json()) == 10  # both C2 editions copied
    bad = admin_client.post("/api/v1/compliance/rule-sets", json={"region_code": "00"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "region_code"
    regional = admin_client.get(url, params={"rule_set": "region:72"}).json()
    assert regional["rule_set"] == "region:72" and len(regional["criteria"]) == 9
