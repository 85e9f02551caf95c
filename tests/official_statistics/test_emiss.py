"""The ЕМИСС import: the shipped real export with its counts, re-import, territory and activity
labels, bad input (unknown labels, text in a year column, another layout) with the exit codes
of ``promcluster import emiss``."""

import csv
from pathlib import Path

import pytest
from imports.kit import cli, report, run, write_csv
from sqlalchemy import select

from promcluster.imports.readers import UnusableFile
from promcluster.statistics.activities import Activities
from promcluster.statistics.models import OfficialFigure
from promcluster.statistics.store import SHIPPED
from promcluster.statistics.territories import Territories

TITLE = ["Количество организаций по данным государственной регистрации с 2017 г. (единица, Всего)"]
YEARS = [None, None, None, 2021, 2022]
NOTES = [None, None, None, "на 1 октября", "на 1 октября"]
ALL = "ВСЕГО (по всем формам собственности)"


def export(path: Path, rows, years=YEARS) -> Path:
    """An export in ЕМИСС's layout (comma-separated, as fedstat.ru writes it)."""
    return write_csv(path, [TITLE, [], years, NOTES, *rows], delimiter=",")


TYUMEN_PROPER = (
    "Тюменская область (кроме Ханты-Мансийского автономного округа-Югры и Ямало-Ненецкого "
    "автономного округа)"
)


def good_rows(region=f"        {TYUMEN_PROPER}"):
    return [
        [ALL, region, "ОБРАБАТЫВАЮЩИЕ ПРОИЗВОДСТВА", 2725, 2727],
        [ALL, region, "        Переработка и консервирование рыбы, ракообразных и моллюсков", 5, 6],
        [ALL, region, "Всего по обследуемым видам экономической деятельности", 37000, 36708],
    ]


def figures(db) -> list[tuple]:
    with db.sessions() as session:
        query = select(
            OfficialFigure.region_code,
            OfficialFigure.okved_code,
            OfficialFigure.year,
            OfficialFigure.value,
        ).order_by(OfficialFigure.region_code, OfficialFigure.okved_code, OfficialFigure.year)
        return [tuple(r) for r in session.execute(query)]


def test_the_shipped_export_imports_whole_and_again_changes_nothing(db):
    first = run(db, "emiss", SHIPPED)
    assert (first.status, first.rows_read, first.rejected) == ("done", 3315, 0)
    assert (first.created, first.updated, first.unchanged) == (13345, 0, 0)
    assert db.count("official_figures") == 13345
    again = run(db, "emiss", SHIPPED)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 13345)
    with db.sessions() as session:
        codes = set(session.scalars(select(OfficialFigure.region_code)))
        tyumen = session.scalar(
            select(OfficialFigure).where(
                OfficialFigure.region_code == "72", OfficialFigure.okved_code == "C",
                OfficialFigure.year == 2022,
            )
        )  # fmt: skip
    # 83 subjects (no Crimea, no Sevastopol) + the two complex subjects with their okrugs
    assert len(codes) == 85 and {"72+86+89", "29+83", "83", "86", "89", "77", "78"} <= codes
    assert (tyumen.value, tyumen.note, str(tyumen.source_date)) == (
        2727,
        "на 1 октября",
        "2022-10-01",
    )


def test_a_revised_value_updates_its_figure(db, tmp_path):
    run(db, "emiss", export(tmp_path / "a.csv", good_rows()))
    rows = good_rows()
    rows[0][4] = 2730
    second = run(db, "emiss", export(tmp_path / "b.csv", rows))
    assert (second.created, second.updated, second.unchanged) == (0, 1, 5)
    assert ("72", "C", 2022, 2730.0) in figures(db)


def test_official_territory_names(db):
    with db.sessions() as session:
        t = Territories(session)
    expected = {
        "Город Москва столица Российской Федерации город федерального значения": "77",
        "г. Москва": "77",
        "Город Санкт-Петербург город федерального значения": "78",
        "Республика Татарстан (Татарстан)": "16",
        "Республика Северная Осетия-Алания": "15",
        "Чувашская Республика - Чувашия": "21",
        "Ненецкий автономный округ (Архангельская область)": "83",
        "Ханты-Мансийский автономный округ - Югра (Тюменская область)": "86",
        "Тюменская область": "72+86+89",
        "Архангельская область (кроме Ненецкого автономного округа)": "29",
        "Уральский федеральный округ": "FD:Уральский",
        "Российская Федерация": "RU",
    }
    assert {name: t.resolve(name) for name in expected} == expected
    for unknown in ("Тюменская обл", "Северо-Уральский федеральный округ", "Атлантида"):
        with pytest.raises(ValueError):
            t.resolve(unknown)


def test_activity_labels(db):
    with db.sessions() as session:
        a = Activities(session)
    assert a.resolve("ОБРАЗОВАНИЕ") == "P"
    assert a.resolve("    Образование") == "85"
    assert a.resolve("            Лесозаготовки", "A") == "02.2"  # 02.2 and its class 02.20
    assert a.resolve("Всего по обследуемым видам экономической деятельности") == "TOTAL"
    with pytest.raises(ValueError, match="раздела A, а строка стоит в разделе C"):
        a.resolve("Лесозаготовки", "C")


