"""REST API of the registry: create, read, list with pagination and filters, update with
optimistic locking, delete — for clusters, enterprises, memberships, chains and projects."""

import pytest
from factories import MODELS, fresh_inn, inn12, ogrn
from sqlalchemy import select

from promcluster.reference.models import City

API = "/api/v1"
RESOURCES = ["clusters", "enterprises", "memberships", "chains", "projects"]


def city_id(db, name: str) -> int:
    with db.sessions() as session:
        return session.scalar(select(City.id).where(City.name == name))


def make_records(db, resource: str, n: int) -> list[int]:
    """``n`` records of ``resource`` created through the service layer."""
    if resource == "clusters":
        return [db.add_cluster(name=f"Кластер {i}") for i in range(n)]
    if resource == "enterprises":
        return [db.add_enterprise(name=f"Предприятие {i}") for i in range(n)]
    cluster = db.add_cluster()
    if resource == "memberships":
        return [db.add_membership(cluster, db.add_enterprise()) for _ in range(n)]
    if resource == "chains":
        return [db.add_chain(cluster, position=i + 1) for i in range(n)]
    return [db.add_project(cluster) for _ in range(n)]


# A change of one plain field per resource, for the update and locking tests.
CHANGES = {
    "clusters": ("name", "Новое название кластера"),
    "enterprises": ("name", "Новое название предприятия"),
    "memberships": ("status", "left"),
    "chains": ("name", "Новая цепочка"),
    "projects": ("status", "in_progress"),
}


# Create and read


def test_create_and_read_cluster(admin_client, client):
    body = {
        "name": "Кластер композитных материалов",
        "region_codes": ["72"],
        "status": "regional",
        "specialisation": ["20.16", "22.21"],
        "description": "Полимеры и изделия из них",
        "registry_date": "2024-05-01",
    }
    created = admin_client.post(f"{API}/clusters", json=body)
    assert created.status_code == 201, created.text
    cluster = created.json()
    assert cluster["version"] == 1
    assert cluster["region_codes"] == ["72"]
    assert cluster["regions"] == [{"code": "72", "name": "Тюменская область"}]
    assert sorted(s["code"] for s in cluster["specialisation"]) == ["20.16", "22.21"]
    assert cluster["kind"] == "industrial"

    read = client.get(f"{API}/clusters/{cluster['id']}")
    assert read.status_code == 200
    assert read.json() == cluster
    for key in ("name", "status", "description", "registry_date"):
        assert read.json()[key] == body[key]


def test_cluster_in_two_regions_becomes_interregional(admin_client):
    created = admin_client.post(
        f"{API}/clusters", json={"name": "Межрегиональный", "region_codes": ["72", "86"]}
    )
    assert created.status_code == 201, created.text
    assert created.json()["kind"] == "interregional"
    assert created.json()["region_codes"] == ["72", "86"]


def test_create_and_read_enterprise(admin_client, client, db):
    tyumen = city_id(db, "Тюмень")
    body = {
        "name": "ООО «Тюменский завод стеновых материалов»",
        "region_code": "72",
        "inn": fresh_inn(),
        "ogrn": ogrn("102720000777"),
        "city_id": tyumen,
        "okved_main": "23.61",
        "okved_extra": ["23.63", "23.69"],
        "employees": 120,
        "revenue": 350_000_000,
        "sme_category": "medium",
    }
    created = admin_client.post(f"{API}/enterprises", json=body)
    assert created.status_code == 201, created.text
    e = created.json()
    for key, value in body.items():
        assert e[key] == value, key
    assert e["region"]["code"] == "72"
    assert e["main_activity"]["code"] == "23.61"
    assert sorted(a["code"] for a in e["extra_activities"]) == ["23.63", "23.69"]
    assert client.get(f"{API}/enterprises/{e['id']}").json() == e


def test_individual_entrepreneur_with_12_digit_inn(admin_client):
    inn = inn12("7202000001")
    created = admin_client.post(
        f"{API}/enterprises", json={"name": "ИП Иванов", "region_code": "72", "inn": inn}
    )
    assert created.status_code == 201, created.text
    assert created.json()["inn"] == inn


def test_create_and_read_membership(admin_client, client, db):
    cluster, enterprise = db.add_cluster(), db.add_enterprise()
    body = {
        "cluster_id": cluster,
        "enterprise_id": enterprise,
        "status": "applicant",
        "role": "anchor",
        "since": "2024-09-01",
        "note": "подана заявка",
    }
    created = admin_client.post(f"{API}/memberships", json=body)
    assert created.status_code == 201, created.text
    for key, value in body.items():
        assert created.json()[key] == value
    assert client.get(f"{API}/memberships/{created.json()['id']}").json() == created.json()


