"""The yearly report: each value is what ``indicators.service`` returns on 31 December of its
year, with its basis; only years with data; the target, the deviation and the explanation; the
DOCX and XLSX opened with python-docx and openpyxl; the region's clusters side by side."""

import io
import re
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from dossier.report_kit import roles
from promcluster.dossier import targets
from promcluster.dossier.report import region_comparison, yearly_report
from promcluster.errors import InvalidField
from promcluster.indicators import service

TODAY = date(2026, 12, 4)


@pytest.fixture
def world(db, users, login_as):
    return roles(db, users, login_as)


def set_targets(db, cluster: int, year: int = 2024) -> None:
    with db.session() as session:
        targets.set_target(session, None, cluster, "members", year, 4, "один участник вышел", 0)
        targets.set_target(session, None, cluster, "employees", year, "1 000", None, 0)
        targets.set_target(session, None, cluster, "import_share", year, "4", "импорт", 0)
        targets.set_target(session, None, cluster, "members", year - 1, 3, None, 0)
        targets.set_target(session, None, cluster, "revenue", year, "800 000", None, 0)


def test_values_are_the_indicators_on_31_december_with_their_bases(db, world):
    with db.session() as session:
        report = yearly_report(session, world.own, 2024, TODAY)
        # memberships are dated from 2019 (years before are empty), supplies of 2023
        assert report.years == [2020, 2021, 2022, 2023, 2024]
        compared = 0
        for y in report.years:
            expected = service.cluster_indicators(session, world.own, date(y, 12, 31))
            for row in report.rows:
                value, item = row.values[y], expected[row.key]
                assert value.basis == item.basis_text
                if value.note is None:
                    assert value.value == item.value, (row.key, y)
                    compared += 1
    assert compared >= 5 * 6
    members = next(r for r in report.rows if r.key == "members")
    assert [members.value_in(y) for y in report.years] == [4, 4, 4, 3, 4]


def test_values_of_another_date_stay_out_of_earlier_columns(db, world):
    with db.session() as session:
        report = yearly_report(session, world.own, 2024, TODAY)
    rows = {r.key: r for r in report.rows}
    done = rows["investment_done"]
    assert done.value_in(2024) == 500  # today's state, in the report year's column only
    assert "история статусов проектов не хранится" in done.values[2024].note
    assert done.value_in(2023) is None and done.values[2023].note
    imports = rows["import_share"]  # consumption lines of 2022 and 2023
    assert imports.value_in(2023) == pytest.approx(200 / 2000)
    assert imports.value_in(2024) == pytest.approx(200 / 4000)
    assert imports.value_in(2022) is None
    assert imports.values[2022].note == "данные только за 2023 год"
    assert report.project_statuses["done"] == 2


def test_target_deviation_and_explanation(db, world):
    set_targets(db, world.own)
    with db.session() as session:
        report = yearly_report(session, world.own, 2024, TODAY)
    rows = {r.key: r for r in report.rows}
    assert (rows["members"].target, rows["members"].explanation) == (4, "один участник вышел")
    assert rows["members"].targets == {2023: (3, None), 2024: (4, "один участник вышел")}
    employees = rows["employees"]
    assert report.deviation(employees) == (
        employees.value_in(2024) - 1000, (employees.value_in(2024) - 1000) / 1000,
    )  # fmt: skip
    assert report.deviation(rows["projects"]) == (None, None)  # no target
    revenue = rows["revenue"]  # a sum of big integers (a Decimal from PostgreSQL)
    assert (revenue.value_in(2024), revenue.target) == (1_000_000, 800_000)
    assert report.deviation(revenue) == (200_000, 0.25)


def test_only_years_with_data_and_no_future(db):
    cluster = db.add_cluster()
    db.add_membership(cluster, db.add_enterprise())  # undated: no series
    with db.session() as session:
        assert yearly_report(session, cluster, 2025, TODAY).years == [2025]
        with pytest.raises(InvalidField) as refused:
            yearly_report(session, cluster, 2027, TODAY)
    assert refused.value.fields == {"year": "отчёт составляется за 2000–2026 годы"}


