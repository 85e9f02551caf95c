"""One search over enterprises, product lines, needs and offers, on SQLite FTS5 and PostgreSQL
tsvector: the index follows every write, Russian word forms, abbreviations and typos meet,
filters and ranking hold, imports and the rebuild fill the index."""

from datetime import date, timedelta

import pytest
from factories import check_full_text, fresh_inn
from imports.kit import run, write_csv
from sqlalchemy import text

from promcluster.demo.synthetic import load_synthetic_demo
from promcluster.errors import InvalidField
from promcluster.labels import PRODUCT_DIRECTIONS
from promcluster.matching import documents
from promcluster.matching import postings as matching
from promcluster.matching.search import search
from promcluster.matching.vocabulary import known_words
from promcluster.registry import service as registry
from promcluster.registry.models import ProductLine

BRICK = "23.32.11.110"  # Кирпич керамический
PIPES = "22.21.21"  # Трубы, трубки, шланги и рукава из термопластов
BLOCKS = "23.61.11.140"  # Блоки стеновые из бетона
GRAVEL = "08.12.12.140"  # Щебень
FUTURE = date.today() + timedelta(days=60)


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    """Each test's database starts empty, so the spelling vocabulary is reloaded."""
    known_words.forget()
    yield
    known_words.forget()


@pytest.fixture(autouse=True)
def full_text_in_step(request):
    """After each test, SQLite's full-text index holds exactly the stored documents (FTS5's
    integrity check against its content table): every write path keeps it in step."""
    databases = [request.getfixturevalue(n) for n in ("db", "demo") if n in request.fixturenames]
    yield
    for database in databases:
        check_full_text(database.engine)


def find(db, query: str, **options):
    with db.sessions() as session:
        return search(session, query, **options)


def found(db, query: str, **options) -> list[tuple[str, int]]:
    """(kind, id) of the hits, best first."""
    return [(h.kind, h.ref_id) for h in find(db, query, **options).hits]


def enterprise(db, name: str, region: str = "72", **fields) -> int:
    return db.add_enterprise(name=name, region_code=region, **fields)


def product(db, owner: int, code: str, name: str | None, direction: str = "produces") -> int:
    with db.session() as session:
        line = ProductLine(enterprise_id=owner, okpd2_code=code, direction=direction, name=name)
        session.add(line)
        session.flush()
        return line.id


def need(db, customer: int, name: str, code: str | None = None, **fields) -> int:
    data = {"customer_id": customer, "product_name": name, "okpd2_code": code, **fields}
    with db.session() as session:
        return matching.create_need(session, None, {"deadline": FUTURE, **data}).id


def offer(db, supplier: int, name: str, code: str | None = None, **fields) -> int:
    data = {"supplier_id": supplier, "product_name": name, "okpd2_code": code, **fields}
    with db.session() as session:
        return matching.create_offer(session, None, data).id


def documents_of(db, kind: str) -> set[int]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT ref_id FROM search_documents WHERE kind = :kind"), {"kind": kind}
        )
        return set(rows.scalars())


# The index follows the ORM's writes


def test_every_kind_is_searchable_once_created(db):
    plant = enterprise(db, "Завод газобетонных изделий")
    builder = enterprise(db, "Тюменский домостроительный комбинат")
    line = product(db, plant, BLOCKS, "Блоки газобетонные стеновые")
    wanted = need(db, builder, "Газобетонные блоки D500", BLOCKS)
    offered = offer(db, plant, "Газобетонный блок D600", BLOCKS)

    results = find(db, "газобетонный")

    assert {(h.kind, h.ref_id) for h in results.hits} == {
        ("enterprise", plant),
        ("product", line),
        ("need", wanted),
        ("offer", offered),
    }
    assert results.every_word and results.corrected == {}
    by_kind = {h.kind: h for h in results.hits}
    assert by_kind["enterprise"].link == f"/enterprises/{plant}"
    assert by_kind["product"].link == f"/enterprises/{plant}"  # a line opens its enterprise
    assert by_kind["product"].title == "Блоки газобетонные стеновые"
    made = PRODUCT_DIRECTIONS["produces"]
    assert by_kind["product"].detail == f"{made}: Завод газобетонных изделий"
    assert by_kind["need"].link == f"/needs/{wanted}"
    assert by_kind["need"].detail.endswith("Тюменский домостроительный комбинат")
    assert by_kind["offer"].link == f"/offers/{offered}"
    assert by_kind["offer"].okpd2_code == BLOCKS
    assert all(h.score > 0 for h in results.hits)