def test_create_and_read_chain_with_project_totals(admin_client, client, db):
    cluster = db.add_cluster()
    created = admin_client.post(
        f"{API}/chains",
        json={
            "cluster_id": cluster,
            "name": "Стеновые материалы",
            "position": 2,
            "status": "forming",
            "products": ["23.61.11", "23.61.12"],
        },
    )
    assert created.status_code == 201, created.text
    chain = created.json()
    assert sorted(p["code"] for p in chain["products"]) == ["23.61.11", "23.61.12"]
    assert (chain["project_count"], chain["project_amount"]) == (0, 0)

    db.add_project(cluster, chain_id=chain["id"], amount=1_000_000)
    db.add_project(cluster, chain_id=chain["id"], amount=2_500_000)
    db.add_project(cluster, chain_id=chain["id"])  # amount unknown
    db.add_project(cluster)  # not on the chain
    read = client.get(f"{API}/chains/{chain['id']}").json()
    assert read["project_count"] == 3
    assert read["project_amount"] == 3_500_000


def test_create_and_read_project(admin_client, client, db):
    cluster = db.add_cluster()
    chain = db.add_chain(cluster)
    initiator = db.add_enterprise()
    body = {
        "cluster_id": cluster,
        "chain_id": chain,
        "initiator_id": initiator,
        "name": "Производство газоблоков",
        "amount": 900_000_000,
        "start_year": 2024,
        "end_year": 2026,
        "status": "in_progress",
        "import_substitution": True,
        "jobs": 80,
    }
    created = admin_client.post(f"{API}/projects", json={**body, "products": ["23.61.11.130"]})
    assert created.status_code == 201, created.text
    for key, value in body.items():
        assert created.json()[key] == value, key
    assert [p["code"] for p in created.json()["products"]] == ["23.61.11.130"]
    assert client.get(f"{API}/projects/{created.json()['id']}").json() == created.json()


@pytest.mark.parametrize("resource", RESOURCES)
def test_reading_a_missing_record_is_404(client, db, resource):
    assert client.get(f"{API}/{resource}/999999").status_code == 404


# Lists and pagination


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_is_paginated(client, db, resource):
    ids = make_records(db, resource, 5)
    pages = [client.get(f"{API}/{resource}", params={"page": n, "per_page": 2}) for n in (1, 2, 3)]
    for n, response in enumerate(pages, start=1):
        assert response.status_code == 200
        assert (response.json()["page"], response.json()["per_page"]) == (n, 2)
        assert response.json()["total"] == 5
    seen = [item["id"] for r in pages for item in r.json()["items"]]
    assert [len(r.json()["items"]) for r in pages] == [2, 2, 1]
    assert sorted(seen) == sorted(ids)
    beyond = client.get(f"{API}/{resource}", params={"page": 4, "per_page": 2}).json()
    assert beyond["items"] == [] and beyond["total"] == 5
    everything = client.get(f"{API}/{resource}").json()
    assert everything["per_page"] == 50 and everything["page"] == 1
    assert sorted(i["id"] for i in everything["items"]) == sorted(ids)


@pytest.mark.parametrize("params", [{"page": 0}, {"per_page": 0}, {"per_page": 501}])
def test_list_refuses_bad_page_parameters(client, db, params):
    response = client.get(f"{API}/clusters", params=params)
    assert response.status_code == 422
    assert str(response.json()["detail"][0]["loc"][-1]) in params


def test_lists_are_sorted_by_name(client, db):
    for name in ("Ясень", "Астра", "Молот"):
        db.add_cluster(name=name)
        db.add_enterprise(name=name)
    for resource in ("clusters", "enterprises"):
        names = [i["name"] for i in client.get(f"{API}/{resource}").json()["items"]]
        assert names == ["Астра", "Молот", "Ясень"]


# Filters


def names(response) -> set[str]:
    assert response.status_code == 200, response.text
    return {i["name"] for i in response.json()["items"]}


