"""What one import may cost (issue 16): a sheet's declared dimension is not trusted, a file past
the row limit or unpacking past the size and ratio limits is refused before anything is
written, a cell too long refuses its row, and the stored error report keeps only its first rows
with values cut short (the run still counts every rejected row)."""

import io
import os
import time
import zipfile

import pytest
from factories import fresh_inn
from fastapi import HTTPException, UploadFile
from sqlalchemy import func, select

from promcluster.imports import api
from promcluster.imports.limits import MAX_COLUMNS, ImportLimits
from promcluster.imports.models import RejectedRow
from promcluster.imports.readers import UnusableFile, open_table

from .kit import (
    HEADER,
    counts,
    dimension_bomb,
    enterprise_rows,
    raw_xlsx,
    report,
    run,
    stored_inns,
    write_csv,
    write_xlsx,
)

MIB = 1024 * 1024


def test_a_dimension_bomb_is_read_in_seconds_without_padding_rows(tmp_path):
    bomb = dimension_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 2000
    started = time.monotonic()
    table = open_table(bomb)
    seen = []
    try:
        for number, cells in table.rows:
            # Before the fix: every one of 1,048,576 rows came back padded to 16,384 cells.
            assert time.monotonic() - started < 20, f"still reading at row {number}"
            assert len(cells) <= MAX_COLUMNS
            seen.append(number)
    finally:
        table.close()
    assert seen == [1]  # the header; the lone cell at XFD lies past the columns read
    assert time.monotonic() - started < 20


def test_the_dimension_bomb_imports_nothing_quickly(db, tmp_path):
    started = time.monotonic()
    done = run(db, "enterprises", dimension_bomb(tmp_path / "bomb.xlsx"))
    assert done.status == "done" and done.rows_read == 0
    assert time.monotonic() - started < 30


def test_a_sparse_sheet_past_the_row_limit_is_refused_before_writing(db, tmp_path):
    before = counts(db)
    started = time.monotonic()
    limits = ImportLimits(max_rows=100_000)
    with pytest.raises(UnusableFile, match=r"в файле больше 100\s000 строк"):
        run(db, "enterprises", dimension_bomb(tmp_path / "bomb.xlsx"), limits=limits)
    assert time.monotonic() - started < 20
    assert counts(db) == before


def test_a_csv_past_the_row_limit_is_refused(db, tmp_path):
    path = write_csv(tmp_path / "long.csv", [HEADER, *enterprise_rows(30)])
    before = counts(db)
    with pytest.raises(UnusableFile, match="строка №11"):
        run(db, "enterprises", path, limits=ImportLimits(max_rows=10))
    assert counts(db) == before


def _book(tmp_path, extra: dict[str, bytes]):
    rows = {1: dict(zip(("A1", "B1", "C1"), HEADER, strict=True))}
    inn = fresh_inn()
    rows[2] = {"A2": inn, "B2": "ООО «Архивное»", "C2": "72"}
    return raw_xlsx(tmp_path / "book.xlsx", rows, extra=extra), inn


ZIP_CASES = {
    "unpacks past the size limit": (
        {"xl/media/image1.bin": os.urandom(3 * MIB)},
        ImportLimits(max_unpacked_bytes=2 * MIB),
        "распаковывается больше чем в 2 МиБ",
    ),
    "compressed a thousandfold": (
        {"xl/media/zeros.bin": bytes(20 * MIB)},
        ImportLimits(),
        "сжата в",
    ),
    "thousands of parts": (
        {f"xl/media/p{i}.xml": b"<a/>" for i in range(1001)},
        ImportLimits(),
        "частей, допускается не больше 1000",
    ),
}


@pytest.mark.parametrize("case", list(ZIP_CASES))
def test_an_archive_past_the_unpacking_limits_is_refused_and_writes_nothing(db, tmp_path, case):
    extra, limits, message = ZIP_CASES[case]
    path, _ = _book(tmp_path, extra)
    before = counts(db)
    with pytest.raises(UnusableFile, match=message):
        run(db, "enterprises", path, limits=limits)
    assert counts(db) == before


