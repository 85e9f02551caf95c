"""Demand of a region by OKPD2 class, from hand-made consumption lines, supplies and needs (the
figures are worked out in ``tests/niches/__init__.py``)."""

from niches import (
    CONCRETE,
    CONCRETE_DEMAND,
    CONCRETE_IMPORTED,
    FILM,
    FILM_DEMAND,
    OUTSIDE_CUSTOMER,
    PAINTS,
    PAINTS_DEMAND,
    PAINTS_IMPORTED,
    REGION,
    build_demand,
    consumes,
    enterprise,
    need,
    supplies,
)
from promcluster.niches.demand import region_demand
from promcluster.reference.levels import group_of


def outside_by_buyer(found, group: str) -> dict:
    return {key: p.outside for key, p in found[group].buyers.items() if p.outside}


def test_demand_is_outside_consumption_plus_new_outside_supplies_plus_open_needs(db):
    w = build_demand(db)
    with db.sessions() as session:
        found = region_demand(session, REGION)
    assert set(found) == {CONCRETE, PAINTS, FILM}
    concrete = found[CONCRETE]
    assert concrete.outside == CONCRETE_DEMAND
    assert concrete.imported == CONCRETE_IMPORTED
    assert outside_by_buyer(found, CONCRETE) == {
        w["A"]: 600_000,  # 1,000,000 × 0.6; the 300,000 supply is already in this line
        w["B"]: 500_000,  # 500,000 × 1.0; B's closed need of 700,000 is not demand
        w["C"]: 200_000,  # a supply from Sverdlovsk, C has no concrete consumption line
        f"need:{OUTSIDE_CUSTOMER}": 150_000,  # an open need of an outside customer
    }
    assert {key: p.imported for key, p in concrete.buyers.items()} == {
        w["A"]: 100_000,
        w["B"]: 250_000,
        w["C"]: 0,
        f"need:{OUTSIDE_CUSTOMER}": 0,
    }
    assert {p.buyer_name for p in concrete.outside_buyers} == {
        "Покупатель А",
        "Покупатель Б",
        "Покупатель В",
        OUTSIDE_CUSTOMER,
    }
    assert concrete.buyers[f"need:{OUTSIDE_CUSTOMER}"].buyer_id is None
    assert (found[PAINTS].outside, found[PAINTS].imported) == (PAINTS_DEMAND, PAINTS_IMPORTED)
    assert (found[FILM].outside, found[FILM].imported) == (FILM_DEMAND, 0)


def test_each_buyer_says_how_its_demand_is_known_and_where_it_buys(db):
    w = build_demand(db)
    with db.sessions() as session:
        concrete = region_demand(session, REGION)[CONCRETE]
    a, b, c = (concrete.buyers[w[k]] for k in "ABC")
    assert a.sources == {"consumption"} and a.supplier_regions == {"66"}
    assert a.total == 1_000_000  # the whole consumption line, the supply not added again
    assert b.sources == {"consumption"} and b.supplier_regions == set()
    assert c.sources == {"supply"} and c.supplier_regions == {"66"}
    assert c.total == 200_000
    assert concrete.buyers[f"need:{OUTSIDE_CUSTOMER}"].sources == {"need"}


def test_a_supply_from_inside_the_region_is_not_demand(db):
    w = build_demand(db)
    with db.sessions() as session:
        found = region_demand(session, REGION)
        # D gets 900,000 of concrete blocks from a Tyumen firm and buys no concrete elsewhere.
        assert w["D"] not in {p.buyer_id for p in found[CONCRETE].outside_buyers}
        assert found[CONCRETE].outside == CONCRETE_DEMAND
        # A class bought only inside the region, by supply or by a consumption line with no
        # outside share, has no outside demand and no buyers.
        supplies(session, w["local"], w["B"], "25.11.23", 4_000_000)
        consumes(session, w["D"], "25.11.23", 3_000_000, 0.0, 0.0)
        session.flush()
        steel = region_demand(session, REGION).get("25.11")
        session.rollback()
    assert steel is None or (steel.outside == 0 and steel.outside_buyers == [])


def test_only_open_needs_with_a_product_code_count(db):
    w = build_demand(db)
    with db.sessions() as session:
        need(session, "23.61.11", 50_000, customer_id=w["D"])
        need(session, "23.61.11", 1_000_000, status="closed", customer_id=w["D"])
        need(session, None, 5_000_000, customer_name="Без кода ОКПД2")
        session.flush()
        found = region_demand(session, REGION)
        session.rollback()
    assert found[CONCRETE].outside == CONCRETE_DEMAND + 50_000
    assert found[CONCRETE].buyers[w["D"]].sources == {"need"}
    assert all(
        "Без кода ОКПД2" not in p.buyer_name for g in found.values() for p in g.buyers.values()
    )


def test_the_cluster_filter_keeps_only_the_members_demand(db):
    w = build_demand(db)
    cluster = db.add_cluster()
    db.add_membership(cluster, w["A"])
    db.add_membership(cluster, w["C"])
    with db.sessions() as session:
        found = region_demand(session, REGION, cluster)
    # A's 600,000 and C's outside supply of 200,000; B and the outside customer are no members.
    assert outside_by_buyer(found, CONCRETE) == {w["A"]: 600_000, w["C"]: 200_000}
    assert found[CONCRETE].imported == 100_000
    assert found[PAINTS].outside == PAINTS_DEMAND
    assert FILM not in found or found[FILM].outside == 0  # D is no member


def test_production_comes_from_produces_lines(db):
    w = build_demand(db)
    with db.sessions() as session:
        found = region_demand(session, REGION)
    assert found[CONCRETE].produced == 800_000
    assert found[CONCRETE].producers == {w["local"]}
    assert found[PAINTS].produced == 0 and found[PAINTS].producers == set()


def test_one_group_gives_the_same_figures_as_the_whole_region(db):
    build_demand(db)
    with db.sessions() as session:
        whole = region_demand(session, REGION)
        one = region_demand(session, REGION, group=CONCRETE)
    assert set(one) == {CONCRETE}
    assert one[CONCRETE].outside == whole[CONCRETE].outside == CONCRETE_DEMAND
    assert one[CONCRETE].imported == whole[CONCRETE].imported
    assert len(one[CONCRETE].outside_buyers) == len(whole[CONCRETE].outside_buyers) == 4


def test_another_region_sees_none_of_tyumens_demand(db):
    build_demand(db)
    with db.sessions() as session:
        assert region_demand(session, "66") == {}


def test_where_a_buyer_buys_today_does_not_depend_on_the_order_of_supplies(db):
    w = build_demand(db)
    with db.sessions() as session:
        e = enterprise(session, "Покупатель Д", REGION, "41.20", 15)
        session.flush()
        supplies(session, w["local"], e, "23.61.11", 100_000)  # from Tyumen, read first
        supplies(session, w["sverdlovsk"], e, "23.61.12", 250_000)  # from Sverdlovsk
        session.flush()
        purchase = region_demand(session, REGION)[CONCRETE].buyers[e]
        session.rollback()
    assert purchase.outside == 250_000
    assert purchase.supplier_regions == {"66", REGION}


def test_group_of_a_code_is_its_class():
    assert group_of("23.61.11.130") == "23.61"
    assert group_of("23.61") == "23.61"
