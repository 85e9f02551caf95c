"""The Tyumen chains of the demo in the designer: the projects and the declared money of the
seed article beside the records, and the synthetic stages with their gaps (the supplement is
loaded once per backend for this module)."""

import pytest
from factories import Database
from fastapi.testclient import TestClient
from sqlalchemy import select

from promcluster.chains.models import Chain
from promcluster.demo.loader import load_demo
from promcluster.demo.synthetic import ABSENT, STAGE_NOTE, load_synthetic_demo

TYUMEN = "Строительно-индустриальный кластер Тюменской области"


@pytest.fixture(scope="module")
def demo_chains(database_url: str, engine, admin) -> Database:
    db = Database(database_url, engine, keep_users=(admin.id,))
    db.clean()
    with db.session() as session:
        load_demo(session)
        db.report = load_synthetic_demo(session)
    yield db
    db.clean()


def chain_ids(db: Database) -> dict[int, int]:
    with db.sessions() as session:
        rows = session.execute(select(Chain.position, Chain.id).where(Chain.name.like("Цепочка%")))
        return dict(rows.all())


def test_tyumen_chains_show_their_projects_and_declared_money(demo_chains, app):
    ids = chain_ids(demo_chains)
    with TestClient(app) as client:
        first = client.get(f"/chains/{ids[1]}").text
        second = client.get(f"/chains/{ids[2]}").text
        body = client.get(f"/api/v1/chains/{ids[1]}/design").json()
    assert '<span class="num" data-chain-projects>4</span>' in first
    assert '<span class="num" data-chain-projects>5</span>' in second
    assert "3,6 млрд ₽" in first and "808,5 млн ₽" in second
    assert "около" in second  # the article says «порядка 808,5 млн»
    assert body["money"]["projects"] == 4 and body["money"]["unknown_amounts"] == 4
    assert {d["value"] for d in body["declared"]} == {4, 3_600_000_000}
    assert TYUMEN in first


def test_synthetic_stages_are_labelled_and_the_absent_classes_are_gaps(demo_chains, app):
    ids = chain_ids(demo_chains)
    assert demo_chains.report.added["chain_stages"] == 12
    with TestClient(app) as client:
        designs = [client.get(f"/api/v1/chains/{ids[p]}/design").json() for p in (1, 2)]
        html = client.get(f"/chains/{ids[2]}").text
    stages = [s for d in designs for s in d["stages"]]
    assert len(stages) == 12 and all(s["note"] == STAGE_NOTE for s in stages)
    assert "синтетика" in html
    absent = [s for s in stages if s["okpd2_code"][:5] in ABSENT["72"]]
    assert absent and not any(s["covered"] for s in absent)
    assert all(not s["suppliers"] for s in absent)  # nobody in region 72 makes these
    assert sum(d["coverage"]["gaps"] for d in designs) >= len(absent)
    assert designs[0]["coverage"]["covered"] >= 1
    # candidates come from the synthetic firms of the region
    covered = next(s for s in stages if s["covered"])
    assert covered["suppliers"][0]["region_code"] == "72"
    # a second load adds nothing
    with demo_chains.session() as session:
        assert load_synthetic_demo(session).added == {}
