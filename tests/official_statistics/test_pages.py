"""Official statistics over HTTP: location quotients against the country computed from the
shipped ЕМИСС export (checked against a sum made here from the raw file), the page with Russian
number formatting and its source, the region section, downloads, and who may read them."""

import csv
import io
from collections import defaultdict

import pytest
from imports.kit import run
from openpyxl import load_workbook

from promcluster.statistics.store import SHIPPED

ROLES = ("admin", "cluster_manager", "enterprise_rep", "anonymous")
ROUTES = (
    "/statistics",
    "/statistics?year=2020&section=B",
    "/statistics/export.csv",
    "/statistics/export.xlsx?region=72",
    "/regions/72/statistics",
    "/api/v1/statistics",
    "/api/v1/statistics/quotients?region=72",
)
PARTS = ("Ханты", "Ямало", "Ненецкий", "(кроме")  # rows of subjects inside a complex one
TOTAL = "Всего по обследуемым видам экономической деятельности"


def raw_lq(region_label: str, section: str, year_column: int = 8) -> float:
    """The LQ written out independently from the raw file: subjects are the region rows that
    are not complex (Тюменская, Архангельская with their okrugs) — the country is their sum."""
    rows = list(csv.reader(SHIPPED.open(encoding="utf-8")))[4:]
    region_rows = {r[1].strip() for r in rows}
    complex_ = {"Тюменская область", "Архангельская область"}
    value: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        if r[1].strip() in complex_ or r[1].strip() not in region_rows:
            continue
        value[(r[1].strip(), r[2].strip())] = float(r[year_column] or 0)
    country = sum(v for (_, a), v in value.items() if a == section)
    country_total = sum(v for (_, a), v in value.items() if a == TOTAL)
    return (value[(region_label, section)] / value[(region_label, TOTAL)]) / (
        country / country_total
    )


@pytest.fixture
def loaded(db):
    run(db, "emiss", SHIPPED)
    return db


def test_quotients_against_the_country(client, loaded):
    body = client.get("/api/v1/statistics/quotients", params={"year": 2022}).json()
    assert (body["year"], body["since"], body["country"]) == (2022, 2019, "sum")
    items = {(i["region_code"], i["okved"]): i for i in body["items"]}
    assert len({i["region_code"] for i in body["items"]}) == 83
    assert len({i["okved"] for i in body["items"]}) == 21
    label = (
        "Тюменская область (кроме Ханты-Мансийского автономного округа-Югры и Ямало-Ненецкого "
        "автономного округа)"
    )
    mining = "ДОБЫЧА ПОЛЕЗНЫХ ИСКОПАЕМЫХ"
    assert items[("72", "B")]["lq"] == pytest.approx(raw_lq(label, mining))
    assert items[("72", "B")]["lq"] == pytest.approx(1.455, abs=1e-3)
    yamal = "Ямало-Ненецкий автономный округ (Тюменская область)"
    assert items[("89", "B")]["lq"] == pytest.approx(raw_lq(yamal, mining))
    assert items[("72", "C")]["growth"] == pytest.approx(2727 / 3047 - 1)


def test_page_in_russian_with_source_map_and_ranking(client, loaded):
    page = client.get("/statistics", params={"year": 2022, "section": "C"})
    assert page.status_code == 200
    html = page.text
    assert "Источник: ЕМИСС (Росстат)" in html and "данные на 01.10.2022" in html
    assert "сумма 83 субъектов файла" in html and "(на 1 октября)" in html
    assert 'id="statistics-map"' in html and "data-choropleth" in html
    tyumen = html.split('<tr data-region="72">')[1].split("</tr>")[0]
    assert "2\u202f727" in tyumen  # thousands separated by a narrow no-break space
    assert "7,4\u00a0%" in tyumen and "0,96" in tyumen and "−10,5\u00a0%" in tyumen
    assert "3\u202f239\u202f940" in html  # the country's organisations in 2022


def test_region_section_and_downloads(client, loaded):
    section = client.get("/regions/72/statistics").text
    assert 'id="region-statistics"' in section and "Источник: ЕМИСС" in section
    manufacturing = section.split('<tr data-okved="C"')[1].split("</tr>")[0]
    assert "3\u202f047" in manufacturing and "0,96" in manufacturing
    assert 'hx-get="/regions/72/statistics"' in client.get("/regions/72").text
    rows = list(csv.DictReader(io.StringIO(client.get("/statistics/export.csv").text)))
    assert len(rows) == 83 * 21
    book = load_workbook(io.BytesIO(client.get("/statistics/export.xlsx?region=72").content))
    sheet = book["Локализация"]
    assert sheet.max_row == 22 and sheet["I1"].value == "Коэффициент локализации"
    notes = {r[0].value: r[1].value for r in book["Пояснения"].iter_rows()}
    assert notes["Источник"].startswith("ЕМИСС (Росстат)")


def test_without_statistics_the_page_says_so(client, db):
    assert "Официальная статистика не загружена" in client.get("/statistics").text
    assert client.get("/api/v1/statistics").json() == []
    assert client.get("/api/v1/statistics/quotients").status_code == 404
    assert "не загружена" in client.get("/regions/72/statistics").text


def test_refusals_name_the_parameter(client, loaded):
    for params in ({"year": 2017}, {"section": "Z"}):
        answer = client.get("/statistics", params=params)
        assert answer.status_code == 422 and "ОКВЭД2" in answer.text
    bad = client.get("/api/v1/statistics/quotients", params={"year": 2017})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "year"
    assert client.get("/regions/00/statistics").status_code == 404
    assert client.get("/statistics/export.pdf").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_anonymous_read_the_statistics(client, loaded, users, role):
    auth = None
    if role != "anonymous":
        enterprise = loaded.add_enterprise(name="ООО «Читатель»", region_code="72")
        cluster = loaded.add_cluster(name="Кластер читателей", region_codes=["72"])
        auth = users.add(
            f"reader-{role}", role=role,
            clusters=[cluster] if role == "cluster_manager" else [],
            enterprise=enterprise if role == "enterprise_rep" else None,
        ).auth  # fmt: skip
    for route in ROUTES:
        assert client.get(route, auth=auth).status_code == 200, (role, route)
