"""The read side of procurement (``promcluster.procurement.queries``) over hand-made documents
whose figures are worked out in ``tests/procurement/purchases.py``."""

import pytest
from factories import inn10

from procurement.purchases import CONTRACTS, HOSPITAL, PLAN, build_purchases, contract, firm
from promcluster.procurement.models import ProcurementDocument, ProcurementItem
from promcluster.procurement.queries import customer_purchases, niche_buyers, plan_row


def test_a_customer_s_purchases_by_class_and_year_and_supplier_region(db):
    p = build_purchases(db)
    with db.sessions() as session:
        found = customer_purchases(session, p["hospital"])
    assert found.contracts == 4  # the plan is not a purchase
    assert found.value == 1_700_000
    assert [(r.year, r.group, r.value, r.contracts) for r in found.rows] == [
        (2025, "23.61", 500_000, 1),  # a 223-FZ total over items of one class
        (2025, None, 200_000, 1),  # a total over two classes stays unallocated
        (2024, "23.61", 900_000, 2),
        (2024, "20.30", 100_000, 1),
    ]
    assert found.rows[0].name == "Изделия из бетона, используемые в строительстве"
    assert [(r.code, r.value) for r in found.regions] == [
        ("66", 700_000),
        ("77", 500_000),
        ("72", 300_000),
        (None, 200_000),
    ]
    assert found.regions[0].name == "Свердловская область"
    assert found.regions[0].share == pytest.approx(700_000 / 1_700_000)
    assert sum(r.share for r in found.regions) == pytest.approx(1)
    assert found.outside_share == pytest.approx(1_200_000 / 1_700_000)


def test_a_firm_without_contracts_has_no_purchases(db):
    p = build_purchases(db)
    with db.sessions() as session:
        assert customer_purchases(session, p["sverdlovsk"]) is None  # a supplier only
        assert customer_purchases(session, 999_999) is None


def test_the_buyers_of_a_niche_with_contract_numbers_and_supplier_regions(db):
    p = build_purchases(db)
    with db.sessions() as session:
        found = niche_buyers(session, "72", "23.61")
    assert list(found) == [p["hospital"]]
    buyer = found[p["hospital"]]
    assert buyer.name == HOSPITAL
    assert buyer.value == 1_400_000
    assert buyer.contract_count == 4
    # the largest first, three named
    assert buyer.contracts == [CONTRACTS["first"], CONTRACTS["third"], CONTRACTS["second"]]
    assert [(r.code, r.value) for r in buyer.regions] == [
        ("66", 600_000),
        ("77", 500_000),
        ("72", 300_000),
    ]  # the unallocated contract adds no value to a region
    assert buyer.outside_share == pytest.approx(1_100_000 / 1_400_000)


def test_a_niche_by_a_longer_code_counts_only_its_items(db):
    p = build_purchases(db)
    with db.sessions() as session:
        by_code = niche_buyers(session, "72", "23.61.11.110")
        paints = niche_buyers(session, "72", "20.30")
    tiles = by_code[p["hospital"]]
    # contract 1 (600,000 of tiles); contract 3 holds tiles and bricks under one total
    assert (tiles.value, tiles.contract_count) == (600_000, 2)
    assert tiles.contracts == [CONTRACTS["first"], CONTRACTS["third"]]
    assert (paints[p["hospital"]].value, paints[p["hospital"]].contract_count) == (100_000, 2)


def test_a_niche_lists_only_customers_of_its_region(db):
    p = build_purchases(db)
    with db.session() as session:
        sverdlovsk_customer = firm(session, "МБОУ СОШ № 5", "66", inn10("660100009"))
        contract(
            session, "3660100000124000001", "44", 2024, sverdlovsk_customer, p["tyumen"], "72",
            [("23.61.11.120", "Плиты", 50_000)],
        )  # fmt: skip
    with db.sessions() as session:
        assert set(niche_buyers(session, "72", "23.61")) == {p["hospital"]}
        assert set(niche_buyers(session, "66", "23.61")) == {sverdlovsk_customer}
        assert niche_buyers(session, "72", "22.21") == {}
        assert niche_buyers(session, "45", "23.61") == {}


def test_a_plan_need_knows_its_plan_row(db):
    p = build_purchases(db)
    with db.sessions() as session:
        row = plan_row(session, p["need"])
        assert (row.law, row.number, row.position, row.year) == ("223", PLAN, 7, 2026)
        assert row.customer_id == p["hospital"]
        assert plan_row(session, 999_999) is None


def test_items_without_a_sum_count_price_times_quantity_or_nothing(db):
    with db.session() as session:
        customer = firm(session, "МАУ «Спортшкола»", "72", inn10("720100077"))
        document = contract(
            session, "3720100000124000077", "44", 2024, customer, None, None,
            [("23.61.11.120", "Плиты", None), ("23.61.11.130", "Кирпич", None)],
        )  # fmt: skip
        first, second = session.get(ProcurementDocument, document).items
        first.price_kopecks, first.quantity = 12_50, 4.0  # 4 × 12.50 roubles, no sum stated
        second.price_kopecks = None  # neither sum nor price: nothing to count
        contract(
            session,
            "3720100000124000078",
            "44",
            2024,
            customer,
            None,
            "66",
            [],
        )  # fmt: skip  (a contract without products)
    with db.sessions() as session:
        found = customer_purchases(session, customer)
        buyers = niche_buyers(session, "72", "23.61")
    assert found.contracts == 2
    assert [(r.year, r.group, r.value, r.contracts) for r in found.rows] == [
        (2024, "23.61", 50.0, 1)
    ]
    assert [(r.code, r.value) for r in found.regions] == [(None, 50.0)]
    assert found.outside_share == 0
    assert (buyers[customer].value, buyers[customer].contract_count) == (50.0, 1)


def test_a_customer_with_a_plan_only_has_no_purchases(db):
    with db.session() as session:
        customer = firm(session, "ГБУЗ ТО «Больница № 2»", "72", inn10("720100078"))
        session.add(
            ProcurementDocument(
                law="223", kind="plan", number="2200000099", year=2026, customer_id=customer,
                items=[ProcurementItem(position=1, okpd2_code="23.61.11.120", sum_kopecks=10**8)],
            )
        )  # fmt: skip
    with db.sessions() as session:
        assert customer_purchases(session, customer) is None
        assert niche_buyers(session, "72", "23.61") == {}