def test_a_product_line_without_a_name_is_found_by_its_okpd2_name(db):
    plant = enterprise(db, "ООО «Стройресурс»")
    line = product(db, plant, BRICK, None)
    [hit] = find(db, "кирпич керамический").hits
    assert (hit.kind, hit.ref_id) == ("product", line)
    assert hit.title.lower().startswith("кирпич")


def test_an_enterprise_is_found_by_its_inn(db):
    inn = fresh_inn()
    plant = enterprise(db, "ООО «Ромашка»", inn=inn)
    assert found(db, inn) == [("enterprise", plant)]


def test_documents_inserted_by_any_sql_are_indexed_and_a_batch_leaves_the_trigger_on(db):
    """SQLite: the platform's batches write the full-text entries themselves (migration 0014);
    a row written by other SQL still enters the index by trigger, also after a batch."""
    plant = enterprise(db, "ООО «Ромашка»")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO search_documents (kind, ref_id, enterprise_id, title, lemmas) "
                "VALUES ('enterprise', :id, :id, 'Вручную', 'вручную кварцит')"
            ),
            {"id": plant + 1000},
        )
    assert found(db, "кварцит") == [("enterprise", plant + 1000)]
    if db.backend == "sqlite":
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM search_fts_batch")) == 0


def test_a_renamed_enterprise_is_found_by_its_new_name_only(db):
    plant = enterprise(db, "Тобольский хлебозавод")
    with db.session() as session:
        registry.update_enterprise(session, None, plant, {"name": "Тобольский кирпичный завод"})
    assert found(db, "хлебозавод") == []
    assert found(db, "кирпичный завод") == [("enterprise", plant)]


def test_a_deleted_product_line_drops_out(db):
    plant = enterprise(db, "Гранитный карьер")
    line = product(db, plant, GRAVEL, "Щебень гранитный")
    assert found(db, "щебень") == [("product", line)]
    with db.session() as session:
        session.delete(session.get(ProductLine, line))
    assert found(db, "щебень") == []
    assert documents_of(db, "product") == set()


def test_a_deleted_enterprise_drops_out(db):
    plant = enterprise(db, "Ялуторовский щебеночный карьер")
    with db.session() as session:
        registry.delete_enterprise(session, None, plant)
    assert found(db, "карьер") == []
    assert documents_of(db, "enterprise") == set()


def test_a_deleted_enterprise_takes_its_lines_needs_and_offers_out_of_the_search(db):
    """The database deletes them with the enterprise (ON DELETE CASCADE); their documents
    must go too, else the search shows products of an enterprise that no longer exists."""
    plant = enterprise(db, "Ялуторовский карьер")
    product(db, plant, GRAVEL, "Щебень гранитный")
    need(db, plant, "Щебень известняковый", GRAVEL)
    offer(db, plant, "Щебень фракции 5-20", GRAVEL)
    assert len(found(db, "щебень")) == 3
    with db.session() as session:
        registry.delete_enterprise(session, None, plant)
    assert found(db, "щебень") == []
    assert db.count("search_documents") == 0


def test_a_closed_need_drops_out_and_a_reopened_one_returns(db):
    builder = enterprise(db, "Домостроительный комбинат")
    wanted = need(db, builder, "Кирпич облицовочный", BRICK)
    assert found(db, "облицовочный кирпич") == [("need", wanted)]
    with db.session() as session:
        matching.update_need(session, None, wanted, {"status": "closed"})
    assert found(db, "облицовочный кирпич") == []
    assert documents_of(db, "need") == set()
    with db.session() as session:
        matching.update_need(session, None, wanted, {"status": "open"})
    assert found(db, "облицовочный кирпич") == [("need", wanted)]


def test_a_closed_offer_drops_out(db):
    plant = enterprise(db, "Кирпичный завод")
    offered = offer(db, plant, "Кирпич облицовочный", BRICK)
    with db.session() as session:
        matching.update_offer(session, None, offered, {"status": "closed"})
    assert found(db, "облицовочный", kinds=("offer",)) == []


def test_an_edited_need_is_found_by_its_new_wording(db):
    builder = enterprise(db, "Домостроительный комбинат")
    wanted = need(db, builder, "Кирпич облицовочный", BRICK)
    with db.session() as session:
        matching.update_need(session, None, wanted, {"product_name": "Щебень гранитный"})
    assert found(db, "щебень", kinds=("need",)) == [("need", wanted)]
    assert found(db, "облицовочный", kinds=("need",)) == []


