"""Reading import files: CSV encodings and delimiters, XLSX sheets, Russian and English headers,
title rows, a header split over merged cells, empty rows, the values people write, and the error
report that names each refused row, column, value and reason."""

import pytest
from factories import fresh_inn, inn10, inn12

from .kit import (
    HEADER,
    bad_inn,
    cli,
    enterprise,
    enterprise_rows,
    parse_report,
    report,
    run,
    said,
    stored_inns,
    write_csv,
    write_xlsx,
)

# Names that only survive a correct decoding (ё, «», a comma inside a quoted cell).
NAMES = ("ООО «Ёлочка», филиал", "АО «Тюменский завод ЖБИ»", "ИП Щукин Эдуард Юрьевич")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"], ids=["semicolon", "comma", "tab"])
def test_csv_in_any_common_encoding_with_the_delimiter_detected(db, tmp_path, encoding, delimiter):
    rows = [[fresh_inn(), name, "Тюменская область", "1 234 567,8"] for name in NAMES]
    path = write_csv(
        tmp_path / "предприятия.csv",
        [["ИНН", "Наименование", "Регион", "Выручка, руб."], *rows],
        encoding=encoding,
        delimiter=delimiter,
    )
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    result = run(db, "enterprises", path)

    assert (result.status, result.created, result.rejected) == ("done", len(rows), 0)
    assert result.columns["inn"] == "ИНН"  # the BOM is not part of the first header
    for inn, name, _region, _revenue in rows:
        stored = enterprise(db, inn)
        assert (stored.name, stored.region_code, stored.revenue) == (name, "72", 1234568)


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-16", ";"), ("utf-8", "|")], ids=["utf-16", "pipe"]
)
def test_csv_in_utf16_or_with_a_pipe_delimiter(db, tmp_path, encoding, delimiter):
    rows = [[fresh_inn(), name, "72"] for name in NAMES]
    path = write_csv(tmp_path / "r.csv", [HEADER, *rows], encoding=encoding, delimiter=delimiter)
    result = run(db, "enterprises", path)
    assert (result.created, result.rejected) == (len(rows), 0), report(db, result.id)
    assert [enterprise(db, r[0]).name for r in rows] == list(NAMES)


def test_an_xlsx_saved_with_a_csv_suffix_is_read_as_xlsx(db, tmp_path):
    rows = enterprise_rows(2)
    path = write_xlsx(tmp_path / "book.xlsx", [HEADER, *rows]).rename(tmp_path / "реестр.csv")
    result = run(db, "enterprises", path)
    assert (result.created, result.rejected) == (len(rows), 0)
    assert stored_inns(db) == sorted(r[0] for r in rows)


def test_xlsx_reads_the_first_sheet_unless_another_is_named(db, tmp_path):
    first, second = enterprise_rows(2), enterprise_rows(3)
    path = write_xlsx(
        tmp_path / "реестр.xlsx",
        [HEADER, *first],
        title="Реестр",
        sheets={"Новые": [HEADER, *second]},
    )

    result = cli(db, "enterprises", str(path))
    assert result.exit_code == 0, result.output
    assert stored_inns(db) == sorted(r[0] for r in first)

    result = cli(db, "enterprises", str(path), "--sheet", "Новые")
    assert result.exit_code == 0, result.output
    assert stored_inns(db) == sorted(r[0] for r in first + second)


def test_xlsx_cells_typed_as_numbers(db, tmp_path):
    inn, zero_led, person = fresh_inn(), inn10("010500123"), inn12("7202001234")
    path = write_xlsx(
        tmp_path / "числа.xlsx",
        [
            ["ИНН", "Наименование", "Регион", "Численность", "Выручка, руб.", "Широта"],
            [int(inn), "ООО «Числа»", 72, 120, 1500000.4, 57.153],
            [int(zero_led), "ООО «Адыгея»", 1, None, None, None],  # the leading zero is lost
            [int(person), "ИП Петров", "72", None, None, None],
        ],
    )
    result = run(db, "enterprises", path)
    assert (result.created, result.rejected) == (3, 0), report(db, result.id)
    stored = enterprise(db, inn)
    assert (stored.region_code, stored.employees, stored.revenue) == ("72", 120, 1500000)
    assert stored.lat == pytest.approx(57.153)
    assert enterprise(db, zero_led).region_code == "01"
    assert enterprise(db, person).name == "ИП Петров"