def test_unknown_region_and_activity_labels_are_refused_by_row(db, tmp_path):
    rows = [
        *good_rows(),
        [ALL, "        Тюменская облась", "ОБРАБАТЫВАЮЩИЕ ПРОИЗВОДСТВА", 1, 2],
        [ALL, "        Омская область", "ОБРАБАТЫВАЮЩИЕ ПРОИЗВОДСТВА", 1500, 1490],
        [ALL, "        Омская область", "    Производство космических кораблей", 3, 4],
    ]
    path = export(tmp_path / "bad-labels.csv", rows)
    result = cli(db, "emiss", str(path), "--errors", str(tmp_path / "report.csv"))
    assert result.exit_code == 1, result.output
    done = run(db, "emiss", path)
    assert (done.rows_read, done.rejected, done.unchanged) == (6, 2, 8)
    lines = report(db, done.id)
    assert [(x["row"], x["column"], x["value"]) for x in lines] == [
        ("8", "Регион", "Тюменская облась"),
        ("10", "Вид деятельности", "Производство космических кораблей"),
    ]
    assert "не удалось узнать регион" in lines[0]["reason"]
    assert "нет вида деятельности ОКВЭД2" in lines[1]["reason"]
    assert ("55", "C", 2022, 1490.0) in figures(db)
    assert not [f for f in figures(db) if f[3] in (1.0, 2.0, 3.0, 4.0)]


def test_text_in_a_year_column(db, tmp_path):
    rows = good_rows()
    rows[1][4] = "около 6"
    rows[2][3] = "…"  # not published: no figure, not an error
    done = run(db, "emiss", export(tmp_path / "text.csv", rows))
    assert (done.rejected, done.created) == (1, 3)
    assert [(x["row"], x["column"], x["value"]) for x in report(db, done.id)] == [
        ("6", "2022", "около 6")
    ]
    bad_year = export(tmp_path / "year.csv", good_rows(), years=[None, None, None, 2021, "20I2"])
    result = cli(db, "emiss", str(bad_year))
    assert result.exit_code == 2 and "«20I2» — не год" in " ".join(result.output.split())
    with pytest.raises(UnusableFile, match="не год"):
        run(db, "emiss", bad_year)
    assert db.count("official_figures") == 3


@pytest.mark.parametrize(
    "rows, reason",
    [
        (  # population by sex: a dimension that is neither a territory nor an activity
            [
                ["Мужчины", "        Омская область", 1, 2],
                ["Женщины", "        Омская область", 3, 4],
            ],
            "не распознано",
        ),
        ([[ALL, "        Омская область", 1, 2]], "нет измерения «Вид деятельности»"),
    ],
)
def test_another_indicator_layout_is_refused_whole(db, tmp_path, rows, reason):
    header = [["Численность населения (человек)"], [None, None, 2021, 2022]]
    path = write_csv(tmp_path / "other.csv", [*header, *rows], delimiter=",")
    result = cli(db, "emiss", str(path))
    assert result.exit_code == 2
    with pytest.raises(UnusableFile, match=reason):
        run(db, "emiss", path)
    assert db.count("official_figures") == 0


def test_a_plain_table_is_not_an_emiss_export(db, tmp_path):
    path = write_csv(tmp_path / "firms.csv", [["ИНН", "Наименование"], ["7204000771", "ООО"]])
    with pytest.raises(UnusableFile, match="ожидался заголовок"):
        run(db, "emiss", path)


def test_the_shipped_file_is_the_shared_sample_unchanged():
    rows = list(csv.reader(SHIPPED.open(encoding="utf-8")))
    assert len(rows) == 3319 and rows[2][3:] == ["2017", "2018", "2019", "2020", "2021", "2022"]


def test_an_xlsx_export_with_merged_cells(db, tmp_path):
    """ЕМИСС's Excel export merges the title across the columns and each form-of-ownership and
    territory label down its rows: the empty cells under a merge repeat the label above."""
    from openpyxl import Workbook

    with SHIPPED.open(encoding="utf-8", newline="") as f:
        shipped = list(csv.reader(f))
    head, data = shipped[:4], shipped[4:50]  # Белгородская область and the start of Брянская
    book = Workbook()
    sheet = book.active
    for r, row in enumerate([*head, *data], start=1):
        for c, value in enumerate(row, start=1):
            if value == "":
                continue
            if r > 4 and c <= 2 and shipped[r - 2][c - 1] == value:
                continue  # under a merge: only the block's first cell holds the label
            sheet.cell(r, c, int(value) if value.isdigit() else value)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=9)
    for column in (1, 2):  # merge each run of equal labels down the column
        start = 5
        for r in range(6, 5 + len(data) + 1):
            if r == 5 + len(data) or data[r - 5][column - 1] != data[start - 5][column - 1]:
                if r - 1 > start:
                    sheet.merge_cells(
                        start_row=start, start_column=column, end_row=r - 1, end_column=column
                    )
                start = r
    path = tmp_path / "emiss.xlsx"
    book.save(path)
    assert sheet.merged_cells.ranges and sheet.cell(6, 2).value is None  # merged, as exported

    done = run(db, "emiss", path)
    expected = sum(1 for row in data for v in row[3:] if v.strip())
    assert (done.status, done.rows_read, done.rejected) == ("done", len(data), 0)
    assert done.created == expected == db.count("official_figures")
    regions = {row[1].strip() for row in data}
    assert regions == {"Белгородская область", "Брянская область"}
    found = figures(db)
    assert {r for r, *_ in found} == {"31", "32"}
    # the CSV of the same rows gives the same figures
    again = tmp_path / "same.csv"
    write_csv(again, [*head, *data], delimiter=",")
    assert run(db, "emiss", again).unchanged == expected
