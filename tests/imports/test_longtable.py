"""Long tables read column-wise (issue 22): the same panel and the same refusals — row, column,
reason — as the row reader, on good files, on files full of bad cells, on CSV that only the row
reader can number, and on Parquet in and out (a broken Parquet file refused, nothing written)."""

import csv
import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
from typer.testing import CliRunner

from promcluster.analytics.complexity import of_panel
from promcluster.analytics.panel import PanelError
from promcluster.cli import app
from promcluster.imports import longtable
from promcluster.imports.limits import ImportLimits
from promcluster.imports.panels import LONG_TABLE, _read_rows, read_panel
from promcluster.imports.readers import UnusableFile
from promcluster.niches.transfer import REFERENCE_PANEL as PANEL_GZ

runner = CliRunner()
MEASURES = ["rca", "mcp", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"]
HEADER = ["Регион", "Отрасль", "Численность", "Год"]
GOOD = [
    [f"Регион {i}", f"Отрасль {j}", str((i * 7 + j * 3) % 11 + (i == j) * 20), "2024"]
    for i in range(6)
    for j in range(5)
]


def _write_csv(path: Path, rows: list[list], encoding: str = "utf-8", delimiter=",") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def _same_panel(a, b) -> None:
    assert (a.locations, a.products, a.years) == (b.locations, b.products, b.years)
    assert np.array_equal(a.values, b.values) and np.array_equal(a.listed, b.listed)


def _refusal(read, path: Path) -> list[str]:
    with pytest.raises(PanelError) as caught:
        read(path)
    return [str(p) for p in caught.value.problems]


def _columns(path: Path):
    source = longtable.read_source(LONG_TABLE, path, ImportLimits())
    assert source is not None, "the column-wise reader must take this file"
    return read_panel(path)


def _rows(path: Path):
    return _read_rows(path, None, "error", None)


def test_the_real_panel_reads_the_same_column_wise_as_row_by_row(tmp_path):
    path = tmp_path / "au.csv"
    with gzip.open(PANEL_GZ, "rb") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    _same_panel(_columns(path), _rows(path))


@pytest.mark.parametrize(("encoding", "delimiter"), [("cp1251", ";"), ("utf-8-sig", "\t")])
def test_odd_but_good_cells_are_read_as_the_row_reader_reads_them(tmp_path, encoding, delimiter):
    rows = [["Данные Росстата, 2024"], [], HEADER, *[list(r) for r in GOOD]]
    rows[3][2] = "1 234,5"  # spaces between thousands, decimal comma: the row parser's
    rows[4][0] = "  Регион   0 "  # the same region, spaces normalised
    rows[5][2] = "7 руб."
    rows[6][3] = "2024.0"
    rows[7][0] = "'=Регион"  # our CSV export's apostrophe before a formula-like text
    rows.insert(9, ["", " ", "", ""])  # an empty row is no row
    path = _write_csv(tmp_path / "odd.csv", rows, encoding, delimiter)
    _same_panel(_columns(path), _rows(path))
    assert "=Регион" in read_panel(path).locations


BAD_CELLS = [
    (0, 2, "много"),  # not a number
    (1, 2, "-4"),  # negative, plain
    (2, 2, "−4,5"),  # negative, Russian minus and comma
    (3, 2, "1e999"),  # overflows
    (4, 2, "nan"),
    (5, 2, ""),  # empty value
    (6, 2, "   "),  # blank value
    (7, 0, ""),  # empty region
    (8, 1, " "),  # blank industry
    (9, 3, ""),  # empty year
    (10, 3, "1812"),  # year out of range
    (11, 3, "2020.5"),  # not whole
    (12, 3, "1812a"),
    (13, 2, "'-'"),
]


def test_bad_cells_are_named_exactly_as_the_row_reader_names_them(tmp_path):
    rows = [HEADER, *[list(r) for r in GOOD]]
    for row, column, value in BAD_CELLS:
        rows[row + 1][column] = value
    rows[15] = ["", "", "", "", "но тут комментарий"]  # not empty: three required cells missing
    rows[16] = ["", "", "", ""]  # empty: skipped, numbered all the same
    rows[17][:3] = ["", "", "-1"]
    path = _write_csv(tmp_path / "bad.csv", rows)
    ours = _refusal(_columns, path)
    assert ours == _refusal(_rows, path)
    assert "строка 3, Численность: отрицательное значение -4" in ours
    assert "строка 4, Численность: отрицательное значение −4,5" in ours
    assert "строка 5, Численность: «1e999» не число" in ours
    assert "строка 8, Численность: пустая обязательная ячейка" in ours
    assert "строка 11, Год: пустой год" in ours
    assert "строка 12, Год: год 1812 вне диапазона 1900–2100" in ours
    assert "строка 13, Год: «2020.5» не целое число" in ours
    assert "строка 16, Регион: пустая обязательная ячейка" in ours
    assert not any(p.startswith("строка 17,") for p in ours)
    assert ours.index("строка 18, Регион: пустая обязательная ячейка") < ours.index(
        "строка 18, Отрасль: пустая обязательная ячейка"
    )


def test_more_than_twenty_problems_are_counted_in_one_message(tmp_path):
    rows = [HEADER, *[[r[0], r[1], "-1", r[3]] for r in GOOD]]
    path = _write_csv(tmp_path / "negative.csv", rows)
    with pytest.raises(PanelError) as caught:
        read_panel(path)
    message = str(caught.value)
    assert message.startswith("строки не приняты, ничего не посчитано: строка 2, Численность:")
    assert message.endswith("(и ещё 10)") and "строка 21," in message
    with pytest.raises(PanelError) as old:
        _rows(path)
    assert message == str(old.value)


def test_repeated_rows_are_found_column_wise_with_their_first_row(tmp_path):
    rows = [HEADER, *GOOD, GOOD[4], GOOD[0]]
    path = _write_csv(tmp_path / "repeats.csv", rows)
    with pytest.raises(PanelError) as caught:
        read_panel(path)
    assert [str(p) for p in caught.value.problems] == [
        "строка 32, location, product, year: повторяет строку 6",
        "строка 33, location, product, year: повторяет строку 2",
    ]
    summed = read_panel(path, duplicates="sum")
    assert summed.values[0, 0, 0] == 2 * float(GOOD[0][2])


def test_a_quoted_line_break_is_left_to_the_row_reader_which_numbers_records(tmp_path):
    rows = [HEADER, *[list(r) for r in GOOD]]
    rows[2][0] = "Регион\nс переносом"
    rows[5][2] = "-3"
    path = _write_csv(tmp_path / "multiline.csv", rows)
    assert longtable.read_source(LONG_TABLE, path, ImportLimits()) is None
    assert _refusal(read_panel, path) == ["строка 6, Численность: отрицательное значение -3"]


def test_a_file_past_the_row_limit_is_refused_before_reading(tmp_path):
    path = _write_csv(tmp_path / "long.csv", [HEADER, *GOOD])
    with pytest.raises(UnusableFile, match=r"больше 10 строк \(встретилась строка №11\)"):
        longtable.read_source(LONG_TABLE, path, ImportLimits(max_rows=10))


# Parquet


def _parquet(path: Path, rows: list[list], numbers: bool = True) -> Path:
    frame = pl.DataFrame(rows, schema=HEADER, orient="row")
    if numbers:
        frame = frame.with_columns(
            pl.col("Численность").cast(pl.Float64), pl.col("Год").cast(pl.Int64)
        )
    frame.write_parquet(path)
    return path


def test_parquet_in_and_out_gives_what_csv_gives(tmp_path):
    csv_in = _write_csv(tmp_path / "in.csv", [HEADER, *GOOD])
    parquet_in = _parquet(tmp_path / "in.parquet", GOOD)
    out_csv, out_parquet = tmp_path / "out.csv", tmp_path / "out.parquet"
    first = runner.invoke(app, ["complexity", str(csv_in), "-o", str(out_csv)])
    second = runner.invoke(app, ["complexity", str(parquet_in), "-o", str(out_parquet)])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    a, b = pl.read_csv(out_csv), pl.read_parquet(out_parquet)
    assert b.columns == ["location", "product", "year", *MEASURES]
    assert b["mcp"].dtype == pl.Int64 and b["eci"].dtype == pl.Float64
    assert a.equals(b)  # every number equal, not close; empty cells where NaN
    _same_panel(read_panel(parquet_in), read_panel(csv_in))


def test_parquet_with_text_cells_and_bad_values_is_checked_like_csv(tmp_path):
    rows = [list(r) for r in GOOD]
    rows[1][2], rows[4][3], rows[6][0] = "-2", "", None
    path = _parquet(tmp_path / "text.parquet", rows, numbers=False)
    assert _refusal(read_panel, path) == [
        "строка 3, Численность: отрицательное значение -2",
        "строка 6, Год: пустой год",
        "строка 8, Регион: пустая обязательная ячейка",
    ]


def test_parquet_numbers_nan_and_negative_are_named_by_row(tmp_path):
    rows = [[r[0], r[1], float(r[2]), int(r[3])] for r in GOOD]
    rows[2][2], rows[9][3] = -1.5, 1850
    assert _refusal(read_panel, _parquet(tmp_path / "neg.parquet", rows)) == [
        "строка 4, Численность: отрицательное значение -1.5",
        "строка 11, Год: год 1850 вне диапазона 1900–2100",
    ]
    rows[2][2], rows[9][3] = float("nan"), 2024
    assert _refusal(read_panel, _parquet(tmp_path / "nan.parquet", rows)) == [
        "строка 4, value: значение не задано (NaN)"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PAR1" + b"\x00" * 64, "файл Parquet не читается (повреждён или обрезан)"),
        (None, "файл Parquet не читается (повреждён или обрезан)"),  # cut in half
    ],
)
def test_a_broken_parquet_file_is_refused_and_nothing_written(tmp_path, content, expected):
    path = tmp_path / "in.parquet"
    if content is None:
        whole = _parquet(tmp_path / "whole.parquet", GOOD).read_bytes()
        content = whole[: len(whole) // 2]
    path.write_bytes(content)
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["complexity", str(path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split())
    assert not out.exists()


def test_a_parquet_file_without_the_columns_names_them(tmp_path):
    path = tmp_path / "in.parquet"
    pl.DataFrame({"Регион": ["а"], "Год": [2024]}).write_parquet(path)
    result = runner.invoke(app, ["complexity", str(path), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "нет обязательных столбцов" in " ".join(result.output.split())


def test_predict_and_backtest_write_parquet(tmp_path):
    path = tmp_path / "au.csv"
    with gzip.open(PANEL_GZ, "rb") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    scores = tmp_path / "scores.parquet"
    result = runner.invoke(app, ["predict", str(path), "--year", "2016", "-o", str(scores)])
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(scores)
    assert table.columns == ["location", "product", "score"] and table.height > 1000
    metrics = tmp_path / "backtest.parquet"
    result = runner.invoke(app, ["backtest", str(path), "-o", str(metrics)])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(metrics)["scorer"].to_list() == ["model", "density", "rca"] * 2


# Output


def test_csv_output_holds_the_engine_s_numbers_exactly_and_neutralises_names(tmp_path):
    rows = [HEADER, *[list(r) for r in GOOD]]
    for row in rows[1:6]:
        row[0] = "=HYPERLINK(1)"  # a formula planted in a region's name
    path = _write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["complexity", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "\n=HYPERLINK" not in text and "\n'=HYPERLINK(1)," in text
    table = pd.read_csv(out)
    (expected,) = of_panel(read_panel(path))
    eci = table.groupby("location", sort=True).eci.first().to_numpy()
    assert np.array_equal(eci, expected.eci, equal_nan=True)  # full precision: equal
    rca = table.rca.to_numpy().reshape(expected.rca.shape)
    assert np.array_equal(rca, expected.rca, equal_nan=True)
    parquet = tmp_path / "out.parquet"
    runner.invoke(app, ["complexity", str(path), "-o", str(parquet)])
    assert "=HYPERLINK(1)" in pl.read_parquet(parquet)["location"]  # typed data: as it is