def test_cluster_filters(client, db):
    db.add_cluster(
        name="Химический кластер",
        region_codes=["47"],
        status="regional",
        specialisation=["20.16"],
    )
    db.add_cluster(
        name="Янтарный кластер",
        region_codes=["39"],
        status="federal_registry",
        specialisation=["32.12"],
        description="Ювелирные изделия из янтаря",
    )
    db.add_cluster(
        name="Межрегиональный кластер «Юг»",
        region_codes=["23", "61"],
        status="forming",
        specialisation=["28.30"],
    )
    url = f"{API}/clusters"
    assert names(client.get(url, params={"q": "ЯНТАР"})) == {"Янтарный кластер"}
    assert names(client.get(url, params={"q": "ювелирные"})) == {"Янтарный кластер"}
    assert names(client.get(url, params={"q": "кластер"})) == {
        "Химический кластер",
        "Янтарный кластер",
        "Межрегиональный кластер «Юг»",
    }
    assert names(client.get(url, params={"region": "47"})) == {"Химический кластер"}
    assert names(client.get(url, params={"region": "61"})) == {"Межрегиональный кластер «Юг»"}
    assert names(client.get(url, params={"status": "federal_registry"})) == {"Янтарный кластер"}
    assert names(client.get(url, params={"specialisation": "20"})) == {"Химический кластер"}
    assert names(client.get(url, params={"specialisation": "20.16"})) == {"Химический кластер"}
    assert names(client.get(url, params={"specialisation": "28"})) == {
        "Межрегиональный кластер «Юг»"
    }
    both = client.get(url, params={"region": "39", "status": "regional"})
    assert names(both) == set() and both.json()["total"] == 0
    assert client.get(url, params={"q": "кластер", "per_page": 1}).json()["total"] == 3
    assert client.get(url, params={"status": "no-such-status"}).status_code == 422


def test_cluster_specialisation_filter_finds_codes_below_a_group(client, db):
    """OKVED2 codes grow by appending digits (25 → 25.9 → 25.99 → 25.99.2 → 25.99.23), so a
    filter by a group must find clusters specialised in any code below it."""
    from promcluster.reference.models import Okved

    with db.sessions() as session:
        assert session.get(Okved, "25.99").parent_code == "25.9"
        assert session.get(Okved, "25.99.2").parent_code == "25.99"
        assert session.get(Okved, "25.99.23").parent_code == "25.99.2"
    db.add_cluster(name="Кластер металлоизделий", specialisation=["25.99"])
    db.add_cluster(name="Кластер фурнитуры", specialisation=["25.99.23"])
    url = f"{API}/clusters"
    both = {"Кластер металлоизделий", "Кластер фурнитуры"}
    assert names(client.get(url, params={"specialisation": "25"})) == both
    assert names(client.get(url, params={"specialisation": "25.99"})) == both
    assert names(client.get(url, params={"specialisation": "25.9"})) == both
    assert names(client.get(url, params={"specialisation": "25.99.2"})) == {"Кластер фурнитуры"}


def test_enterprise_filters(client, db):
    inn = fresh_inn()
    polifas = db.add_enterprise(
        name="НПО «Полифас — Экспорт»", region_code="47", inn=inn, okved_main="20.16"
    )
    db.add_enterprise(name="Ёлочные игрушки", region_code="47", okved_main="32.99")
    db.add_enterprise(name="Тюменский завод ЖБИ", region_code="72", okved_main="23.61")
    cluster = db.add_cluster(region_codes=["47"])
    db.add_membership(cluster, polifas)
    url = f"{API}/enterprises"
    assert names(client.get(url, params={"q": "полифас"})) == {"НПО «Полифас — Экспорт»"}
    assert names(client.get(url, params={"q": "ПОЛИФАС — ЭКСПОРТ"})) == {"НПО «Полифас — Экспорт»"}
    assert names(client.get(url, params={"q": "елочные"})) == {"Ёлочные игрушки"}
    assert names(client.get(url, params={"q": "ЁЛОЧНЫЕ"})) == {"Ёлочные игрушки"}
    assert names(client.get(url, params={"q": "тюменский"})) == {"Тюменский завод ЖБИ"}
    assert names(client.get(url, params={"q": inn})) == {"НПО «Полифас — Экспорт»"}
    assert names(client.get(url, params={"q": inn[:6]})) == {"НПО «Полифас — Экспорт»"}
    assert names(client.get(url, params={"q": "%"})) == set()
    assert names(client.get(url, params={"q": "_"})) == set()
    assert names(client.get(url, params={"region": "47"})) == {
        "НПО «Полифас — Экспорт»",
        "Ёлочные игрушки",
    }
    assert names(client.get(url, params={"okved": "23"})) == {"Тюменский завод ЖБИ"}
    assert names(client.get(url, params={"okved": "23.61"})) == {"Тюменский завод ЖБИ"}
    assert names(client.get(url, params={"okved": "20.16"})) == {"НПО «Полифас — Экспорт»"}
    assert names(client.get(url, params={"cluster_id": cluster})) == {"НПО «Полифас — Экспорт»"}
    assert names(client.get(url, params={"cluster_id": cluster, "q": "ёлоч"})) == set()


