"""Ranking candidate suppliers and buyers: tiers (co-members, region, elsewhere), score order,
product closeness, distance, capacity and the Russian explanation of each; the pure scoring."""

import math

import pytest
from sqlalchemy import select

from matching import (
    BLOCKS,
    CHELYABINSK,
    FUTURE,
    ORDER,
    TYUMEN,
    YEKATERINBURG,
    build_suppliers,
    build_world,
    enterprise,
    line,
    post_need,
)
from promcluster.geo import haversine_km
from promcluster.matching import candidates as c
from promcluster.matching import postings, scoring
from promcluster.matching.models import Need, Offer
from promcluster.reference.models import Okpd
from promcluster.registry import service as registry
from promcluster.registry.models import Membership


def great_circle_km(a, b) -> float:
    """Spherical law of cosines: an independent check of the haversine in the module."""
    (la1, lo1), (la2, lo2) = [tuple(map(math.radians, p)) for p in (a, b)]
    cos = math.sin(la1) * math.sin(la2) + math.cos(la1) * math.cos(la2) * math.cos(lo2 - lo1)
    return 6371.0 * math.acos(min(1.0, cos))


def suppliers(db, world, limit=20):
    with db.sessions() as session:
        return c.supplier_candidates(session, session.get(Need, world.need), limit)


def by_id(found):
    return {x.enterprise_id: x for x in found}


# Suppliers for a need


def test_suppliers_are_ranked_members_then_region_then_elsewhere(db):
    world = build_world(db)
    found = suppliers(db, world)
    assert [x.enterprise_id for x in found] == [world[r] for r in ORDER]
    assert [x.tier for x in found] == [0, 1, 1, 1, 2, 2]
    # within a tier the score decides
    assert found[1].score > found[2].score > found[3].score
    assert found[4].score > found[5].score
    # neither the customer itself, nor the bakery, nor the closed offer's supplier
    assert {world["customer"], world["bakery"], world["closed"]}.isdisjoint(by_id(found))


def test_limit_keeps_the_best(db):
    world = build_world(db)
    assert [x.enterprise_id for x in suppliers(db, world, 2)] == [
        world["member"],
        world["offer_local"],
    ]


def test_co_member_is_explained_with_cluster_distance_and_capacity(db):
    world = build_world(db)
    member = by_id(suppliers(db, world))[world["member"]]
    km = great_circle_km(TYUMEN, YEKATERINBURG)
    assert 290 < km < 310
    assert member.distance_km == pytest.approx(km, abs=0.5)
    assert member.member_of == "Бетон"
    assert member.reasons[0] == f"тот же код ОКПД2 {BLOCKS}"
    assert "участник кластера «Бетон», как и заказчик" in member.reasons
    assert f"Свердловская область, {round(km)} км" in member.reasons
    assert "заявленный объём 5\u202f000 м3 в год покрывает потребность 1\u202f000 м3" in (
        member.reasons
    )
    assert (member.capacity, member.unit) == (5000, "м3")
    assert member.sources == ["выпускает (данные реестра)"]
    assert "похожее название: блок, газобетонный, стеновый" in member.reasons


def test_local_offer_covers_half_and_shares_words(db):
    world = build_world(db)
    local = by_id(suppliers(db, world))[world["offer_local"]]
    assert local.offer_id == world.offer_local
    assert local.sources[0] == f"предложение №{world.offer_local}"
    assert (
        "заявленный объём 500 м3 в год покрывает 50\u00a0% потребности 1\u202f000 м3"
        in local.reasons
    )
    assert "похожее название: блок, газобетонный" in local.reasons
    assert local.region_name == "Тюменская область"
    km = great_circle_km(TYUMEN, (57.10, 65.60))
    assert local.distance_km == pytest.approx(km, abs=0.1)
    assert f"тот же регион, {round(km)} км" in local.reasons


