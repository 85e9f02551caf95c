"""Indicators over HTTP: the REST answers, refusals in Russian naming the parameter, 404s, the
cluster and region fragments, the ratings page and its downloads, and the demo's Tyumen and
Kaliningrad figures beside their sources."""

import csv
import io
import json
import re
from html import unescape

from factories import error_fields
from openpyxl import load_workbook

from indicators import AS_OF, build_world

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def by_key(body: dict) -> dict:
    return {i["key"]: i for i in body["indicators"]}


def test_cluster_indicators_api_is_public_and_dated(client, db):
    world = build_world(db)
    response = client.get(f"/api/v1/clusters/{world.cluster}/indicators", params={"as_of": AS_OF})
    assert response.status_code == 200, response.text
    body = response.json()
    items = by_key(body)
    assert (body["level"], body["as_of"]) == ("cluster", "2024-06-30")
    assert items["members"]["value"] == 4
    assert (items["employees"]["value"], items["employees"]["known"]) == (160, 3)
    assert items["employees"]["basis"] == "известно у 3 из 4 участников"
    assert items["cooperation_share"]["year"] == 2023
    series = {s["key"]: s for s in body["series"]}
    assert {p["year"] for p in series["members"]["points"]} == set(range(2019, 2025))


def test_region_indicators_and_ratings_api(client, db):
    build_world(db)
    region = client.get("/api/v1/regions/72/indicators", params={"as_of": AS_OF}).json()
    assert by_key(region)["members"]["value"] == 4
    assert by_key(region)["clusters"]["value"] == 1
    params = {"indicator": "members", "level": "region", "as_of": AS_OF}
    rating = client.get("/api/v1/ratings", params=params)
    assert rating.status_code == 200
    items = rating.json()["items"]
    assert [(i["rank"], i["key"], i["value"]) for i in items] == [(1, "72", 4)]


def test_api_refusals_name_the_parameter(client, db):
    cluster = db.add_cluster()
    for params, field in (
        ({"indicator": "happiness"}, "indicator"),
        ({"level": "country"}, "level"),
        ({"indicator": "clusters", "level": "cluster"}, "indicator"),
    ):
        response = client.get("/api/v1/ratings", params=params)
        assert response.status_code == 422, response.text
        assert error_fields(response) == [field]
        assert CYRILLIC.search(response.json()["detail"][0]["msg"])
    bad_date = client.get(f"/api/v1/clusters/{cluster}/indicators", params={"as_of": "30.06"})
    assert bad_date.status_code == 422 and error_fields(bad_date) == ["as_of"]
    assert client.get("/api/v1/clusters/999999/indicators").status_code == 404
    missing = client.get("/api/v1/regions/00/indicators")
    assert missing.status_code == 404 and "00" in missing.json()["detail"]


def test_cluster_fragment_shows_records_basis_and_charts(client, db):
    world = build_world(db)
    page = client.get(f"/clusters/{world.cluster}/indicators/summary", params={"as_of": AS_OF})
    assert page.status_code == 200
    html = page.text
    assert 'data-indicator="employees"' in html and "известно у 3 из 4 участников" in html
    assert "30.06.2024" in html
    assert html.count('class="bar records"') == 3  # members, applicants, potential
    assert "23,1\u00a0%" in html  # cooperation 300 / 1,300
    assert f'hx-get="/clusters/{world.cluster}/indicators/series?as_of=2024-06-30"' in html
    series = client.get(f"/clusters/{world.cluster}/indicators/series", params={"as_of": AS_OF})
    assert 'id="series-cluster"' in series.text
    assert 'data-year="2019"' in series.text and 'data-year="2025"' not in series.text
    assert client.get("/clusters/999999/indicators/series").status_code == 404
    assert client.get("/regions/00/indicators/series").status_code == 404


def test_ratings_page_and_downloads(client, db):
    build_world(db)
    other = db.add_cluster(name="Кластер без данных", region_codes=["45"])
    db.add_membership(other, db.add_enterprise(region_code="45"))
    page = client.get("/ratings", params={"indicator": "employees"})
    assert page.status_code == 200
    html = page.text
    assert html.index("Кластер А") < html.index("Кластер без данных")
    assert "нет данных" in html
    data = json.loads(unescape(re.search(r"data-map='([^']*)'", html).group(1)))
    assert data["colours"]["72"] != data["colours"].get("45", "none")
    assert data["values"]["72"] == "1\u202f150 чел."  # employees today (e4 has joined)
    assert client.get("/ratings", params={"indicator": "nope"}).status_code == 422
    rows = list(
        csv.DictReader(io.StringIO(client.get("/ratings/export.csv", params={"as_of": AS_OF}).text))
    )
    assert (rows[0]["rank"], rows[0]["name"], rows[0]["value"]) == ("1", "Кластер А", "4")
    xlsx = client.get("/ratings/export.xlsx", params={"indicator": "employees", "as_of": AS_OF})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["Место", "Код", "Наименование", "Значение"]
    assert values[1][2:4] == ["Кластер А", 160]
    assert values[2][0] is None and values[2][3] is None  # no known employees: last, no place
    assert client.get("/ratings/export.pdf").status_code == 404


def test_demo_tyumen_records_beside_declared_figures(client, demo):
    tyumen = client.get("/api/v1/clusters").json()
    cid = next(c["id"] for c in _items(tyumen) if c["name"].startswith("Строительно-инд"))
    items = by_key(client.get(f"/api/v1/clusters/{cid}/indicators").json())
    declared = {
        k: [(d["value"], d["qualifier"], d["source_key"]) for d in items[k]["declared"]]
        for k in ("members", "applicants", "potential")
    }
    assert declared == {
        "members": [(21, None, "tyumen-build-2024")],
        "applicants": [(60, None, "tyumen-build-2024")],
        "potential": [(240, "about", "tyumen-build-2024")],
    }
    assert (items["members"]["value"], items["applicants"]["value"]) == (1, 0)
    chains = [(d["value"], d["scope"][:9]) for d in items["projects"]["declared"]]
    assert chains == [(4, "Цепочка 1"), (5, "Цепочка 2")]
    html = client.get(f"/clusters/{cid}/indicators/summary").text
    assert "На сегодня к кластеру присоединилась 21 компания" in html
    assert "около 240" in html


def test_demo_kaliningrad_employees_declared_about_two_thousand(client, demo):
    clusters = _items(client.get("/api/v1/clusters").json())
    cid = next(c["id"] for c in clusters if c["name"].startswith("Янтарный"))
    employees = by_key(client.get(f"/api/v1/clusters/{cid}/indicators").json())["employees"]
    (declared,) = employees["declared"]
    assert (declared["value"], declared["qualifier"]) == (2000, "about")
    assert declared["source_key"] == "kaliningrad-amber-2019"
    assert declared["source_date"] == "27.03.2019"
    assert employees["value"] is None  # no employee counts on the member cards


def test_region_page_loads_its_indicators(client, demo):
    page = client.get("/regions/72")
    assert 'hx-get="/regions/72/indicators/summary"' in page.text
    fragment = client.get("/regions/72/indicators/summary").text
    assert "Строительно-индустриальный кластер Тюменской области" in fragment  # declared scope
    assert 'data-indicator="clusters"' in fragment


def _items(body):
    return body["items"] if isinstance(body, dict) else body
