"""The registry services and queries used by the API, the pages, the CLI and the demo loader."""

from datetime import date

import pytest
from factories import Login, fresh_inn

from promcluster.auth.models import User
from promcluster.chains import queries as chain_queries
from promcluster.chains.models import Chain
from promcluster.errors import Conflict, InvalidField, NotFound, PermissionDenied
from promcluster.registry import maps, queries, service
from promcluster.registry.models import Cluster, DeclaredFigure, Enterprise, Membership, Source


def user(db, account: Login) -> User:
    """A detached copy of the user (with its clusters loaded) for calling services."""
    with db.sessions() as session:
        found = session.get(User, account.id)
        assert found.cluster_ids is not None
        return found


def test_system_writes_need_no_user(db):
    cluster = db.add_cluster(name="Кластер", region_codes=["72", "86"], specialisation=["23"])
    with db.sessions() as session:
        c = session.get(Cluster, cluster)
        assert c.region_codes == ["72", "86"]
        assert [s.code for s in c.specialisation] == ["23"]


def test_duplicate_codes_in_a_list_are_stored_once(db):
    cluster = db.add_cluster(region_codes=["72", "72"], specialisation=["23", "23"])
    chain = db.add_chain(cluster, products=["23.61.11", "23.61.11"])
    with db.sessions() as session:
        assert session.get(Cluster, cluster).region_codes == ["72"]
        assert session.get(Cluster, cluster).kind == "industrial"
        assert [p.code for p in session.get(Chain, chain).products] == ["23.61.11"]


def test_codes_are_normalised(db):
    enterprise = db.add_enterprise(okved_main=" 23.61 ")
    with db.sessions() as session:
        assert session.get(Enterprise, enterprise).okved_main == "23.61"


def test_services_check_permissions(db, users):
    cluster = db.add_cluster()
    manager = user(db, users.add("manager", "cluster_manager", clusters=[cluster]))
    rep = user(db, users.add("rep", "enterprise_rep", enterprise=db.add_enterprise()))
    before = db.counts()
    with db.session() as session:
        with pytest.raises(PermissionDenied):
            service.create_cluster(session, manager, {"name": "X", "region_codes": ["72"]})
        with pytest.raises(PermissionDenied):
            service.delete_cluster(session, manager, cluster)
        with pytest.raises(PermissionDenied):
            service.create_enterprise(session, rep, {"name": "X", "region_code": "72"})
        with pytest.raises(PermissionDenied):
            service.create_record(session, rep, Chain, {"cluster_id": cluster, "name": "X"})
    assert db.counts() == before


def test_get_reports_missing_records(db):
    with db.sessions() as session:
        with pytest.raises(NotFound):
            service.get(session, Cluster, 999999)
        with pytest.raises(InvalidField) as exc:
            service.get(session, Cluster, 999999, "cluster_id")
        assert exc.value.field == "cluster_id"


def test_stale_version_is_a_conflict(db):
    cluster = db.add_cluster(name="Исходное")
    with db.session() as session:
        service.update_cluster(session, None, cluster, {"name": "Первое", "version": 1})
    with pytest.raises(Conflict), db.session() as session:
        service.update_cluster(session, None, cluster, {"name": "Второе", "version": 1})
    with db.sessions() as session:
        c = session.get(Cluster, cluster)
        assert (c.name, c.version) == ("Первое", 2)


def test_concurrent_edits_of_the_same_version_the_second_is_a_conflict(db):
    """Both editors read version 1; the one who saves second must not overwrite the first."""
    cluster = db.add_cluster(name="Исходное")
    slow = db.sessions()
    try:
        slow.begin()
        slow.get(Cluster, cluster)  # the slow editor has read version 1
        with db.session() as fast:
            service.update_cluster(fast, None, cluster, {"name": "Быстрая правка", "version": 1})
        with pytest.raises(Conflict):
            service.update_cluster(slow, None, cluster, {"name": "Медленная правка", "version": 1})
        slow.rollback()
    finally:
        slow.close()
    with db.sessions() as session:
        assert session.get(Cluster, cluster).name == "Быстрая правка"


def test_renamed_enterprise_is_found_by_its_new_name_only(db, client):
    enterprise = db.add_enterprise(name="Старое название")
    with db.session() as session:
        service.update_enterprise(session, None, enterprise, {"name": "Новое имя", "version": 1})
    found = client.get("/api/v1/enterprises", params={"q": "новое"}).json()["items"]
    assert [e["id"] for e in found] == [enterprise]
    assert client.get("/api/v1/enterprises", params={"q": "старое"}).json()["total"] == 0


def test_deleting_the_specialised_organisation_leaves_the_cluster(db, admin_client):
    org = db.add_enterprise(name="Фонд")
    cluster = db.add_cluster(specialised_org_id=org)
    assert admin_client.delete(f"/api/v1/enterprises/{org}").status_code == 204
    read = admin_client.get(f"/api/v1/clusters/{cluster}")
    assert read.status_code == 200
    assert read.json()["specialised_org_id"] is None


