"""The documents service: a document created with its first file, every bad input of issue 20
refused naming its field with no row and no file left, versions kept on replace, stale edits
refused, and no stored file left that no row names after a failed transaction or a deletion."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from documents import samples
from promcluster.auth.models import User
from promcluster.documents import service
from promcluster.documents import store as file_store
from promcluster.documents.models import Document, DocumentFile
from promcluster.errors import Conflict, InvalidField, PermissionDenied

META = {"kind": "accession_agreement", "title": "Соглашение о вступлении", "number": "12"}


def create(db, user, cluster_id, data=None, payload=None, filename="соглашение.pdf"):
    with db.session() as session:
        actor = session.get(User, user) if user else None
        document = service.create_document(
            session, actor, cluster_id, {**META, **(data or {})},
            io.BytesIO(samples.pdf() if payload is None else payload), filename,
        )  # fmt: skip
        return document.id, document.files[0].sha256


def rows(db) -> tuple[int, int]:
    return db.count("documents"), db.count("document_files")


def test_a_document_is_created_with_its_first_file_in_the_store(db, cluster, store):
    document_id, sha = create(db, None, cluster["id"], {"membership_id": cluster["membership"]})
    with db.sessions() as session:
        document = session.get(Document, document_id)
        (file,) = document.files
        assert (file.number, file.filename, file.media_type) == (
            1, "соглашение.pdf", "application/pdf"
        )  # fmt: skip
        assert file.size == len(samples.pdf())
        assert document.membership_id == cluster["membership"]
    assert file_store.path_of(sha).read_bytes() == samples.pdf()
    assert not any(p.parent.name == "tmp" for p in store.files())


BAD = [
    ({"payload": samples.exe(), "filename": "договор.pdf"}, "file"),
    ({"payload": samples.docx_bomb(), "filename": "программа.docx"}, "file"),
    ({"payload": b""}, "file"),
    ({"payload": samples.html(), "filename": "page.pdf"}, "file"),
    ({"filename": "../../etc/passwd.pdf"}, "filename"),
    ({"filename": "C:\\Users\\Иван\\соглашение.pdf"}, "filename"),
    ({"filename": "а" * 500 + ".pdf"}, "filename"),
    ({"filename": "a\x00b.pdf"}, "filename"),
    ({"filename": "a\nb.pdf"}, "filename"),
    ({"filename": ".."}, "filename"),
    ({"data": {"signed_on": date.today() + timedelta(days=1)}}, "signed_on"),
    ({"data": {"valid_from": date(2025, 1, 1), "valid_to": date(2024, 1, 1)}}, "valid_to"),
    ({"data": {"kind": "passport"}}, "kind"),
    ({"data": {"title": "  "}}, "title"),
    ({"data": {"membership_id": "other_membership"}}, "membership_id"),
    ({"data": {"project_id": "other_project"}}, "project_id"),
    ({"data": {"project_id": 999999}}, "project_id"),
]


@pytest.mark.parametrize(("bad", "field"), BAD)
def test_bad_input_is_refused_naming_its_field_and_leaves_nothing(db, cluster, store, bad, field):
    before, files = rows(db), store.files()
    given = bad.get("data", {}).items()
    data = {k: cluster.get(v, v) if isinstance(v, str) else v for k, v in given}
    with pytest.raises(InvalidField) as refused:
        create(db, None, cluster["id"], data, bad.get("payload"), bad.get("filename", "a.pdf"))
    assert field in refused.value.fields, refused.value.fields
    assert refused.value.fields[field]  # a message, in Russian, for that field
    assert rows(db) == before
    assert store.files() == files  # no kept file, no temporary one


def test_an_oversize_file_is_refused_as_it_streams(db, cluster, store, small_limit):
    before, files = rows(db), store.files()
    with pytest.raises(InvalidField) as refused:
        create(db, None, cluster["id"], payload=samples.pdf("x" * 2000))
    assert refused.value.field == "file"
    assert refused.value.message == "файл больше допустимого размера 1\u202f000\u00a0байт"
    assert rows(db) == before and store.files() == files
    create(db, None, cluster["id"], payload=samples.pdf())  # under the limit: kept


def test_a_manager_of_another_cluster_may_not_upload(db, cluster, users, store):
    stranger = users.add("stranger", "cluster_manager", clusters=[cluster["other"]])
    files = store.files()
    with pytest.raises(PermissionDenied):
        create(db, stranger.id, cluster["id"])
    assert rows(db) == (0, 0) and store.files() == files


def test_a_failed_transaction_leaves_no_orphan_file(db, cluster, store):
    payload = samples.pdf("только в откатанной транзакции")
    files = store.files()
    with pytest.raises(RuntimeError), db.session() as session:
        document = service.create_document(
            session, None, cluster["id"], META, io.BytesIO(payload), "a.pdf"
        )
        sha = document.files[0].sha256
        assert file_store.exists(sha)  # kept while the transaction runs
        raise RuntimeError("the commit fails")
    assert not file_store.exists(sha)
    assert rows(db) == (0, 0) and store.files() == files


def test_a_rolled_back_savepoint_leaves_no_orphan_file_when_the_rest_commits(db, cluster):
    payload = samples.pdf("в откатанной точке сохранения")
    with db.session() as session:
        with pytest.raises(RuntimeError), session.begin_nested():
            document = service.create_document(
                session, None, cluster["id"], META, io.BytesIO(payload), "a.pdf"
            )
            sha = document.files[0].sha256
            raise RuntimeError("refused later in the request")
        session.add(Document(cluster_id=cluster["id"], kind="other", title="без файла"))
    assert not file_store.exists(sha)
    assert rows(db) == (1, 0)


def test_a_file_another_row_names_survives_a_failed_upload_of_the_same_bytes(db, cluster):
    _, sha = create(db, None, cluster["id"])
    with pytest.raises(RuntimeError), db.session() as session:
        service.create_document(
            session, None, cluster["id"], META, io.BytesIO(samples.pdf()), "copy.pdf"
        )
        raise RuntimeError("the commit fails")
    assert file_store.exists(sha)
    assert rows(db) == (1, 1)


def test_replacing_keeps_every_version(db, cluster, users):
    manager = users.add("mgr", "cluster_manager", clusters=[cluster["id"]])
    document_id, _ = create(db, manager.id, cluster["id"])
    with db.session() as session:
        version = session.get(Document, document_id).version
        service.replace_file(
            session, session.get(User, manager.id), document_id,
            io.BytesIO(samples.docx()), "соглашение, редакция 2.docx", version,
        )  # fmt: skip
    with db.sessions() as session:
        document = session.get(Document, document_id)
        assert [f.number for f in document.files] == [1, 2]
        assert document.files[-1].filename == "соглашение, редакция 2.docx"
        assert document.files[-1].uploaded_by == manager.id
        assert document.version == version + 1
        assert all(file_store.exists(f.sha256) for f in document.files)
    with pytest.raises(Conflict), db.session() as session:  # the version read before
        service.replace_file(
            session, None, document_id, io.BytesIO(samples.png()), "scan.png", version
        )
    assert db.count("document_files") == 2


def test_a_stale_edit_is_a_conflict(db, cluster):
    document_id, _ = create(db, None, cluster["id"])
    with db.session() as session:
        service.update_document(session, None, document_id, {"title": "Новое", "version": 1})
    with pytest.raises(Conflict), db.session() as session:
        service.update_document(session, None, document_id, {"title": "Другое", "version": 1})
    assert db.get(Document, document_id).title == "Новое"


def test_deleting_removes_files_no_other_row_names(db, cluster, users):
    shared_id, shared = create(db, None, cluster["id"])
    only_id, only = create(db, None, cluster["id"], payload=samples.png(), filename="scan.png")
    copy_id, _ = create(db, None, cluster["id"], filename="copy.pdf")  # the same bytes as shared
    manager = users.add("mgr", "cluster_manager", clusters=[cluster["id"]])
    with pytest.raises(PermissionDenied), db.session() as session:
        service.delete_document(session, session.get(User, manager.id), only_id)
    for document_id in (only_id, copy_id):
        with db.session() as session:
            service.delete_document(session, None, document_id)
    assert not file_store.exists(only)
    assert file_store.exists(shared)
    with db.sessions() as session:
        assert session.scalars(select(DocumentFile.document_id)).all() == [shared_id]


def test_options_and_cluster_document_for_the_checklist(db, cluster):
    from promcluster.documents import queries

    document_id, _ = create(db, None, cluster["id"], {"signed_on": date(2024, 3, 1)})
    other_id, _ = create(db, None, cluster["other"], {"title": "Чужой"})
    with db.sessions() as session:
        assert queries.options(session, cluster["id"]) == [
            (document_id, "соглашение о вступлении в кластер № 12 от 01.03.2024 — "
             "Соглашение о вступлении")
        ]  # fmt: skip
        assert queries.cluster_document(session, cluster["id"], document_id).id == document_id
        for wrong in (other_id, 999999):
            with pytest.raises(InvalidField) as refused:
                queries.cluster_document(session, cluster["id"], wrong)
            assert refused.value.field == "document"
