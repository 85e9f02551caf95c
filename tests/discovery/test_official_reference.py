"""The national reference of discovery: official statistics (the shipped ЕМИСС export) by
default when loaded — LQs equal those written out by hand from the raw file, the register's firms
per section beside them, candidates weighed by their sections' LQs — or the register, asked for
or when no official figures are loaded, and the page, the API and the command say which."""

import pytest
from factories import error_fields
from imports.kit import run
from official_statistics.test_pages import raw_lq
from typer.testing import CliRunner

from promcluster.cli import app as cli
from promcluster.discovery.service import discover
from promcluster.discovery.specialisation import Options
from promcluster.statistics.store import SHIPPED

runner = CliRunner()
TYUMEN = (
    "Тюменская область (кроме Ханты-Мансийского автономного округа-Югры и Ямало-Ненецкого "
    "автономного округа)"
)
MANUFACTURING = "ОБРАБАТЫВАЮЩИЕ ПРОИЗВОДСТВА"
INDICATOR = "Количество организаций по данным государственной регистрации с 2017 г."
OFFICIAL_TEXT = f"данные Росстата (ЕМИСС), показатель «{INDICATOR}», 2022 год"
ROLES = ("admin", "cluster_manager", "enterprise_rep", "anonymous")


@pytest.fixture
def firms(db):
    """Ten firms of 72 in manufacturing (23.61, at the region's centre: one candidate), three
    in trade (47.11), and two in Sverdlovsk oblast."""
    for code, n in (("23.61", 10), ("47.11", 3)):
        for _ in range(n):
            db.add_enterprise(region_code="72", okved_main=code, employees=50)
    for _ in range(2):
        db.add_enterprise(region_code="66", okved_main="23.61", employees=50)
    return db


@pytest.fixture
def official(firms):
    run(firms, "emiss", SHIPPED)
    return firms


def _section(found, code):
    return next(s for s in found.specialisations if s.code == code)


def test_official_lqs_equal_those_written_out_from_the_raw_file(official):
    with official.session() as session:
        found = discover(session, "72")
    assert found.basis == "official" and found.reference_text == OFFICIAL_TEXT
    assert found.official.year == 2022 and found.growth_years == (2019, 2022)
    c = _section(found, "C")
    assert c.lq == pytest.approx(raw_lq(TYUMEN, MANUFACTURING), rel=1e-12)
    assert c.lq == pytest.approx(0.96, abs=0.005)  # docs/INDICATORS.md
    assert c.firms == 2727 and c.register_firms == 10  # Rosstat's count; the register's firms
    assert _section(found, "G").register_firms == 3 and _section(found, "B").register_firms == 0
    trade = "ТОРГОВЛЯ ОПТОВАЯ И РОЗНИЧНАЯ; РЕМОНТ АВТОТРАНСПОРТНЫХ СРЕДСТВ И МОТОЦИКЛОВ"
    assert _section(found, "G").lq == pytest.approx(raw_lq(TYUMEN, trade), rel=1e-12)
    # the candidate comes from the register; its activity weighs with its section's LQ
    (candidate,) = found.candidates
    assert candidate.firms == 10 and candidate.parts["lq"] == pytest.approx(c.lq)
    assert found.firms == 13 and found.national_firms == 15 and found.register_regions == 2


def test_the_register_when_asked_or_without_official_figures(firms):
    with firms.session() as session:
        before = discover(session, "72")
    assert before.basis == "register" and before.official is None
    assert before.reference_text == "реестр предприятий платформы (регионов с предприятиями: 2)"
    assert {s.code for s in before.specialisations} == {"23.61", "47.11"}
    run(firms, "emiss", SHIPPED)  # the import's audit record renews the kept results
    with firms.session() as session:
        assert discover(session, "72").basis == "official"
        asked = discover(session, "72", Options(reference="register"))
    assert asked.basis == "register"
    # 23.61: 10 of 13 firms in 72, 12 of 15 in the register
    assert _section(asked, "23.61").lq == pytest.approx((10 / 13) / (12 / 15))
    assert asked.candidates[0].parts["lq"] == pytest.approx((10 / 13) / (12 / 15))