def test_membership_cannot_end_before_it_starts(db):
    cluster, enterprise = db.add_cluster(), db.add_enterprise()
    membership = db.add_membership(cluster, enterprise, since=date(2024, 1, 1))
    with pytest.raises(InvalidField) as exc, db.session() as session:
        service.update_record(
            session, None, Membership, membership, {"until": date(2023, 6, 1), "version": 1}
        )
    assert exc.value.field == "until"


def test_duplicate_inn_found_by_the_service(db):
    inn = fresh_inn()
    db.add_enterprise(inn=inn)
    with pytest.raises(InvalidField) as exc, db.session() as session:
        service.create_enterprise(session, None, {"name": "X", "region_code": "72", "inn": inn})
    assert exc.value.field == "inn"


# Figures and profiles computed from records


def test_platform_figures(db, client):
    a = db.add_cluster(region_codes=["72"], status="federal_registry")
    b = db.add_cluster(region_codes=["72", "86"], status="regional")
    e1, e2, e3 = db.add_enterprise(), db.add_enterprise(), db.add_enterprise()
    db.add_membership(a, e1, status="member")
    db.add_membership(b, e1, status="member")  # the same enterprise in two clusters
    db.add_membership(a, e2, status="applicant")
    db.add_membership(b, e3, status="member")
    db.add_project(a, amount=1_000_000)
    db.add_project(b, amount=2_500_000)
    db.add_project(b)
    with db.session() as session:
        source = Source(key="s", title="Статья")
        session.add(source)
        session.flush()
        session.add_all(
            [
                DeclaredFigure(
                    cluster_id=a, indicator="members", value=21, unit="count", source_id=source.id
                ),
                DeclaredFigure(
                    cluster_id=b,
                    indicator="investment_planned",
                    value=3e9,
                    unit="rub",
                    source_id=source.id,
                ),
                DeclaredFigure(  # region-wide: not a cluster's figure
                    region_code="72",
                    indicator="members",
                    value=500,
                    unit="count",
                    source_id=source.id,
                ),
            ]
        )
    stats = client.get("/api/v1/stats").json()
    assert stats == {
        "clusters": 2,
        "federal_registry": 1,
        "members": 2,
        "enterprises": 3,
        "projects": 3,
        "investment": 3_500_000,
        "regions": 2,
        "declared_members": 21,
        "declared_investment": 3_000_000_000,
        "synthetic_enterprises": 0,
    }


def test_platform_figures_follow_every_write_though_kept_between_views(db, client):
    """The home page's counts are kept until the next write, and only until then."""
    before = client.get("/api/v1/stats").json()
    assert client.get("/api/v1/stats").json() == before  # served again from the cache
    cluster = db.add_cluster(region_codes=["72"])
    enterprise = db.add_enterprise()
    after = client.get("/api/v1/stats").json()
    assert after["clusters"] == before["clusters"] + 1
    assert after["enterprises"] == before["enterprises"] + 1
    db.add_membership(cluster, enterprise, status="member")
    assert client.get("/api/v1/stats").json()["members"] == after["members"] + 1


def test_region_profile(db):
    tyumen = db.add_cluster(region_codes=["72"])
    db.add_cluster(region_codes=["47"])
    db.add_membership(tyumen, db.add_enterprise(region_code="72"), status="member")
    db.add_membership(tyumen, db.add_enterprise(region_code="47"), status="applicant")
    db.add_project(tyumen, amount=7)
    with db.sessions() as session:
        profile = queries.region_profile(session, "72")
        assert [c.id for c in profile.clusters] == [tyumen]
        assert (profile.enterprises, profile.members, profile.projects, profile.investment) == (
            1,
            1,
            1,
            7,
        )
        with pytest.raises(NotFound):
            queries.region_profile(session, "00")


def test_cluster_profile_sums_projects_per_chain(db):
    cluster = db.add_cluster()
    chain = db.add_chain(cluster)
    db.add_project(cluster, chain_id=chain, amount=100, status="planned")
    db.add_project(cluster, chain_id=chain, amount=50, status="done")
    db.add_project(cluster, chain_id=chain, status="done")
    db.add_project(cluster, amount=1)
    with db.sessions() as session:
        profile = queries.cluster_profile(session, cluster)
        [summary] = chain_queries.chain_summaries(session, cluster, profile.chain_figures)
        assert summary.amount == 150
        assert summary.amount_by_status == {"planned": 100, "done": 50}
        assert summary.unknown_amounts == 1
        assert [p.amount for p in profile.other_projects] == [1]
        assert (profile.project_count, profile.investment) == (4, 151)


def test_map_shows_cluster_participants_first_and_says_when_it_is_capped(db):
    cluster = db.add_cluster(region_codes=["72"])
    outsiders = [db.add_enterprise(name=f"Вне кластера {i}") for i in range(3)]
    member = db.add_enterprise(name="Участник")
    db.add_membership(cluster, member, status="member")
    with db.sessions() as session:
        capped = maps.map_enterprises(session, limit=2)
        assert [p["id"] for p in capped] == [member, outsiders[0]]
        collection = maps.map_features(session)
    assert collection["enterprises_total"] == 4
    assert collection["enterprises_shown"] == 4
    clusters = [f for f in collection["features"] if f["properties"]["kind"] == "cluster"]
    assert [c["properties"]["members"] for c in clusters] == [1]
