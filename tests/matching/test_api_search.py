"""Search and OKPD2 codes over HTTP: ``/api/v1/search`` with its filters, bounds, corrections
and links to pages that open; ``/api/v1/okpd2/suggest`` for one name and for a batch; the
corrections that later suggestions put first; the OpenAPI description of the four routes."""

import re
from datetime import date, timedelta

import pytest
from factories import error_fields

from matching.test_classification import database_classifier  # noqa: F401  (a fixture)
from promcluster.matching import postings as matching
from promcluster.matching.vocabulary import known_words
from promcluster.registry.models import ProductLine

API = "/api/v1"
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
BRICK = "23.32.11.110"  # Кирпич керамический
PIPES = "22.21.21"  # Трубы из термопластов
BLOCKS = "23.61.11.140"  # Блоки стеновые из бетона
GRAVEL = "Щебень гранитный"
MOTOR_OIL = "Масло моторное"
UNIVERSAL_OIL = "19.20.29.110"  # Масла моторные (универсальные, …), not the first suggestion
FUTURE = date.today() + timedelta(days=60)
# Tests that ask for suggestions start from a copy of the package classifier (no 10 s build).
with_classifier = pytest.mark.usefixtures("database_classifier")


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    """Each test's database starts empty, so the spelling vocabulary is reloaded."""
    known_words.forget()
    yield
    known_words.forget()


def product(db, owner: int, code: str, name: str, direction: str = "produces") -> int:
    with db.session() as session:
        line = ProductLine(enterprise_id=owner, okpd2_code=code, direction=direction, name=name)
        session.add(line)
        session.flush()
        return line.id


def need(db, customer: int, name: str, code: str) -> int:
    data = {"customer_id": customer, "product_name": name, "okpd2_code": code}
    with db.session() as session:
        return matching.create_need(session, None, {"deadline": FUTURE, **data}).id


def offer(db, supplier: int, name: str, code: str) -> int:
    data = {"supplier_id": supplier, "product_name": name, "okpd2_code": code}
    with db.session() as session:
        return matching.create_offer(session, None, data).id


def hits(client, q: str, **params) -> list[tuple[str, int]]:
    response = client.get(f"{API}/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [(h["kind"], h["ref_id"]) for h in response.json()["hits"]]


def refused(client, path: str, params, field: str):
    response = client.get(path, params=params)
    assert response.status_code == 422, response.text
    assert field in error_fields(response), response.json()
    assert all(CYRILLIC.search(e["msg"]) for e in response.json()["detail"]), response.json()
    return response


@pytest.fixture
def bricks(db):
    """A brick works with a line, an offer and a builder's need, all about bricks."""
    plant = db.add_enterprise(name="Завод «Кирпич и черепица»")
    builder = db.add_enterprise(name="Домостроительный комбинат", region_code="66")
    return {
        "enterprise": plant,
        "product": product(db, plant, BRICK, "Кирпич облицовочный"),
        "need": need(db, builder, "Кирпич рядовой", BRICK),
        "offer": offer(db, plant, "Кирпич облицовочный М150", BRICK),
        "builder": builder,
    }


# Search


def test_search_finds_a_record_in_any_case_form(client, db):
    plant = db.add_enterprise(name="ООО «Полимер»")
    line = product(db, plant, PIPES, "Труба напорная")
    for query in ("трубы", "трубами", "ТРУБА", "напорных труб"):
        assert hits(client, query) == [("product", line)], query
    body = client.get(f"{API}/search", params={"q": "напорных труб"}).json()
    assert (body["query"], body["every_word"], body["corrected"]) == ("напорных труб", True, {})
    [hit] = body["hits"]
    assert hit["title"] == "Труба напорная"
    assert hit["okpd2_code"] == PIPES
    assert hit["region_code"] == "72"
    assert hit["score"] > 0


def test_repeated_kind_filters_the_hits(client, bricks):
    every = set(hits(client, "кирпич"))
    assert every == {(k, bricks[k]) for k in ("enterprise", "product", "need", "offer")}
    assert hits(client, "кирпич", kind="offer") == [("offer", bricks["offer"])]
    chosen = client.get(
        f"{API}/search", params=[("q", "кирпич"), ("kind", "need"), ("kind", "product")]
    )
    assert {(h["kind"], h["ref_id"]) for h in chosen.json()["hits"]} == {
        ("need", bricks["need"]),
        ("product", bricks["product"]),
    }


def test_region_filters_the_hits(client, bricks):
    assert hits(client, "кирпич", region="66") == [("need", bricks["need"])]
    assert hits(client, "кирпич", region="45") == []


def test_an_unknown_kind_is_refused_by_name(client, db):
    response = refused(client, f"{API}/search", [("q", "кирпич"), ("kind", "bogus")], "kind")
    message = response.json()["detail"][0]["msg"]
    assert "bogus" in message and "enterprise" in message
    refused(client, f"{API}/search", [("q", "кирпич"), ("kind", "offer"), ("kind", "x")], "kind")


def test_an_unknown_region_is_refused_by_name(client, db):
    response = refused(client, f"{API}/search", {"q": "кирпич", "region": "00"}, "region")
    assert "00" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10_001}, "offset"),
        ({"offset": 1_990}, "offset"),  # past the 2,000 ranked hits (the service's bound)
        ({"q": ""}, "q"),
        ({"q": "к" * 301}, "q"),
        ({"prefix": "maybe"}, "prefix"),
    ],
)
def test_search_bounds_are_refused_by_name(client, db, params, field):
    refused(client, f"{API}/search", {"q": "кирпич", **params}, field)


