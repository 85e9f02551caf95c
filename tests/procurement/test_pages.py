"""Where procurement shows: the niche page, its API and investment passport, the enterprise card
and a plan need's page — for anonymous visitors and each role (the figures are worked out in
``tests/procurement/purchases.py``)."""

import io
import re

import pytest
from openpyxl import load_workbook

from procurement.purchases import CONTRACTS, HOSPITAL, PLAN, build_purchases
from promcluster.matching import postings
from promcluster.niches.demand import region_demand
from promcluster.russian import money, percent

NICHE = "/niches/72/23.61"
FROM_PROCUREMENT = "по данным госзакупок (ЕИС)"


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


@pytest.fixture
def clients(client, db, users, login_as):
    """An anonymous client and one logged in for each role, over the hand-made purchases."""
    p = build_purchases(db)
    cluster = db.add_cluster()
    db.add_membership(cluster, p["tyumen"])
    return p, {
        "anonymous": client,
        "admin": login_as(users.add("boss", "admin")),
        "cluster_manager": login_as(users.add("manager", "cluster_manager", clusters=[cluster])),
        "enterprise_rep": login_as(users.add("rep", "enterprise_rep", enterprise=p["tyumen"])),
    }


def test_demand_derived_from_procurement_is_marked_so(db):
    p = build_purchases(db)
    with db.sessions() as session:
        concrete = region_demand(session, "72")["23.61"]
    hospital = concrete.buyers[p["hospital"]]
    assert hospital.sources == {"procurement", "procurement-plan"}
    assert hospital.outside == pytest.approx(1_100_000 + 400_000)  # the line and the plan need
    assert hospital.procurement == pytest.approx(1_500_000)
    assert concrete.procurement == pytest.approx(1_500_000)
    assert hospital.supplier_regions == {"66", "77"}  # from the derived supplies


@pytest.mark.parametrize("role", ["anonymous", "admin", "cluster_manager", "enterprise_rep"])
def test_the_niche_page_lists_the_public_customer_with_its_contracts(clients, role):
    p, http = clients
    response = http[role].get(NICHE)
    assert response.status_code == 200
    text = response.text
    assert f'data-kpi="procurement">{money(1_500_000)}<' in text
    buyers = section(text, '<section id="buyers">', "</section>")
    row = section(buyers, f'data-procurement="{p["hospital"]}"', "</tr>")
    assert HOSPITAL.replace("«", "&laquo;") in row or HOSPITAL in row
    assert "контракты заказчика, по данным госзакупок (ЕИС)" in row
    assert "план закупки заказчика, по данным госзакупок (ЕИС)" in row
    assert f'data-field="purchased">{money(1_400_000)}<' in row
    named = ", ".join(f"№&nbsp;{CONTRACTS[k]}" for k in ("first", "third", "second"))
    assert f"4 контракта: {named} и др." in row
    assert f"Свердловская область — {percent(600_000 / 1_400_000, 0)}" in row
    assert f"Москва — {percent(500_000 / 1_400_000, 0)}" in row
    assert f"вне региона {percent(1_100_000 / 1_400_000, 0)}" in row
    assert "1 заказчик — по данным госзакупок (ЕИС)" in buyers
    ranking = http[role].get("/niches/72").text
    mark = section(ranking, '<tr data-group="23.61">', "</tr>")
    assert 'data-field="procurement"' in mark and FROM_PROCUREMENT in mark


