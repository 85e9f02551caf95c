"""``promcluster application CLUSTER -o DIR|FILE.zip``: the package written as a ZIP or a
directory and kept as the cluster's next version (by the system); unknown clusters, bad dates
and unwritable paths refused with a message and a non-zero status, nothing kept."""

import hashlib
import zipfile

from factories import Database
from openpyxl import load_workbook
from typer.testing import CliRunner

from dossier.package_kit import small_cluster
from promcluster.cli import app

runner = CliRunner()


def run(db: Database, *args: str):
    return runner.invoke(app, ["application", *args, "--database", db.url])


def test_the_command_writes_a_zip_and_records_the_version(db, tmp_path):
    small = small_cluster(db)
    target = tmp_path / "package.zip"
    done = run(db, "Малый кластер", "-o", str(target), "--as-of", "2024-12-31")
    assert done.exit_code == 0, done.output
    assert "Собираю пакет" in done.output and "пакет № 1 на 31.12.2024" in done.output
    with db.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT number, sha256, generated_by, as_of FROM application_packages"
        ).one()
    assert row[0] == 1 and row[2] is None and str(row[3]) == "2024-12-31"
    assert hashlib.sha256(target.read_bytes()).hexdigest() == row[1]
    assert "application.docx" in zipfile.ZipFile(target).namelist()
    again = run(db, str(small.cluster), "-o", str(tmp_path / "again.zip"))
    assert again.exit_code == 0 and "пакет № 2" in again.output


def test_the_command_writes_a_directory_of_files(db, tmp_path):
    small = small_cluster(db)
    folder = tmp_path / "out" / "package"
    done = run(db, str(small.cluster), "-o", str(folder), "--as-of", "2024-12-31")
    assert done.exit_code == 0, done.output
    files = {"README.txt", "application.docx", "participants.xlsx", "dependence.xlsx",
             "projects.xlsx", "compliance.xlsx", "documents.xlsx"}  # fmt: skip
    assert {p.name for p in folder.iterdir()} >= files
    sheet = load_workbook(folder / "participants.xlsx").active
    assert sheet.max_row - 1 == 4  # participants: three plants and the organisation
    assert db.count("application_packages") == 1


def test_bad_input_is_refused_and_nothing_is_kept(db, tmp_path):
    small = small_cluster(db)
    unknown = run(db, "Нет такого кластера", "-o", str(tmp_path / "a.zip"))
    assert unknown.exit_code == 2 and "нет кластера «Нет такого кластера»" in unknown.output
    unknown = run(db, "Нет такого кластера", "-o", str(tmp_path / "new" / "folder"))
    assert unknown.exit_code == 2 and not (tmp_path / "new").exists()  # no folder left behind
    no_folder = run(db, str(small.cluster), "-o", str(tmp_path / "missing" / "a.zip"))
    assert no_folder.exit_code == 2 and "папки" in no_folder.output
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    not_a_folder = run(db, str(small.cluster), "-o", str(a_file))
    assert not_a_folder.exit_code == 2 and "не папка" in not_a_folder.output
    future = run(db, str(small.cluster), "-o", str(tmp_path / "b.zip"), "--as-of", "2999-01-01")
    assert future.exit_code == 2 and "позже сегодняшней" in future.output
    bad_date = run(db, str(small.cluster), "-o", str(tmp_path / "c.zip"), "--as-of", "31.12.2024")
    assert bad_date.exit_code == 2 and "ГГГГ-ММ-ДД" in bad_date.output
    assert db.count("application_packages") == 0
    assert not list(tmp_path.glob("*.zip"))
