"""Backup and restore (``promcluster db backup`` / ``db restore``) on SQLite and PostgreSQL:
a database holding every kind of record comes back row for row in an empty database, with
the kept uploads and the files of the file store (documents, application packages) byte for
byte in an empty store; a file that is not a usable backup, a file of the store missing or
altered at backup time, or a target that is not empty, is refused with its reason and the
target is left as it was."""

import io
import os
import shutil
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from factories import PASSWORD, Database, fresh_inn, reset_postgres, sqlalchemy_url
from imports.kit import write_csv
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from promcluster import dbadmin
from promcluster.accounts.service import create_user
from promcluster.auth.audit import Actor, act_as
from promcluster.auth.sessions import open_session
from promcluster.auth.throttle import record_failure
from promcluster.backup.archive import BackupError, read_manifest, write_archive
from promcluster.backup.postgres import SET_ASIDE
from promcluster.backup.service import backup, restore
from promcluster.chains.models import Chain
from promcluster.chains.service import assign_supplier, create_stage
from promcluster.cli import app
from promcluster.compliance.marks import set_mark
from promcluster.config import Settings, get_settings
from promcluster.demo.loader import load_demo
from promcluster.documents import store
from promcluster.documents.models import Document, DocumentFile
from promcluster.dossier.models import ApplicationPackage, ProgrammeTarget
from promcluster.imports.service import run_import, start_run
from promcluster.jobs.records import finish as finish_job
from promcluster.jobs.records import record as record_job
from promcluster.matching.classification import correct
from promcluster.matching.postings import create_need, create_offer
from promcluster.matching.responses import respond
from promcluster.models import Base
from promcluster.registry.service import create_enterprise
from promcluster.statistics.models import OfficialFigure

ACTOR = Actor("test:backup")
# Tables the filled database leaves empty; a new table must be filled here or named here.
EMPTY_TABLES: set[str] = set()
ZAKUPKI = Path(__file__).parent / "data" / "zakupki"  # public procurement samples (ЕИС)
Rows = dict[str, list[tuple]]


