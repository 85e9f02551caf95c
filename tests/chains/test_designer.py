"""The chain designer's figures: coverage of each stage (in-region supplier, out-of-region
supplier, done and planned projects), candidates in tier order with reasons, import dependence
computed here by hand, and the counts on the cluster page."""

import pytest
from sqlalchemy import update

from chains import CEMENT, CLAY, REBAR, SAND, build_chain
from promcluster.labels import CHAIN_MEMBER_REASON
from promcluster.registry.models import Enterprise


def design(client, chain: int) -> dict:
    response = client.get(f"/api/v1/chains/{chain}/design")
    assert response.status_code == 200, response.text
    return response.json()


def test_coverage_of_each_stage(client, db):
    w = build_chain(db)
    body = design(client, w.chain)
    stages = {s["okpd2_code"]: s for s in body["stages"]}
    assert [s["okpd2_code"] for s in body["stages"]] == [CEMENT, SAND, REBAR, CLAY]
    # an assigned supplier in the cluster's region covers the stage
    assert stages[CEMENT]["covered"] and stages[CEMENT]["covered_by_suppliers"] == [w["anchor"]]
    # a supplier outside the region does not
    assert not stages[SAND]["covered"]
    assert stages[SAND]["suppliers"][0]["in_region"] is False
    # a done project covers its stage, a planned one does not
    assert stages[REBAR]["covered"] and stages[REBAR]["covered_by_projects"] == [w.projects["done"]]
    assert not stages[CLAY]["covered"]
    assert [p["id"] for p in stages[CLAY]["projects"]] == [w.projects["planned"]]
    assert body["coverage"] == {"stages": 4, "covered": 2, "gaps": 2, "share": 0.5}
    # the sand gap has a candidate in the region (the Tobolsk quarry)
    assert stages[SAND]["in_region_candidates"] >= 1


def test_a_done_project_turns_its_gap_covered(client, db, admin_client):
    w = build_chain(db)
    project = admin_client.get(f"/api/v1/projects/{w.projects['planned']}").json()
    response = admin_client.patch(
        f"/api/v1/projects/{project['id']}", json={"status": "done", "version": project["version"]}
    )
    assert response.status_code == 200, response.text
    body = design(client, w.chain)
    assert body["coverage"]["covered"] == 3
    assert next(s for s in body["stages"] if s["okpd2_code"] == CLAY)["covered"]


def test_candidates_members_first_then_region_then_elsewhere(client, db):
    w = build_chain(db)
    response = client.get(f"/api/v1/stages/{w.stages['sand']}/candidates")
    assert response.status_code == 200
    found = response.json()
    ids = [c["enterprise_id"] for c in found]
    assert ids[:3] == [w["far_member"], w["local_sand"], w["far_sand"]]
    assert [c["tier"] for c in found[:3]] == [0, 1, 2]
    member, local, far = found[:3]
    assert member["assigned"] and not local["assigned"]
    assert (member["in_region"], local["in_region"], far["in_region"]) == (False, True, False)
    assert f"тот же код ОКПД2 {SAND}" in member["reasons"]
    assert CHAIN_MEMBER_REASON.format(cluster="Стройматериалы") in member["reasons"]
    assert not any("заказчик" in r for r in member["reasons"])  # a stage has no customer
    assert any(r.startswith("тот же регион") for r in local["reasons"])
    assert any(r.startswith("Челябинская область") for r in far["reasons"])
    assert member["score"] > 0 and local["score"] > 0
    assert client.get("/api/v1/stages/999999/candidates").status_code == 404


def test_import_dependence_by_hand(client, db):
    w = build_chain(db)
    body = design(client, w.chain)
    stages = {s["okpd2_code"]: s["purchase"] for s in body["stages"]}
    # cement: the buyer's line, 1,000 with half outside and a fifth imported
    assert stages[CEMENT] == {"value": 1000, "outside": 500, "imported": 200, "basis": "lines"}
    # sand: the stage's own value 3,000; no participant buys sand, so the shares come from
    # the region's buyers (the outsider: all outside, a quarter imported)
    assert stages[SAND] == {"value": 3000, "outside": 3000, "imported": 750, "basis": "stage"}
    # rebar and expanded clay: nobody records purchases and the stages have no value
    assert stages[REBAR]["value"] is None and stages[CLAY]["value"] is None
    dep = body["dependence"]
    assert (dep["total"], dep["assessed"], dep["outside"], dep["imported"]) == (
        4000, 4000, 3500, 950
    )  # fmt: skip
    assert dep["outside_share"] == pytest.approx(3500 / 4000)
    assert dep["import_share"] == pytest.approx(950 / 4000)
    assert dep["unknown_stages"] == 2


def test_shares_from_synthetic_firms_are_labelled_so(client, db):
    w = build_chain(db)
    assert design(client, w.chain)["dependence"]["synthetic"] is False
    assert "синтетика" not in client.get(f"/chains/{w.chain}").text
    with db.engine.begin() as connection:  # the region's buyer of sand becomes demo data
        connection.execute(
            update(Enterprise).where(Enterprise.id == w["outsider"]).values(is_synthetic=True)
        )
    assert design(client, w.chain)["dependence"]["synthetic"] is True
    html = client.get(f"/chains/{w.chain}").text
    kpis = html.split('<section class="kpis">')[1].split("</section>")[0]
    assert kpis.count('class="badge synthetic"') == 2  # outside the region, imported
    assert html.count('class="badge synthetic"') == 3  # and the sand stage's own line


def test_money_of_the_chain(client, db):
    w = build_chain(db)
    money = design(client, w.chain)["money"]
    assert money == {
        "projects": 2,
        "amount": 2_000_000,
        "by_status": {"planned": 0, "done": 2_000_000},
        "unknown_amounts": 1,
    }


def test_designer_page_and_cluster_page_show_coverage(client, db):
    w = build_chain(db)
    html = client.get(f"/chains/{w.chain}").text
    assert html.count('data-state="covered"') == 2 and html.count('data-state="gap"') == 2
    assert 'data-kpi="coverage">50,0\u00a0%' in html
    assert 'data-kpi="outside">87,5\u00a0%' in html
    assert "Тобольский карьер" in html  # a candidate
    assert "Назначить" not in html  # public visitors do not get the forms
    profile = client.get(f"/clusters/{w.cluster}").text
    assert f'href="/chains/{w.chain}"' in profile
    assert 'data-chain-gaps="1">2<' in profile
    assert client.get("/chains/999999").status_code == 404