def test_enterprise_okved_filter_finds_codes_below_a_group(client, db):
    db.add_enterprise(name="Завод газоблоков", okved_main="23.61")
    url = f"{API}/enterprises"
    assert names(client.get(url, params={"okved": "23.6"})) == {"Завод газоблоков"}


def test_membership_filters(client, db):
    a, b = db.add_cluster(), db.add_cluster()
    e1, e2, e3 = db.add_enterprise(), db.add_enterprise(), db.add_enterprise()
    m1 = db.add_membership(a, e1, status="member", role="anchor")
    m2 = db.add_membership(a, e2, status="applicant", role="participant")
    m3 = db.add_membership(b, e1, status="member", role="participant")
    m4 = db.add_membership(b, e3, status="potential", role="science")
    url = f"{API}/memberships"

    def ids(**params) -> set[int]:
        response = client.get(url, params=params)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == len(response.json()["items"])
        return {i["id"] for i in response.json()["items"]}

    assert ids(cluster_id=a) == {m1, m2}
    assert ids(cluster_id=b) == {m3, m4}
    assert ids(status="member") == {m1, m3}
    assert ids(role="participant") == {m2, m3}
    assert ids(cluster_id=b, status="member") == {m3}
    assert ids(enterprise_id=e1) == {m1, m3}
    assert ids(role="anchor", cluster_id=b) == set()
    assert client.get(url, params={"role": "boss"}).status_code == 422


def test_chain_filter_by_cluster(client, db):
    a, b = db.add_cluster(), db.add_cluster()
    first, second = db.add_chain(a, position=1), db.add_chain(a, position=2)
    other = db.add_chain(b)
    items = client.get(f"{API}/chains", params={"cluster_id": a}).json()["items"]
    assert [i["id"] for i in items] == [first, second]
    assert [
        i["id"] for i in client.get(f"{API}/chains", params={"cluster_id": b}).json()["items"]
    ] == [other]


def test_project_filters(client, db):
    a, b = db.add_cluster(), db.add_cluster()
    chain = db.add_chain(a)
    p1 = db.add_project(a, chain_id=chain, status="planned")
    p2 = db.add_project(a, chain_id=chain, status="done")
    p3 = db.add_project(a, status="planned")
    p4 = db.add_project(b, status="idea")
    url = f"{API}/projects"

    def ids(**params) -> set[int]:
        response = client.get(url, params=params)
        assert response.status_code == 200, response.text
        return {i["id"] for i in response.json()["items"]}

    assert ids(cluster_id=a) == {p1, p2, p3}
    assert ids(cluster_id=b) == {p4}
    assert ids(chain_id=chain) == {p1, p2}
    assert ids(status="planned") == {p1, p3}
    assert ids(cluster_id=a, status="done") == {p2}
    assert ids(chain_id=chain, status="idea") == set()


# Update with optimistic locking


@pytest.mark.parametrize("resource", RESOURCES)
def test_patch_with_current_version_changes_the_record(admin_client, client, db, resource):
    [id_] = make_records(db, resource, 1)
    before = client.get(f"{API}/{resource}/{id_}").json()
    field, value = CHANGES[resource]
    response = admin_client.patch(
        f"{API}/{resource}/{id_}", json={field: value, "version": before["version"]}
    )
    assert response.status_code == 200, response.text
    after = client.get(f"{API}/{resource}/{id_}").json()
    assert after[field] == value
    assert after["version"] == before["version"] + 1
    untouched = {k: v for k, v in before.items() if k not in (field, "version")}
    assert {k: after[k] for k in untouched} == untouched


@pytest.mark.parametrize("resource", RESOURCES)
def test_patch_with_stale_version_is_409_and_changes_nothing(admin_client, client, db, resource):
    [id_] = make_records(db, resource, 1)
    field, value = CHANGES[resource]
    original = client.get(f"{API}/{resource}/{id_}").json()
    first = admin_client.patch(
        f"{API}/{resource}/{id_}", json={field: value, "version": original["version"]}
    )
    assert first.status_code == 200, first.text
    current = client.get(f"{API}/{resource}/{id_}").json()
    counts = db.counts()

    other = "Другое значение" if field == "name" else original[field]
    stale = admin_client.patch(
        f"{API}/{resource}/{id_}", json={field: other, "version": original["version"]}
    )
    assert stale.status_code == 409
    assert isinstance(stale.json()["detail"], str) and stale.json()["detail"]
    assert client.get(f"{API}/{resource}/{id_}").json() == current
    assert db.counts() == counts