def test_the_niche_api_and_passport_give_the_contracts(client, db):
    p = build_purchases(db)
    detail = client.get("/api/v1/niches/72/23.61").json()
    assert detail["niche"]["procurement_rub"] == 1_500_000
    [buyer] = [b for b in detail["buyers"] if b["enterprise_id"] == p["hospital"]]
    assert buyer["sources"] == [
        "контракты заказчика, " + FROM_PROCUREMENT,
        "план закупки заказчика, " + FROM_PROCUREMENT,
    ]
    contracts = buyer["procurement"]
    assert contracts["purchased_rub"] == 1_400_000
    assert contracts["contract_count"] == 4
    assert contracts["contracts"] == [CONTRACTS[k] for k in ("first", "third", "second")]
    assert [r["code"] for r in contracts["supplier_regions"]] == ["66", "77", "72"]
    assert contracts["outside_share"] == pytest.approx(1_100_000 / 1_400_000, abs=1e-6)

    passport = client.get("/api/v1/niches/72/23.61/passport.xlsx")
    assert passport.status_code == 200
    book = load_workbook(io.BytesIO(passport.content))
    summary = {r[0]: r[1] for r in book["Паспорт ниши"].iter_rows(values_only=True) if r}
    assert summary["В т. ч. по данным госзакупок (ЕИС), руб./год"] == 1_500_000
    rows = list(book["Покупатели"].iter_rows(values_only=True))
    head = rows[0]
    [row] = [dict(zip(head, r, strict=True)) for r in rows[1:] if r[0] == HOSPITAL]
    assert row["Закуплено по контрактам (ЕИС), руб."] == 1_400_000
    named = ", ".join(f"№ {CONTRACTS[k]}" for k in ("first", "third", "second"))
    assert row["Контракты (ЕИС)"] == f"4 контракта: {named} и др."
    assert row["Поставщики по контрактам (ЕИС)"].startswith(
        f"Свердловская область — {percent(600_000 / 1_400_000, 0)}; Москва — "
    )
    assert FROM_PROCUREMENT in row["Откуда сведения"]


@pytest.mark.parametrize("role", ["anonymous", "admin", "cluster_manager", "enterprise_rep"])
def test_the_customer_card_shows_its_purchases_by_class_year_and_supplier_region(clients, role):
    p, http = clients
    response = http[role].get(f"/enterprises/{p['hospital']}")
    assert response.status_code == 200
    card = section(response.text, '<section class="card" id="procurement">', "</section>")
    assert "<h2>Закупки (ЕИС)</h2>" in card
    assert 'data-field="contracts">4 контракта<' in card
    assert f'data-field="purchased">{money(1_700_000)}<' in card
    assert f'data-field="outside_share">{percent(1_200_000 / 1_700_000, 0)}<' in card
    rows = re.findall(r'<tr data-year="(\d+)" data-group="([\d.]*)">', card)
    assert rows == [("2025", "23.61"), ("2025", ""), ("2024", "23.61"), ("2024", "20.30")]
    first = section(card, 'data-group="23.61"', "</tr>")
    assert "Изделия из бетона, используемые в строительстве" in first
    assert money(500_000) in first
    regions = re.findall(r'<tr data-region="(\d*)">', card)
    assert regions == ["66", "77", "72", ""]
    assert "регион не указан" in card
    # where the card comes from
    register = section(response.text, '<section class="card" id="register">', "</section>")
    assert 'data-field="procurement_source"' in register and "ЕИС" in register
    source = re.search(r'data-field="data_source">([^<]+)<', register).group(1)
    assert "ЕИС" in source and "procurement" not in source  # a label, never the key


def test_a_firm_that_buys_nothing_under_contracts_has_no_procurement_section(clients):
    p, http = clients
    for role in ("anonymous", "admin"):
        text = http[role].get(f"/enterprises/{p['sverdlovsk']}").text
        assert 'id="procurement"' not in text and "Закупки (ЕИС)" not in text


@pytest.mark.parametrize("role", ["anonymous", "admin", "cluster_manager", "enterprise_rep"])
def test_a_plan_need_says_it_comes_from_the_customer_s_plan(clients, role):
    p, http = clients
    response = http[role].get(f"/needs/{p['need']}")
    assert response.status_code == 200
    plan = re.search(r'data-field="plan">([^<]+)<', response.text)
    assert plan, "no plan row on the need page"
    assert plan.group(1) == (
        f"план закупки заказчика № {PLAN}, позиция 7 (223-ФЗ, 2026 год) — {FROM_PROCUREMENT}"
    )


def test_a_typed_need_says_nothing_of_a_plan(clients, db):
    p, http = clients
    with db.session() as session:
        data = {"customer_id": p["tyumen"], "product_name": "Щебень", "okpd2_code": "23.61"}
        need = postings.create_need(session, None, data).id
    assert 'data-field="plan"' not in http["admin"].get(f"/needs/{need}").text
