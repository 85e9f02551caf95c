"""``promcluster classify FILE --column C -o OUT.csv``: OKPD2 suggestions for a column of free-text
names in CSV (UTF-8 or cp1251) or XLSX; unusable input ends with status 2 and writes nothing;
with no database, or one never migrated, the OKPD2 classifier shipped in the package answers."""

import copy
import csv

import pytest
from imports.kit import write_csv, write_xlsx
from typer.testing import CliRunner

from matching.test_classification import (
    database_classifier,  # noqa: F401  (a fixture)
    package_classifier,
)
from promcluster import dbadmin
from promcluster.cli import app
from promcluster.matching import classification
from promcluster.matching.classifier import Classifier

runner = CliRunner()
with_database = pytest.mark.usefixtures("database_classifier")

HEADER = ["Код позиции", "Наименование продукции", "Количество"]
ROWS = [
    ["A-1", "Щебень гранитный", "10"],
    ["A-2", None, "5"],  # no name: no lines
    ["A-3", "Масло моторное", "1"],
    ["A-4", "Хлеб пшеничный", "200"],
]
CLASSES = {0: "08.12", 2: "19.20", 3: "10.71"}  # data row → the class expected in its lines


def classify(db, path, out, *options: str):
    args = ["classify", str(path), "--column", "наименование ПРОДУКЦИИ", "-o", str(out)]
    return runner.invoke(app, [*args, *options, "--database", db.url])


def said(result) -> str:
    return " ".join(result.output.split())


def lines_of(out) -> list[dict[str, str]]:
    with out.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        assert next(reader) == ["row", "rank", "code", "name", "score"]
        return [dict(zip(("row", "rank", "code", "name", "score"), r, strict=True)) for r in reader]


def by_row(lines) -> dict[int, list[dict[str, str]]]:
    rows: dict[int, list[dict[str, str]]] = {}
    for line in lines:
        rows.setdefault(int(line["row"]), []).append(line)
    return rows


@with_database
def test_a_utf8_csv_gets_ranked_suggestions_per_data_row(db, tmp_path):
    path = write_csv(tmp_path / "names.csv", [HEADER, *ROWS])
    out = tmp_path / "codes.csv"
    result = classify(db, path, out)
    assert result.exit_code == 0, result.output
    assert "Строк: 4, без подсказок: 1" in said(result)
    rows = by_row(lines_of(out))
    assert sorted(rows) == [0, 2, 3]  # 0-based data rows; the empty cell has none
    for row, lines in rows.items():
        assert [int(x["rank"]) for x in lines] == [1, 2, 3, 4, 5]
        scores = [float(x["score"]) for x in lines]
        assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
        assert any(x["code"].startswith(CLASSES[row] + ".") for x in lines), lines
        assert all(x["name"] for x in lines)


@with_database
def test_cp1251_and_xlsx_give_the_same_lines_as_utf8(db, tmp_path):
    utf8 = write_csv(tmp_path / "utf8.csv", [HEADER, *ROWS])
    cp1251 = write_csv(tmp_path / "cp1251.csv", [HEADER, *ROWS], encoding="cp1251")
    book = write_xlsx(tmp_path / "names.xlsx", [["Сводка"]], sheets={"Позиции": [HEADER, *ROWS]})
    outs = {}
    for name, path, options in (
        ("utf8", utf8, ()),
        ("cp1251", cp1251, ()),
        ("xlsx", book, ("--sheet", "Позиции")),
    ):
        outs[name] = tmp_path / f"{name}-codes.csv"
        result = classify(db, path, outs[name], *options)
        assert result.exit_code == 0, (name, result.output)
    expected = outs["utf8"].read_text("utf-8")
    assert outs["cp1251"].read_text("utf-8") == expected
    assert outs["xlsx"].read_text("utf-8") == expected
    assert sorted(by_row(lines_of(outs["xlsx"]))) == [0, 2, 3]


@with_database
def test_top_sets_the_lines_per_row(db, tmp_path):
    path = write_csv(tmp_path / "names.csv", [HEADER, *ROWS])
    for top in (1, 20):
        out = tmp_path / f"top{top}.csv"
        result = classify(db, path, out, "--top", str(top))
        assert result.exit_code == 0, result.output
        assert {r: len(lines) for r, lines in by_row(lines_of(out)).items()} == {
            0: top,
            2: top,
            3: top,
        }


@with_database
def test_names_coded_in_the_database_come_first(db, tmp_path):
    with db.session() as session:
        classification.correct(session, None, "Масло моторное", "19.20.29.110")
    path = write_csv(tmp_path / "names.csv", [HEADER, *ROWS])
    out = tmp_path / "codes.csv"
    assert classify(db, path, out).exit_code == 0
    assert by_row(lines_of(out))[2][0]["code"] == "19.20.29.110"


