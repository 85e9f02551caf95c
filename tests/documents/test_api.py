"""Documents over HTTP: upload (API and page), list, read, download headers, replace, edit with
a stale version, delete; bad inputs of issue 20 answered 422 naming the field with nothing
written; the body limit of document uploads."""

import re
from urllib.parse import quote

import pytest
from factories import error_fields

from documents import samples
from documents.kit import page_post, upload
from promcluster.documents import store as file_store


@pytest.fixture
def own(db):
    return db.add_cluster(name="Кластер с документами")


def test_upload_list_read_and_download(admin_client, db, own):
    answer = upload(admin_client, own, {"signed_on": "2024-03-01", "public": "true"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["kind"] == "accession_agreement" and body["public"] is True
    (file,) = body["files"]
    assert file["number"] == 1 and file["size"] == len(samples.pdf())
    assert file["url"] == f"/api/v1/documents/{body['id']}/files/1"
    assert file_store.path_of(file["sha256"]).is_file()

    listed = admin_client.get(f"/api/v1/clusters/{own}/documents").json()
    assert [d["id"] for d in listed] == [body["id"]]
    assert admin_client.get(f"/api/v1/clusters/{own}/documents?kind=programme").json() == []
    assert admin_client.get(f"/api/v1/documents/{body['id']}").json()["title"] == body["title"]

    for path in (f"/api/v1/documents/{body['id']}/file", f"/documents/{body['id']}/download"):
        got = admin_client.get(path)
        assert got.status_code == 200
        assert got.content == samples.pdf()
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["x-content-type-options"] == "nosniff"
        disposition = got.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=UTF-8''{quote('соглашение.pdf')}" in disposition
        assert 'filename="' + "_" * 10 + '.pdf"' in disposition  # ASCII fallback


BAD = [
    ({"payload": samples.exe(), "filename": "договор.pdf"}, "file"),
    ({"payload": samples.docx_bomb(), "filename": "программа.docx"}, "file"),
    ({"payload": b""}, "file"),
    ({"payload": samples.svg(), "filename": "logo.png"}, "file"),
    ({"filename": "../../секрет.pdf"}, "filename"),
    ({"filename": "я" * 500 + ".pdf"}, "filename"),
    ({"data": {"signed_on": "2999-01-01"}}, "signed_on"),
    ({"data": {"kind": "passport"}}, "kind"),
    ({"data": {"title": ""}}, "title"),
]


@pytest.mark.parametrize(("bad", "field"), BAD)
def test_bad_uploads_are_422_naming_the_field_with_nothing_written(
    admin_client, db, own, store, bad, field
):
    files = store.files()
    answer = upload(admin_client, own, bad.get("data"), bad.get("payload"),
                    bad.get("filename", "a.pdf"))  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert field in error_fields(answer)
    assert (db.count("documents"), db.count("document_files")) == (0, 0)
    assert store.files() == files


def test_an_oversize_upload_is_refused_naming_file(admin_client, db, own, store, small_limit):
    files = store.files()
    answer = upload(admin_client, own, payload=samples.pdf("x" * 5000))
    assert answer.status_code == 422 and error_fields(answer) == ["file"]
    assert "1\u202f000\u00a0байт" in answer.json()["detail"][0]["msg"]
    assert db.count("documents") == 0 and store.files() == files


def test_the_body_limit_lets_documents_through_and_nothing_else(admin_client, app, db, own, store):
    limit = app.state.settings.max_document_bytes
    files = store.files()
    # 3 MB is over the ordinary body limit (2 MB) but a document may weigh 50 MB.
    big = samples.pdf(db.backend) + b"%" + b"0" * (3 * 2**20)
    assert upload(admin_client, own, payload=big).status_code == 201
    refused = admin_client.post(
        f"/api/v1/clusters/{own}/edit-not-a-document", files={"file": ("a.pdf", big)}
    )
    assert refused.status_code == 413
    over = b"%PDF-" + b"0" * (limit + 2 * 2**20)
    answer = upload(admin_client, own, payload=over)
    assert answer.status_code == 413, answer.text[:200]
    assert len(store.files() - files) == 1  # the 3 MB document only


def test_replace_keeps_versions_and_a_stale_edit_is_409(admin_client, db, own):
    document = upload(admin_client, own).json()
    path = f"/api/v1/documents/{document['id']}"
    word = samples.docx()
    replaced = admin_client.post(
        f"{path}/files",
        data={"version": str(document["version"])},
        files={"file": ("Программа.docx", word, "application/octet-stream")},
    )
    assert replaced.status_code == 201, replaced.text
    versions = replaced.json()["files"]
    assert [f["number"] for f in versions] == [1, 2]
    assert versions[1]["media_type"].endswith("wordprocessingml.document")  # read, not sent
    assert admin_client.get(f"{path}/files/1").content == samples.pdf()
    assert admin_client.get(f"{path}/file").content == word
    assert admin_client.get(f"{path}/files/3").status_code == 404

    version = replaced.json()["version"]
    ok = admin_client.patch(path, json={"title": "Новое название", "version": version})
    assert ok.status_code == 200 and ok.json()["version"] == version + 1
    stale = admin_client.patch(path, json={"title": "Другое", "version": version})
    assert stale.status_code == 409
    assert admin_client.get(path).json()["title"] == "Новое название"
    future = admin_client.patch(path, json={"signed_on": "2999-01-01"})
    assert future.status_code == 422 and error_fields(future) == ["signed_on"]

    assert admin_client.delete(path).status_code == 204
    assert db.count("document_files") == 0


def test_upload_and_edit_through_the_pages(admin_client, db, own):
    admin_client.headers.pop("X-CSRF-Token")
    page = admin_client.get(f"/clusters/{own}/documents")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    admin_client.headers["X-CSRF-Token"] = token
    refused = page_post(
        admin_client, f"/clusters/{own}/documents",
        {"kind": "programme", "title": "Программа", "signed_on": "2999-01-01"},
        {"file": ("программа.pdf", samples.exe(), "application/pdf")},
    )  # fmt: skip
    assert refused.status_code == 422
    assert 'data-error-for="signed_on"' in refused.text  # metadata checked before the file
    wrong_file = page_post(
        admin_client, f"/clusters/{own}/documents", {"kind": "programme", "title": "Программа"},
        {"file": ("программа.pdf", samples.exe(), "application/pdf")},
    )  # fmt: skip
    assert wrong_file.status_code == 422
    assert 'data-error-for="file"' in wrong_file.text
    assert "тип файла не распознан по содержимому" in wrong_file.text
    assert 'value="Программа"' in wrong_file.text  # what was typed is kept
    assert db.count("documents") == 0

    posted = page_post(
        admin_client, f"/clusters/{own}/documents",
        {"kind": "programme", "title": "Программа развития", "number": "7-П",
         "signed_on": "2024-02-01", "public": "false"},
        {"file": ("программа.pdf", samples.pdf(), "application/pdf")},
    )  # fmt: skip
    assert posted.status_code == 303, posted.text[-500:]
    location = posted.headers["location"]
    listed = admin_client.get(f"/clusters/{own}/documents").text
    assert "программа развития кластера" in listed  # the kind in Russian
    assert "№ 7-П от 01.02.2024" in listed
    assert "программа.pdf" in listed and "\u00a0байт" in listed
    shown = admin_client.get(location).text
    assert "data-sha256" in shown and db.count("document_files") == 1

    edited = page_post(admin_client, f"{location}/edit", {"kind": "programme", "title": "",
                                                            "version": "1"})  # fmt: skip
    assert edited.status_code == 422 and 'data-error-for="title"' in edited.text
    replaced = page_post(
        admin_client, f"{location}/files", {"version": "1"},
        {"file": ("программа-2.xlsx", samples.xlsx(), "application/octet-stream")},
    )  # fmt: skip
    assert replaced.status_code == 303
    assert db.count("document_files") == 2


def test_the_pages_read_as_russian(admin_client, client, own):
    """The list and a document's page, for an administrator (forms, versions) and anonymous
    visitors: numbers, dates, sizes and vocabularies as Russians read them."""
    from russian_text import problems

    upload(admin_client, own, {"signed_on": "2024-03-01", "valid_from": "2024-03-01",
                               "valid_to": "2029-12-31", "public": "true",
                               "parties": "ООО «Завод»; АНО «Кластер»"},
           payload=samples.pdf("x" * 150_000))  # fmt: skip
    document = admin_client.get(f"/api/v1/clusters/{own}/documents").json()[0]
    found = []
    for http in (admin_client, client):
        for path in (f"/clusters/{own}/documents", f"/documents/{document['id']}"):
            page = http.get(path)
            assert page.status_code == 200
            found.extend((path, *p) for p in problems(page.text))
    assert not found, found
    listed = client.get(f"/clusters/{own}/documents").text
    assert "147\u00a0КБ" in listed  # one decimal below 100 only: «1,5 МБ», «147 КБ»
    assert "с 01.03.2024 по 31.12.2029" in listed


@pytest.mark.parametrize(
    "path",
    [
        "/documents/99999999999999999999",
        "/documents/99999999999999999999/files/1",
        "/documents/1/files/99999999999999999999",
        "/clusters/99999999999999999999/documents",
        "/api/v1/documents/99999999999999999999",
        "/api/v1/documents/1/files/99999999999999999999",
        "/documents/424242",
        "/api/v1/documents/424242/file",
    ],
)
def test_odd_addresses_are_not_server_errors(client, path):
    assert client.get(path).status_code in (404, 422)