# Russian words


def test_any_form_of_a_word_finds_the_others(db):
    plant = enterprise(db, "ООО «Полимер»")
    line = product(db, plant, PIPES, "Труба напорная")
    for query in ("трубы", "труб", "трубами", "ТРУБА", "напорных труб"):
        assert found(db, query) == [("product", line)], query


def test_a_phrase_in_other_forms_finds_the_document(db):
    plant = enterprise(db, "ООО «Бетон»")
    line = product(db, plant, BLOCKS, "Газобетонный блок")
    assert found(db, "газобетонных блоков") == [("product", line)]


def test_an_abbreviation_finds_the_full_name(db):
    plant = enterprise(db, "ООО «Полимер»")
    line = product(db, plant, PIPES, "Трубы из полиэтилена низкого давления")
    assert found(db, "трубы ПНД") == [("product", line)]
    assert found(db, "пнд") == [("product", line)]


def test_a_full_name_finds_the_abbreviation(db):
    plant = enterprise(db, "ООО «Полимер»")
    line = product(db, plant, PIPES, "Трубы ПНД")
    assert found(db, "полиэтилен низкого давления") == [("product", line)]


def test_a_typo_is_corrected_to_a_known_word(db):
    plant = enterprise(db, "ООО «Бетон»")
    line = product(db, plant, BLOCKS, "Блоки газобетонные")
    results = find(db, "газобетнные блоки")
    assert results.corrected == {"газобетнные": "газобетонный"}
    assert [(h.kind, h.ref_id) for h in results.hits] == [("product", line)]


def test_a_word_indexed_after_the_vocabulary_loaded_is_known(db):
    """The vocabulary is loaded once per process; later writes teach it their words."""
    plant = enterprise(db, "ООО «Кровля»")
    assert find(db, "кровля").hits  # the vocabulary is loaded now
    line = product(db, plant, "23.99.12", "Ондулиновые листы волнистые")
    assert find(db, "ондулиновые").hits
    results = find(db, "ондулинвые")
    assert results.corrected == {"ондулинвые": "ондулиновый"}
    assert [(h.kind, h.ref_id) for h in results.hits] == [("product", line)]


def test_a_known_word_is_not_corrected(db):
    plant = enterprise(db, "ООО «Бетон»")
    product(db, plant, BLOCKS, "Блоки газобетонные")
    results = find(db, "бетон")
    assert results.corrected == {}


def test_prefix_search_finds_words_being_typed(db):
    plant = enterprise(db, "ООО «Керамика»")
    line = product(db, plant, BRICK, "Кирпич облицовочный")
    assert found(db, "кир", prefix=True) == [("product", line)]
    assert found(db, "кирпич обл", prefix=True) == [("product", line)]
    assert found(db, "кир") == []
    # only the last word is a beginning: «обл» matches nothing, so any word is enough
    assert not find(db, "обл кирпич", prefix=True).every_word


# Filters, ranking, paging


def test_region_filter(db):
    tyumen = enterprise(db, "Тюменский завод «Кирпич»", "72")
    sverdlovsk = enterprise(db, "Уральский завод «Кирпич»", "66")
    in_tyumen = product(db, tyumen, BRICK, "Кирпич облицовочный")
    in_sverdlovsk = product(db, sverdlovsk, BRICK, "Кирпич облицовочный")
    assert set(found(db, "кирпич")) == {
        ("enterprise", tyumen),
        ("enterprise", sverdlovsk),
        ("product", in_tyumen),
        ("product", in_sverdlovsk),
    }
    assert set(found(db, "кирпич", region="66")) == {
        ("enterprise", sverdlovsk),
        ("product", in_sverdlovsk),
    }
    assert found(db, "кирпич", region="45") == []


def test_kind_filter(db):
    plant = enterprise(db, "Завод «Кирпич и черепица»")
    builder = enterprise(db, "Домостроительный комбинат")
    line = product(db, plant, BRICK, "Кирпич облицовочный")
    wanted = need(db, builder, "Кирпич рядовой", BRICK)
    offered = offer(db, plant, "Кирпич облицовочный", BRICK)
    assert found(db, "кирпич", kinds=("offer",)) == [("offer", offered)]
    assert set(found(db, "кирпич", kinds=("need", "product"))) == {
        ("need", wanted),
        ("product", line),
    }
    assert found(db, "кирпич", kinds=("enterprise",)) == [("enterprise", plant)]


