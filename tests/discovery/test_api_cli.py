"""Discovery over HTTP (REST and pages) and the ``discover`` command."""

import csv
import json

import pytest
from factories import error_fields
from openpyxl import load_workbook
from typer.testing import CliRunner

from promcluster.cli import app as cli

runner = CliRunner()
TYUMEN = (57.153, 65.534)


@pytest.fixture
def world(db):
    """Twelve concrete-products firms around Tyumen (a dense group), a cluster of region 72
    specialised in them with one of them as a member, and trade elsewhere for the LQ."""
    cluster = db.add_cluster(name="Кластер стройматериалов", specialisation=["23.61"])
    firms = [
        db.add_enterprise(
            okved_main="23.61", lat=TYUMEN[0] + 0.01 * (i % 4), lon=TYUMEN[1] + 0.01 * (i // 4),
            employees=100 + i,
        )
        for i in range(12)
    ]  # fmt: skip
    db.add_membership(cluster, firms[0])
    for _ in range(6):
        db.add_enterprise(okved_main="47.11", region_code="66", employees=50)
        db.add_enterprise(okved_main="23.61", region_code="66", employees=5)
    return cluster, firms


def test_discover_api_gives_specialisations_and_a_candidate_marked_existing(client, world):
    cluster, _ = world
    body = client.get("/api/v1/discover/72", params={"level": 4, "measure": "employees"}).json()
    assert body["region"] == "72" and body["firms"] == 12 and body["national_firms"] == 24
    top = body["specialisations"][0]
    # 72: all its 1266 employees (100 + … + 111) in 23.61; the country: 1296 of 1596
    # (66 adds 6 × 5 in 23.61 and 6 × 50 in 47.11) → LQ = 1 / (1296 / 1596)
    assert top["code"] == "23.61"
    assert top["lq"] == pytest.approx(1596 / 1296)
    assert top["share"] == pytest.approx(1266 / 1296)
    [candidate] = body["candidates"]
    assert candidate["firms"] == 12 and candidate["seed"] == "23.61"
    assert candidate["existing"] == [
        {
            "id": cluster,
            "name": "Кластер стройматериалов",
            "specialisation": ["23.61"],
            "members": 1,
            "near": 1,
            "pipeline": 1,
            "placed": 1,
            "possible": False,
        }
    ]
    assert len(candidate["outline"]) >= 4


def test_discover_api_refuses_unknown_region_and_bad_options(client, world):
    assert client.get("/api/v1/discover/99").status_code == 404
    for params, field in (({"level": 7}, "level"), ({"measure": "profit"}, "measure")):
        response = client.get("/api/v1/discover/72", params=params)
        assert response.status_code == 422
        assert error_fields(response) == [field]


def test_prospects_api_and_add_with_permissions(client, admin_client, users, login_as, world, db):
    cluster, firms = world
    listed = client.get(f"/api/v1/clusters/{cluster}/prospects").json()
    ids = [p["enterprise_id"] for p in listed]
    assert firms[0] not in ids and set(firms[1:]) <= set(ids)
    assert all(p["reasons"] for p in listed)
    chosen = ids[:2]

    assert (
        client.post(
            f"/api/v1/clusters/{cluster}/prospects", json={"enterprise_ids": chosen}
        ).status_code
        == 401
    )
    stranger = login_as(users.add("other-manager", "cluster_manager", [db.add_cluster()]))
    assert (
        stranger.post(
            f"/api/v1/clusters/{cluster}/prospects", json={"enterprise_ids": chosen}
        ).status_code
        == 403
    )
    bad = admin_client.post(
        f"/api/v1/clusters/{cluster}/prospects", json={"enterprise_ids": [*chosen, firms[0]]}
    )
    assert bad.status_code == 422 and error_fields(bad) == ["enterprise_ids"]
    assert db.count("memberships") == 1
    empty = admin_client.post(f"/api/v1/clusters/{cluster}/prospects", json={"enterprise_ids": []})
    assert empty.status_code == 422

    manager = login_as(users.add("own-manager", "cluster_manager", [cluster]))
    added = manager.post(f"/api/v1/clusters/{cluster}/prospects", json={"enterprise_ids": chosen})
    assert added.status_code == 201
    assert [(m["enterprise_id"], m["status"]) for m in added.json()] == [
        (e, "potential") for e in chosen
    ]
    funnel = client.get(f"/api/v1/clusters/{cluster}/funnel").json()
    assert funnel["current"]["potential"] == 2 and funnel["potential"] == 2
    assert client.get("/api/v1/clusters/999999/prospects").status_code == 404
    assert client.get("/api/v1/clusters/999999/funnel").status_code == 404
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/discover/{region}", "/api/v1/clusters/{cluster_id}/prospects",
            "/api/v1/clusters/{cluster_id}/funnel"} <= set(paths)  # fmt: skip


