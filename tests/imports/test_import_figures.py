"""The «figures» import kind: an enterprise's headcount and revenue by reporting year, keyed by
INN (or OGRN) and year. Files in cp1251 and XLSX, the upsert of a year already stored, the
refusals (unknown or wrong INN, negative headcount, no figure, a repeated key), the template
and export round trips, the audit and the permissions."""

import pytest
from factories import fresh_inn, ogrn
from openpyxl import load_workbook
from sqlalchemy import select

from promcluster.auth.audit import Actor
from promcluster.auth.models import User
from promcluster.imports import exports, service
from promcluster.imports.readers import UnusableFile
from promcluster.registry.models import EnterpriseFigure

from .kit import (
    bad_inn,
    cli,
    enterprise,
    finished_run,
    report,
    run,
    said,
    write_csv,
    write_xlsx,
)

API = "/api/v1"
HEADER = ["ИНН", "Год", "Численность", "Выручка"]


def firm(db, **fields) -> tuple[int, str]:
    """An enterprise on the platform: (id, INN)."""
    inn = fields.pop("inn", None) or fresh_inn()
    return db.add_enterprise(inn=inn, region_code="72", **fields), inn


def figures(db) -> set[tuple]:
    """Every stored figure: (enterprise id, year, employees, revenue)."""
    with db.sessions() as session:
        return {
            (f.enterprise_id, f.year, f.employees, f.revenue)
            for f in session.scalars(select(EnterpriseFigure))
        }


def versions(db) -> dict[tuple[int, int], int]:
    with db.sessions() as session:
        return {
            (f.enterprise_id, f.year): f.version for f in session.scalars(select(EnterpriseFigure))
        }


def only_line(db, result) -> dict[str, str]:
    lines = report(db, result.id)
    assert len(lines) == 1, lines
    return lines[0]


# Good files


def test_a_cp1251_csv_with_semicolons_and_synonym_headers(db, tmp_path):
    (first, first_inn), (second, second_inn) = firm(db), firm(db)
    path = write_csv(
        tmp_path / "показатели.csv",
        [
            ["ИНН", "Отчётный год", "Среднесписочная численность", "Выручка, тыс. руб."],
            [first_inn, "2022", "118", "140 500,5"],
            [first_inn, "2023", "120", "150 000"],
            [second_inn, "2023", None, "9 800"],
            [second_inn, "2024", "45", None],
        ],
        encoding="cp1251",
        delimiter=";",
    )

    result = run(db, "figures", path)

    assert (result.status, result.created, result.rejected) == ("done", 4, 0), report(db, result.id)
    assert result.columns == {
        "inn": "ИНН",
        "year": "Отчётный год",
        "employees": "Среднесписочная численность",
        "revenue": "Выручка, тыс. руб.",
    }
    assert figures(db) == {
        (first, 2022, 118, 140_500_500),  # thousands of roubles scaled, rounded to the rouble
        (first, 2023, 120, 150_000_000),
        (second, 2023, None, 9_800_000),
        (second, 2024, 45, None),
    }


def test_the_current_figures_on_the_enterprise_card_are_left_alone(db, tmp_path):
    _, inn = firm(db, employees=300, revenue=500_000_000)
    path = write_csv(tmp_path / "f.csv", [HEADER, [inn, "2023", "250", "400 000 000"]])

    result = run(db, "figures", path)

    assert (result.created, result.rejected) == (1, 0)
    stored = enterprise(db, inn)
    assert (stored.employees, stored.revenue, stored.version) == (300, 500_000_000, 1)


def test_an_xlsx_with_number_cells_and_enterprises_named_by_ogrn(db, tmp_path):
    by_inn, inn = firm(db)
    number = ogrn("102720001234")
    by_ogrn, _ = firm(db, ogrn=number)
    path = write_xlsx(
        tmp_path / "показатели.xlsx",
        [
            ["Показатели предприятий по данным ГИР БО"],  # a title row above the header
            ["ИНН", "ОГРН", "Год", "Численность работников", "Доход"],
            [inn, None, 2023, 57, 12_345_678.4],
            [None, number, 2023.0, 9, 1_000_000],
            [None, number, "2024", None, 2_500_000.5],
        ],
    )

    result = run(db, "figures", path)

    assert (result.created, result.rejected) == (3, 0), report(db, result.id)
    assert figures(db) == {
        (by_inn, 2023, 57, 12_345_678),
        (by_ogrn, 2023, 9, 1_000_000),
        (by_ogrn, 2024, None, 2_500_001),  # half a rouble rounds up
    }


