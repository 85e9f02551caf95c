"""Exports: CSV, XLSX and GeoJSON of every kind carry the import headers and values, so that an
exported file imports back unchanged; templates list the accepted headers; bad requests fail."""

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from factories import inn10
from openpyxl import load_workbook
from sqlalchemy import select

from promcluster.auth.audit import Actor
from promcluster.errors import InvalidField
from promcluster.imports import exports
from promcluster.imports.columns import KINDS
from promcluster.imports.service import run_import
from promcluster.registry.models import Enterprise

DOCS = Path(__file__).resolve().parents[2] / "docs" / "IMPORT.md"


def _firms(db) -> list[str]:
    inns = [inn10("720300011"), inn10("470300022")]
    db.add_enterprise(
        inn=inns[0],
        name="ООО «Выгрузка»",
        region_code="72",
        okved_main="23.61",
        okved_extra=["23.63", "23.64"],
        employees=120,
        revenue=150_000_000,
        sme_category="small",
        lat=57.15,
        lon=65.53,
        is_synthetic=True,
    )
    db.add_enterprise(inn=inns[1], name="АО «Химия»", region_code="47", okved_main="20.16")
    return inns


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_exported_enterprises_import_back_unchanged(db, tmp_path, suffix):
    inns = _firms(db)
    path = tmp_path / f"enterprises.{suffix}"
    with db.session() as session:
        assert exports.export(session, "enterprises", path) == 2
    versions = {e.inn: e.version for e in _enterprises(db)}
    audit_rows = db.audit_count()

    run = run_import(db.sessions, "enterprises", path, actor=Actor("test"))

    assert (run.rows_read, run.created, run.updated, run.unchanged, run.rejected) == (2, 0, 0, 2, 0)
    assert {e.inn: e.version for e in _enterprises(db)} == versions
    assert db.audit_count() == audit_rows
    assert set(versions) == set(inns)


def _enterprises(db) -> list[Enterprise]:
    with db.sessions() as session:
        return list(session.scalars(select(Enterprise)))


def test_csv_export_is_excel_friendly_and_filtered(db, tmp_path):
    _firms(db)
    path = tmp_path / "tyumen.csv"
    with db.session() as session:
        count = exports.export(session, "enterprises", path, {"region": "72"})
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    header = rows[0]
    assert count == 1 and len(rows) == 2
    assert header[:3] == ["ИНН", "ОГРН", "Наименование"]
    row = dict(zip(header, rows[1], strict=True))
    assert row["Регион"] == "72 - Тюменская область"
    assert row["Дополнительные ОКВЭД"] == "23.63; 23.64"
    assert row["Широта"] == "57,15"
    assert row["Категория МСП"] == "малое"
    assert row["Синтетические данные"] == "да"


def test_xlsx_export_has_bold_frozen_header_and_widths(db, tmp_path):
    _firms(db)
    path = tmp_path / "all.xlsx"
    with db.session() as session:
        exports.export(session, "enterprises", path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "ИНН" and sheet["A1"].font.bold
    assert sheet.column_dimensions["C"].width >= len("ООО «Выгрузка»")
    assert sheet.max_row == 3
    [row] = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[2] == "ООО «Выгрузка»"]
    assert row[11] == 120 and row[12] == 150_000_000  # numbers stay numbers


def test_geojson_places_enterprises_and_clusters(db, tmp_path):
    _firms(db)
    cluster = db.add_cluster(name="Кластер на карте", region_codes=["72"])
    path = tmp_path / "firms.geojson"
    with db.session() as session:
        exports.export(session, "enterprises", path)
        exports.export(session, "clusters", tmp_path / "clusters.geojson")
    collection = json.loads(path.read_text(encoding="utf-8"))
    by_name = {f["properties"]["name"]: f for f in collection["features"]}
    assert by_name["ООО «Выгрузка»"]["geometry"]["coordinates"] == [65.53, 57.15]
    # No own coordinates, no city: the region's centre.
    assert by_name["АО «Химия»"]["geometry"]["type"] == "Point"
    clusters = json.loads((tmp_path / "clusters.geojson").read_text(encoding="utf-8"))
    [feature] = clusters["features"]
    assert feature["properties"]["id"] == cluster


def test_members_and_projects_export_with_labels(db, tmp_path):
    inns = _firms(db)
    cluster = db.add_cluster(name="Кластер выгрузки", region_codes=["72"])
    with db.sessions() as session:
        firm = session.scalar(select(Enterprise.id).where(Enterprise.inn == inns[0]))
    db.add_membership(cluster, firm, status="applicant", role="anchor", since=date(2024, 3, 1))
    chain = db.add_chain(cluster, name="Стеновые изделия")
    db.add_project(cluster, name="Завод газоблоков", chain_id=chain, amount=900_000_000)
    with db.session() as session:
        exports.export(session, "members", tmp_path / "members.csv")
        exports.export(session, "projects", tmp_path / "projects.csv")
    members = list(
        csv.DictReader((tmp_path / "members.csv").open(encoding="utf-8-sig"), delimiter=";")
    )
    assert members[0]["Статус"] == "в стадии вступления"
    assert members[0]["Роль"] == "якорное предприятие"
    assert members[0]["Дата вступления"] == "01.03.2024"
    projects = list(
        csv.DictReader((tmp_path / "projects.csv").open(encoding="utf-8-sig"), delimiter=";")
    )
    assert projects[0]["Цепочка"] == "Стеновые изделия"
    assert projects[0]["Сумма инвестиций, руб."] == "900000000"
    # And the member list imports back as it is.
    run = run_import(db.sessions, "members", tmp_path / "members.csv", actor=Actor("test"))
    assert (run.unchanged, run.rejected) == (1, 0)


@pytest.mark.parametrize("kind", [k for k, kind in KINDS.items() if not kind.documents])
def test_templates_hold_every_header_and_an_explanation_sheet(kind, tmp_path):
    path = exports.template(kind, tmp_path / f"{kind}.xlsx")
    book = load_workbook(path)
    header = [c.value for c in book.worksheets[0][1]]
    assert header == [c.header for c in KINDS[kind].columns]
    assert book.sheetnames[1] == "Пояснения"
    required = {r[0].value for r in book["Пояснения"].iter_rows(min_row=2) if r[1].value == "да"}
    assert required == {c.header for c in KINDS[kind].columns if c.required}


def test_docs_list_every_column_of_every_kind():
    text = DOCS.read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert f"`{kind.name}`" in text
        for column in kind.columns:
            assert f"| {column.header} |" in text, (kind.name, column.header)


def test_unknown_kind_and_format_are_refused(db, tmp_path):
    with db.session() as session, pytest.raises(InvalidField, match="нет вида данных"):
        exports.export(session, "firms", tmp_path / "x.csv")
    with db.session() as session, pytest.raises(InvalidField, match="не поддерживается"):
        exports.export(session, "enterprises", tmp_path / "x.pdf")
    assert not (tmp_path / "x.csv").exists()