def test_pages_show_candidates_prospects_and_the_form_adds(client, admin_client, world, db):
    cluster, firms = world
    page = client.get("/discover/72").text
    assert (
        "Кандидаты в кластеры — 1" in page and "уже есть кластер: «Кластер стройматериалов»" in page
    )
    assert 'data-activity="23.61"' in page
    listing = client.get("/discover/72/candidates/1").text
    assert listing.count('href="/enterprises/') == 12
    public = client.get(f"/clusters/{cluster}/prospects").text
    assert "совпадает со специализацией кластера (23.61)" in public
    assert 'name="enterprise_id"' not in public  # no form for the public
    form = admin_client.get(f"/clusters/{cluster}/prospects").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    response = admin_client.post(
        f"/clusters/{cluster}/prospects",
        data={"csrf_token": token, "enterprise_id": [str(firms[3]), str(firms[4])]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert db.count("memberships") == 3
    refused = admin_client.post(
        f"/clusters/{cluster}/prospects",
        data={"csrf_token": token, "enterprise_id": [str(firms[3])]},
    )
    assert refused.status_code == 422 and "уже в кластере" in refused.text
    assert db.count("memberships") == 3
    profile = client.get(f"/clusters/{cluster}").text
    assert f'href="/clusters/{cluster}/prospects"' in profile


def run(*args: str):
    result = runner.invoke(cli, ["discover", *args])
    return result, result.output + (result.stderr or "")


def test_command_writes_csv_json_xlsx_with_prospects(world, db, tmp_path):
    cluster, firms = world
    result, output = run(
        "72", "--cluster", str(cluster), "-o", str(tmp_path / "d.csv"), "--database", db.url
    )
    assert result.exit_code == 0, output
    with (tmp_path / "d.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    sections = [r["Раздел"] for r in rows]
    assert sections.count("candidate") == 1 and "specialisation" in sections
    prospects = [r for r in rows if r["Раздел"] == "prospect"]
    assert len(prospects) == 11 and str(firms[0]) not in {r["id предприятия"] for r in prospects}

    result, output = run(
        "72",
        "--cluster",
        "Кластер стройматериалов",
        "-o",
        str(tmp_path / "d.json"),
        "--database",
        db.url,
    )
    assert result.exit_code == 0, output
    document = json.loads((tmp_path / "d.json").read_text("utf-8"))
    assert document["candidates"][0]["existing"][0]["id"] == cluster
    assert len(document["prospects"]) == 11

    result, output = run("72", "--level", "3", "-o", str(tmp_path / "d.xlsx"), "--database", db.url)
    assert result.exit_code == 0, output
    sheet = load_workbook(tmp_path / "d.xlsx")["Поиск кластеров"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values[1][:3] == ("specialisation", 1, "23.6")


def test_command_refuses_unknown_region_cluster_level_or_suffix(world, db, tmp_path):
    before = db.counts()
    for args, message in (
        (["99", "-o", str(tmp_path / "d.csv")], "нет субъекта РФ с кодом «99»"),
        (["72", "--cluster", "9999", "-o", str(tmp_path / "d.csv")], "нет кластера «9999»"),
        (["72", "--level", "9", "-o", str(tmp_path / "d.csv")], "уровень ОКВЭД2"),
        (["72", "-o", str(tmp_path / "d.txt")], "Укажите файл .csv, .xlsx или .json"),
    ):
        result, output = run(*args, "--database", db.url)
        assert result.exit_code == 2, output
        assert message in output
    assert list(tmp_path.iterdir()) == []
    assert db.counts() == before
