"""One search box for everything (issue 23), on SQLite FTS5 and PostgreSQL tsvector: clusters,
chains and investment projects are indexed and kept current by every write; «газоблок» finds
«Производство газоблоков» and the chain naming «газоблоки», «Бештау» its cluster, «янтарный
кластер» the amber cluster first; identical hits are one line with their count; each line says
why it matched; an unfinished last word matches as a beginning."""

import pytest
from factories import check_full_text, fresh_inn
from sqlalchemy import text

from promcluster.chains.models import Chain
from promcluster.matching import documents
from promcluster.matching.overview import Reason, overview
from promcluster.matching.vocabulary import known_words
from promcluster.registry import service as registry
from promcluster.registry.models import InvestmentProject, ProductLine

CEMENT = "23.51.12"  # Цемент общестроительный


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    """Each test's database starts empty, so the spelling vocabulary is reloaded."""
    known_words.forget()
    yield
    known_words.forget()


@pytest.fixture(autouse=True)
def full_text_in_step(request):
    """After each test, SQLite's full-text index holds exactly the stored documents."""
    database = request.getfixturevalue("db") if "db" in request.fixturenames else None
    yield
    if database is not None:
        check_full_text(database.engine)


def look(db, query: str, **options):
    with db.session() as session:
        return overview(session, query, **options)


def lines(db, query: str, **options) -> list[tuple[str, str]]:
    """(kind, title) of the lines, in the order shown."""
    return [(line.hit.kind, line.hit.title) for line in look(db, query, **options).lines]


def indexed(db, kind: str) -> dict[int, tuple[str, str | None]]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT ref_id, title, detail FROM search_documents WHERE kind = :k"), {"k": kind}
        )
        return {ref_id: (title, detail) for ref_id, title, detail in rows}


@pytest.fixture
def region_demo(db):
    """The issue's records: the Tyumen building cluster with chain 1 and its gas-block project,
    the Kuban «Бештау» cluster, the amber cluster and an association named «кластер»."""
    association = db.add_enterprise(
        name="Ассоциация «Строительно-индустриальный кластер»", okved_main=None
    )
    building = db.add_cluster(
        name="Строительно-индустриальный кластер Тюменской области",
        specialised_org_id=association,
    )
    chain = db.add_chain(building, name="Цепочка 1: стеновые изделия, газоблоки, тротуарная плитка")
    project = db.add_project(building, chain_id=chain, name="Производство газоблоков")
    beshtau = db.add_cluster(name="Кластер «Бештау»", region_codes=["23"])
    amber = db.add_cluster(
        name="Янтарный промышленный кластер Калининградской области",
        region_codes=["39"],
        description="Калининградский янтарный комбинат, компании по переработке янтаря.",
    )
    plant = db.add_enterprise(name="Калининградский янтарный комбинат", region_code="39")
    return {
        "association": association,
        "building": building,
        "chain": chain,
        "project": project,
        "beshtau": beshtau,
        "amber": amber,
        "plant": plant,
    }


def test_the_issue_queries_find_clusters_chains_and_projects(db, region_demo):
    assert lines(db, "газоблок") == [
        ("project", "Производство газоблоков"),  # the shorter title ranks higher
        ("chain", "Цепочка 1: стеновые изделия, газоблоки, тротуарная плитка"),
    ]
    assert lines(db, "Бештау") == [("cluster", "Кластер «Бештау»")]
    amber = lines(db, "янтарный кластер")
    assert amber[0] == ("cluster", "Янтарный промышленный кластер Калининградской области")
    assert ("enterprise", "Ассоциация «Строительно-индустриальный кластер»") not in amber


def test_word_forms_and_an_unfinished_last_word_match(db, region_demo):
    assert ("project", "Производство газоблоков") in lines(db, "газоблоки")
    assert ("project", "Производство газоблоков") in lines(db, "газобл")
    assert lines(db, "бешт") == [("cluster", "Кластер «Бештау»")]
    assert look(db, "бешт").corrected == {}  # a beginning of a known word is not «fixed»


def test_links_open_the_records_pages(db, region_demo):
    by_kind = {line.hit.kind: line.hit for line in look(db, "газоблок").lines}
    assert by_kind["chain"].link == f"/chains/{region_demo['chain']}"
    assert by_kind["project"].link == f"/chains/{region_demo['chain']}"  # its chain's page
    loose = db.add_project(region_demo["beshtau"], name="Реконструкция цеха газоблоков")
    hit = next(line.hit for line in look(db, "реконструкция газоблоков").lines)
    assert (hit.ref_id, hit.link) == (loose, f"/clusters/{region_demo['beshtau']}")
    (cluster,) = look(db, "Бештау").lines
    assert cluster.hit.link == f"/clusters/{region_demo['beshtau']}"


def test_sections_are_grouped_by_kind_best_matched_first(db, region_demo):
    found = look(db, "янтарный")
    assert {s.kind for s in found.sections} == {"enterprise", "cluster"}
    assert {s.kind: s.count for s in found.sections} == {"cluster": 1, "enterprise": 1}
    assert [s.label for s in found.sections if s.kind == "cluster"] == ["Кластеры"]
    # a kind whose best line has the words in its title comes before one with them elsewhere
    assert [s.kind for s in look(db, "комбинат").sections] == ["enterprise", "cluster"]
    only = look(db, "янтарный", kinds=("cluster",))
    assert [s.kind for s in only.sections] == ["cluster"]