def test_the_command_line_imports_figures(db, tmp_path):
    _, inn = firm(db)
    path = write_csv(tmp_path / "f.csv", [HEADER, [inn, "2023", "10", "1 000"]])

    result = cli(db, "figures", str(path))

    assert result.exit_code == 0, result.output
    assert "добавлено 1, обновлено 0, без изменений 0, отклонено 0" in said(result)


# Upsert


def test_a_stored_year_is_updated_a_new_one_inserted_and_an_empty_cell_erases_nothing(db, tmp_path):
    id_, inn = firm(db)
    write_csv(
        tmp_path / "v1.csv",
        [HEADER, [inn, "2022", "100", "1 000 000"], [inn, "2023", "110", "1 200 000"]],
    )
    run(db, "figures", tmp_path / "v1.csv")
    write_csv(
        tmp_path / "v2.csv",
        [
            HEADER,
            [inn, "2022", "100", "1 000 000"],  # the same: unchanged
            [inn, "2023", "115", None],  # corrected headcount; revenue left as stored
            [inn, "2024", "130", "1 500 000"],  # a new year
        ],
    )

    result = run(db, "figures", tmp_path / "v2.csv")

    assert (result.created, result.updated, result.unchanged, result.rejected) == (1, 1, 1, 0)
    assert figures(db) == {
        (id_, 2022, 100, 1_000_000),
        (id_, 2023, 115, 1_200_000),
        (id_, 2024, 130, 1_500_000),
    }
    assert versions(db) == {(id_, 2022): 1, (id_, 2023): 2, (id_, 2024): 1}


def test_reimporting_the_same_file_changes_nothing(db, tmp_path):
    _, inn = firm(db)
    path = write_csv(tmp_path / "f.csv", [HEADER, [inn, "2023", "10", "1 000"]])
    run(db, "figures", path)
    audit_rows = db.audit_count()

    again = run(db, "figures", path)

    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 1, 0)
    assert db.audit_count() == audit_rows


# Audit


def test_created_figures_get_a_batch_audit_row_and_changed_ones_before_and_after(db, tmp_path):
    id_, inn = firm(db)
    first = run(
        db,
        "figures",
        write_csv(
            tmp_path / "v1.csv", [HEADER, [inn, "2022", "100", None], [inn, "2023", "110", None]]
        ),
    )
    [created] = db.audit(entity="enterprise_figures", action="create")
    with db.sessions() as session:
        ids = sorted(session.scalars(select(EnterpriseFigure.id)))
    assert created.entity_id is None
    assert created.actor == "test:import"
    assert created.changes["import_run"] == first.id
    assert created.changes["rows"] == [2, 3]
    assert sorted(created.changes["ids"]) == ids

    run(db, "figures", write_csv(tmp_path / "v2.csv", [HEADER, [inn, "2023", "111", "5 000"]]))

    [updated] = db.audit(entity="enterprise_figures", action="update")
    with db.sessions() as session:
        changed = session.scalar(
            select(EnterpriseFigure.id).where(
                EnterpriseFigure.enterprise_id == id_, EnterpriseFigure.year == 2023
            )
        )
    assert updated.entity_id == str(changed)
    assert updated.changes == {"employees": [110, 111], "revenue": [None, 5000]}


# Refusals


def test_an_unknown_inn_is_refused_naming_the_row_and_the_column_and_nothing_is_written(
    db, tmp_path
):
    unknown = fresh_inn()
    path = write_csv(tmp_path / "f.csv", [HEADER, [unknown, "2023", "10", "1 000"]])

    result = run(db, "figures", path)

    assert (result.created, result.rejected) == (0, 1)
    assert figures(db) == set()
    line = only_line(db, result)
    assert (line["row"], line["column"], line["value"]) == ("2", "ИНН", unknown)
    assert f"нет предприятия с ИНН {unknown} на платформе" in line["reason"]
    assert db.audit(entity="enterprise_figures") == []


