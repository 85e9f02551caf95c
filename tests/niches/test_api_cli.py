"""Niches over HTTP and on the command line: the REST ranking, one niche, the XLSX passport and
ranking, the pages, refusals in Russian, and ``promcluster niches`` writing the same ranking."""

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from niches import (
    CONCRETE,
    CONCRETE_DEMAND,
    CONCRETE_IMPORTED,
    FILM,
    OUTSIDE_CUSTOMER,
    PAINTS,
    REGION,
    SAND,
    build_world,
)
from promcluster.cli import app as cli
from promcluster.niches.exports import COLUMNS
from promcluster.web.templating import money

runner = CliRunner()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def ranking(client, **params) -> dict:
    response = client.get("/api/v1/niches", params={"region": REGION, **params})
    assert response.status_code == 200, response.text
    return response.json()


def order(items: list[dict]) -> list[tuple[str, float]]:
    return [(i["group"], i["score"]) for i in items]


def refusal(response, field: str) -> str:
    """The one Russian message of a 422 answer about ``field`` (and nothing else in the body)."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert list(body) == ["detail"] and len(body["detail"]) == 1, body
    error = body["detail"][0]
    assert error["loc"][-1] == field, error
    assert CYRILLIC.search(error["msg"]), error
    return error["msg"]


# The REST API


def test_the_ranking_api_gives_every_figure_and_follows_the_weights(client, db):
    build_world(db)
    body = ranking(client)
    assert (body["region"], body["cluster"], body["synthetic_data"]) == (REGION, None, False)
    assert body["weights"] == {"demand": 0.4, "feasibility": 0.4, "attractiveness": 0.2}
    items = {i["group"]: i for i in body["items"]}
    assert [i["rank"] for i in body["items"]] == [1, 2, 3, 4]
    concrete = items[CONCRETE]
    assert (concrete["demand_rub"], concrete["imported_rub"], concrete["buyers"]) == (
        CONCRETE_DEMAND,
        CONCRETE_IMPORTED,
        4,
    )
    assert concrete["import_share"] == round(350_000 / 1_450_000, 6)
    assert (concrete["produced_rub"], concrete["producers"], concrete["activity"]) == (
        800_000,
        1,
        "23.6",
    )
    for item in body["items"]:
        components = [item[f"c_{k}"] for k in ("demand", "feasibility", "attractiveness")]
        assert all(0 <= c <= 1 for c in components)
        mean = (0.4 * components[0] + 0.4 * components[1] + 0.2 * components[2]) / 1.0
        assert item["score"] == pytest.approx(mean, abs=2e-6)

    by_demand = ranking(client, demand=10, feasibility=0, attractiveness=0)
    assert [i["group"] for i in by_demand["items"]] == [PAINTS, CONCRETE, FILM, SAND]
    assert by_demand["weights"] == {"demand": 10, "feasibility": 0, "attractiveness": 0}
    assert order(body["items"]) != order(by_demand["items"])
    assert [i["group"] for i in ranking(client, top=2)["items"]] == [
        i["group"] for i in body["items"][:2]
    ]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"demand": -1}, "demand", r"значение должно быть не меньше 0(\.0)?"),
        ({"feasibility": 11}, "feasibility", r"значение должно быть не больше 10(\.0)?"),
        ({"attractiveness": "много"}, "attractiveness", "ожидается число"),
        (
            {"demand": 0, "feasibility": 0, "attractiveness": 0},
            "weights",
            "хотя бы один вес должен быть больше нуля",
        ),
        ({"top": 0}, "top", "значение должно быть не меньше 1"),
    ],
)
def test_bad_weights_are_refused_in_russian(client, params, field, message):
    response = client.get("/api/v1/niches", params={"region": REGION, **params})
    assert re.fullmatch(message, refusal(response, field))
    if field != "top":
        response = client.get(f"/api/v1/niches/{REGION}/{CONCRETE}", params=params)
        assert re.fullmatch(message, refusal(response, field))
        response = client.get("/niches/72", params=params)
        assert response.status_code == 422 and re.search(message, response.text)


def test_an_unknown_weight_name_is_refused(client):
    response = client.get("/api/v1/niches", params={"region": REGION, "feasability": 0})
    assert refusal(response, "feasability")


def test_an_unknown_region_or_group_is_not_found(client, db):
    build_world(db)
    answers = {
        "/api/v1/niches?region=99": "регион с кодом 99 не найден",
        "/api/v1/niches/export.xlsx?region=99": "регион с кодом 99 не найден",
        f"/api/v1/niches/99/{CONCRETE}": "регион с кодом 99 не найден",
        "/api/v1/niches/72/25.11": "в регионе 72 нет спроса на группу ОКПД2 25.11",
        "/api/v1/niches/72/25.11/passport.xlsx": "в регионе 72 нет спроса на группу ОКПД2 25.11",
        "/api/v1/niches?region=72&cluster=999999": "кластер №999999 не найден",
    }
    for path, message in answers.items():
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": message}, path
    for path in ("/niches/99", "/niches/72/25.11"):
        response = client.get(path)
        assert response.status_code == 404 and "Не найдено" in response.text, path
    assert refusal(client.get("/api/v1/niches"), "region") == "обязательное поле"


def test_a_niche_and_its_passport_list_the_same_buyers_and_candidates(client, db):
    w = build_world(db)
    response = client.get(f"/api/v1/niches/{REGION}/{CONCRETE}")
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["niche"]["demand_rub"] == CONCRETE_DEMAND
    buyers = [(b["name"], b["outside_rub"], b["imported_rub"], b["total_rub"])
              for b in detail["buyers"]]  # fmt: skip
    assert buyers == [
        ("Покупатель А", 600_000, 100_000, 1_000_000),
        ("Покупатель Б", 500_000, 250_000, 500_000),
        ("Покупатель В", 200_000, 0, 200_000),
        (OUTSIDE_CUSTOMER, 150_000, 0, 150_000),
    ]
    assert [b["enterprise_id"] for b in detail["buyers"]] == [w["A"], w["B"], w["C"], None]
    candidates = [(c["name"], c["reason"]) for c in detail["candidates"]]
    assert [c["enterprise_id"] for c in detail["candidates"]][:2] == [w["local"], w["builder"]]
    assert all(reason for _, reason in candidates)
    related = {r["activity"] for r in detail["related"]}
    assert "08.1" in related and "47.1" not in related  # industrial activities only

    passport = client.get(f"/api/v1/niches/{REGION}/{CONCRETE}/passport.xlsx")
    assert passport.status_code == 200
    assert passport.headers["content-type"] == XLSX
    assert 'filename="niche-72-23.61.xlsx"' in passport.headers["content-disposition"]
    book = load_workbook(io.BytesIO(passport.content))
    assert book.sheetnames[:3] == ["Паспорт ниши", "Покупатели", "Кто может производить"]
    summary = {row[0]: row[1] for row in book["Паспорт ниши"].iter_rows(values_only=True) if row}
    assert book["Паспорт ниши"]["A1"].value == (
        "Инвестиционный паспорт ниши: 23.61 Изделия из бетона, используемые в строительстве"
    )
    assert summary[COLUMNS["demand_rub"]] == CONCRETE_DEMAND
    assert summary[COLUMNS["buyers"]] == 4
    assert summary[COLUMNS["rank"]] == detail["niche"]["rank"]
    rows = list(book["Покупатели"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Покупатель", "Вне региона, руб./год", "Импорт, руб./год",
                           "Всего, руб./год")  # fmt: skip
    assert [r[:4] for r in rows[1:]] == buyers
    assert rows[1][5] == "Свердловская область" and rows[2][5] is None
    makers = list(book["Кто может производить"].iter_rows(values_only=True))
    assert [(r[0], r[4]) for r in makers[1:]] == candidates


def test_the_ranking_workbook_has_the_api_order(client, db):
    build_world(db)
    items = ranking(client, demand=1, feasibility=0, attractiveness=0)["items"]
    response = client.get(
        "/api/v1/niches/export.xlsx",
        params={"region": REGION, "demand": 1, "feasibility": 0, "attractiveness": 0},
    )
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Ниши"].iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS.values())
    assert [(r[1], r[4]) for r in rows[1:]] == [(i["group"], i["demand_rub"]) for i in items]


# The pages


def test_the_pages_show_the_ranking_and_one_niche(client, db):
    build_world(db)
    assert client.get("/niches", follow_redirects=False).headers["location"] == "/niches/72"
    items = ranking(client)["items"]
    text = client.get("/niches/72").text
    rows = re.findall(r'<tr data-group="([\d.]+)"', text)
    assert rows == [i["group"] for i in items]
    assert sorted(re.findall(r'data-group="([\d.]+)">\s*<title>', text)) == sorted(rows)
    assert 'name="demand" min="0" max="10" step="0.1" value="0.4"' in text
    assert "synthetic-notice" not in text

    text = client.get(f"/niches/72/{CONCRETE}").text
    assert f'data-kpi="demand">{money(CONCRETE_DEMAND)}<' in text
    assert 'data-kpi="buyers">4<' in text
    assert sorted(re.findall(r'data-component="(\w+)"', text)) == [
        "attractiveness",
        "demand",
        "feasibility",
    ]
    buyers = text[text.index('<section id="buyers">') : text.index('<section id="candidates">')]
    assert buyers.count("<tr><td>") == 4 and OUTSIDE_CUSTOMER in buyers
    assert f'href="/api/v1/niches/72/{CONCRETE}/passport.xlsx"' in text


# The command line


def run(*args: str):
    result = runner.invoke(cli, ["niches", *args])
    return result, result.output + (result.stderr or "")


def test_the_command_writes_the_api_ranking_as_csv_json_and_xlsx(client, db, tmp_path):
    build_world(db)
    weights = {"demand": 3, "feasibility": 1, "attractiveness": 0}
    items = ranking(client, **weights)["items"]
    options = [f"--{k}={v}" for k, v in weights.items()] + ["--database", db.url]

    result, output = run(REGION, "-o", str(tmp_path / "n.csv"), *options)
    assert result.exit_code == 0, output
    assert "Ниш: 4" in output
    with (tmp_path / "n.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["group"], float(r["score"])) for r in rows] == order(items)
    assert [int(r["demand_rub"]) for r in rows] == [i["demand_rub"] for i in items]

    result, output = run(REGION, "-o", str(tmp_path / "n.json"), *options)
    assert result.exit_code == 0, output
    document = json.loads((tmp_path / "n.json").read_text("utf-8"))
    assert document["weights"] == weights and document["region"] == REGION
    assert document["niches"] == items

    result, output = run(REGION, "-o", str(tmp_path / "n.xlsx"), "--top", "2", *options)
    assert result.exit_code == 0, output
    sheet = load_workbook(tmp_path / "n.xlsx")["Ниши"]
    assert [(r[1], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)] == order(items[:2])


def test_the_command_refuses_an_unknown_region_a_bad_weight_or_suffix(db, tmp_path):
    for args, message in (
        (["99", "-o", str(tmp_path / "n.csv")], "регион с кодом 99 не найден"),
        ([REGION, "-o", str(tmp_path / "n.csv"), "--demand", "11"], "вес должен быть от 0 до 10"),
        ([REGION, "-o", str(tmp_path / "n.txt")], "Укажите файл .csv, .xlsx или .json"),
    ):
        result, output = run(*args, "--database", db.url)
        assert result.exit_code == 2, output
        assert message in output
    assert list(tmp_path.iterdir()) == []