def test_cluster_documents_follow_create_update_and_delete(db, region_demo):
    beshtau = region_demo["beshtau"]
    assert indexed(db, "cluster")[beshtau] == ("Кластер «Бештау»", None)
    with db.session() as session:
        registry.update_cluster(session, None, beshtau, {"name": "Кластер «Машук»"})
    assert indexed(db, "cluster")[beshtau] == ("Кластер «Машук»", None)
    assert lines(db, "Бештау") == []
    assert lines(db, "Машук") == [("cluster", "Кластер «Машук»")]
    with db.session() as session:
        registry.delete_cluster(session, None, beshtau)
    assert beshtau not in indexed(db, "cluster")
    assert lines(db, "Машук") == []


def test_chain_and_project_documents_follow_their_writes_and_their_cluster(db, region_demo):
    building, chain, project = (region_demo[k] for k in ("building", "chain", "project"))
    cluster_detail = "кластер: Строительно-индустриальный кластер Тюменской области"
    assert indexed(db, "chain")[chain] == (
        "Цепочка 1: стеновые изделия, газоблоки, тротуарная плитка",
        cluster_detail,
    )
    with db.session() as session:
        registry.update_record(session, None, Chain, chain, {"name": "Цепочка 1: пеноблоки"})
        registry.update_record(
            session, None, InvestmentProject, project, {"name": "Производство пеноблоков"}
        )
    assert sorted(lines(db, "пеноблок")) == [
        ("chain", "Цепочка 1: пеноблоки"),
        ("project", "Производство пеноблоков"),
    ]
    assert lines(db, "газоблок") == []

    with db.session() as session:  # renaming the cluster renames the detail of its parts
        registry.update_cluster(session, None, building, {"name": "Стройкластер Тюмени"})
    assert indexed(db, "chain")[chain][1] == "кластер: Стройкластер Тюмени"
    assert indexed(db, "project")[project][1] == "кластер: Стройкластер Тюмени"

    with db.session() as session:
        registry.delete_record(session, None, InvestmentProject, project)
    assert project not in indexed(db, "project")
    with db.session() as session:
        registry.delete_cluster(session, None, building)  # its chains go with it
    assert indexed(db, "chain") == {} and indexed(db, "project") == {}


def test_reindex_and_index_missing_cover_the_new_kinds(db, region_demo):
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM search_documents"))
    assert lines(db, "Бештау") == []
    with db.engine.begin() as connection:
        counts = documents.index_missing(connection)
    assert {k: counts[k] for k in ("cluster", "chain", "project")} == {
        "cluster": 3,
        "chain": 1,
        "project": 1,
    }
    assert lines(db, "Бештау") == [("cluster", "Кластер «Бештау»")]
    with db.engine.begin() as connection:
        counts = documents.reindex(connection, kinds=("cluster", "chain", "project"))
    assert counts == {"cluster": 3, "chain": 1, "project": 1}


def consumers_of_cement(db, count: int) -> list[int]:
    firms = [db.add_enterprise(name=f"Домостроительный комбинат №{i}") for i in range(count)]
    with db.session() as session:
        for firm in firms:
            session.add(
                ProductLine(
                    enterprise_id=firm,
                    okpd2_code=CEMENT,
                    direction="consumes",
                    name="Цемент общестроительный",
                )
            )
    return firms


def test_identical_hits_are_one_line_with_their_count(db):
    firms = consumers_of_cement(db, 20)
    db.add_enterprise(name="Цементный завод")
    found = look(db, "цемент")
    (products,) = [s for s in found.sections if s.kind == "product"]
    assert products.count == 1
    (line,) = products.lines
    assert line.hit.title == "Цемент общестроительный" and line.count == 20
    assert {h.enterprise_id for h in [line.hit, *line.others]} == set(firms)


def test_a_typo_is_corrected_and_each_line_says_so(db):
    consumers_of_cement(db, 2)
    found = look(db, "цемнт")
    assert found.corrected == {"цемнт": "цемент"}
    (line,) = found.lines
    assert line.count == 2
    assert line.why.corrected == (("цемнт", "цемент"),)
    assert line.why.text == "совпало: название; исправлено: цемнт → цемент"
    assert line.marked == [("Цемент", True), (" общестроительный", False)]


def test_why_names_the_field_and_marks_the_words(db, region_demo):
    (cluster,) = look(db, "янтарный кластер", kinds=("cluster",)).lines
    assert cluster.why == Reason(("title",), ("Янтарный", "кластер"), ())
    assert [text for text, marked in cluster.marked if marked] == ["Янтарный", "кластер"]
    # «переработка» is only in the amber cluster's description
    (described,) = look(db, "переработке", kinds=("cluster",)).lines
    assert described.why.text == "совпало: описание и другие поля"
    assert not any(marked for _, marked in described.marked)


def test_an_inn_or_ogrn_finds_its_enterprise_and_says_so(db):
    inn = fresh_inn()
    firm = db.add_enterprise(name="ООО «Газобетон-Сибирь»", inn=inn)
    db.add_enterprise(name="ООО «Газобетон-Урал»", inn=fresh_inn())
    found = look(db, inn, kinds=("enterprise",))
    assert [line.hit.ref_id for line in found.lines] == [firm]
    assert found.lines[0].why.text == "совпало: ИНН, ОГРН или номер"


def test_bounds_are_refused_by_name(db):
    from promcluster.errors import InvalidField

    with pytest.raises(InvalidField) as refused:
        look(db, "цемент", per_kind=0)
    assert refused.value.field == "limit"
    with pytest.raises(InvalidField) as refused:
        look(db, "цемент", kinds=("cluster", "planet"))
    assert refused.value.field == "kind"