def test_report_page_shows_values_targets_and_deviations(world, db):
    set_targets(db, world.own)
    page = world.rep.get(f"/clusters/{world.own}/report?year=2024")
    assert page.status_code == 200
    row = re.search(r'<tr data-indicator="members">(.*?)</tr>', page.text, re.S).group(1)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]  # fmt: skip
    assert cells[0] == "Участники"
    assert cells[-4:] == ["4 записи об участии на дату", "4", "0", "0,0 %"]
    share = re.search(r'<tr data-indicator="import_share">(.*?)</tr>', page.text, re.S).group(1)
    assert 'data-field="target">4,0\u00a0%<' in share
    assert 'data-field="deviation">+1,0\u00a0п.\u00a0п.<' in share
    assert 'data-field="relative">+25,0\u00a0%<' in share
    assert 'data-explanation="members">один участник вышел<' in page.text
    assert "data-print" in page.text and 'class="signatures print-only"' in page.text
    assert "Изменить цели" not in page.text  # a representative reads only


def test_docx_has_the_table_targets_explanations_and_signature(world, db):
    set_targets(db, world.own)
    answer = world.manager.get(f"/clusters/{world.own}/report.docx?year=2024")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="report-2024.docx"'
    doc = Document(io.BytesIO(answer.content))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Отчёт о реализации программы развития кластера за 2024 год"
    assert "Кластер А" in texts
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Показатель", "2020 г.", "2021 г.", "2022 г.", "2023 г.", "2024 г.",
                      "Цель 2024 г.", "Отклонение", "Отклонение, %"]  # fmt: skip
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert set(rows) == {targets.indicator_label(k) for k in targets.REPORT_INDICATORS}
    assert rows["Участники"][-3:] == ["4", "0", "0,0\u00a0%"]
    assert rows["Занятые на предприятиях участников"][-3][:5] == "1\u202f000"
    assert "один участник вышел" in texts and "импорт" in texts
    assert any(t.startswith("____________________ / ") for t in texts)
    assert "М. П." in texts


def test_xlsx_keeps_numbers_in_their_units(world, db, tmp_path):
    set_targets(db, world.own)
    answer = world.admin.get(f"/clusters/{world.own}/report.xlsx?year=2024")
    assert answer.headers["content-disposition"] == 'attachment; filename="report-2024.xlsx"'
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book["Отчёт 2024"]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows["Участники"][:8] == ("Участники", None, 4, 4, 4, 3, 4, 4)
    assert rows["Участники"][8:11] == (0, 0, "один участник вышел")
    share = rows["Доля импорта в закупках участников"]
    assert share[1] == "%" and share[6] == pytest.approx(5.0) and share[7] == 4
    goals = list(book["Цели"].iter_rows(values_only=True))
    assert ("Участники", 2023, 3, None) in goals and (
        "Участники",
        2024,
        4,
        "один участник вышел",
    ) in goals


def test_region_compares_its_clusters(world, db):
    set_targets(db, world.own)
    with db.session() as session:
        comparison = region_comparison(session, "72", 2024, TODAY)
        expected = service.compute(session, "cluster", [world.other], date(2024, 12, 31))
    assert [name for _, name in comparison.clusters] == ["Второй кластер региона", "Кластер А"]
    value, target = comparison.cells["members"][world.own]
    assert (value.value, target) == (4, 4)
    other, none = comparison.cells["employees"][world.other]
    assert (other.value, none) == (expected[world.other]["employees"].value, None) == (40, None)
    page = world.stranger.get("/regions/72/reports?year=2024")
    assert page.status_code == 200
    assert page.text.count('<th class="num" data-cluster=') == 2
    assert f'data-cluster="{world.own}" title="записи об участии на дату">4 / 4<' in page.text
    book = load_workbook(io.BytesIO(world.rep.get("/regions/72/reports.xlsx?year=2024").content))
    head = next(book.active.iter_rows(values_only=True))
    assert head == ("Показатель", "Единица", "Второй кластер региона: значение",
                    "Второй кластер региона: цель 2024 г.", "Кластер А: значение",
                    "Кластер А: цель 2024 г.")  # fmt: skip


def test_bad_year_and_format_are_refused(world):
    assert world.admin.get(f"/clusters/{world.own}/report?year=2100").status_code == 422
    assert world.admin.get(f"/clusters/{world.own}/report?year=abc").status_code == 422
    assert world.admin.get(f"/clusters/{world.own}/report.pdf?year=2024").status_code == 422
    assert world.admin.get("/regions/99999/reports?year=2024").status_code == 404
    assert world.admin.get("/clusters/999999/report?year=2024").status_code == 404
    assert world.admin.get("/api/v1/clusters/999999/report?year=2024").status_code == 404
