"""The application package: assembled from a small cluster (what is missing changes as the
documents arrive), generated as a ZIP with the DOCX and XLSX opened by python-docx and
openpyxl, kept as numbered versions whose hash matches the kept file."""

import hashlib
import io
import threading
import time
import zipfile
from datetime import date, timedelta

import pytest
from docx import Document as read_docx
from factories import Database
from openpyxl import load_workbook

from dossier.package_kit import AS_OF, Small, add_document, small_cluster
from promcluster.auth.models import User
from promcluster.documents import store
from promcluster.documents.models import Document
from promcluster.dossier.models import ApplicationPackage
from promcluster.dossier.package import assemble
from promcluster.dossier.package_files import safe_name
from promcluster.dossier.packages import generate, kept_file, versions
from promcluster.errors import Conflict, InvalidField, NotFound, PermissionDenied
from promcluster.registry.models import Enterprise


@pytest.fixture
def small(db: Database) -> Small:
    return small_cluster(db)


def assembled(db: Database, small: Small, as_of: date = AS_OF):
    with db.session() as session:
        return assemble(session, small.cluster, as_of)


def docx_text(content: bytes) -> str:
    doc = read_docx(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_package_reads_participants_supplies_and_the_c3_share(db, small):
    package = assembled(db, small)
    by_name = {p.name: p for p in package.participants}
    assert list(by_name) == ["Ассоциация «Кластер»", "Завод А", "Завод Б", "Завод В"]
    a = by_name["Завод А"]
    assert a.inn == small.inns[0] and a.industrial is True and a.since == date(2023, 1, 10)
    assert (a.headcount, a.headcount_year) == (150, 2024)  # the figure of the year, not the card
    assert (by_name["Завод Б"].headcount, by_name["Завод Б"].headcount_year) == (120, None)
    assert by_name["Ассоциация «Кластер»"].industrial is False  # 94.11: section S
    assert {(s.supplier, s.customer, s.value) for s in package.supplies} == {
        ("Завод А", "Завод Б", 600_000),
        ("Завод Б", "Завод В", 400_000),
    }
    c3 = next(c for c in package.compliance.criteria if c.id == "C3")
    assert package.cooperation.share == pytest.approx(c3.value)  # the same number as rule C3
    assert package.cooperation.inside == 1_000_000
    assert [s.suppliers for s in package.chains[0].stages] == [["Завод А"]]
    assert package.projects[0].chain == "Бетонные изделия"


def test_the_missing_list_names_the_records_and_shrinks_as_documents_arrive(db, small):
    missing = assembled(db, small).missing
    assert missing[0].startswith("У специализированной организации «Ассоциация «Кластер»»")
    assert "ИНН, ОГРН, адрес" in missing[0]
    assert "Не загружен документ: программа развития кластера." in missing
    assert (
        "Участие «Завод А»: не загружено основание вступления (соглашение о вступлении в кластер)."
        in missing
    )
    assert any(
        m.startswith("Не загружено ни одного документа вида «договор поставки") for m in missing
    )
    assert any(m.startswith("Требование C2 «Минимальный состав»") for m in missing)

    a = small.members[0]
    for kind in ("programme", "cluster_agreement", "statutes", "cooperation_contract"):
        add_document(db, small.cluster, kind)
    add_document(
        db, small.cluster, "accession_agreement", membership=small.memberships[a], number="7"
    )
    with db.session() as session:
        org = session.get(Enterprise, small.org)
        org.inn, org.ogrn, org.address = "7203000010", "1027200000017", "г. Тюмень"
    package = assembled(db, small)
    after = package.missing
    assert not any(m.startswith("У специализированной организации") for m in after)
    assert not any(m.startswith("Не загружен документ") for m in after)
    assert not any("договор поставки" in m for m in after)
    assert not any(m.startswith("Участие «Завод А»: не загружено") for m in after)
    assert any(m.startswith("Участие «Завод Б»: не загружено") for m in after)
    assert package.participants[1].agreement.reference == "№ 7 от 01.03.2024"
    assert len(after) < len(missing)


def test_a_document_signed_after_the_date_is_not_in_the_package(db, small):
    add_document(db, small.cluster, "programme", signed_on=date(2025, 2, 1))
    assert assembled(db, small, AS_OF).documents == []
    assert [d.kind for d in assembled(db, small, date(2025, 3, 1)).documents] == ["programme"]


def test_generate_keeps_a_zip_with_the_docx_the_workbooks_and_the_files(db, small):
    document = add_document(
        db, small.cluster, "cooperation_contract", b"%PDF-1.4 contract", "../../Договор №5.pdf",
        title="Договор поставки блоков", number="5",
    )  # fmt: skip
    with db.session() as session:
        row, package = generate(session, None, small.cluster, AS_OF)
        number, sha, size = row.number, row.sha256, row.size
    assert number == 1
    content = store.path_of(sha).read_bytes()
    assert hashlib.sha256(content).hexdigest() == sha and len(content) == size
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    assert names[0] == "README.txt"
    assert {"application.docx", "participants.xlsx", "dependence.xlsx", "projects.xlsx",
            "compliance.xlsx", "documents.xlsx"} <= set(names)  # fmt: skip
    inside = f"documents/{document:05d}-cooperation_contract-Договор _5.pdf"
    assert inside in names and archive.read(inside) == b"%PDF-1.4 contract"
    assert "application.docx — заявление" in archive.read("README.txt").decode()
    graph = archive.read("supply-graph.graphml").decode()
    assert graph.count("<edge ") == 2 and f'<node id="n{small.members[0]}">' in graph

    text = docx_text(archive.read("application.docx"))
    for inn in small.inns:
        assert inn in text
    assert "____________________ / ____________________ /" in text  # the signature line
    assert "«___» ______________ 20___ г." in text
    # inside 1 000 000 ₽ of purchases 1 600 000 ₽ (Б bought 600 000, В 1 000 000): as rule C3
    assert package.cooperation.share == 0.625
    assert "Доля кооперации в 2024 году: 62,5\u00a0% — поставки между участниками" in text
    assert "просим включить промышленный кластер «Малый кластер»" in text
    assert "Договор поставки блоков" in text

    book = load_workbook(io.BytesIO(archive.read("participants.xlsx")))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Наименование", "ИНН", "ОГРН")
    assert len(rows) - 1 == len(package.participants) == 4  # three plants and the organisation
    assert {r[1] for r in rows[1:]} >= set(small.inns)
    share = load_workbook(io.BytesIO(archive.read("dependence.xlsx")))["Доля кооперации"]
    assert dict(share.iter_rows(values_only=True, min_row=2))["Доля кооперации"] == 0.625
    documents = load_workbook(io.BytesIO(archive.read("documents.xlsx"))).active
    assert [r[7] for r in documents.iter_rows(values_only=True, min_row=2)] == [
        hashlib.sha256(b"%PDF-1.4 contract").hexdigest()
    ]


def test_a_package_whose_version_is_not_committed_leaves_no_file(db, small):
    with pytest.raises(RuntimeError), db.session() as session:
        row, _ = generate(session, None, small.cluster, AS_OF)
        sha = row.sha256
        assert store.exists(sha)  # kept while the transaction runs
        raise RuntimeError("the commit fails")
    assert not store.exists(sha)
    assert db.count("application_packages") == 0


def test_versions_are_numbered_and_keep_the_state_they_were_made_from(db, small, users):
    manager = users.add("manager", "cluster_manager", clusters=[small.cluster])
    with db.session() as session:
        generate(session, None, small.cluster, AS_OF)
    add_document(db, small.cluster, "programme", title="Программа 2024–2030")
    with db.session() as session:
        user = session.get(
            __import__("promcluster.auth.models", fromlist=["User"]).User, manager.id
        )
        generate(session, user, small.cluster, date(2024, 6, 1))
    with db.session() as session:
        kept = versions(session, None, small.cluster)
        rows = {r.number: r for r in session.query(ApplicationPackage)}
    assert [v.number for v in kept] == [2, 1]
    assert kept[0].generated_by == "manager" and kept[1].generated_by == "система"
    assert kept[0].as_of == date(2024, 6, 1)
    assert "Не загружен документ: программа развития кластера." in kept[1].missing
    assert "Не загружен документ: программа развития кластера." not in kept[0].missing
    assert rows[2].state["documents"][0]["title"] == "Программа 2024–2030"
    assert len(rows[2].state["documents"][0]["sha256"]) == 64
    assert rows[1].state["documents"] == [] and rows[2].state["counts"]["participants"] == 4
    assert rows[1].sha256 != rows[2].sha256
    for row in rows.values():
        assert hashlib.sha256(store.path_of(row.sha256).read_bytes()).hexdigest() == row.sha256


def test_bad_dates_clusters_and_users_are_refused_and_nothing_is_kept(db, small, users):
    elsewhere = db.add_cluster(name="Другой кластер")
    other = users.add("other", "cluster_manager", clusters=[elsewhere])
    with db.session() as session, pytest.raises(InvalidField) as refused:
        generate(session, None, small.cluster, date.today() + timedelta(days=1))
    assert refused.value.field == "as_of" and "позже сегодняшней" in refused.value.message
    with db.session() as session, pytest.raises(NotFound):
        generate(session, None, 10**6, AS_OF)
    with db.session() as session, pytest.raises(PermissionDenied):
        user = session.get(User, other.id)
        generate(session, user, small.cluster, AS_OF)
    with db.session() as session, pytest.raises(NotFound):
        kept_file(session, None, small.cluster, 1)
    assert db.count("application_packages") == 0


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\Устав.docx", "Устав.docx"),
        ("<script>.pdf", "script_.pdf"),
        ("", "file"),
        ("a" * 500 + ".pdf", "a" * 96 + ".pdf"),
    ],
)
def test_file_names_inside_the_package_are_safe(given, safe):
    assert safe_name(given) == safe


