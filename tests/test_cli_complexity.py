"""``promcluster complexity``: a long table in, per location × product × year measures out, equal
to the reference package on the real three-year panel; bad files refused with row and field, and
no output written."""

import csv
import gzip
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ecomplexity import ecomplexity
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from promcluster.cli import app
from promcluster.niches.transfer import REFERENCE_PANEL as PANEL_GZ

runner = CliRunner()
DATA = Path(__file__).resolve().parent / "data"
MEASURES = ["rca", "mcp", "density", "eci", "pci", "diversity", "ubiquity", "coi", "cog"]


@pytest.fixture(scope="module")
def real_panel(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("panel") / "au.csv"
    with gzip.open(PANEL_GZ, "rb") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    return path


def complexity(*args: str):
    return runner.invoke(app, ["complexity", *args])


def test_the_real_panel_equals_the_reference_in_every_year(real_panel, tmp_path):
    out = tmp_path / "out.csv"
    result = complexity(str(real_panel), "-o", str(out))
    assert result.exit_code == 0, result.output
    ours = pd.read_csv(out)
    assert list(ours.columns) == ["location", "product", "year", *MEASURES]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ecomplexity(
            pd.read_csv(real_panel),
            {"time": "year", "loc": "location", "prod": "product", "val": "value"},
            verbose=False,
            check_logsupermodularity=False,
        )
    merged = ours.merge(ref, on=["location", "product", "year"], suffixes=("", "_ref"))
    assert len(merged) == len(ours) == ref.eci.notna().sum()
    assert sorted(ours.year.unique()) == [2011, 2016, 2021]
    for name in MEASURES:
        assert np.abs(merged[name] - merged[f"{name}_ref"]).max() < 1e-6, name
    # The region with zero employment in 2011 is named, not silently NaN.
    assert "2011: «Blue Mountains - South» — нулевая сумма" in result.output


def _write_csv(path: Path, rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


GOOD = [
    ["Регион", "Отрасль", "Численность", "Год"],
    *[
        [f"Регион {i}", f"Отрасль {j}", str((i * 7 + j * 3) % 11 + (i == j) * 20), "2024"]
        for i in range(6)
        for j in range(5)
    ],
]


def test_russian_headers_cp1251_and_semicolons_are_read_and_xlsx_written(tmp_path):
    source = _write_csv(tmp_path / "in.csv", GOOD, encoding="cp1251", delimiter=";")
    out = tmp_path / "out.xlsx"
    result = complexity(str(source), "-o", str(out), "--orientation", "ubiquity")
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("location", "product", "year", *MEASURES)
    assert len(rows) == 1 + 6 * 5
    assert rows[1][:3] == ("Регион 0", "Отрасль 0", 2024)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((3, 2, "много"), "строка 3, Численность: «много» не число"),
        ((5, 2, "-4"), "строка 5, Численность: отрицательное значение -4"),
        ((7, 0, ""), "строка 7, Регион: пустая обязательная ячейка"),
        ((9, 3, ""), "строка 9, Год: пустой год"),
        ((2, 3, "1812a"), "строка 2, Год: «1812a» не число"),
    ],
)
def test_bad_cells_are_named_by_row_and_column_and_nothing_is_written(tmp_path, change, expected):
    rows = [list(r) for r in GOOD]
    row, column, value = change
    rows[row - 1][column] = value
    source = _write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    result = complexity(str(source), "-o", str(out))
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split())
    assert not out.exists()


def test_repeated_rows_are_refused_unless_summed(tmp_path):
    rows = [*GOOD, GOOD[1]]
    source = _write_csv(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    refused = complexity(str(source), "-o", str(out))
    assert refused.exit_code == 2 and not out.exists()
    assert f"строка {len(rows)}" in refused.output and "повторяет строку 2" in refused.output
    summed = complexity(str(source), "-o", str(out), "--duplicates", "sum")
    assert summed.exit_code == 0, summed.output
    table = pd.read_csv(out)
    assert len(table) == 30


def test_a_table_without_years_and_an_xlsx_input(tmp_path):
    book = Workbook()
    sheet = book.active
    for row in GOOD:
        sheet.append([row[0], row[1], float(row[2]) if row[2].isdigit() else row[2]])
    book.save(tmp_path / "in.xlsx")
    out = tmp_path / "out.csv"
    result = complexity(str(tmp_path / "in.xlsx"), "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert "year" not in table.columns and len(table) == 30
    assert abs(table.groupby("location").eci.first().std(ddof=0) - 1) < 1e-9


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "файл пуст"),
        (b"\x89PNG\r\n\x1a\n....", "изображение PNG"),
        ("Регион,Численность\nА,1\n".encode(), "нет обязательных столбцов"),
        (b"location,product,value\n", "таблица пуста"),
        ("location,product,value\nА,x,1\nБ,y,1\n".encode(), "два региона и два продукта"),
    ],
)
def test_unusable_files_are_refused_with_the_reason(tmp_path, content, expected):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    out = tmp_path / "out.csv"
    result = complexity(str(source), "-o", str(out))
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split())
    assert not out.exists()


def _years(source: Path, target: Path, years: set[str]) -> Path:
    with source.open(encoding="utf-8") as f, target.open("w", encoding="utf-8") as out:
        out.write(next(f))
        out.writelines(line for line in f if line[:4] in years)
    return target


def test_predict_scores_every_pair_not_specialised_at_t(real_panel, tmp_path):
    source = _years(real_panel, tmp_path / "to2016.csv", {"2011", "2016"})
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["predict", str(source), "--year", "2016", "-o", str(out)])
    assert result.exit_code == 0, result.output
    scores = pd.read_csv(out)
    assert list(scores.columns) == ["location", "product", "score"]
    assert scores.score.between(0, 1).all()
    measures = pd.read_csv(source)
    complexity(str(source), "-o", str(tmp_path / "c.csv"))
    c = pd.read_csv(tmp_path / "c.csv")
    candidates = c[(c.year == 2016) & (c.rca < 1)]
    assert len(scores) == len(candidates)
    assert set(zip(scores.location, scores["product"], strict=True)) == set(
        zip(candidates.location, candidates["product"], strict=True)
    )
    assert measures.year.max() == 2016


def test_predict_needs_an_earlier_year_and_backtest_periods_are_checked(real_panel, tmp_path):
    source = _years(real_panel, tmp_path / "2016.csv", {"2016"})
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["predict", str(source), "--year", "2016", "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert "хотя бы один год раньше 2016" in " ".join(result.output.split())
    wrong = runner.invoke(app, ["backtest", str(real_panel), "--train", "2016:2011"])
    assert wrong.exit_code == 2 and "ГОД:ГОД" in wrong.output


def test_backtest_reports_three_scorers_on_two_candidate_sets(real_panel, tmp_path):
    out = tmp_path / "backtest.csv"
    result = runner.invoke(app, ["backtest", str(real_panel), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "| RCA < 0.5 | model |" in result.output
    table = pd.read_csv(out)
    assert list(table.scorer) == ["model", "density", "rca"] * 2
    assert set(table.candidates) == {"rca<1", "rca<0.5"}
    for _, rows in table.groupby("candidates"):
        model = rows[rows.scorer == "model"].iloc[0]
        for _, baseline in rows[rows.scorer != "model"].iterrows():
            for metric in ("roc_auc", "auc_pr", "p_at_10"):
                assert model[metric] > baseline[metric], (model.candidates, baseline.scorer, metric)
