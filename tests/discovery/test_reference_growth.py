"""Specialisation against a chosen set of regions, and its growth between two reporting years of
enterprise figures, in the service, the REST API, the page and the ``discover`` command; and the
cache that keeps it until the next write to the firm register only."""

import json

import pytest
from factories import error_fields
from sqlalchemy import select
from typer.testing import CliRunner

from promcluster.cli import app as cli
from promcluster.discovery.service import discover
from promcluster.discovery.specialisation import Options, national_specialisation, regions_of
from promcluster.errors import InvalidField
from promcluster.registry.models import EnterpriseFigure

runner = CliRunner()
# Employees of 23.61 / all activities: 72 — 400 / 500, 66 — 100 / 700, 77 — 100 / 1100.
LQ_COUNTRY = (400 / 500) / (600 / 2300)
LQ_AGAINST_66 = (400 / 500) / (100 / 700)
LQ_AGAINST_66_77 = (400 / 500) / (200 / 1800)
# 2023: the four 23.61 firms of 72 had 80 employees each (320); everything else as in 2024.
LQ_2023 = (320 / 420) / (520 / 2220)


@pytest.fixture
def world(db):
    """Firms of three regions with figures for 2024 (their current headcount) and 2023."""
    firms = []
    for region, code, n, employees in (
        ("72", "23.61", 4, 100), ("72", "47.11", 4, 25), ("66", "23.61", 2, 50),
        ("66", "47.11", 6, 100), ("77", "47.11", 10, 100), ("77", "23.61", 1, 100),
    ):  # fmt: skip
        for _ in range(n):
            firm = db.add_enterprise(region_code=region, okved_main=code, employees=employees)
            firms.append((firm, region, code, employees))
    with db.session() as session:
        for firm, region, code, employees in firms:
            earlier = 80 if (region, code) == ("72", "23.61") else employees
            session.add(EnterpriseFigure(enterprise_id=firm, year=2024, employees=employees))
            session.add(EnterpriseFigure(enterprise_id=firm, year=2023, employees=earlier))
    return firms


def _top(found):
    return next(s for s in found.specialisations if s.code == "23.61")


def test_reference_regions_change_the_quotients(world, db):
    with db.session() as session:
        country = discover(session, "72")
        one = discover(session, "72", Options(against=("66",)))
        two = discover(session, "72", Options(against=regions_of("77, 66;66")))
    assert country.reference is None
    assert _top(country).lq == pytest.approx(LQ_COUNTRY)
    assert [r.code for r in one.reference] == ["66"]
    assert _top(one).lq == pytest.approx(LQ_AGAINST_66)
    assert [r.code for r in two.reference] == ["66", "77"]
    assert _top(two).lq == pytest.approx(LQ_AGAINST_66_77)
    assert "against=66&against=77" in two.query


def test_growth_between_the_first_and_last_years(world, db):
    with db.session() as session:
        found = discover(session, "72")
    assert found.available_years == [2023, 2024] and found.years == (2023, 2024)
    top = _top(found)
    assert top.growth == pytest.approx(400 / 320 - 1)
    assert top.lq_change == pytest.approx(LQ_COUNTRY - LQ_2023)
    trade = next(s for s in found.specialisations if s.code == "47.11")
    assert trade.growth == pytest.approx(0.0)
    assert found.region_growth == pytest.approx(500 / 420 - 1)


def test_growth_against_reference_regions(world, db):
    with db.session() as session:
        found = discover(session, "72", Options(against=("66",)))
    lq_2023 = (320 / 420) / (100 / 700)
    assert _top(found).lq_change == pytest.approx(LQ_AGAINST_66 - lq_2023)


def test_one_year_of_figures_gives_no_growth(db):
    firm = db.add_enterprise(okved_main="23.61", employees=10)
    db.add_enterprise(okved_main="47.11", region_code="66", employees=10)
    with db.session() as session:
        session.add(EnterpriseFigure(enterprise_id=firm, year=2024, employees=10))
    with db.session() as session:
        found = discover(session, "72")
    assert found.available_years == [2024] and found.years is None
    assert all(s.growth is None and s.lq_change is None for s in found.specialisations)


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        (Options(against=("99",)), "against", "нет субъектов РФ с кодами: 99"),
        (Options(against=("01",)), "against", "без предприятий в данных: 01"),
        (Options(since=2019), "since", "нет показателей предприятий за 2019 год; есть: 2023, 2024"),
        (Options(since=2024, until=2023), "until", "должен быть позже начала"),
        (Options(level=5), "level", "уровень ОКВЭД2"),
    ],
)
def test_bad_options_name_the_field(world, db, options, field, words):
    with db.session() as session, pytest.raises(InvalidField) as caught:
        discover(session, "72", options)
    assert caught.value.field == field
    assert words in caught.value.message


