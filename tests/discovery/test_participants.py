"""Potential participants of a cluster: who is proposed, in what order, with which reasons."""

import pytest

from promcluster.chains import service as chains
from promcluster.discovery.participants import prospects, scope
from promcluster.errors import NotFound
from promcluster.registry.models import Cluster, ProductLine

CENTRE = (57.153, 65.534)  # Tyumen


@pytest.fixture
def world(db):
    """A construction-materials cluster of region 72 with one member, a chain with a target
    product and a stage nobody covers, and firms of every kind around it."""
    cluster = db.add_cluster(specialisation=["23.61"])
    member = db.add_enterprise(okved_main="23.61", lat=CENTRE[0], lon=CENTRE[1], employees=900)
    db.add_membership(cluster, member)
    chain = db.add_chain(cluster, position=2, products=["23.61.11"])
    with db.session() as session:
        chains.create_stage(session, None, chain, {"okpd2_code": "20.16.20", "position": 1})
    firms = {
        "same": db.add_enterprise(okved_main="23.61.1", lat=57.20, lon=65.60, employees=240),
        "far": db.add_enterprise(okved_main="23.61", lat=58.90, lon=68.90, employees=240),
        "unrelated": db.add_enterprise(okved_main="47.11", lat=57.16, lon=65.54, employees=5000),
        "maker": db.add_enterprise(okved_main="46.75", lat=57.16, lon=65.55, employees=50),
        "buyer": db.add_enterprise(okved_main="41.20", lat=57.16, lon=65.55, employees=50),
        "pending": db.add_enterprise(okved_main="23.61", lat=57.16, lon=65.55, employees=60),
        "neighbour": db.add_enterprise(okved_main="23.61", region_code="45", employees=30),
        "synthetic": db.add_enterprise(okved_main="23.61", employees=10, is_synthetic=True),
    }
    db.add_membership(cluster, firms["pending"], status="potential")
    with db.session() as session:
        session.add(
            ProductLine(enterprise_id=firms["maker"], okpd2_code="20.16.20", direction="produces")
        )
        session.add(
            ProductLine(enterprise_id=firms["buyer"], okpd2_code="23.61.11", direction="consumes")
        )
    return cluster, firms


def ranked(db, cluster, **options):
    with db.session() as session:
        return prospects(session, cluster, **options)


def test_specialisation_match_first_members_and_unrelated_left_out(db, world):
    cluster, firms = world
    found = ranked(db, cluster)
    ids = [p.enterprise_id for p in found]
    assert ids[0] == firms["same"]
    assert ids.index(firms["same"]) < ids.index(firms["far"])
    assert firms["unrelated"] not in ids  # no fit at all, however large
    assert firms["pending"] not in ids  # already in the pipeline
    assert firms["neighbour"] not in ids  # another region, not asked for
    same = found[0]
    assert (
        same.reasons[0] == "вид деятельности 23.61.1 совпадает со специализацией кластера (23.61)"
    )
    assert "в 7 км от центра кластера" in same.reasons  # 5.2 km north, 4.0 km east
    assert "численность 240 чел." in same.reasons
    assert same.signals == ["specialisation"]
    far = next(p for p in found if p.enterprise_id == firms["far"])
    assert far.distance_km > 150 and same.distance_km < 10


def test_gap_stage_maker_and_chain_buyer_get_their_reasons(db, world):
    cluster, firms = world
    found = {p.enterprise_id: p for p in ranked(db, cluster)}
    assert "выпускает 20.16.20 — разрыв этапа 1 цепочки 2" in found[firms["maker"]].reasons
    assert "gap" in found[firms["maker"]].signals
    assert "покупает 23.61.11 — продукцию цепочки 2" in found[firms["buyer"]].reasons
    assert found[firms["buyer"]].signals == ["buyer"]


def test_a_covered_stage_is_no_gap(db, world):
    cluster, firms = world
    with db.session() as session:
        stage = session.get(Cluster, cluster).chains[0].stages[0]
        chains.assign_supplier(session, None, stage.id, firms["far"], None)
    found = {p.enterprise_id: p for p in ranked(db, cluster)}
    assert firms["maker"] not in found


def test_synthetic_firms_are_marked(db, world):
    cluster, firms = world
    found = {p.enterprise_id: p for p in ranked(db, cluster)}
    assert found[firms["synthetic"]].synthetic is True
    assert found[firms["same"]].synthetic is False


def test_neighbouring_regions_when_asked_or_for_an_interregional_cluster(db, world):
    cluster, firms = world
    found = {p.enterprise_id: p for p in ranked(db, cluster, include_neighbours=True)}
    assert "соседний регион: Курганская область" in found[firms["neighbour"]].reasons
    with db.session() as session:
        where = scope(session, session.get(Cluster, cluster), True)
        assert "45" in where.neighbours and "66" in where.neighbours
        assert "77" not in where.neighbours and where.regions == ["72"]
    other = db.add_cluster(region_codes=["72", "86"], specialisation=["23.61"])
    with db.session() as session:
        assert "45" in scope(session, session.get(Cluster, other)).neighbours


def test_limit_and_unknown_cluster(db, world):
    cluster, _ = world
    assert len(ranked(db, cluster, limit=2)) == 2
    with db.session() as session, pytest.raises(NotFound):
        prospects(session, 999_999)