def test_two_generations_at_once_cannot_take_the_same_number(db, small):
    """On PostgreSQL, where writers do not queue for the whole database: the second generation
    read the number before the first committed; the unique constraint refuses it (Conflict),
    and one version is kept."""
    if db.backend != "postgresql":
        pytest.skip("SQLite admits one writer at a time")
    first = db.sessions()
    first.begin()
    generate(first, None, small.cluster, AS_OF)  # flushed, not committed
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            with db.session() as session:
                generate(session, None, small.cluster, AS_OF)
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(1.0)  # the second waits on the unique index for the first transaction
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
    assert db.count("application_packages") == 1


def test_documents_without_a_file_or_lost_from_the_store_are_named_as_missing(db, small):
    with db.session() as session:
        session.add(Document(cluster_id=small.cluster, kind="statutes", title="Устав без файла"))
    content = b"%PDF-1.4 lost " + str(small.cluster).encode()
    add_document(db, small.cluster, "programme", content, title="Программа (файл утрачен)")
    store.path_of(hashlib.sha256(content).hexdigest()).unlink()
    package = assembled(db, small)
    assert "У документа «Устав без файла» нет файла." in package.missing
    assert any(
        m.startswith("Файла документа «Программа (файл утрачен)» нет") for m in package.missing
    )
    with db.session() as session:
        row, _ = generate(session, None, small.cluster, AS_OF)
        names = zipfile.ZipFile(store.path_of(row.sha256)).namelist()
    assert not [n for n in names if n.startswith("documents/")]