@pytest.mark.parametrize("resource", RESOURCES)
def test_patch_without_version_is_refused(admin_client, client, db, resource):
    [id_] = make_records(db, resource, 1)
    field, value = CHANGES[resource]
    before = client.get(f"{API}/{resource}/{id_}").json()
    response = admin_client.patch(f"{API}/{resource}/{id_}", json={field: value})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "version"
    assert client.get(f"{API}/{resource}/{id_}").json() == before


@pytest.mark.parametrize("resource", RESOURCES)
def test_patch_of_a_missing_record_is_404(admin_client, db, resource):
    field, value = CHANGES[resource]
    response = admin_client.patch(f"{API}/{resource}/999999", json={field: value, "version": 1})
    assert response.status_code == 404


def test_patch_changes_lists_of_codes(admin_client, client, db):
    cluster = db.add_cluster(region_codes=["72"], specialisation=["23.61"])
    version = client.get(f"{API}/clusters/{cluster}").json()["version"]
    response = admin_client.patch(
        f"{API}/clusters/{cluster}",
        json={"region_codes": ["86"], "specialisation": ["23.63", "23.61"], "version": version},
    )
    assert response.status_code == 200, response.text
    read = client.get(f"{API}/clusters/{cluster}").json()
    assert read["region_codes"] == ["86"]
    assert sorted(s["code"] for s in read["specialisation"]) == ["23.61", "23.63"]
    assert names(client.get(f"{API}/clusters", params={"region": "72"})) == set()


def test_patch_moves_project_to_another_chain_of_its_cluster(admin_client, client, db):
    cluster = db.add_cluster()
    first, second = db.add_chain(cluster), db.add_chain(cluster)
    project = db.add_project(cluster, chain_id=first, amount=5_000_000)
    response = admin_client.patch(
        f"{API}/projects/{project}", json={"chain_id": second, "version": 1}
    )
    assert response.status_code == 200, response.text
    assert client.get(f"{API}/chains/{first}").json()["project_count"] == 0
    assert client.get(f"{API}/chains/{second}").json()["project_amount"] == 5_000_000


# Delete


@pytest.mark.parametrize("resource", RESOURCES)
def test_delete_then_404(admin_client, client, db, resource):
    [id_, kept] = make_records(db, resource, 2)
    response = admin_client.delete(f"{API}/{resource}/{id_}")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"{API}/{resource}/{id_}").status_code == 404
    assert admin_client.delete(f"{API}/{resource}/{id_}").status_code == 404
    assert db.get(MODELS[resource], id_) is None
    assert client.get(f"{API}/{resource}/{kept}").status_code == 200


def test_deleting_a_cluster_removes_its_memberships_chains_and_projects(admin_client, db):
    cluster, other = db.add_cluster(), db.add_cluster()
    enterprise = db.add_enterprise()
    db.add_membership(cluster, enterprise)
    chain = db.add_chain(cluster, products=["23.61.11"])
    db.add_project(cluster, chain_id=chain, products=["23.61.11.130"])
    db.add_project(cluster)
    kept = db.add_project(other)
    assert admin_client.delete(f"{API}/clusters/{cluster}").status_code == 204
    counts = db.counts()
    assert counts["memberships"] == 0
    assert counts["chains"] == 0
    assert counts["chain_products"] == 0
    assert counts["investment_projects"] == 1
    assert counts["project_products"] == 0
    assert counts["cluster_regions"] == 1
    assert counts["enterprises"] == 1  # the enterprise itself stays
    assert admin_client.get(f"{API}/projects/{kept}").status_code == 200


def test_deleting_an_enterprise_removes_its_memberships(admin_client, client, db):
    cluster = db.add_cluster()
    enterprise, other = db.add_enterprise(okved_extra=["23.61"]), db.add_enterprise()
    db.add_membership(cluster, enterprise)
    kept = db.add_membership(cluster, other)
    assert admin_client.delete(f"{API}/enterprises/{enterprise}").status_code == 204
    items = client.get(f"{API}/memberships", params={"cluster_id": cluster}).json()["items"]
    assert [m["id"] for m in items] == [kept]
    assert db.count("enterprise_okved") == 0


def test_deleting_a_chain_keeps_its_projects_in_the_cluster(admin_client, client, db):
    cluster = db.add_cluster()
    chain = db.add_chain(cluster)
    project = db.add_project(cluster, chain_id=chain)
    assert admin_client.delete(f"{API}/chains/{chain}").status_code == 204
    read = client.get(f"{API}/projects/{project}")
    assert read.status_code == 200
    assert read.json()["chain_id"] is None
    assert read.json()["cluster_id"] == cluster
