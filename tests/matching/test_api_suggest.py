"""``GET /api/v1/search/suggest``: the top bar's suggestions and the pickers' typeahead — groups
by kind with counts, lines with id, kind, title, detail, link, count, why and the marked title;
``kind`` narrows, ``limit`` bounds the lines of each kind, an INN finds its enterprise; bad
parameters are refused by name; anyone may call it, with the same answer for every role."""

import pytest
from factories import error_fields, fresh_inn

from promcluster.matching.vocabulary import known_words

SUGGEST = "/api/v1/search/suggest"
ROLES = ("admin", "cluster_manager", "enterprise_rep")
LINE_KEYS = {"id", "kind", "title", "detail", "link", "count", "why", "title_marked"}


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    known_words.forget()
    yield
    known_words.forget()


@pytest.fixture
def gas_blocks(db) -> dict[str, int]:
    building = db.add_cluster(name="Строительно-индустриальный кластер Тюменской области")
    chain = db.add_chain(building, name="Цепочка 1: стеновые изделия, газоблоки")
    projects = [
        db.add_project(building, chain_id=chain, name=f"Производство газоблоков, очередь {n}")
        for n in (1, 2, 3)
    ]
    twins = [db.add_project(building, name="Цех газоблоков") for _ in range(2)]
    inn = fresh_inn()
    firm = db.add_enterprise(name="ООО «Газоблок-Сибирь»", inn=inn)
    return {"building": building, "chain": chain, "firm": firm, "inn": inn, "twins": twins,
            "first": projects[0]}  # fmt: skip


def suggest(client, q: str, **params):
    response = client.get(SUGGEST, params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_suggestions_are_grouped_by_kind_with_counts_and_links(client, gas_blocks):
    found = suggest(client, "газоблок")
    assert found["query"] == "газоблок" and found["every_word"] is True
    assert found["corrected"] == {}
    groups = {g["kind"]: g for g in found["groups"]}
    assert set(groups) == {"chain", "project", "enterprise"}
    assert groups["project"]["label"] == "Инвестиционные проекты"
    assert groups["project"]["count"] == 4  # three queues and the two twins as one line
    assert groups["project"]["capped"] is False
    for group in found["groups"]:
        for item in group["items"]:
            assert set(item) == LINE_KEYS
            assert item["kind"] == group["kind"]
            assert "".join(p["text"] for p in item["title_marked"]) == item["title"]
            assert any(p["marked"] for p in item["title_marked"])
            assert item["why"].startswith("совпало: название")
    (chain,) = groups["chain"]["items"]
    assert chain["id"] == gas_blocks["chain"] and chain["link"] == f"/chains/{chain['id']}"
    twins = [i for i in groups["project"]["items"] if i["title"] == "Цех газоблоков"]
    assert len(twins) == 1 and twins[0]["count"] == 2
    assert twins[0]["id"] in gas_blocks["twins"]
    assert twins[0]["link"] == f"/clusters/{gas_blocks['building']}"  # a project of no chain


def test_limit_bounds_the_lines_of_each_kind(client, gas_blocks):
    groups = {g["kind"]: g for g in suggest(client, "газоблок", limit=1)["groups"]}
    assert [len(g["items"]) for g in groups.values()] == [1, 1, 1]
    assert groups["project"]["count"] == 4
    default = {g["kind"]: g for g in suggest(client, "газоблок")["groups"]}
    assert len(default["project"]["items"]) == 4  # up to five by default


def test_kind_narrows_for_a_picker_and_an_inn_finds_its_enterprise(client, gas_blocks):
    found = suggest(client, "газобл", kind="enterprise")
    assert [g["kind"] for g in found["groups"]] == ["enterprise"]
    assert [i["id"] for i in found["groups"][0]["items"]] == [gas_blocks["firm"]]
    by_inn = suggest(client, gas_blocks["inn"], kind="enterprise")
    (item,) = by_inn["groups"][0]["items"]
    assert item["id"] == gas_blocks["firm"]
    assert item["link"] == f"/enterprises/{gas_blocks['firm']}"
    assert item["why"] == "совпало: ИНН, ОГРН или номер"
    two = suggest(client, "газоблок", kind=["chain", "project"])
    assert {g["kind"] for g in two["groups"]} == {"chain", "project"}


def test_a_typo_is_corrected_and_said(client, gas_blocks):
    found = suggest(client, "газаблок")
    assert found["corrected"] == {"газаблок": "газоблок"}
    assert found["groups"]
    assert all("исправлено: газаблок → газоблок" in i["why"]
               for g in found["groups"] for i in g["items"])  # fmt: skip


def test_nothing_found_is_an_empty_list(client, gas_blocks):
    assert suggest(client, "абракадабра")["groups"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "г" * 101}, "q"),
        ({"limit": 0}, "limit"),
        ({"limit": 11}, "limit"),
        ({"limit": "много"}, "limit"),
        ({"kind": "planet"}, "kind"),
    ],
)
def test_bad_parameters_are_refused_by_name(client, db, params, field):
    response = client.get(SUGGEST, params={"q": "газоблок", **params})
    assert response.status_code == 422, response.text
    assert error_fields(response) == [field]


def test_a_missing_q_is_refused(client, db):
    response = client.get(SUGGEST)
    assert response.status_code == 422 and error_fields(response) == ["q"]


def test_an_unknown_kind_names_the_allowed_ones(client, db):
    response = client.get(SUGGEST, params={"q": "газоблок", "kind": "planet"})
    message = response.json()["detail"][0]["msg"]
    assert "planet" in message and "cluster" in message and "project" in message


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_same_suggestions_as_anonymous(client, login_as, users, gas_blocks,
                                                           role):  # fmt: skip
    scope = {"clusters": [gas_blocks["building"]]} if role == "cluster_manager" else {}
    if role == "enterprise_rep":
        scope = {"enterprise": gas_blocks["firm"]}
    account = users.add(f"suggest-{role}", role, **scope)
    anonymous = suggest(client, "газоблок")
    assert suggest(login_as(account), "газоблок") == anonymous
    assert anonymous["groups"]


def test_openapi_describes_the_route(client, db):
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"][SUGGEST]["get"]
    assert operation["tags"] == ["Поиск"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"q", "kind", "limit"}