def test_an_archive_lying_about_its_sizes_is_refused(db, tmp_path):
    path, _ = _book(tmp_path, {"xl/media/zeros.bin": bytes(20 * MIB)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("xl/media/zeros.bin")
    # Declare 100 bytes unpacked in the local header and in the central directory entry.
    data[member.header_offset + 22 : member.header_offset + 26] = (100).to_bytes(4, "little")
    entry = data.find(b"xl/media/zeros.bin", data.index(b"PK\x01\x02")) - 46
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    before = counts(db)
    with pytest.raises(UnusableFile, match="повреждён"):
        run(db, "enterprises", path)
    assert counts(db) == before


def test_xml_entities_in_a_sheet_are_refused(db, tmp_path):
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "ха"}">' for i in range(10))
    header = dict(zip(("A1", "B1", "C1"), HEADER, strict=True))
    rows = {1: header, 2: {"A2": fresh_inn(), "B2": "&l9;", "C2": "72"}}
    path = raw_xlsx(tmp_path / "laughs.xlsx", rows, prolog=f"<!DOCTYPE worksheet [{laughs}]>")
    before = counts(db)
    with pytest.raises(UnusableFile, match="объявляет сущности XML"):
        run(db, "enterprises", path)
    assert counts(db) == before


def test_small_well_packed_parts_are_not_refused_for_their_ratio(db, tmp_path):
    path, inn = _book(tmp_path, {"xl/media/zeros.bin": bytes(MIB // 2)})
    done = run(db, "enterprises", path)
    assert (done.status, done.created) == ("done", 1)
    assert stored_inns(db) == [inn]


def test_a_cell_longer_than_the_limit_refuses_its_row(db, tmp_path):
    good, long = enterprise_rows(2)
    long[1] = "Я" * 5000
    path = write_xlsx(tmp_path / "long.xlsx", [HEADER, good, long])
    done = run(db, "enterprises", path, limits=ImportLimits(max_cell_chars=4000))
    assert (done.created, done.rejected) == (1, 1)
    assert stored_inns(db) == [good[0]]
    [line] = report(db, done.id)
    assert (line["row"], line["column"]) == ("3", "Наименование")
    assert "длиннее 4000 знаков (5000)" in line["reason"]
    assert len(line["value"]) <= ImportLimits().report_value_chars


def test_fifty_thousand_rejected_rows_keep_a_bounded_report(db, tmp_path, admin_client):
    rows = [["1234567890", f"ООО «Завод {i}»", "Ж" * 500] for i in range(50_000)]
    path = write_csv(tmp_path / "bad.csv", [HEADER, *rows])
    limits = ImportLimits(report_max_rows=1000, report_value_chars=50)

    done = run(db, "enterprises", path, limits=limits)

    assert (done.rows_read, done.rejected, done.created) == (50_000, 50_000, 0)
    with db.sessions() as session:
        query = select(func.count(), func.max(func.length(RejectedRow.value)))
        stored, longest = session.execute(query.where(RejectedRow.run_id == done.id)).one()
        kept_rows = session.scalar(
            select(func.count(func.distinct(RejectedRow.row))).where(RejectedRow.run_id == done.id)
        )
    assert kept_rows == 1000
    assert stored == 2000  # INN and region of each of the first 1,000 rows
    assert longest <= 50
    lines = report(db, done.id)
    assert lines[0]["row"] == "2" and lines[-2]["row"] == "1001"
    assert "показаны первые 1000 из 50000 отклонённых строк" in lines[-1]["reason"]
    page = admin_client.get(f"/imports/{done.id}").text
    assert "показаны первые 1000 из 50000" in page


def test_an_upload_past_the_size_limit_is_refused_and_not_kept(tmp_path):
    upload = UploadFile(io.BytesIO(bytes(3 * MIB)), filename="big.csv")
    with pytest.raises(HTTPException) as refused:
        api.save_upload(upload, 2 * MIB, tmp_path)
    assert refused.value.status_code == 413
    assert "файл больше 2 МиБ" in refused.value.detail
    assert list(tmp_path.iterdir()) == []
    kept = api.save_upload(
        UploadFile(io.BytesIO(b"a;b\n"), filename="small.csv"), 2 * MIB, tmp_path
    )
    assert kept.parent == tmp_path and kept.name.startswith("promcluster-")
    assert kept.read_bytes() == b"a;b\n"


def test_the_api_answers_413_for_a_too_large_upload(app, db, admin):
    from factories import SESSION_COOKIE
    from fastapi.testclient import TestClient

    from promcluster.app import create_app
    from promcluster.imports.models import ImportRun
    from promcluster.web.deps import CSRF_HEADER

    small = create_app(app.state.settings.model_copy(update={"max_upload_bytes": 100_000}))
    with TestClient(small) as http:
        http.cookies.set(SESSION_COOKIE, admin.cookie)
        http.headers[CSRF_HEADER] = admin.csrf
        answer = http.post(
            "/api/v1/imports",
            data={"kind": "enterprises"},
            files={"file": ("big.csv", bytes(200_000), "text/csv")},
        )
    small.state.engine.dispose()
    assert answer.status_code == 413
    assert db.count(ImportRun.__tablename__) == 0