def test_the_page_names_the_reference_and_switches(client, official):
    page = client.get("/discover/72").text
    assert f"База сравнения: <strong data-reference-text>{OFFICIAL_TEXT}</strong>" in page
    assert "источник: ЕМИСС (Росстат), fedstat.ru; на 01.10.2022" in page
    assert 'data-switch="register"' in page and "reference=register" in page
    assert "Организаций (Росстат, 2022)" in page and "Предприятий в реестре" in page
    assert "0,96" in page and "Рост 2019–2022" in page
    register = client.get("/discover/72", params={"reference": "register"}).text
    assert "реестр предприятий платформы (регионов с предприятиями: 2)" in register
    assert 'data-switch="official"' in register and 'data-basis="register"' in register
    assert "reference=register" in register  # links to candidates keep the reference


def test_without_official_figures_the_page_says_the_register(client, firms):
    page = client.get("/discover/72").text
    assert "База сравнения: <strong data-reference-text>реестр предприятий платформы" in page
    assert "Официальная статистика не загружена" in page
    assert '<option value="official"' not in page
    body = client.get("/api/v1/discover/72").json()
    assert body["national_reference"]["basis"] == "register"
    assert body["national_reference"]["register_regions"] == 2
    for params in ({"reference": "official"}, {"reference": "rosstat"}, {"reference": "x" * 21}):
        response = client.get("/api/v1/discover/72", params=params)
        assert response.status_code == 422 and error_fields(response) == ["reference"], params
        assert client.get("/discover/72", params=params).status_code == 422


def test_api_and_command_say_the_reference(client, official, tmp_path):
    body = client.get("/api/v1/discover/72").json()
    ref = body["national_reference"]
    assert ref["basis"] == "official" and ref["text"] == OFFICIAL_TEXT
    assert (ref["year"], ref["unit"], ref["source_date"]) == (2022, "единица", "2022-10-01")
    assert ref["growth_years"] == [2019, 2022]
    c = next(s for s in body["specialisations"] if s["code"] == "C")
    assert c["lq"] == pytest.approx(raw_lq(TYUMEN, MANUFACTURING)) and c["register_firms"] == 10
    against = client.get("/api/v1/discover/72", params={"against": "66"}).json()
    c66 = next(s for s in against["specialisations"] if s["code"] == "C")
    # against Sverdlovsk oblast alone: (x_72,C / x_72) / (x_66,C / x_66), the country cancels out
    expected = raw_lq(TYUMEN, MANUFACTURING) / raw_lq("Свердловская область", MANUFACTURING)
    assert against["against"] == ["66"] and c66["lq"] == pytest.approx(expected, rel=1e-12)
    printed = runner.invoke(cli, ["discover", "72", "--database", official.url])
    assert printed.exit_code == 0 and "данные Росстата (ЕМИСС)" in " ".join(printed.output.split())
    register = runner.invoke(
        cli, ["discover", "72", "--reference", "register", "--database", official.url]
    )
    words = " ".join(register.output.split())
    assert register.exit_code == 0 and "реестр предприятий платформы" in words
    bad = runner.invoke(
        cli, ["discover", "72", "--reference", "rosstat", "--database", official.url]
    )
    assert bad.exit_code == 2


@pytest.mark.parametrize("role", ROLES)
def test_every_role_and_anonymous_read_both_references(client, official, users, role):
    auth = None
    if role != "anonymous":
        enterprise = official.add_enterprise(name="ООО «Читатель»", region_code="72")
        cluster = official.add_cluster(name="Кластер читателей", region_codes=["72"])
        auth = users.add(
            f"reader-{role}", role=role,
            clusters=[cluster] if role == "cluster_manager" else [],
            enterprise=enterprise if role == "enterprise_rep" else None,
        ).auth  # fmt: skip
    for reference in ("official", "register"):
        for route in ("/discover/72", "/api/v1/discover/72", "/discover/72/candidates/1"):
            response = client.get(route, params={"reference": reference}, auth=auth)
            assert response.status_code == 200, (role, route, reference)