def test_english_headers_are_understood_and_unknown_ones_ignored(db, tmp_path):
    inn = fresh_inn()
    path = write_csv(
        tmp_path / "companies.csv",
        [
            ["INN", "Name", "Region", "OKVED", "Headcount", "Revenue", "Latitude", "Notes"],
            [inn, "Tyumen Concrete LLC", "72", "23.61", "250", "1000000", "57,15", "vip"],
        ],
    )
    result = run(db, "enterprises", path)

    assert (result.created, result.rejected) == (1, 0)
    stored = enterprise(db, inn)
    assert (stored.name, stored.region_code, stored.okved_main) == (
        "Tyumen Concrete LLC",
        "72",
        "23.61",
    )
    assert (stored.employees, stored.revenue, stored.lat) == (250, 1000000, 57.15)
    assert result.columns["employees"] == "Headcount"
    assert result.ignored_columns == ["Notes"]


def _titled_table(bad_inn_value: str) -> tuple[list[list], list[str]]:
    good = enterprise_rows(2)
    rows = [
        ["Реестр предприятий Тюменской области"],  # 1
        ["по состоянию на 01.03.2024"],  # 2
        [],  # 3
        [*HEADER, "Численность"],  # 4
        [*good[0], "120"],  # 5
        [None, None, None, None],  # 6
        [bad_inn_value, "ООО «Ошибка»", "72", "10"],  # 7
        [],  # 8
        [*good[1], "много"],  # 9
    ]
    return rows, [good[0][0]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_title_rows_above_the_header_and_empty_rows_keep_spreadsheet_row_numbers(db, tmp_path, fmt):
    wrong = bad_inn()
    rows, imported = _titled_table(wrong)
    path = tmp_path / f"реестр.{fmt}"
    if fmt == "csv":
        write_csv(path, rows)
    else:
        write_xlsx(path, rows)

    result = run(db, "enterprises", path)

    assert stored_inns(db) == imported
    assert (result.rows_read, result.created, result.rejected) == (3, 1, 2)
    lines = report(db, result.id)
    assert [(r["row"], r["column"], r["value"]) for r in lines] == [
        ("7", "ИНН", wrong),
        ("9", "Численность", "много"),
    ]
    assert "контрольн" in lines[0]["reason"]
    assert "не число" in lines[1]["reason"]


def test_xlsx_header_split_over_two_rows_with_merged_cells(db, tmp_path):
    first, second, third = fresh_inn(), fresh_inn(), fresh_inn()
    path = write_xlsx(
        tmp_path / "показатели.xlsx",
        [
            ["ИНН", "Наименование", "Регион", "Показатели", None],
            [None, None, None, "Численность", "Выручка, руб."],
            [first, "ООО «Первый»", "72", 120, "1 500 000"],
            [second, "ООО «Второй»", "Тюменская обл.", "сто", 10],
            [third, "ООО «Третий»", "72 - Тюменская область", "45", None],
        ],
        merges=["A1:A2", "B1:B2", "C1:C2", "D1:E1"],
    )

    result = run(db, "enterprises", path)

    assert result.columns == {
        "inn": "ИНН",
        "name": "Наименование",
        "region_code": "Регион",
        "employees": "Численность",
        "revenue": "Выручка, руб.",
    }
    assert (result.created, result.rejected) == (2, 1)
    assert (enterprise(db, first).employees, enterprise(db, first).revenue) == (120, 1500000)
    assert (enterprise(db, third).employees, enterprise(db, third).revenue) == (45, None)
    assert enterprise(db, second) is None
    [line] = report(db, result.id)
    assert (line["row"], line["column"], line["value"]) == ("4", "Численность", "сто")


VALIDATION_HEADER = ["ИНН", "Наименование", "Регион", "ОКВЭД", "Численность", "Широта"]


@pytest.mark.parametrize(
    ("column", "written", "reason"),
    [
        ("ИНН", bad_inn(), "неверная контрольная цифра ИНН"),
        ("ИНН", "72000000", "10"),
        ("ОКВЭД", "99.99", "нет кода ОКВЭД2"),
        ("ОКВЭД", "строительство", "не похоже на код"),
        ("Регион", "Марсианская обл.", "не удалось узнать регион"),
        ("Регион", "99", "нет субъекта"),
        ("Численность", "двадцать", "не число"),
        ("Численность", "12,5", "не целое"),
        ("Численность", "-3", "отрицательное"),
        ("Широта", "95", "вне диапазона"),
        ("Наименование", None, "пустая обязательная ячейка"),
    ],
)
def test_a_bad_cell_refuses_its_row_with_a_report_line_and_good_rows_are_imported(
    db, tmp_path, column, written, reason
):
    good = [[fresh_inn(), "ООО «Хорошее»", "72", "23.61", "10", "57,1"] for _ in range(2)]
    bad = [fresh_inn(), "ООО «Плохое»", "72", "23.61", "10", "57,1"]
    bad[VALIDATION_HEADER.index(column)] = written
    path = write_csv(tmp_path / "проверка.csv", [VALIDATION_HEADER, good[0], bad, good[1]])

    result = run(db, "enterprises", path)

    assert result.status == "done"
    assert (result.rows_read, result.created, result.rejected) == (3, 2, 1)
    assert stored_inns(db) == sorted(r[0] for r in good)
    [line] = report(db, result.id)
    assert (line["row"], line["column"], line["value"]) == ("3", column, written or "")
    assert reason in line["reason"]


@pytest.mark.parametrize(
    ("column", "written", "field", "stored"),
    [
        ("ОКВЭД", "23.61", "okved_main", "23.61"),
        ("ОКВЭД", "2361", "okved_main", "23.61"),
        ("ОКВЭД", "23.61.0", "okved_main", "23.61"),
        ("ОКВЭД", "23.61.00", "okved_main", "23.61"),
        ("ОКВЭД", "251100", "okved_main", "25.11"),
        ("ОКВЭД", "1.11", "okved_main", "01.11"),
        ("ОКВЭД", "23,61", "okved_main", "23.61"),
        ("Регион", "72", "region_code", "72"),
        ("Регион", "Тюменская обл.", "region_code", "72"),
        ("Регион", "72 - Тюменская область", "region_code", "72"),
        ("Регион", "Свердловская область", "region_code", "66"),
        ("Регион", "7", "region_code", "07"),
        ("Регион", "г. Москва", "region_code", "77"),
        ("Регион", "RU-TYU", "region_code", "72"),
        ("Регион", "тюменская", "region_code", "72"),
        ("Численность", "1 234", "employees", 1234),
        ("Численность", "1\u00a0234", "employees", 1234),
        ("Выручка, руб.", "1 234 567,8", "revenue", 1234568),
        ("Выручка, руб.", "2 500 000 руб.", "revenue", 2500000),
        ("Выручка, руб.", "12 345 ₽", "revenue", 12345),
        ("Широта", "57,153", "lat", 57.153),
        ("Категория МСП", "малое предприятие", "sme_category", "small"),
        ("Синтетические данные", "да", "is_synthetic", True),
        ("Синтетические данные", "+", "is_synthetic", True),
        ("Синтетические данные", "0", "is_synthetic", False),
    ],
)
def test_values_written_the_way_russian_spreadsheets_write_them(
    db, tmp_path, column, written, field, stored
):
    inn = fresh_inn()
    header = [*HEADER, column] if column != "Регион" else HEADER
    row = [inn, "ООО «Формат»", "72"] + ([written] if column != "Регион" else [])
    if column == "Регион":
        row[2] = written
    path = write_csv(tmp_path / "значения.csv", [header, row])

    result = run(db, "enterprises", path)

    assert (result.created, result.rejected) == (1, 0), report(db, result.id)
    assert getattr(enterprise(db, inn), field) == stored


@pytest.mark.parametrize(("written", "stored"), [("1 234,5", 1235), ("0,5", 1), ("2,5", 3)])
def test_half_a_rouble_is_rounded_up(db, tmp_path, written, stored):
    inn = fresh_inn()
    path = write_csv(
        tmp_path / "копейки.csv",
        [[*HEADER, "Выручка, руб."], [inn, "ООО «Копейка»", "72", written]],
    )
    run(db, "enterprises", path)
    assert enterprise(db, inn).revenue == stored


@pytest.mark.parametrize("title", ["Выручка, тыс. руб.", "Выручка (тыс. руб.)"])
def test_a_revenue_in_thousands_is_not_stored_as_roubles(db, tmp_path, title):
    inn = fresh_inn()
    path = write_csv(
        tmp_path / "тысячи.csv", [[*HEADER, title], [inn, "ООО «Тысяча»", "72", "1 500"]]
    )
    result = run(db, "enterprises", path)
    stored = enterprise(db, inn).revenue
    assert stored == 1500000 or (stored is None and title in result.ignored_columns)


def test_a_multiline_cell_does_not_shift_the_row_numbers(db, tmp_path):
    wrong = bad_inn()
    path = write_csv(
        tmp_path / "адреса.csv",
        [
            [*HEADER, "Адрес"],
            [fresh_inn(), "ООО «Адрес»", "72", "г. Тюмень,\nул. Республики, 1,\nофис 5"],
            [wrong, "ООО «Ошибка»", "72", None],
        ],
    )
    result = run(db, "enterprises", path)
    assert result.created == 1
    [line] = report(db, result.id)
    assert (line["row"], line["value"]) == ("3", wrong)


def test_extra_okved_codes_in_one_cell_and_a_known_city(db, tmp_path):
    inn = fresh_inn()
    path = write_csv(
        tmp_path / "оквэд.csv",
        [
            [*HEADER, "Дополнительные ОКВЭД", "Город"],
            [inn, "ООО «Много кодов»", "72", "2511; 23.61.0, 41.20", "г. Тюмень"],
        ],
    )
    result = run(db, "enterprises", path)
    assert (result.created, result.rejected) == (1, 0), report(db, result.id)
    stored = enterprise(db, inn)
    assert sorted(stored.okved_extra) == ["23.61", "25.11", "41.20"]
    assert stored.city_id is not None and stored.city.name == "Тюмень"


def test_report_names_the_column_as_the_file_writes_it(db, tmp_path):
    wrong, good = bad_inn(), fresh_inn()
    path = write_csv(
        tmp_path / "синонимы.csv",
        [
            ["ИНН организации", "Название", "Субъект РФ"],
            [wrong, "ООО «А»", "72"],
            [fresh_inn(), "ООО «Б»", "Нарния"],
            [good, "ООО «В»", "72"],
        ],
    )
    result = run(db, "enterprises", path)
    assert stored_inns(db) == [good]
    lines = report(db, result.id)
    assert [(r["row"], r["column"], r["value"]) for r in lines] == [
        ("2", "ИНН организации", wrong),
        ("3", "Субъект РФ", "Нарния"),
    ]


def test_a_repeated_inn_in_one_file_refuses_the_second_row_naming_the_first(db, tmp_path):
    twice, other = fresh_inn(), fresh_inn()
    path = write_csv(
        tmp_path / "повтор.csv",
        [
            HEADER,
            [twice, "ООО «Первая запись»", "72"],
            [other, "ООО «Другое»", "72"],
            [twice, "ООО «Вторая запись»", "66"],
        ],
    )
    result = run(db, "enterprises", path)

    assert (result.created, result.rejected) == (2, 1)
    stored = enterprise(db, twice)
    assert (stored.name, stored.region_code) == ("ООО «Первая запись»", "72")
    [line] = report(db, result.id)
    assert line["row"] == "4"
    assert twice in line["value"]
    assert "строке 2" in line["reason"]


def test_command_line_writes_the_report_and_exits_1_when_rows_are_refused(db, tmp_path):
    good = enterprise_rows(2)
    wrong = bad_inn()
    path = write_csv(
        tmp_path / "с ошибками.csv", [HEADER, good[0], [wrong, "ООО «Ошибка»", "72"], good[1]]
    )
    errors = tmp_path / "отчёт.csv"

    result = cli(db, "enterprises", str(path), "--errors", str(errors))

    assert result.exit_code == 1, result.output
    assert stored_inns(db) == sorted(r[0] for r in good)
    assert "добавлено 2" in said(result) and "отклонено 1" in said(result)
    raw = errors.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # opens in Excel with the right encoding
    [line] = parse_report(raw.decode("utf-8"))
    assert (line["row"], line["column"], line["value"]) == ("3", "ИНН", wrong)
    assert "контрольная цифра" in line["reason"]


def test_command_line_exits_0_when_every_row_is_imported(db, tmp_path):
    rows = [[*r, "позвонить"] for r in enterprise_rows(3)]
    path = write_csv(tmp_path / "чистый.csv", [[*HEADER, "Комментарий менеджера"], *rows])
    errors = tmp_path / "отчёт.csv"

    result = cli(db, "enterprises", str(path), "--errors", str(errors))

    assert result.exit_code == 0, result.output
    assert stored_inns(db) == sorted(r[0] for r in rows)
    assert f"прочитано строк {len(rows)}, добавлено {len(rows)}" in said(result)
    assert "пропущены столбцы: Комментарий менеджера" in said(result)
    assert parse_report(errors.read_text(encoding="utf-8-sig")) == []
