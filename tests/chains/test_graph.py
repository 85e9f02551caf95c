"""The supply graph of a cluster over HTTP: JSON nodes and edges, the year choice, the
cooperation share (computed here by hand), GraphML and Excel downloads, the page fragment."""

import io
from xml.etree import ElementTree as ET

from openpyxl import load_workbook

from chains import CEMENT, SAND, build_cluster
from promcluster.registry import service

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def graph(client, cluster: int, **params) -> dict:
    response = client.get(f"/api/v1/clusters/{cluster}/graph", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_nodes_are_members_and_edges_join_only_nodes(client, db):
    w = build_cluster(db)
    body = graph(client, w.cluster)
    nodes = {n["id"]: n for n in body["nodes"]}
    assert set(nodes) == {w["anchor"], w["buyer"], w["far_member"], w["applicant"]}
    assert nodes[w["anchor"]]["role"] == "anchor"
    assert nodes[w["applicant"]]["status"] == "applicant"
    assert not nodes[w["applicant"]]["participant"]
    assert all(nodes[w[k]]["participant"] for k in ("anchor", "buyer", "far_member"))
    assert not any(n["synthetic"] for n in nodes.values())
    edges = {(e["source"], e["target"], e["okpd2_code"]): e for e in body["edges"]}
    # the supply to the outsider is not an edge: the outsider is no node
    assert set(edges) == {
        (w["anchor"], w["buyer"], CEMENT),
        (w["far_member"], w["buyer"], SAND),
        (w["anchor"], w["applicant"], CEMENT),
    }
    assert edges[(w["anchor"], w["buyer"], CEMENT)]["value"] == 600
    assert edges[(w["far_member"], w["buyer"], SAND)]["product"]


def test_latest_year_by_default_and_the_year_asked_for(client, db):
    w = build_cluster(db)
    assert graph(client, w.cluster)["year"] == 2024
    old = graph(client, w.cluster, year=2023)
    assert old["year"] == 2023
    assert [(e["source"], e["target"], e["value"]) for e in old["edges"]] == [
        (w["anchor"], w["buyer"], 70)
    ]
    # as of a date in 2023 the supplies of 2024 are in the future
    assert graph(client, w.cluster, as_of="2023-12-31")["year"] == 2023


def test_cooperation_share_by_hand(client, db):
    w = build_cluster(db)
    coop = graph(client, w.cluster)["cooperation"]
    # between participants: anchor → buyer 600 + far_member → buyer 200 (the applicant's 100
    # does not count); purchases: the buyer's consumption line 1,000 (more than the 800 it
    # bought by supplies), the others buy nothing
    assert coop["inside"] == 800
    assert coop["purchases"] == 1000
    assert coop["participants"] == 3
    assert coop["share"] == 0.8


def test_unknown_cluster_is_404(client, db):
    assert client.get("/api/v1/clusters/999999/graph").status_code == 404
    assert client.get("/api/v1/clusters/999999/graph.graphml").status_code == 404


def test_graphml_download_holds_the_same_graph(client, db):
    w = build_cluster(db)
    response = client.get(f"/api/v1/clusters/{w.cluster}/graph.graphml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphml+xml")
    assert "attachment" in response.headers["content-disposition"]
    root = ET.fromstring(response.content)
    keys = {k.get("id"): (k.get("for"), k.get("attr.type")) for k in root.iter(f"{GRAPHML}key")}
    assert keys["value"] == ("edge", "long") and keys["participant"] == ("node", "boolean")
    nodes = {
        n.get("id"): {d.get("key"): d.text for d in n.iter(f"{GRAPHML}data")}
        for n in root.iter(f"{GRAPHML}node")
    }
    assert len(nodes) == 4
    assert nodes[f"n{w['anchor']}"]["name"] == "Тюменский цементный завод"
    assert nodes[f"n{w['applicant']}"]["participant"] == "false"
    edges = [
        (e.get("source"), e.get("target"), {d.get("key"): d.text for d in e})
        for e in root.iter(f"{GRAPHML}edge")
    ]
    assert len(edges) == 3
    source, target, data = next(e for e in edges if e[2]["value"] == "600")
    assert (source, target, data["okpd2"]) == (f"n{w['anchor']}", f"n{w['buyer']}", CEMENT)


def test_excel_download_has_nodes_and_edges_sheets(client, db):
    w = build_cluster(db)
    response = client.get(f"/api/v1/clusters/{w.cluster}/graph.xlsx", params={"year": 2023})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["Узлы", "Поставки"]
    nodes = list(book["Узлы"].iter_rows(values_only=True))
    assert nodes[0][:3] == ("id", "Организация", "Статус")
    assert len(nodes) == 1 + 4
    assert "в стадии вступления" in {r[2] for r in nodes[1:]}
    edges = list(book["Поставки"].iter_rows(values_only=True))
    assert edges[1:] == [
        (w["anchor"], "Тюменский цементный завод", w["buyer"], "Тюменский завод ЖБИ", CEMENT,
         edges[1][5], 70)
    ]  # fmt: skip


def test_fragment_draws_the_graph_from_local_files(client, db):
    w = build_cluster(db)
    html = client.get(f"/clusters/{w.cluster}/graph/summary").text
    assert "data-supply-graph" in html
    assert '<script src="/static/graph.js"></script>' in html
    assert "80,0\u00a0%" in html  # the cooperation share
    assert "graph.graphml" in html and "graph.xlsx" in html
    assert "Поставки списком (3)" in html
    assert "http" not in html.split("data-elements")[1].split("</div>")[0]
    script = client.get("/static/graph.js").text
    assert "/static/vendor/cytoscape/cytoscape.min.js" in script
    assert client.get("/static/vendor/cytoscape/cytoscape.min.js").status_code == 200


def test_fragment_says_when_no_supplies_are_recorded(client, db):
    with db.session() as s:
        cluster = service.create_cluster(s, None, {"name": "Пустой", "region_codes": ["72"]}).id
    html = client.get(f"/clusters/{cluster}/graph/summary").text
    assert "data-graph-empty" in html
    assert "Поставки между организациями кластера не записаны" in html
    assert "data-supply-graph" not in html  # nothing to draw