@pytest.mark.parametrize("kinds", [(), ("bogus",)])
def test_no_known_kind_finds_nothing_on_either_database(db, kinds):
    """The same answer on both backends: no hits, or a refusal naming the field; never a
    database error (an empty ``IN ()`` is a syntax error on PostgreSQL)."""
    plant = enterprise(db, "ООО «Керамика»")
    product(db, plant, BRICK, "Кирпич облицовочный")
    try:
        hits = found(db, "кирпич", kinds=kinds)
    except InvalidField as refused:
        assert refused.field == "kind"
    else:
        assert hits == []


def test_every_word_must_match_when_some_document_has_them_all(db):
    plant = enterprise(db, "ООО «Керамика»")
    both = product(db, plant, BRICK, "Кирпич облицовочный")
    one = product(db, plant, "23.32.12", "Кирпич рядовой", direction="consumes")
    results = find(db, "облицовочный кирпич")
    assert results.every_word
    assert [(h.kind, h.ref_id) for h in results.hits] == [("product", both)]
    assert ("product", one) not in found(db, "облицовочный кирпич")


def test_any_word_when_no_document_has_them_all_with_more_words_ranked_higher(db):
    plant = enterprise(db, "ООО «Керамика»")
    two = product(db, plant, BRICK, "Кирпич облицовочный")
    one = product(db, plant, "23.32.12", "Кирпич рядовой", direction="consumes")
    results = find(db, "кирпич облицовочный гранитный")  # no document says «гранитный»
    assert not results.every_word
    assert [(h.kind, h.ref_id) for h in results.hits] == [("product", two), ("product", one)]
    assert results.hits[0].score > results.hits[1].score


def test_nothing_found_for_unknown_words(db):
    enterprise(db, "Кирпичный завод")
    results = find(db, "абракадабра")
    assert results.hits == []