def test_group_activity_and_near_group_are_told_apart(db):
    world = build_world(db)
    found = by_id(suppliers(db, world))
    group = found[world["group_local"]]
    assert group.reasons[0] == (
        "та же группа ОКПД2 23.61 «Изделия из бетона, используемые в строительстве»"
    )
    assert "объём не указан" in group.reasons
    activity = found[world["activity_local"]]
    assert activity.reasons[0] == (
        "вид деятельности ОКВЭД2 23.61 соответствует продукции (группа 23.6)"
    )
    assert activity.sources == ["вид деятельности ОКВЭД2 23.61"]
    near = found[world["near_far"]]
    assert near.reasons[0].startswith("смежная группа ОКПД2 23.6 «")
    assert group.closeness > activity.closeness
    assert near.closeness > activity.closeness - 0.1


def test_far_supplier_without_coordinates_is_placed_at_the_region_centre(db):
    world = build_world(db)
    far = by_id(suppliers(db, world))[world["offer_far"]]
    km = great_circle_km(TYUMEN, CHELYABINSK)
    assert far.distance_km == pytest.approx(km, abs=0.5)
    assert f"Челябинская область, {round(km)} км (по центру региона)" in far.reasons
    assert far.tier == 2 and far.member_of is None


def test_customer_outside_the_need_region_is_measured_from_the_region_centre(db):
    world = build_suppliers(db)
    post_need(db, world, region_code="66")
    member = by_id(suppliers(db, world))[world["member"]]
    assert member.tier == 0  # still a co-member
    assert member.distance_km < 1  # Yekaterinburg's centre to Yekaterinburg city


def test_units_that_differ_are_named(db):
    world = build_suppliers(db)
    post_need(db, world, unit="т")
    member = by_id(suppliers(db, world))[world["member"]]
    assert "объём указан в других единицах (м3), чем потребность (т)" in member.reasons


def test_need_without_code_finds_offers_by_words_only(db):
    world = build_suppliers(db)
    post_need(db, world, okpd2_code=None, product_name="Газобетонные блоки")
    found = suppliers(db, world)
    assert {x.enterprise_id for x in found} == {world["offer_local"], world["offer_far"]}
    assert all(any(r.startswith("похожее название") for r in x.reasons) for x in found)


def test_closed_offer_stops_being_a_source(db):
    world = build_world(db)
    with db.session() as session:
        postings.update_offer(session, None, world.offer_far, {"status": "closed"})
    far = by_id(suppliers(db, world))[world["offer_far"]]
    assert far.offer_id is None  # still a candidate, but only for its activity
    assert far.sources == ["вид деятельности ОКВЭД2 23.61"]
    assert "объём не указан" in far.reasons


# Buyers for an offer


def test_buyers_are_needs_and_consumers_ranked_by_tier(db):
    world = build_world(db)
    with db.session() as session:
        member_buyer = enterprise(session, "Уральская стройка", "66", "41.20")
        far_buyer = enterprise(session, "Челябинский застройщик", "74", "41.20")
        line(session, far_buyer, "23.61.11.141", "consumes", volume=3000, unit="м3")
        line(session, member_buyer, "23.61.11", "consumes", volume=100, unit="м3")
        registry.create_record(
            session,
            None,
            Membership,
            {
                "cluster_id": world.cluster,
                "enterprise_id": world["offer_local"],
                "status": "member",
            },
        )
        registry.create_record(
            session,
            None,
            Membership,
            {"cluster_id": world.cluster, "enterprise_id": member_buyer, "status": "member"},
        )
        outside = postings.create_need(
            session,
            None,
            {
                "customer_name": "ГКУ «Тюменьстрой»",
                "region_code": "72",
                "product_name": "Блоки газобетонные",
                "okpd2_code": BLOCKS,
                "volume": 200,
                "unit": "м3",
                "deadline": FUTURE,
            },
        )
        found = c.buyer_candidates(session, session.get(Offer, world.offer_local))
    names = [x.name for x in found]
    # co-members of the supplier's cluster (the customer with its need, the Urals builder),
    # then the region (the outside customer), then elsewhere
    assert names == [
        "Тюменский домостроительный комбинат",
        "Уральская стройка",
        "ГКУ «Тюменьстрой»",
        "Челябинский застройщик",
    ]
    assert [x.tier for x in found] == [0, 0, 1, 2]
    customer, urals, gku, chelyabinsk = found
    assert customer.need_id == world.need
    assert customer.sources == [f"потребность №{world.need}"]
    assert "участник кластера «Бетон», как и поставщик" in customer.reasons
    assert "заявленный объём 500 м3 в год покрывает 50\u00a0% потребности 1\u202f000 м3" in (
        customer.reasons
    )
    assert gku.enterprise_id is None and gku.need_id == outside.id
    assert "заявленный объём 500 м3 в год покрывает потребность 200 м3" in gku.reasons
    assert chelyabinsk.reasons[0].startswith("та же группа ОКПД2 23.61 «")
    assert "заявленный объём 500 м3 в год покрывает 17\u00a0% потребности 3\u202f000 м3" in (
        chelyabinsk.reasons
    )
    assert urals.reasons[0] == "та же продукция в другой детализации: ОКПД2 23.61.11"


