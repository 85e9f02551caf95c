"""``promcluster report``: the same report as the page, written as DOCX, XLSX or JSON."""

import json

from docx import Document
from indicators import build_world
from openpyxl import load_workbook
from typer.testing import CliRunner

from promcluster.cli import app as cli
from promcluster.dossier import targets

runner = CliRunner()


def run(db, *args: str):
    return runner.invoke(cli, ["report", *args, "--database", db.url])


def test_the_command_writes_the_report_in_each_format(db, tmp_path):
    cluster = build_world(db).cluster
    with db.session() as session:
        targets.set_target(session, None, cluster, "members", 2024, 5, "план не выполнен", 0)
    printed = run(db, "Кластер А", "--year", "2024")
    assert printed.exit_code == 0, printed.output
    document = json.loads(printed.output)
    members = next(i for i in document["indicators"] if i["indicator"] == "members")
    assert (members["values"]["2024"]["value"], members["target"]) == (4, 5)
    assert (members["deviation"], members["deviation_share"]) == (-1, -0.2)
    assert members["explanation"] == "план не выполнен"
    docx, xlsx = tmp_path / "report-2024.docx", tmp_path / "report-2024.xlsx"
    assert run(db, str(cluster), "--year", "2024", "-o", str(docx)).exit_code == 0
    table = Document(str(docx)).tables[0]
    row = next(r for r in table.rows if r.cells[0].text == "Участники")
    assert [c.text for c in row.cells][-3:] == ["5", "−1", "−20,0\u00a0%"]
    assert run(db, str(cluster), "--year", "2024", "-o", str(xlsx)).exit_code == 0
    sheet = load_workbook(xlsx)["Отчёт 2024"]
    assert any(r[0] == "Участники" for r in sheet.iter_rows(values_only=True))


def test_the_command_refuses_bad_arguments_with_exit_2(db, tmp_path):
    cluster = db.add_cluster()
    future = run(db, str(cluster), "--year", "2100")
    assert future.exit_code == 2 and "отчёт составляется за 2000–" in future.output
    assert run(db, "нет такого", "--year", "2024").exit_code == 2
    wrong = run(db, str(cluster), "-o", str(tmp_path / "report.pdf"))
    assert wrong.exit_code == 2 and "Укажите файл .docx, .xlsx или .json" in wrong.output
    assert not (tmp_path / "report.pdf").exists()
