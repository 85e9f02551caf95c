"""The demo data set drawn from the seed articles: what it holds, and that loading is idempotent."""

from sqlalchemy import func, select

from promcluster.chains.models import Chain
from promcluster.demo.loader import demo_data, load_demo
from promcluster.registry.models import (
    Cluster,
    DeclaredFigure,
    Enterprise,
    InvestmentProject,
    Membership,
)

LENINGRAD_MEMBERS = {
    "НПО «Полифас — Экспорт»",
    "«Рускомполимер»",
    "«Технопарк Мариенбург»",
    "«НПК Палитра»",
    "«Гласс Систем»",
}


def cluster_named(session, fragment: str) -> Cluster:
    [cluster] = session.scalars(select(Cluster).where(Cluster.name.contains(fragment))).all()
    return cluster


def figures(session, cluster: Cluster, chain: Chain | None = None) -> dict[str, DeclaredFigure]:
    query = select(DeclaredFigure).where(DeclaredFigure.cluster_id == cluster.id)
    query = query.where(
        DeclaredFigure.chain_id.is_(None) if chain is None else DeclaredFigure.chain_id == chain.id
    )
    return {f.indicator: f for f in session.scalars(query)}


def test_report_counts_what_was_added(demo):
    added = demo.report.added
    counts = demo.counts()
    assert added["clusters"] == counts["clusters"] == len(demo_data()["clusters"])
    assert added["enterprises"] == counts["enterprises"] == len(demo_data()["organisations"])
    assert added["sources"] == counts["sources"] == len(demo_data()["sources"])
    assert added["memberships"] == counts["memberships"]
    assert added["chains"] == counts["chains"]
    assert added["projects"] == counts["investment_projects"]
    assert added["declared_figures"] == counts["declared_figures"]


def test_tyumen_cluster_with_two_chains_of_4_and_5_projects(demo):
    with demo.sessions() as session:
        tyumen = cluster_named(session, "Строительно-индустриальный кластер Тюменской")
        assert tyumen.region_codes == ["72"]
        assert tyumen.specialised_org.name == "Ассоциация «Строительно-индустриальный кластер»"
        assert [c.position for c in tyumen.chains] == [1, 2]
        assert [c.project_count for c in tyumen.chains] == [4, 5]
        stated = figures(session, tyumen)
        assert {k: stated[k].value for k in ("members", "applicants", "potential")} == {
            "members": 21,
            "applicants": 60,
            "potential": 240,
        }
        assert stated["potential"].qualifier == "about"
        for figure in stated.values():
            assert figure.source.key == "tyumen-build-2024"
            assert figure.source.url.startswith("https://protobolsk.ru/")
        first, second = tyumen.chains
        assert figures(session, tyumen, first)["project_amount"].value == 3_600_000_000
        assert figures(session, tyumen, second)["projects"].value == 5
        # per-project amounts are not stated in the source, so none is invented
        assert all(p.amount is None for c in tyumen.chains for p in c.projects)
        assert all(p.import_substitution for p in first.projects)


def test_leningrad_chemical_cluster_with_its_five_named_enterprises(demo):
    with demo.sessions() as session:
        chem = cluster_named(session, "химической промышленности Ленинградской")
        assert chem.status == "regional"
        assert chem.region_codes == ["47"]
        assert sorted(s.code for s in chem.specialisation) == ["20", "22"]
        members = {m.enterprise.name: m for m in chem.memberships}
        assert set(members) >= LENINGRAD_MEMBERS
        assert all(members[n].status == "member" for n in LENINGRAD_MEMBERS)
        assert all(members[n].enterprise.region_code == "47" for n in LENINGRAD_MEMBERS)
        assert figures(session, chem)["members"].value == len(LENINGRAD_MEMBERS)


def test_kaliningrad_amber_cluster_in_the_federal_registry(demo):
    with demo.sessions() as session:
        amber = cluster_named(session, "Янтарный")
        assert amber.status == "federal_registry"
        assert amber.region_codes == ["39"]
        stated = figures(session, amber)
        assert stated["investment_planned"].value == 2_800_000_000
        assert stated["investment_planned"].unit == "rub"
        assert stated["investment_planned"].period_end == 2023
        assert stated["members"].qualifier == "more_than"
        projects = session.scalars(
            select(InvestmentProject).where(InvestmentProject.cluster_id == amber.id)
        ).all()
        assert len(projects) == 3
        assert {p.initiator.name for p in projects if p.initiator} == {
            "Калининградский янтарный комбинат"
        }


def test_krasnodar_clusters_and_the_forming_yug(demo):
    with demo.sessions() as session:
        kuban = session.scalars(
            select(Cluster).where(Cluster.regions.any(code="23")).order_by(Cluster.name)
        ).all()
        in_registry = [c for c in kuban if c.status == "federal_registry"]
        assert len(in_registry) == 4
        yug = cluster_named(session, "«Юг»")
        assert yug.status == "forming"
        assert yug.specialised_org.name == "Фонд развития промышленности Краснодарского края"
        assert yug.specialised_org.region_code == "23"
        assert set(kuban) == {*in_registry, yug}


def test_no_enterprise_has_an_inn_or_ogrn(demo):
    with demo.sessions() as session:
        assert session.scalar(select(func.count(Enterprise.id))) > 0
        assert session.scalar(select(func.count()).where(Enterprise.inn.is_not(None))) == 0
        assert session.scalar(select(func.count()).where(Enterprise.ogrn.is_not(None))) == 0


def test_every_figure_has_a_source_and_every_record_is_audited(demo):
    with demo.sessions() as session:
        for figure in session.scalars(select(DeclaredFigure)):
            assert figure.source is not None and figure.source.title
    counts = demo.counts()
    audited = {e.entity for e in demo.audit(action="create")}
    assert {"clusters", "enterprises", "memberships", "chains", "investment_projects"} <= audited
    assert len(demo.audit(entity="clusters", action="create")) == counts["clusters"]


def test_loading_again_adds_nothing(demo):
    counts = demo.counts()
    with demo.session() as session:
        report = load_demo(session)
    assert report.added == {}
    assert demo.counts() == counts


def test_loading_again_keeps_edits(demo):
    with demo.session() as session:
        amber = cluster_named(session, "Янтарный")
        amber.description = "Изменено пользователем"
        amber_id = amber.id
    with demo.session() as session:
        load_demo(session)
    assert demo.get(Cluster, amber_id).description == "Изменено пользователем"


def test_membership_roles_from_the_seeds(demo):
    with demo.sessions() as session:
        rows = session.execute(
            select(Enterprise.name, Membership.role).join(Membership.enterprise)
        ).all()
    roles = dict(rows)
    assert roles["Ассоциация «Строительно-индустриальный кластер»"] == "specialised_org"
    assert roles["Центр развития промышленности Ленинградской области"] == "infrastructure"
    assert all(roles[n] == "participant" for n in LENINGRAD_MEMBERS)