@with_database
def test_a_file_with_only_the_header_writes_only_the_header(db, tmp_path):
    path = write_csv(tmp_path / "names.csv", [HEADER])
    out = tmp_path / "codes.csv"
    result = classify(db, path, out)
    assert result.exit_code == 0, result.output
    assert lines_of(out) == []


# Unusable input: status 2, nothing written


def refused(tmp_path, path, *options: str, column: str = "Наименование продукции", out=None):
    """Run into a refusal: status 2, the output file (made beforehand) left as it was, and the
    database never opened."""
    kept = tmp_path / "codes.csv"
    kept.write_text("untouched", encoding="utf-8")
    args = ["classify", str(path), "--column", column, "-o", str(out or kept), *options]
    result = runner.invoke(app, [*args, "--database", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code == 2, result.output
    assert kept.read_text("utf-8") == "untouched"
    assert not (tmp_path / "none.db").exists()
    return result


@pytest.mark.parametrize("top", ["0", "21", "-3"])
def test_top_out_of_range(tmp_path, top):
    path = write_csv(tmp_path / "names.csv", [HEADER, *ROWS])
    result = refused(tmp_path, path, "--top", top)
    assert "--top" in said(result) and "20" in said(result)


def test_missing_column_lists_the_columns_of_the_file(tmp_path):
    path = write_csv(tmp_path / "names.csv", [HEADER, *ROWS])
    result = refused(tmp_path, path, column="Товар")
    assert "Товар" in said(result)
    assert "Код позиции, Наименование продукции, Количество" in said(result)


@pytest.mark.parametrize("suffix", [".xlsx", ".txt", ""])
def test_output_must_be_csv(tmp_path, suffix):
    path = write_csv(tmp_path / "names.csv", [HEADER, *ROWS])
    out = tmp_path / f"result{suffix}"
    result = refused(tmp_path, path, out=out)
    assert ".csv" in said(result)
    assert not out.exists()


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    refused(tmp_path, path)


def test_a_broken_workbook_is_refused(tmp_path):
    path = tmp_path / "names.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    refused(tmp_path, path)


def test_a_missing_sheet_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "names.xlsx", [HEADER, *ROWS])
    result = refused(tmp_path, path, "--sheet", "Нет такого")
    assert "Нет такого" in said(result)


# No database: the OKPD2 classifier shipped in the package


@pytest.fixture
def shipped(monkeypatch):
    """``classification`` as a new process sees it, the package classifier's copy standing
    for the fit of the shipped OKPD2 file (which must hand it every entry of that file)."""
    classification.forget()
    classification._shipped.cache_clear()

    def build(entries) -> Classifier:
        assert len(list(entries)) == len(package_classifier().entries)
        return copy.deepcopy(package_classifier())

    monkeypatch.setattr(classification, "Classifier", build)
    yield
    classification.forget()
    classification._shipped.cache_clear()


def classify_without(url: str, tmp_path, name: str):
    path = write_csv(tmp_path / "names.csv", [HEADER, *ROWS])
    out = tmp_path / f"{name}.csv"
    args = ["classify", str(path), "--column", "Наименование продукции", "-o", str(out)]
    return runner.invoke(app, [*args, "--database", url]), out


@pytest.mark.usefixtures("shipped")
def test_without_a_database_the_shipped_classifier_suggests(tmp_path):
    missing = tmp_path / "var" / "promcluster.db"
    result, out = classify_without(f"sqlite:///{missing}", tmp_path, "missing")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "классификатору ОКПД2 из пакета, без исправлений пользователей" in said(result)
    assert "Строк: 4, без подсказок: 1" in said(result)
    rows = by_row(lines_of(out))
    assert sorted(rows) == [0, 2, 3]
    for row, lines in rows.items():
        assert any(x["code"].startswith(CLASSES[row] + ".") for x in lines), lines
    assert not missing.parent.exists()  # nothing created

    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result, same = classify_without(f"sqlite:///{empty}", tmp_path, "empty")
    assert result.exit_code == 0, result.output
    assert same.read_bytes() == out.read_bytes()
    assert empty.stat().st_size == 0


@pytest.mark.usefixtures("shipped")
def test_an_older_database_is_refused_a_migrated_one_without_reference_data_is_not(tmp_path):
    url = f"sqlite:///{tmp_path / 'promcluster.db'}"
    older, head = dbadmin.revisions()[-2:]
    dbadmin.upgrade(url, older)
    result, out = classify_without(url, tmp_path, "older")
    assert result.exit_code == 2
    assert f"устарела (ревизия {older}, нужна {head}): выполните promcluster db upgrade" in said(
        result
    )
    assert "Traceback" not in result.output and not out.exists()

    dbadmin.upgrade(url)  # migrated, but no reference data loaded: the shipped classifier
    result, out = classify_without(url, tmp_path, "migrated")
    assert result.exit_code == 0, result.output
    assert "из пакета" not in said(result)  # the database is used (it has no OKPD2 rows)
    assert sorted(by_row(lines_of(out))) == [0, 2, 3]
