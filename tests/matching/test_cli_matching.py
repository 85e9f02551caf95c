"""``promcluster match``, ``search find`` and ``search reindex`` on a real database."""

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from promcluster.cli import app
from promcluster.matching.vocabulary import known_words

from . import build_world

runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_vocabulary():
    known_words.forget()
    yield
    known_words.forget()


def run(db, *args: str):
    return runner.invoke(app, [*args, "--database", db.url])


def test_match_lists_the_need_page_ranking_with_reasons(db):
    world = build_world(db)
    result = run(db, "match", "need", str(world.need), "--limit", "3")
    assert result.exit_code == 0, result.output
    blocks = [line for line in result.output.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(blocks) == 3
    assert "участник того же кластера" in blocks[0]  # co-members come first
    assert "· тот же код ОКПД2" in result.output


def test_match_refuses_an_unknown_posting_or_side(db):
    assert run(db, "match", "need", "424242").exit_code == 2
    assert "нет потребности №424242" in run(db, "match", "need", "424242").output
    assert run(db, "match", "tender", "1").exit_code == 2


def test_search_find_prints_hits_best_first(db):
    build_world(db)
    result = run(db, "search", "find", "газобетонных блоков", "--kind", "offer")
    assert result.exit_code == 0, result.output
    kinds = [line.split("\t")[0] for line in result.output.splitlines() if "\t" in line]
    assert kinds and set(kinds) == {"offer"}
    scores = [float(line.split("\t")[2]) for line in result.output.splitlines() if "\t" in line]
    assert scores == sorted(scores, reverse=True)


def test_search_find_refuses_an_unknown_kind(db):
    result = run(db, "search", "find", "блок", "--kind", "tender")
    assert result.exit_code == 2
    assert "неизвестный вид «tender»" in result.output


def test_reindex_rebuilds_an_index_emptied_by_hand(db):
    build_world(db)
    found = run(db, "search", "find", "газобетон").output
    assert "Газобетонный блок" in found
    with db.engine.begin() as connection:
        before = connection.execute(text("SELECT count(*) FROM search_documents")).scalar_one()
        connection.execute(text("DELETE FROM search_documents"))
    assert "Газобетонный блок" not in run(db, "search", "find", "газобетон").output
    result = run(db, "search", "reindex")
    assert result.exit_code == 0, result.output
    assert db.count("search_documents") == before
    again = run(db, "search", "find", "газобетон").output
    assert sorted(again.splitlines()) == sorted(found.splitlines())  # ties may swap places


def test_a_deferred_import_is_searchable_after_reindex_missing(db, tmp_path):
    from factories import fresh_inn
    from imports.kit import HEADER, write_csv

    rows = [[fresh_inn(), "ООО «Кирпичный завод Тобольска»", "72"]]
    path = write_csv(tmp_path / "firms.csv", [HEADER, *rows])
    result = run(db, "import", "enterprises", str(path), "--defer-index")
    assert result.exit_code == 0, result.output
    assert "search reindex --missing" in result.output
    assert "Тобольск" not in run(db, "search", "find", "кирпичный завод").output
    result = run(db, "search", "reindex", "--missing")
    assert result.exit_code == 0, result.output
    assert "enterprise: 1" in result.output
    assert "Кирпичный завод Тобольска" in run(db, "search", "find", "кирпичного завода").output
    assert "enterprise: 0" in run(db, "search", "reindex", "--missing").output  # nothing left


def test_a_product_row_without_a_code_gets_code_hints_in_the_report(db, tmp_path):
    from factories import fresh_inn
    from imports.kit import write_csv

    inn = fresh_inn()
    firms = write_csv(
        tmp_path / "firms.csv", [["ИНН", "Наименование", "Регион"], [inn, "АО «Щебень»", "72"]]
    )
    assert run(db, "import", "enterprises", str(firms)).exit_code == 0
    lines = write_csv(
        tmp_path / "lines.csv",
        [
            ["ИНН", "Направление", "ОКПД2", "Наименование"],
            [inn, "производит", "", "Щебень гранитный"],
        ],
    )
    report = tmp_path / "errors.csv"
    result = run(db, "import", "products", str(lines), "--errors", str(report))
    assert result.exit_code == 1
    reason = report.read_text("utf-8-sig")
    assert "пустая обязательная ячейка; возможно: 08.12" in reason
    assert db.count("product_lines") == 0


def test_indexing_missing_records_keeps_a_document_written_meanwhile(db):
    """``index_missing`` inserts without deleting first; a record indexed by someone else
    between the look-up of the missing ids and the insert keeps its one document."""
    from promcluster.matching import documents

    firm = db.add_enterprise(name="ООО «Гончарная мастерская»", region_code="72")
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM search_documents"))
        assert documents.missing_ids(connection, "enterprise") == [firm]
        documents.refresh(connection, "enterprise", [firm])  # the other writer
        assert documents.refresh(connection, "enterprise", [firm], missing=True) == 1
        stored = connection.execute(
            text("SELECT count(*) FROM search_documents WHERE kind = 'enterprise'")
        ).scalar_one()
    assert stored == 1