def test_an_unknown_ogrn_is_refused_like_products(db, tmp_path):
    unknown = ogrn("102720004321")
    path = write_csv(tmp_path / "f.csv", [["ОГРН", "Год", "Численность"], [unknown, "2023", "5"]])

    result = run(db, "figures", path)

    line = only_line(db, result)
    assert (line["row"], line["column"]) == ("2", "ОГРН")
    assert f"нет предприятия с ОГРН {unknown} на платформе" in line["reason"]
    assert figures(db) == set()


@pytest.mark.parametrize(
    ("case", "column", "reason"),
    [
        ("wrong inn check digit", "ИНН", "контрольн"),
        ("negative headcount", "Численность", "отрицательное значение -5"),
        ("fractional headcount", "Численность", "не целое число"),
        ("negative revenue", "Выручка", "отрицательное значение"),
        ("year out of range", "Год", "вне диапазона 1900–2100"),
        ("empty year", "Год", "пустая обязательная ячейка"),
        ("neither figure", "Численность или Выручка", "заполните Численность или Выручка"),
        ("neither inn nor ogrn", "ИНН или ОГРН", "заполните ИНН или ОГРН"),
    ],
)
def test_refusals_name_the_row_and_the_column(db, tmp_path, case, column, reason):
    _, inn = firm(db)
    bad = [inn, "2023", "10", "1 000"]
    if case == "wrong inn check digit":
        bad[0] = bad_inn()
    elif case == "negative headcount":
        bad[2] = "-5"
    elif case == "fractional headcount":
        bad[2] = "10,5"
    elif case == "negative revenue":
        bad[3] = "-1 000"
    elif case == "year out of range":
        bad[1] = "1850"
    elif case == "empty year":
        bad[1] = None
    elif case == "neither figure":
        bad[2] = bad[3] = None
    else:
        bad[0] = None
    header = [*HEADER, "ОГРН"]
    path = write_csv(tmp_path / "f.csv", [header, [inn, "2022", "9", None, None], [*bad, None]])

    result = run(db, "figures", path)

    assert (result.created, result.rejected) == (1, 1)
    assert {year for _, year, _, _ in figures(db)} == {2022}
    line = only_line(db, result)
    assert (line["row"], line["column"]) == ("3", column)
    assert reason in line["reason"]


def test_a_file_without_a_figure_column_is_refused_as_a_whole(db, tmp_path):
    _, inn = firm(db)
    path = write_csv(tmp_path / "f.csv", [["ИНН", "Год", "Наименование"], [inn, "2023", "ООО"]])
    with pytest.raises(UnusableFile, match="нет обязательных столбцов: «Численность или Выручка»"):
        run(db, "figures", path)
    assert figures(db) == set()


def test_a_file_without_the_year_column_is_refused_as_a_whole(db, tmp_path):
    _, inn = firm(db)
    path = write_csv(tmp_path / "f.csv", [["ИНН", "Численность"], [inn, "10"]])
    with pytest.raises(UnusableFile, match="«Год»"):
        run(db, "figures", path)
    assert figures(db) == set()


@pytest.mark.parametrize("batch_size", [5000, 1], ids=["one batch", "batch of one"])
def test_the_same_inn_and_year_twice_in_a_file_is_a_duplicate(db, tmp_path, batch_size):
    id_, inn = firm(db)
    path = write_csv(
        tmp_path / "f.csv",
        [HEADER, [inn, "2023", "10", None], [inn, "2024", "11", None], [inn, "2023", "99", None]],
    )

    result = run(db, "figures", path, batch_size=batch_size)

    assert (result.created, result.rejected) == (2, 1)
    assert figures(db) == {(id_, 2023, 10, None), (id_, 2024, 11, None)}
    line = only_line(db, result)
    assert line["row"] == "4"
    assert line["column"] == "ИНН + год"
    assert "строке 2" in line["reason"]
    assert inn in line["value"] and "2023" in line["value"]


def test_one_enterprise_named_by_inn_and_by_ogrn_for_the_same_year_is_a_duplicate(db, tmp_path):
    number = ogrn("102720005555")
    id_, inn = firm(db, ogrn=number)
    path = write_csv(
        tmp_path / "f.csv",
        [
            ["ИНН", "ОГРН", "Год", "Численность"],
            [inn, None, "2023", "10"],
            [None, number, "2023", "12"],
        ],
    )

    result = run(db, "figures", path)

    assert (result.created, result.rejected) == (1, 1)
    assert figures(db) == {(id_, 2023, 10, None)}
    line = only_line(db, result)
    assert line["row"] == "3" and "строке 2" in line["reason"]