def test_search_bounds_are_accepted(client, bricks):
    assert len(hits(client, "кирпич", limit=1)) == 1
    assert len(hits(client, "кирпич", limit=100)) == 4
    assert hits(client, "кирпич", offset=10) == []
    assert len(hits(client, "кирпич", limit=2, offset=2)) == 2


def test_a_missing_q_is_refused(client, db):
    refused(client, f"{API}/search", {}, "q")


def test_a_typo_of_a_known_word_is_corrected(client, db):
    plant = db.add_enterprise(name="ООО «Бетон»")
    line = product(db, plant, BLOCKS, "Блоки газобетонные")
    body = client.get(f"{API}/search", params={"q": "газобетнные блоки"}).json()
    assert body["corrected"] == {"газобетнные": "газобетонный"}
    assert [(h["kind"], h["ref_id"]) for h in body["hits"]] == [("product", line)]
    assert client.get(f"{API}/search", params={"q": "бетон"}).json()["corrected"] == {}


def test_a_partial_match_says_not_every_word(client, db):
    plant = db.add_enterprise(name="ООО «Керамика»")
    two = product(db, plant, BRICK, "Кирпич облицовочный")
    one = product(db, plant, "23.32.12", "Кирпич рядовой", direction="consumes")
    body = client.get(f"{API}/search", params={"q": "кирпич облицовочный гранитный"}).json()
    assert body["every_word"] is False
    assert [h["ref_id"] for h in body["hits"]] == [two, one]
    assert client.get(f"{API}/search", params={"q": "кирпич облицовочный"}).json()["every_word"]


def test_prefix_matches_the_word_being_typed(client, bricks):
    assert hits(client, "кирп") == []
    assert set(hits(client, "кирп", prefix="true")) == set(hits(client, "кирпич"))


def test_every_link_opens_a_page(client, bricks):
    body = client.get(f"{API}/search", params={"q": "кирпич", "limit": 100}).json()
    links = {h["kind"]: h["link"] for h in body["hits"]}
    assert links == {
        "enterprise": f"/enterprises/{bricks['enterprise']}",
        "product": f"/enterprises/{bricks['enterprise']}",  # a line opens its enterprise
        "need": f"/needs/{bricks['need']}",
        "offer": f"/offers/{bricks['offer']}",
    }
    for kind, link in links.items():
        page = client.get(link)
        assert page.status_code == 200, (kind, link, page.text[:300])
    assert "Кирпич рядовой" in client.get(links["need"]).text
    assert "Кирпич облицовочный М150" in client.get(links["offer"]).text
    assert "Завод «Кирпич и черепица»" in client.get(links["product"]).text


def test_openapi_lists_search_and_okpd2_routes(client, db):
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    assert paths[f"{API}/search"]["get"]["tags"] == ["Поиск"]
    assert paths[f"{API}/okpd2/suggest"]["get"]["tags"] == ["Коды ОКПД2"]
    assert paths[f"{API}/okpd2/suggest"]["post"]["tags"] == ["Коды ОКПД2"]
    assert paths[f"{API}/okpd2/corrections"]["post"]["tags"] == ["Коды ОКПД2"]
    params = {p["name"] for p in paths[f"{API}/search"]["get"]["parameters"]}
    assert params == {"q", "kind", "region", "limit", "offset", "prefix"}
    assert "201" in paths[f"{API}/okpd2/corrections"]["post"]["responses"]


# OKPD2 suggestions


def suggest(client, name: str, **params):
    response = client.get(f"{API}/okpd2/suggest", params={"name": name, **params})
    assert response.status_code == 200, response.text
    return response.json()


