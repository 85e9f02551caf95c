"""``/map/outlines.geojson``: the outlines and labels every map draws without tiles. Public like
the maps themselves (each role and an anonymous visitor get the same answer); bad region codes
refused with a Russian message naming the field."""

import pytest

from promcluster.reference import outlines

ROLES = ("admin", "cluster_manager", "enterprise_rep", "anonymous")


@pytest.fixture
def people(db, users):
    cluster = db.add_cluster(name="Кластер карт")
    firm = db.add_enterprise(name="ООО «Карта»")
    return {
        "admin": users.add("maps-admin"),
        "cluster_manager": users.add("maps-manager", "cluster_manager", clusters=[cluster]),
        "enterprise_rep": users.add("maps-rep", "enterprise_rep", enterprise=firm),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_anonymous_get_the_outlines_of_a_map(client, people, login_as, role):
    http = client if role == "anonymous" else login_as(people[role])
    answer = http.get("/map/outlines.geojson", params=[("focus", "47"), ("focus", "78")])
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    assert "max-age" in answer.headers["cache-control"]
    features = answer.json()["features"]
    shapes = [f["properties"] for f in features if f["geometry"]["type"] != "Point"]
    assert {p["code"] for p in shapes if p["focus"]} == {"47", "78"}
    assert len(shapes) > 2  # the neighbours, drawn light
    names = {f["properties"]["name"] for f in features if f["geometry"]["type"] == "Point"}
    assert "Санкт-Петербург" in names and "Гатчина" in names


@pytest.mark.parametrize("query", ["", "?focus=", "?focus=%20"])
def test_without_focus_every_region_comes_coarse_and_far_smaller_than_the_shipped_file(
    client, query
):
    answer = client.get(f"/map/outlines.geojson{query}")
    shapes = [f for f in answer.json()["features"] if f["geometry"]["type"] != "Point"]
    assert len(shapes) == 85
    assert len(answer.content) < 300_000
    assert not any(f["properties"]["label"] == "city" for f in answer.json()["features"]
                   if f["geometry"]["type"] == "Point")  # fmt: skip


@pytest.mark.parametrize(
    "query, message",
    [
        ("focus=99", "нет региона с кодом «99»"),
        ("focus=72&focus=abc", "нет региона с кодом «abc»"),
        ("focus=%3Cscript%3E", "нет региона с кодом «&lt;script&gt;»"),
        ("&".join(f"focus={n:02d}" for n in range(1, 25)), "не больше 20 регионов"),
    ],
)
def test_bad_region_codes_are_refused_naming_the_field(client, query, message):
    answer = client.get(f"/map/outlines.geojson?{query}")
    assert answer.status_code == 422
    assert message in answer.text
    assert outlines.MOST_FOCUSED == 20