# Permissions


def _user(db, users, name: str, role: str, **scope) -> User:
    login = users.add(name, role, **scope)
    with db.sessions() as session:
        return session.get(User, login.id)


def test_a_representative_records_figures_of_own_enterprise_only(db, users, tmp_path):
    (own, own_inn), (_, other_inn) = firm(db), firm(db)
    user = _user(db, users, "rep", "enterprise_rep", enterprise=own)
    path = write_csv(
        tmp_path / "f.csv", [HEADER, [own_inn, "2023", "10", None], [other_inn, "2023", "20", None]]
    )

    result = service.run_import(
        db.sessions, "figures", path, actor=Actor(user.username, user.id), user=user
    )

    assert (result.created, result.rejected) == (1, 1)
    assert figures(db) == {(own, 2023, 10, None)}
    line = only_line(db, result)
    assert (line["row"], line["column"]) == ("3", "ИНН")
    assert "нет прав" in line["reason"]


# Templates and exports


def test_a_filled_in_template_imports(db, tmp_path):
    id_, inn = firm(db)
    path = exports.template("figures", tmp_path / "шаблон.xlsx")
    book = load_workbook(path)
    header = [c.value for c in book.worksheets[0][1]]
    assert header == ["ИНН", "ОГРН", "Год", "Численность", "Выручка"]
    book.worksheets[0].append([inn, None, 2023, 42, 7_000_000])
    book.save(path)

    result = run(db, "figures", path)

    assert (result.created, result.rejected) == (1, 0), report(db, result.id)
    assert figures(db) == {(id_, 2023, 42, 7_000_000)}


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_exported_figures_import_back_as_the_same_rows(db, tmp_path, suffix):
    number = ogrn("102720006666")
    (first, first_inn), (second, _) = firm(db), firm(db, ogrn=number)
    source = write_csv(
        tmp_path / "f.csv",
        [
            ["ИНН", "ОГРН", "Год", "Численность", "Выручка"],
            [first_inn, None, "2022", "100", "1 000 000"],
            [first_inn, None, "2023", None, "1 100 000"],
            [None, number, "2023", "7", None],
        ],
    )
    run(db, "figures", source)
    stored = figures(db)
    path = tmp_path / f"figures.{suffix}"
    with db.session() as session:
        assert exports.export(session, "figures", path) == 3

    same = run(db, "figures", path)
    assert (same.rows_read, same.unchanged, same.created, same.rejected) == (3, 3, 0, 0)
    assert same.ignored_columns == ["Предприятие"]

    with db.session() as session:
        session.execute(EnterpriseFigure.__table__.delete())
    again = run(db, "figures", path)

    assert (again.created, again.rejected) == (3, 0), report(db, again.id)
    assert (
        figures(db)
        == stored
        == {
            (first, 2022, 100, 1_000_000),
            (first, 2023, None, 1_100_000),
            (second, 2023, 7, None),
        }
    )


# Over HTTP


def test_upload_through_the_api_then_download_after_login(client, admin_client, db):
    id_, inn = firm(db)
    body = "\n".join(["ИНН;Год;Численность;Выручка", f"{inn};2023;12;3 000"]).encode("cp1251")

    answer = admin_client.post(
        f"{API}/imports",
        data={"kind": "figures"},
        files={"file": ("показатели.csv", body, "text/csv")},
    )

    assert answer.status_code == 202
    outcome = finished_run(admin_client, answer.json()["id"])
    assert (outcome["status"], outcome["created"], outcome["rejected"]) == ("done", 1, 0)
    assert figures(db) == {(id_, 2023, 12, 3000)}
    assert client.get(f"{API}/export/figures.csv").status_code == 403
    download = admin_client.get(f"{API}/export/figures.csv")
    assert download.status_code == 200
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "ИНН;ОГРН;Предприятие;Год;Численность;Выручка"
    assert lines[1].startswith(f"{inn};;") and lines[1].endswith(";2023;12;3000")
    template = client.get(f"{API}/templates/figures.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_the_upload_page_offers_the_kind_and_its_template(admin_client, db):
    page = admin_client.get("/imports")
    assert page.status_code == 200
    assert '<option value="figures">Показатели предприятий по годам</option>' in page.text
    assert "/api/v1/templates/figures.xlsx" in page.text