@with_classifier
def test_suggestions_for_one_name_best_first(client, db):
    found = suggest(client, GRAVEL)
    assert len(found) == 5
    assert found[0]["code"].startswith("08.12.")
    assert all(s["name"] and 0 < s["score"] <= 1 for s in found)
    scores = [s["score"] for s in found]
    assert scores == sorted(scores, reverse=True)
    assert len(suggest(client, GRAVEL, top=1)) == 1
    assert len(suggest(client, GRAVEL, top=20)) == 20


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"name": GRAVEL, "top": 0}, "top"),
        ({"name": GRAVEL, "top": 21}, "top"),
        ({"name": ""}, "name"),
        ({"name": "щ" * 501}, "name"),
        ({}, "name"),
    ],
)
def test_suggestion_bounds_are_refused(client, db, params, field):
    refused(client, f"{API}/okpd2/suggest", params, field)


@with_classifier
def test_a_batch_keeps_the_order_of_the_names(client, db):
    names = ["Хлеб пшеничный", GRAVEL, "   ", "Цемент портландский"]
    response = client.post(f"{API}/okpd2/suggest", json={"names": names, "top": 3})
    assert response.status_code == 200, response.text
    bread, gravel, empty, cement = response.json()
    assert [len(x) for x in (bread, gravel, empty, cement)] == [3, 3, 0, 3]
    assert any(s["code"].startswith("10.71.") for s in bread)
    assert gravel == suggest(client, GRAVEL, top=3)
    assert any(s["code"].startswith("23.51.") for s in cement)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"names": ["Хлеб"] * 1001}, "names"),
        ({"names": []}, "names"),
        ({"names": ["Хлеб"], "top": 21}, "top"),
        ({"names": ["Хлеб"], "top": 0}, "top"),
    ],
)
def test_a_bad_batch_is_refused(client, db, body, field):
    response = client.post(f"{API}/okpd2/suggest", json=body)
    assert response.status_code == 422, response.text
    assert field in error_fields(response)


@with_classifier
def test_a_batch_of_a_thousand_names_is_accepted(client, db):
    names = [f"Кирпич {i}" for i in range(1000)]
    response = client.post(f"{API}/okpd2/suggest", json={"names": names, "top": 1})
    assert response.status_code == 200
    assert len(response.json()) == 1000


# Corrections


def test_a_correction_needs_a_login(client, db):
    body = {"name": MOTOR_OIL, "okpd2_code": UNIVERSAL_OIL}
    response = client.post(f"{API}/okpd2/corrections", json=body)
    assert response.status_code == 401
    assert db.count("classification_corrections") == 0


@with_classifier
def test_a_correction_comes_first_in_later_suggestions(db, users, login_as):
    rep = users.add("rep", "enterprise_rep", enterprise=db.add_enterprise())
    http = login_as(rep)
    before = suggest(http, MOTOR_OIL)
    assert before[0]["code"] != UNIVERSAL_OIL
    body = {"name": MOTOR_OIL, "okpd2_code": UNIVERSAL_OIL, "suggested_code": before[0]["code"]}
    created = http.post(f"{API}/okpd2/corrections", json=body)
    assert created.status_code == 201, created.text
    out = created.json()
    assert (out["name"], out["okpd2_code"], out["suggested_code"]) == (
        MOTOR_OIL,
        UNIVERSAL_OIL,
        before[0]["code"],
    )
    assert db.count("classification_corrections") == 1
    for name in (MOTOR_OIL, "масла моторного"):
        assert suggest(http, name)[0]["code"] == UNIVERSAL_OIL, name
    batch = http.post(f"{API}/okpd2/suggest", json={"names": ["Хлеб", MOTOR_OIL]}).json()
    assert batch[1][0]["code"] == UNIVERSAL_OIL


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": MOTOR_OIL, "okpd2_code": "99.99.99.999"}, "okpd2_code"),
        ({"name": MOTOR_OIL}, "okpd2_code"),
        ({"name": "", "okpd2_code": UNIVERSAL_OIL}, "name"),
        ({"name": "   ", "okpd2_code": UNIVERSAL_OIL}, "name"),
    ],
)
@with_classifier
def test_a_bad_correction_is_refused_and_nothing_written(db, admin_client, body, field):
    before = db.counts()
    response = admin_client.post(f"{API}/okpd2/corrections", json=body)
    assert response.status_code == 422, response.text
    assert field in error_fields(response), response.json()
    assert all(CYRILLIC.search(e["msg"]) for e in response.json()["detail"])
    if field == "okpd2_code" and "okpd2_code" in body:
        assert body["okpd2_code"] in response.json()["detail"][0]["msg"]
    assert db.count("classification_corrections") == 0
    assert db.counts() == before