# Pure scoring


def test_haversine_matches_known_distances():
    assert haversine_km(TYUMEN, TYUMEN) == 0
    assert haversine_km(TYUMEN, YEKATERINBURG) == pytest.approx(
        great_circle_km(TYUMEN, YEKATERINBURG), rel=1e-6
    )
    # Moscow–Saint Petersburg, about 634 km
    assert haversine_km((55.7558, 37.6173), (59.9343, 30.3351)) == pytest.approx(634, abs=3)


@pytest.mark.parametrize(
    ("supply", "supply_unit", "demand", "demand_unit", "fit"),
    [
        (2000, "м3", 1000, "м3", 1.0),
        (250, "м3", 1000, "м³", 0.25),
        (10, "Тонн", 40, "т.", 0.25),
        (10, "т", 40, "шт", scoring.CAPACITY_OTHER_UNITS),
        (None, None, 40, "т", scoring.CAPACITY_UNKNOWN),
        (10, "т", None, "т", scoring.CAPACITY_UNKNOWN),
    ],
)
def test_capacity_fit(supply, supply_unit, demand, demand_unit, fit):
    assert scoring.capacity_fit(supply, supply_unit, demand, demand_unit)[0] == pytest.approx(fit)


def test_product_closeness_levels():
    target = scoring.Target("supplier", "23.61.11.140", frozenset(), None, None, "72", TYUMEN)

    def level(code, source="produces"):
        return scoring.product_closeness(target, scoring.Evidence(source, 1, code))[0]

    assert level("23.61.11.140") == scoring.CLOSENESS["same_code"]
    assert level("23.61.11") == level("23.61.11.140.1") == scoring.CLOSENESS["narrower"]
    assert level("23.61.11.141") == level("23.61.12.111") == scoring.CLOSENESS["same_group"]
    assert level("23.63.10") == scoring.CLOSENESS["near_group"]
    assert level("23.61", "activity") == scoring.CLOSENESS["activity"]
    assert (
        scoring.CLOSENESS["same_code"]
        > scoring.CLOSENESS["narrower"]
        > scoring.CLOSENESS["same_group"]
        > scoring.CLOSENESS["near_group"]
        > scoring.CLOSENESS["activity"]
    )


def test_text_overlap_uses_lemmas():
    a = frozenset(["блок", "газобетонный", "стеновой"])
    b = frozenset(["газобетонный", "блок", "d500"])
    similarity, shared = scoring.text_overlap(a, b)
    assert shared == ["блок", "газобетонный"]
    assert similarity == pytest.approx(2 / 4)


def test_code_range_is_an_indexed_prefix(db):
    with db.sessions() as session:
        codes = session.scalars(
            select(Okpd.code).where(c.code_range(Okpd.code, "23.6")).order_by(Okpd.code)
        ).all()
        everything = session.scalars(select(Okpd.code).where(Okpd.code.startswith("23.6"))).all()
    assert sorted(codes) == sorted(everything) and "23.61.11.140" in codes
    assert all(code.startswith("23.6") for code in codes)