def fill(db: Database, settings: Settings, upload: Path) -> dict[str, bytes]:
    """Every kind of record: the demo (clusters, enterprises, chains, projects, figures,
    sources, events, search documents) and, through the services, users with their scope,
    sessions, refused logins, stages and suppliers, compliance marks (one citing a document),
    needs, offers, responses, notifications, corrections, imports with a rejected row and a
    kept upload, audit rows, a document with two files, an application package, a programme
    target. Returns the content of the store's files by hash."""
    with db.session() as session:
        act_as(session, ACTOR)
        load_demo(session)
    with db.session() as session:
        act_as(session, ACTOR)
        chain = session.scalar(select(Chain).order_by(Chain.id))
        maker = create_enterprise(
            session,
            None,
            {
                "name": "ООО «Резерв»",
                "region_code": "72",
                "inn": fresh_inn(),
                "okved_main": "23.61",
                "okved_extra": ["23.63"],
            },
        )
        buyer = create_enterprise(
            session, None, {"name": "АО «Копия»", "region_code": "72", "inn": fresh_inn()}
        )
        manager = create_user(
            session, "manager", PASSWORD, "cluster_manager", [chain.cluster_id], full_name="М"
        )
        representative = create_user(session, "rep", PASSWORD, "enterprise_rep", [], buyer.id)
        open_session(session, manager, settings, client="127.0.0.1")
        record_failure(session, "nobody", "127.0.0.1", settings)
        stage = create_stage(session, None, chain.id, {"okpd2_code": "23.61.11"})
        assign_supplier(session, None, stage.id, maker.id, "основной")
        set_mark(session, None, chain.cluster_id, "C1", "spic", True, "СПИК № 12")
        dossier = fill_dossier(session, chain.cluster_id)
        need = create_need(
            session,
            representative,
            {"product_name": "Блоки стеновые", "okpd2_code": "23.61.11", "region_code": "72"},
        )
        offer = create_offer(
            session, None, {"supplier_id": maker.id, "product_name": "Блоки", "value": 10}
        )
        respond(session, None, need.id, {"supplier_id": maker.id, "offer_id": offer.id})
        correct(session, manager, "Блоки газобетонные", "23.61.11")
        maker_inn, buyer_inn = maker.inn, buyer.inn
    files = upload.parent
    imports = {
        "products": [
            ["ИНН", "ОКПД2", "Направление", "Наименование продукции", "Год"],
            [maker_inn, "23.61.11", "производит", "Блоки", "2024"],
            [maker_inn, "23.61.11", "производит", "Блоки", "1066"],  # rejected: the year
        ],
        "supplies": [
            ["ИНН поставщика", "ИНН покупателя", "ОКПД2", "Год"],
            [maker_inn, buyer_inn, "23.61.11", "2024"],
        ],
        "figures": [["ИНН", "Год", "Численность"], [maker_inn, "2024", "120"]],
    }
    for kind, rows in imports.items():
        run_import(db.sessions, kind, write_csv(files / f"{kind}.csv", rows), actor=ACTOR)
    for sample in ("contract_2366200608816001262_30400522.xml", "purchasePlan_test.xml"):
        run_import(db.sessions, "procurement", ZAKUPKI / sample, actor=ACTOR)  # issue 21
    upload.write_bytes("ИНН;ОКПД2\n".encode() * 100)
    start_run(db.sessions, "products", "в работе.csv", ACTOR, upload)  # a run keeping its file
    with db.session() as session:  # a job of the generic table (a reindex that ended)
        job = record_job(session, "search-reindex", None, {"missing": True}, running=True)
        session.flush()
        finish_job(session, job.id, "done", "Проиндексировано: enterprise: 1")
    with db.session() as session:  # one official figure (the shipped ЕМИСС file has 13,345)
        session.add(
            OfficialFigure(
                indicator="Число организаций", unit="единица", ownership="Всего",
                region_code="72", region_label="Тюменская область (кроме ...)",
                okved_code="C", activity_label="Обрабатывающие производства", year=2022,
                value=2727, note="на 1 октября", source="ЕМИСС", source_date=date(2022, 10, 1),
            )
        )  # fmt: skip
    return dossier


def fill_dossier(session, cluster_id: int) -> dict[str, bytes]:
    """A document of the cluster with two files (the second current), cited by a checklist
    mark, a generated application package and a programme target; the files in the store."""
    contents = {
        "first": b"%PDF-1.7 programme, first version " + os.urandom(32),
        "second": b"%PDF-1.7 programme, approved " + os.urandom(2048),
        "package": b"PK\x03\x04 application package " + os.urandom(512),
    }
    stored = {name: store.put([content]) for name, content in contents.items()}
    document = Document(
        cluster_id=cluster_id, kind="programme", title="Программа развития", number="П-1",
        signed_on=date(2024, 2, 1), public=True,
    )  # fmt: skip
    for number, name in enumerate(("first", "second"), start=1):
        document.files.append(
            DocumentFile(
                number=number, sha256=stored[name].sha256, size=stored[name].size,
                media_type="application/pdf", filename=f"programme-{number}.pdf",
            )
        )  # fmt: skip
    session.add(document)
    session.flush()
    set_mark(session, None, cluster_id, "C6", "programme", True, document_id=document.id)
    package = stored["package"]
    session.add(
        ApplicationPackage(
            cluster_id=cluster_id, number=1, as_of=date(2024, 6, 1), sha256=package.sha256,
            size=package.size, state={"documents": [stored["second"].sha256]},
        )
    )  # fmt: skip
    session.add(
        ProgrammeTarget(
            cluster_id=cluster_id, indicator="members", year=2024, target=12.0,
            explanation="два участника вышли",
        )
    )  # fmt: skip
    return {stored[name].sha256: content for name, content in contents.items()}


