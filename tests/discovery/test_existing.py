"""When a candidate cluster is marked as a cluster the region already has: its seed activity in
the cluster's specialisation with the cluster's firms among or near its own, or most of the
cluster's firms among its own whatever the specialisation; a cluster with none of its firms on
the map is only «возможно», and on one candidate."""

import pytest

from promcluster.discovery.service import discover

TYUMEN = (57.153, 65.534)
TOBOLSK = (58.198, 68.264)  # about 220 km away


@pytest.fixture
def firms(db):
    """Twelve concrete-products firms around Tyumen, one dense group, and trade elsewhere."""
    dense = [
        db.add_enterprise(
            okved_main="23.61", lat=TYUMEN[0] + 0.01 * (i % 4), lon=TYUMEN[1] + 0.01 * (i // 4),
            employees=100 + i,
        )
        for i in range(12)
    ]  # fmt: skip
    for _ in range(6):
        db.add_enterprise(okved_main="47.11", region_code="66", employees=50)
    return dense


def marks(db) -> list[dict]:
    with db.session() as session:
        [candidate] = discover(session, "72").candidates
    return [
        {"name": e.name, "codes": e.specialisation, "members": e.members, "near": e.near}
        | ({"possible": True} if e.possible else {})
        for e in candidate.existing
    ]


def test_same_specialisation_without_firms_on_the_map_is_only_possible(db, firms):
    db.add_cluster(name="Без участников", specialisation=["23"])
    unplaced = db.add_cluster(name="Участник без адреса", specialisation=["23.6"])
    db.add_membership(unplaced, db.add_enterprise(okved_main="94.11"))
    db.add_cluster(name="Другая специализация", specialisation=["10.11"])
    unmapped = {"members": 0, "near": 0, "possible": True}
    assert marks(db) == [
        {"name": "Без участников", "codes": ["23"]} | unmapped,
        {"name": "Участник без адреса", "codes": ["23.6"]} | unmapped,
    ]
    with db.session() as session:
        [candidate] = discover(session, "72").candidates
    assert candidate.existing[0].mark == "возможно, это кластер «Без участников»"


def test_a_possible_cluster_is_offered_on_the_best_candidate_only(db, firms):
    for i in range(12):  # a second, smaller group of the same activity around Tobolsk
        db.add_enterprise(
            okved_main="23.61", lat=TOBOLSK[0] + 0.01 * (i % 4), lon=TOBOLSK[1] + 0.01 * (i // 4),
            employees=10 + i,
        )  # fmt: skip
    db.add_cluster(name="Без участников", specialisation=["23.61"])
    with db.session() as session:
        found = discover(session, "72").candidates
    assert len(found) == 2 and all(c.seed == "23.61" for c in found)
    best = max(found, key=lambda c: c.score)
    assert [[e.name for e in c.existing] for c in found if c is best] == [["Без участников"]]
    assert [c.existing for c in found if c is not best] == [[]]


def test_same_specialisation_needs_a_firm_among_or_near(db, firms):
    inside = db.add_cluster(name="Участник внутри", specialisation=["23.61"])
    db.add_membership(inside, firms[0])
    near = db.add_cluster(name="Участник рядом", specialisation=["23.61"])
    office = db.add_enterprise(okved_main="70.22", lat=TYUMEN[0] + 0.05, lon=TYUMEN[1])
    db.add_membership(near, office, status="applicant")
    far = db.add_cluster(name="Участник далеко", specialisation=["23.61"])
    db.add_membership(far, db.add_enterprise(okved_main="23.61", lat=TOBOLSK[0], lon=TOBOLSK[1]))
    assert [m["name"] for m in marks(db)] == ["Участник внутри", "Участник рядом"]
    assert marks(db)[0]["members"] == 1 and marks(db)[1]["near"] == 1


def test_another_specialisation_needs_most_of_its_firms_inside(db, firms):
    most = db.add_cluster(name="Большинство здесь", specialisation=["10.11"])
    for firm in firms[:3]:
        db.add_membership(most, firm)
    db.add_membership(most, db.add_enterprise(okved_main="10.11", lat=TOBOLSK[0], lon=TOBOLSK[1]))
    few = db.add_cluster(name="Двое здесь", specialisation=["10.11"])
    for firm in firms[3:5]:
        db.add_membership(few, firm)
    half = db.add_cluster(name="Меньше половины", specialisation=["10.11"])
    for firm in firms[5:8]:
        db.add_membership(half, firm)
    for _ in range(4):
        db.add_membership(half, db.add_enterprise(okved_main="10.11"))
    assert marks(db) == [{"name": "Большинство здесь", "codes": [], "members": 3, "near": 3}]


def test_firms_that_left_do_not_count_and_other_regions_clusters_are_not_marked(db, firms):
    left = db.add_cluster(name="Вышедшие", specialisation=["10.11"])
    for firm in firms[:4]:
        db.add_membership(left, firm, status="left")
    db.add_cluster(name="Свердловский", specialisation=["23.61"], region_codes=["66"])
    assert marks(db) == []
