"""Discovery on the demo data with its synthetic supplement: the Tyumen cluster's potential
participants and the candidate clusters of region 72."""

import pytest
from sqlalchemy import select

from promcluster.demo.synthetic import load_synthetic_demo
from promcluster.discovery.participants import prospects
from promcluster.discovery.service import discover
from promcluster.reference.models import City, Okved
from promcluster.registry.models import Cluster

TYUMEN = "Строительно-индустриальный кластер Тюменской области"


@pytest.fixture
def supplemented(demo):
    with demo.session() as session:
        load_synthetic_demo(session)
    return demo


def test_tyumen_prospects_are_synthetic_firms_of_72_with_reasons(supplemented):
    with supplemented.session() as session:
        cluster = session.scalar(select(Cluster).where(Cluster.name == TYUMEN))
        found = prospects(session, cluster.id, limit=30)
        members = {m.enterprise_id for m in cluster.memberships}
    assert len(found) == 30
    assert all(p.region_code == "72" and p.synthetic for p in found)
    assert not members & {p.enterprise_id for p in found}
    assert all(any("специализацией кластера" in r for r in p.reasons) for p in found[:10])
    assert any("цепочки" in r for p in found for r in p.reasons)
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)


def test_discover_72_finds_specialisations_and_marks_the_existing_cluster(supplemented):
    with supplemented.session() as session:
        found = discover(session, "72")
    assert found.synthetic and found.firms > 900
    assert len(found.specialisations) >= 10
    assert all(s.lq > 1 for s in found.specialisations[:10])
    assert found.candidates
    marked = [c for c in found.candidates if any(e.name == TYUMEN for e in c.existing)]
    assert marked, "a candidate in the construction-materials activities is the existing cluster"
    assert all(len(c.outline) >= 4 for c in found.candidates)


def test_tyumen_candidates_grow_from_industrial_activities_only(supplemented):
    """Candidates are seeded on mining, manufacturing, energy and water (sections B–E), not on
    real estate or catering, however many such firms the register holds."""
    with supplemented.session() as session:
        found = discover(session, "72")
        sections = dict(session.execute(select(Okved.code, Okved.section)).all())
    assert found.candidates
    assert {sections[c.seed] for c in found.candidates} <= set("BCDE")


def test_each_candidate_names_its_town(supplemented, client):
    """The region's city nearest each candidate's centre, on the page and the candidate's own."""
    with supplemented.session() as session:
        found = discover(session, "72")
        towns = set(session.scalars(select(City.name).where(City.region_code == "72")))
    assert found.candidates and all(c.town and c.town[0] in towns for c in found.candidates)
    assert any(c.town[0] == "Тюмень" for c in found.candidates)
    first = found.candidates[0]
    page = client.get("/discover/72").text
    assert page.count("data-candidate-town") == len(found.candidates)
    detail = client.get(f"/discover/72/candidates/{first.number}").text
    assert first.town[0] in detail.split("data-candidate-town>")[1].split("</span>")[0]