def test_api_takes_reference_regions_and_years(client, world):
    body = client.get(
        "/api/v1/discover/72", params=[("against", "66"), ("against", "77"), ("since", 2023)]
    ).json()
    assert body["against"] == ["66", "77"] and body["years"] == [2023, 2024]
    top = next(s for s in body["specialisations"] if s["code"] == "23.61")
    assert top["lq"] == pytest.approx(LQ_AGAINST_66_77)
    assert top["growth"] == pytest.approx(0.25)
    comma = client.get("/api/v1/discover/72", params={"against": "66,77"}).json()
    assert comma["against"] == ["66", "77"]
    for params, field in (
        ({"against": "99"}, "against"),
        ({"until": 2030}, "until"),
        ({"since": "soon"}, "since"),
    ):
        response = client.get("/api/v1/discover/72", params=params)
        assert response.status_code == 422, params
        assert error_fields(response) == [field]


def test_page_shows_the_reference_and_growth_columns(client, world):
    page = client.get("/discover/72", params={"against": "66"})
    assert page.status_code == 200
    assert "Регионы сравнения: <strong>Свердловская область</strong>" in page.text
    assert "Рост 2023–2024" in page.text and "+25,0\u00a0%" in page.text
    assert "against=66" in page.text  # the links keep the options
    portfolio = page.text[page.text.index('id="portfolio"') : page.text.index("</figure>")]
    assert 'data-label="23.61"' in portfolio and "high-rising" in portfolio
    assert client.get("/discover/72", params={"since": "abc"}).status_code == 422
    redirected = client.get("/discover", params={"region": "66", "against": "72"})
    assert redirected.status_code == 200
    assert "Регионы сравнения: <strong>Тюменская" in redirected.text


def test_command_writes_reference_and_growth(world, db, tmp_path):
    out = tmp_path / "d.json"
    result = runner.invoke(
        cli,
        ["discover", "72", "--against", "66", "--since", "2023", "--until", "2024",
         "-o", str(out), "--database", db.url],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text("utf-8"))
    assert document["against"] == ["66"] and document["years"] == [2023, 2024]
    top = next(s for s in document["specialisations"] if s["code"] == "23.61")
    assert top["lq"] == pytest.approx(LQ_AGAINST_66) and top["growth"] == pytest.approx(0.25)
    result = runner.invoke(cli, ["discover", "72", "--against", "01", "--database", db.url])
    assert result.exit_code == 2
    assert "без предприятий в данных: 01" in result.output + (result.stderr or "")
    printed = runner.invoke(cli, ["discover", "72", "--database", db.url])
    assert (
        printed.exit_code == 0
        and "Рост 2023–2024" in printed.output
        and "+25,0\u00a0%" in printed.output
    )


def test_the_national_quotients_survive_registry_writes_but_not_firm_writes(world, db):
    with db.session() as session:
        first = national_specialisation(session, 4, "employees")
    cluster = db.add_cluster(specialisation=["23.61"])
    db.add_membership(cluster, world[0][0])
    with db.session() as session:
        assert national_specialisation(session, 4, "employees") is first
    db.add_enterprise(okved_main="23.61", employees=1)
    with db.session() as session:
        again = national_specialisation(session, 4, "employees")
    assert again is not first and again.firms.sum() == first.firms.sum() + 1
    with db.session() as session:
        session.scalars(select(EnterpriseFigure)).first().employees = 1000
    with db.session() as session:
        assert national_specialisation(session, 4, "employees") is not again


def test_a_candidate_grows_by_the_headcount_of_its_firms_with_both_years(db):
    dense = [
        db.add_enterprise(
            okved_main="23.61", lat=57.15 + 0.01 * (i % 4), lon=65.53 + 0.01 * (i // 4)
        )
        for i in range(12)
    ]
    db.add_enterprise(okved_main="47.11", region_code="66", employees=10)
    with db.session() as session:
        for i, firm in enumerate(dense[:11]):
            session.add(EnterpriseFigure(enterprise_id=firm, year=2023, employees=100))
            session.add(EnterpriseFigure(enterprise_id=firm, year=2024, employees=100 + 10 * i))
        session.add(EnterpriseFigure(enterprise_id=dense[11], year=2024, employees=5000))
    with db.session() as session:
        [candidate] = discover(session, "72").candidates
    assert candidate.growth_firms == 11  # the twelfth has no figures for 2023
    assert candidate.growth == pytest.approx(sum(10 * i for i in range(11)) / 1100)