def test_limit_and_offset_page_through_the_hits(db):
    plant = enterprise(db, "ООО «Керамика»")
    for i in range(5):
        offer(db, plant, f"Кирпич облицовочный партия {i + 1}", BRICK)
    every = found(db, "кирпич облицовочный", limit=20)
    assert len(every) == 5
    pages = [found(db, "кирпич облицовочный", limit=2, offset=o) for o in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [x for p in pages for x in p] == every


SYNTAX = [
    '"кирпич',
    'кирпич" OR "щебень',
    "кирпич*",
    "(кирпич) AND (облицовочный)",
    "кирпич -облицовочный",
    "NOT кирпич",
    "lemmas:кирпич",
    "кирпич:* & !щебень | 'x'",
    "NEAR(кирпич облицовочный)",
    "^кирпич + облицовочный {}[]",
]


def test_query_syntax_characters_are_plain_text(db):
    """Quotes, operators and column filters of FTS5 and tsquery are neither obeyed nor fatal:
    the words are searched as words, and only a document holding them is found."""
    plant = enterprise(db, "ООО «Керамика»")
    line = product(db, plant, BRICK, "Кирпич облицовочный")
    enterprise(db, "Гранитный карьер")
    for query in SYNTAX:
        hits = found(db, query)
        assert ("product", line) in hits, query
        assert set(hits) <= {("product", line)}, query
        assert found(db, query, prefix=True) == hits, query


def test_a_query_of_syntax_alone_finds_nothing(db):
    plant = enterprise(db, "ООО «Тестовый кирпич»")
    product(db, plant, BRICK, "Кирпич облицовочный")
    for query in ['"', "*", "()", "-", ":", "AND", "OR", "NOT", "''", "   ", ""]:
        assert find(db, query).hits == [], query
        assert find(db, query, prefix=True).hits == [], query


# Bulk writes: imports and the rebuild


def test_imported_products_are_searchable(db, tmp_path):
    inn = fresh_inn()
    plant = enterprise(db, "ООО «Полимер»", inn=inn)
    header = ["ИНН", "ОКПД2", "Направление", "Наименование продукции"]
    path = write_csv(
        tmp_path / "продукция.csv",
        [
            header,
            [inn, PIPES, "производит", "Трубы напорные ПНД"],
            [inn, BRICK, "потребляет", "Кирпич облицовочный"],
        ],
    )
    result = run(db, "products", path)
    assert (result.created, result.rejected) == (2, 0)
    [pipes] = find(db, "полиэтилен низкого давления").hits
    assert pipes.kind == "product" and pipes.link == f"/enterprises/{plant}"
    assert pipes.title == "Трубы напорные ПНД"
    [brick] = find(db, "кирпичи", kinds=("product",)).hits
    assert brick.detail == f"{PRODUCT_DIRECTIONS['consumes']}: ООО «Полимер»"


def test_imported_enterprises_are_searchable_and_reimport_updates_them(db, tmp_path):
    first, second = fresh_inn(), fresh_inn()
    header = ["ИНН", "Наименование", "Регион"]
    rows = [header, [first, "ООО «Тюменский газобетон»", "72"], [second, "АО «Ишимхлеб»", "72"]]
    result = run(db, "enterprises", write_csv(tmp_path / "предприятия.csv", rows))
    assert (result.created, result.rejected) == (2, 0)
    assert [h.title for h in find(db, "газобетон").hits] == ["ООО «Тюменский газобетон»"]
    assert len(find(db, first).hits) == 1

    renamed = [header, [first, "ООО «Тюменский кирпич»", "72"]]
    result = run(db, "enterprises", write_csv(tmp_path / "снова.csv", renamed))
    assert result.updated == 1
    assert find(db, "газобетон", kinds=("enterprise",)).hits == []
    assert [h.title for h in find(db, "кирпич").hits] == ["ООО «Тюменский кирпич»"]
    assert db.count("search_documents") == 2


def test_reindex_rebuilds_every_kind(db):
    plant = enterprise(db, "Кирпичный завод")
    builder = enterprise(db, "Домостроительный комбинат")
    product(db, plant, BRICK, "Кирпич облицовочный")
    product(db, builder, BRICK, "Кирпич облицовочный", direction="consumes")
    need(db, builder, "Кирпич рядовой", BRICK)
    closed = need(db, builder, "Кирпич печной", BRICK)
    offer(db, plant, "Кирпич облицовочный", BRICK)
    with db.session() as session:
        matching.update_need(session, None, closed, {"status": "closed"})
    before = sorted(found(db, "кирпич"))
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM search_documents"))
    assert found(db, "кирпич") == []

    progress = []
    with db.engine.begin() as connection:
        counts = documents.reindex(connection, progress=lambda k, n: progress.append((k, n)))

    assert counts == {"cluster": 0, "chain": 0, "project": 0,
                      "enterprise": 2, "product": 2, "need": 1, "offer": 1}  # fmt: skip
    assert db.count("search_documents") == 6
    assert sorted(found(db, "кирпич")) == before
    assert ("need", closed) not in before
    assert {k for k, _ in progress} == {"enterprise", "product", "need", "offer"}  # none else


def test_reindex_of_some_kinds_leaves_the_others(db):
    plant = enterprise(db, "Кирпичный завод")
    product(db, plant, BRICK, "Кирпич облицовочный")
    with db.engine.begin() as connection:
        counts = documents.reindex(connection, kinds=("product",))
    assert counts == {"product": 1}
    assert documents_of(db, "enterprise") == {plant}
    assert db.count("search_documents") == 2


def test_refresh_drops_gone_records(db):
    plant = enterprise(db, "Кирпичный завод")
    line = product(db, plant, BRICK, "Кирпич облицовочный")
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM product_lines"))
        assert documents.refresh(connection, "product", [line]) == 0
    assert documents_of(db, "product") == set()


def test_the_synthetic_demo_is_indexed_whole(demo):
    with demo.session() as session:
        load_synthetic_demo(session)
    with demo.engine.connect() as connection:
        indexed = dict(
            connection.execute(
                text("SELECT kind, count(*) FROM search_documents GROUP BY kind")
            ).all()
        )
        stored = {
            kind: connection.execute(text(f"SELECT count(*) FROM {table}{where}")).scalar_one()
            for kind, table, where in (
                ("enterprise", "enterprises", ""),
                ("product", "product_lines", ""),
                ("need", "needs", " WHERE status = 'open'"),
                ("offer", "offers", " WHERE status = 'open'"),
            )
        }
        line_id, name, region = connection.execute(
            text(
                "SELECT p.id, coalesce(p.name, o.name), e.region_code FROM product_lines p "
                "JOIN enterprises e ON e.id = p.enterprise_id "
                "JOIN okpd2 o ON o.code = p.okpd2_code ORDER BY p.id DESC LIMIT 1"
            )
        ).one()
    assert stored["enterprise"] > 10_000 and stored["product"] > 1_000
    assert {k: indexed.get(k, 0) for k in stored} == stored
    hits = find(demo, name, kinds=("product",), region=region, limit=1000).hits
    assert line_id in {h.ref_id for h in hits}