@contextmanager
def files_at(path: Path) -> Iterator[Path]:
    """The file store in ``path`` for the duration (then the suite's store again)."""
    saved = os.environ["PROMCLUSTER_FILES_DIR"]
    os.environ["PROMCLUSTER_FILES_DIR"] = str(path)
    get_settings.cache_clear()
    try:
        yield path
    finally:
        os.environ["PROMCLUSTER_FILES_DIR"] = saved
        get_settings.cache_clear()


def rows_of(url: str) -> Rows:
    """Every row of every table, all columns, ordered by primary key."""
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return {
                t.name: [
                    tuple(r) for r in connection.execute(select(t).order_by(*t.primary_key.columns))
                ]
                for t in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def assert_same(found: Rows, expected: Rows) -> None:
    differ = [t for t in expected if found.get(t) != expected[t]]
    assert differ == [], f"tables restored with other rows: {differ}"
    assert found == expected


@dataclass
class Backed:
    """A backup of the filled test database, what it held, and a restore target."""

    source: str
    file: Path
    rows: Rows
    upload: Path
    upload_bytes: bytes
    target: str
    kind: str
    files: dict[str, bytes]  # the store's files the database refers to, by hash
    restored_files: Path  # the empty store the first restore writes into


def restore_target(source: str, tmp: Path) -> str:
    """An empty database of the source's kind: a new SQLite file, or the PostgreSQL database
    named like the test database with ``_restore`` (its schema recreated)."""
    if source.startswith("sqlite"):
        return f"sqlite:///{tmp / 'restored.db'}"
    url = make_url(source)
    target = url.set(database=f"{url.database}_restore").render_as_string(hide_password=False)
    try:
        reset_postgres(target)
    except OperationalError as exc:
        pytest.skip(
            f"no restore target {url.database}_restore (create it once: su postgres -c "
            f"\"psql -c 'CREATE DATABASE {url.database}_restore OWNER {url.username}'\"): {exc}"
        )
    return target


@pytest.fixture(scope="module")
def backed(database_url, engine, admin, settings, tmp_path_factory) -> Backed:
    tmp = tmp_path_factory.mktemp("backup")
    db = Database(database_url, engine, keep_users=(admin.id,))
    db.clean()
    upload = tmp / "uploads" / "promcluster-kept.csv"
    upload.parent.mkdir()
    files = fill(db, settings, upload)
    rows = rows_of(database_url)
    file = tmp / "platform.tar.gz"
    backup(database_url, file)
    upload_bytes = upload.read_bytes()
    upload.unlink()  # as on a new machine: the restore puts it back
    target = restore_target(database_url, tmp)
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    restored_files = tmp / "restored-files"
    return Backed(
        database_url, file, rows, upload, upload_bytes, target, kind, files, restored_files
    )


@pytest.fixture(scope="module")
def restored(backed: Backed) -> Backed:
    """The backup restored once into the empty target, its files into an empty store (as on
    a new machine)."""
    steps: list[str] = []
    with files_at(backed.restored_files):
        result = restore(backed.target, backed.file, progress=lambda what, *_: steps.append(what))
    assert result.tables == {t: len(r) for t, r in backed.rows.items()}
    assert result.upgraded_to is None and result.uploads == 1
    assert (result.files, result.files_present) == (3, 0)
    assert "Проверка архива" in steps and "Файлы хранилища" in steps
    return backed


def test_every_table_is_filled_before_the_backup(backed: Backed):
    empty = {t for t, rows in backed.rows.items() if not rows}
    assert empty == EMPTY_TABLES


def test_the_manifest_says_what_the_backup_holds(backed: Backed):
    manifest = read_manifest(backed.file)
    assert (manifest.format, manifest.format_version, manifest.database) == (
        "promcluster-backup",
        2,
        backed.kind,
    )
    assert manifest.files == sorted(backed.files)
    for sha256 in backed.files:
        assert manifest.checksums[f"files/{sha256[:2]}/{sha256[2:4]}/{sha256}"] == sha256
    assert manifest.schema_revision == dbadmin.revisions()[-1]
    assert manifest.tables == {t: len(r) for t, r in backed.rows.items()}
    assert [(u.path, u.member) for u in manifest.uploads] == [
        (str(backed.upload), manifest.uploads[0].member)
    ]
    assert oct(backed.file.stat().st_mode & 0o777) == "0o600"  # password hashes inside


def test_a_restore_into_an_empty_database_brings_back_every_row(restored: Backed):
    assert_same(rows_of(restored.target), restored.rows)
    assert restored.upload.read_bytes() == restored.upload_bytes


def test_the_files_of_documents_and_packages_come_back_byte_for_byte(restored: Backed):
    engine = create_engine(sqlalchemy_url(restored.target))
    with engine.connect() as connection:  # what the restored database refers to
        current = connection.execute(
            text("SELECT sha256 FROM document_files ORDER BY number DESC LIMIT 1")
        ).scalar_one()
        package = connection.execute(text("SELECT sha256 FROM application_packages")).scalar_one()
    engine.dispose()
    with files_at(restored.restored_files):
        for sha256 in (current, package):
            assert store.path_of(sha256).read_bytes() == restored.files[sha256]
        found = sorted(p.name for p in restored.restored_files.rglob("*") if p.is_file())
    assert found == sorted(restored.files)  # nothing else, no temporary file left
    assert current in restored.files and len(restored.files[current]) > 2048


def test_equal_files_in_the_store_are_left_alone_and_altered_ones_replaced(
    restored: Backed, tmp_path
):
    kept, altered, _ = sorted(restored.files)
    with files_at(tmp_path / "store"):
        store.put([restored.files[kept]])
        before = store.path_of(kept).stat()
        store.path_of(altered).parent.mkdir(parents=True)
        store.path_of(altered).write_bytes(b"damaged")
        result = restore(restored.target, restored.file, replace=True)
        assert (result.files, result.files_present) == (2, 1)
        after = store.path_of(kept).stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
        assert store.path_of(altered).read_bytes() == restored.files[altered]
    assert_same(rows_of(restored.target), restored.rows)


def test_a_file_missing_or_altered_in_the_store_stops_the_backup(backed: Backed, tmp_path):
    missing, altered, _ = sorted(backed.files)
    copy = tmp_path / "store"
    shutil.copytree(Path(os.environ["PROMCLUSTER_FILES_DIR"]), copy)
    file = tmp_path / "b.tar.gz"
    with files_at(copy):
        store.path_of(missing).unlink()
        with pytest.raises(BackupError) as caught:
            backup(backed.source, file)
        assert "нет файлов, на которые ссылается база" in str(caught.value)
        assert "— всего 1:" in str(caught.value)
        assert missing in str(caught.value) and altered not in str(caught.value)
        assert not file.exists()
        store.put([backed.files[missing]])
        store.path_of(altered).write_bytes(b"damaged")
        with pytest.raises(BackupError, match="не совпадает с их контрольной суммой") as caught:
            backup(backed.source, file)
        assert altered in str(caught.value)
        assert not file.exists()


def test_a_manifest_listing_a_file_without_its_checksum_is_refused(restored: Backed, tmp_path):
    listed = [*read_manifest(restored.file).files, "../../etc/passwd"]
    file = rewritten(restored, tmp_path, files=listed)
    refused(restored, file, "без своей контрольной суммы", replace=True)


def test_the_backup_does_not_change_the_source(restored: Backed):
    assert_same(rows_of(restored.source), restored.rows)


def refused(backed: Backed, file: Path, reason: str, **options: Any) -> str:
    """Restoring ``file`` fails with ``reason`` and leaves the target as it was; returns the
    message."""
    before = rows_of(backed.target)
    with pytest.raises(BackupError) as caught:
        restore(backed.target, file, **options)
    assert reason in str(caught.value)
    assert_same(rows_of(backed.target), before)
    assert_no_schema_left_aside(backed)
    return str(caught.value)


def assert_no_schema_left_aside(backed: Backed) -> None:
    if backed.kind != "postgresql":
        return
    engine = create_engine(sqlalchemy_url(backed.target))
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM pg_namespace WHERE nspname = :n")
            assert connection.execute(query, {"n": SET_ASIDE}).scalar_one() == 0
    finally:
        engine.dispose()


def rewritten(
    backed: Backed, tmp: Path, dump: Callable[[bytes], bytes] | None = None, **manifest: Any
) -> Path:
    """The backup with manifest fields changed, or its database changed by ``dump``
    (checksums recomputed, so only the content is wrong)."""
    original = read_manifest(backed.file)
    members: dict[str, Path] = {}
    with tarfile.open(backed.file) as tar:
        for member in tar:
            if member.name != "manifest.json":
                path = tmp / member.name.replace("/", "_")
                path.write_bytes(tar.extractfile(member).read())
                members[member.name] = path
    if dump is not None:
        database = members[original.database_member]
        database.write_bytes(dump(database.read_bytes()))
    file = tmp / "rewritten.tar.gz"
    write_archive(file, replace(original, **manifest), members)
    return file


def test_a_file_that_is_not_a_backup_is_refused(restored: Backed, tmp_path):
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(50_000))
    refused(restored, noise, "не резервная копия promcluster", replace=True)
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        info = tarfile.TarInfo("readme.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    refused(restored, plain, "не резервная копия promcluster", replace=True)
    refused(restored, tmp_path / "absent.tar.gz", "нет файла", replace=True)


def test_a_truncated_backup_is_refused(restored: Backed, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(restored.file.read_bytes()[: restored.file.stat().st_size // 2])
    refused(restored, cut, "повреждена или обрезана", replace=True)


def test_a_backup_of_the_other_kind_of_database_is_refused(restored: Backed, tmp_path):
    other = "postgresql" if restored.kind == "sqlite" else "sqlite"
    file = rewritten(restored, tmp_path, database=other)
    refused(restored, file, f"это резервная копия базы {other}", replace=True)


def test_a_backup_of_a_newer_schema_is_refused(restored: Backed, tmp_path):
    file = rewritten(restored, tmp_path, schema_revision="9999_from_the_future")
    refused(restored, file, "новее миграций этой версии", replace=True)


def test_a_damaged_database_inside_a_whole_archive_leaves_the_target_as_it_was(
    restored: Backed, tmp_path
):
    noise = rewritten(restored, tmp_path, dump=lambda _: b"PGDMP" + os.urandom(4096))
    reason = "повреждена" if restored.kind == "sqlite" else "pg_restore --list"
    refused(restored, noise, reason, replace=True)
    # cut short: PostgreSQL reads the table of contents, then fails in the middle of the data
    cut = rewritten(restored, tmp_path, dump=lambda data: data[: len(data) * 3 // 4])
    reason = "повреждена" if restored.kind == "sqlite" else "pg_restore --single-transaction"
    message = refused(restored, cut, reason, replace=True)
    if restored.kind == "postgresql":
        assert message.endswith("pg_restore: error: could not read from input file: end of file")
        password = make_url(restored.target).password
        assert f":{password}@" not in message  # the password goes in PGPASSWORD only


def test_rows_missing_after_the_restore_put_the_target_back(restored: Backed, tmp_path):
    tables = {**read_manifest(restored.file).tables}
    tables["enterprises"] += 1
    file = rewritten(restored, tmp_path, tables=tables)
    refused(restored, file, "не те числа строк", replace=True)


def test_a_database_that_is_not_empty_is_replaced_only_when_asked(restored: Backed):
    refused(restored, restored.file, "восстановление идёт только в пустую базу")
    engine = create_engine(sqlalchemy_url(restored.target))
    with engine.begin() as connection:  # the target drifts from the backup
        connection.execute(text("DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)"))
        connection.execute(text("UPDATE enterprises SET name = 'Изменено'"))
    engine.dispose()

    result = restore(restored.target, restored.file, replace=True)

    assert sum(result.tables.values()) == sum(len(r) for r in restored.rows.values())
    assert_same(rows_of(restored.target), restored.rows)
    assert_no_schema_left_aside(restored)


def test_an_older_schema_is_restored_then_migrated(restored: Backed, tmp_path):
    older, head = dbadmin.revisions()[-2:]
    if restored.kind == "sqlite":
        source, target = f"sqlite:///{tmp_path / 'old.db'}", f"sqlite:///{tmp_path / 'new.db'}"
    else:  # the restore target serves as both, and is put back afterwards
        source = target = restored.target
        reset_postgres(source)
    try:
        dbadmin.upgrade(source, older)
        file = tmp_path / "old.tar.gz"
        assert backup(source, file).schema_revision == older
        if restored.kind == "postgresql":
            reset_postgres(target)

        result = restore(target, file)

        assert result.upgraded_to == head
        engine = create_engine(sqlalchemy_url(target))
        with engine.connect() as connection:
            assert dbadmin.revision_of(connection) == head
        engine.dispose()
    finally:
        if restored.kind == "postgresql":
            restore(restored.target, restored.file, replace=True)


def test_postgres_tools_missing_or_failing_are_named(backed: Backed, tmp_path):
    if backed.kind != "postgresql":
        pytest.skip("pg_dump is used for PostgreSQL only")
    with pytest.raises(BackupError, match="нет программы /nonexistent/pg_dump"):
        backup(backed.source, tmp_path / "b.tar.gz", pg_bin_dir=Path("/nonexistent"))
    url = make_url(backed.source)
    wrong = url.set(database="promcluster_no_such_db").render_as_string(hide_password=False)
    with pytest.raises(BackupError) as caught:
        backup(wrong, tmp_path / "b.tar.gz")
    assert "promcluster_no_such_db" in str(caught.value)
    assert not (tmp_path / "b.tar.gz").exists()


def words(output: str) -> str:
    """The command's output with Rich's line wrapping undone."""
    return " ".join(output.split())


def test_the_commands_back_up_and_restore_with_a_summary_in_russian(restored: Backed, tmp_path):
    runner = CliRunner()
    file = tmp_path / "cli.tar.gz"
    made = runner.invoke(app, ["db", "backup", str(file), "--database", restored.target])
    assert made.exit_code == 0, made.output
    assert "Резервная копия записана" in words(made.output)
    assert "загруженных файлов 1, файлов хранилища 3." in words(made.output)

    again = runner.invoke(app, ["db", "restore", str(file), "--database", restored.target])
    assert again.exit_code == 2
    assert "восстановление идёт только в пустую базу" in words(again.output)

    if restored.kind == "sqlite":
        target = f"sqlite:///{tmp_path / 'cli.db'}"
    else:
        target = restored.target
        reset_postgres(target)
    done = runner.invoke(app, ["db", "restore", str(file), "--database", target])
    assert done.exit_code == 0, done.output
    assert "Восстановлено" in done.output and "enterprises" in done.output
    assert f"строк {sum(len(r) for r in restored.rows.values())}," in words(done.output)
    assert "файлов хранилища записано 0 (уже были на месте: 3)." in words(done.output)
    assert_same(rows_of(target), restored.rows)


def test_a_target_file_that_is_not_a_database_is_refused_and_kept(backed: Backed, tmp_path):
    if backed.kind != "sqlite":
        pytest.skip("a file target exists on SQLite only")
    target = tmp_path / "notes.db"
    target.write_text("не база данных")
    with pytest.raises(BackupError, match="не читается: file is not a database"):
        restore(f"sqlite:///{target}", backed.file)
    assert target.read_text() == "не база данных"
