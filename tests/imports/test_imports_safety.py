"""Safety of imports: an unusable file writes nothing (exit 2, a Russian message), batches keep
what they finished when a later one fails or the user interrupts, a re-run finishes the work,
and two imports of overlapping files at once neither crash nor duplicate."""

import contextlib
import struct
import threading
import zlib

import pytest
from factories import fresh_inn, ogrn

from promcluster.db import make_engine, make_sessionmaker
from promcluster.imports import service, writers
from promcluster.imports.readers import UnusableFile

from .kit import (
    ACTOR,
    HEADER,
    bad_inn,
    cli,
    counts,
    csv_bytes,
    enterprise_rows,
    import_run,
    last_run,
    parse_report,
    report,
    run,
    said,
    stored_inns,
    write_csv,
    write_xlsx,
)


def png() -> bytes:
    """A real 1×1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _good_rows() -> list[list]:
    return [HEADER, *enterprise_rows(40)]


def _truncated_xlsx(tmp_path):
    whole = write_xlsx(tmp_path / "whole.xlsx", _good_rows()).read_bytes()
    return whole[: len(whole) // 2]


# case: (kind, file name, content builder, extra arguments, what the message says)
UNUSABLE = {
    "png renamed to csv": (
        "enterprises",
        "реестр.csv",
        lambda _: png(),
        [],
        "это не таблица, а изображение PNG",
    ),
    "truncated xlsx": (
        "enterprises",
        "реестр.xlsx",
        _truncated_xlsx,
        [],
        "файл XLSX повреждён или обрезан",
    ),
    "empty file": ("enterprises", "реестр.csv", lambda _: b"", [], "файл пуст"),
    "blank lines only": (
        "enterprises",
        "реестр.csv",
        lambda _: b"\r\n \r\n\t\r\n",
        [],
        "файл пуст",
    ),
    "required columns missing": (
        "enterprises",
        "реестр.csv",
        lambda _: csv_bytes([["ИНН", "Город"], [fresh_inn(), "Тюмень"]]),
        [],
        "нет обязательных столбцов: «Наименование», «Регион»",
    ),
    "no header at all": (
        "enterprises",
        "реестр.csv",
        lambda _: csv_bytes([[fresh_inn(), "ООО «Без шапки»", "72"]] * 3),
        [],
        "не найдена строка заголовков",
    ),
    "unknown kind": (
        "companies",
        "реестр.csv",
        lambda _: csv_bytes(_good_rows()),
        [],
        "неизвестный вид данных «companies»",
    ),
    "unknown sheet": (
        "enterprises",
        "реестр.xlsx",
        lambda tmp: write_xlsx(tmp / "book.xlsx", _good_rows(), title="Реестр").read_bytes(),
        ["--sheet", "Итоги"],
        "в книге нет листа «Итоги»; есть: «Реестр»",
    ),
    "sheet of a csv file": (
        "enterprises",
        "реестр.csv",
        lambda _: csv_bytes(_good_rows()),
        ["--sheet", "Лист1"],
        "лист можно указать только для файла XLSX",
    ),
    "old xls renamed": (
        "enterprises",
        "реестр.xlsx",
        lambda _: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        [],
        "это не таблица, а файл Excel 97–2003 (.xls)",
    ),
    "pdf renamed": (
        "enterprises",
        "реестр.csv",
        lambda _: b"%PDF-1.4\n%\xe2\xe3\n",
        [],
        "это не таблица, а документ PDF",
    ),
    "binary with zero bytes": (
        "enterprises",
        "реестр.csv",
        lambda _: csv_bytes(_good_rows()) + b"\x00\x01\x02",
        [],
        "двоичный файл",
    ),
}


@pytest.mark.parametrize("case", list(UNUSABLE))
def test_an_unusable_file_exits_2_with_a_russian_message_and_writes_nothing(db, tmp_path, case):
    kind, name, content, options, message = UNUSABLE[case]
    db.add_enterprise(inn=fresh_inn())  # something stored that must stay as it is
    path = tmp_path / name
    path.write_bytes(content(tmp_path))
    errors = tmp_path / "отчёт.csv"
    before = counts(db)

    result = cli(db, kind, str(path), *options, "--errors", str(errors))

    assert result.exit_code == 2, result.output
    assert f"Файл не принят, ничего не записано: {message}" in said(result)
    assert counts(db) == before
    refused = last_run(db)
    assert refused.status == "failed" and message in refused.message
    assert (refused.rows_read, refused.created) == (0, 0)
    [line] = parse_report(errors.read_text(encoding="utf-8-sig"))
    assert message in line["reason"]


def test_a_missing_file_exits_2(db, tmp_path):
    before = counts(db)
    result = cli(db, "enterprises", str(tmp_path / "нет-такого.csv"))
    assert result.exit_code == 2, result.output
    assert "не удалось открыть файл" in said(result)
    assert counts(db) == before


def test_run_import_raises_unusable_file_and_records_the_run_as_failed(db, tmp_path):
    path = tmp_path / "картинка.csv"
    path.write_bytes(png())
    before = counts(db)
    with pytest.raises(UnusableFile, match="изображение PNG"):
        run(db, "enterprises", path)
    assert counts(db) == before
    assert last_run(db).status == "failed"


# Batches


def _rows_failing_in_the_database(failure: str) -> tuple[list[list], str]:
    """Seven data rows (spreadsheet rows 2–8): row 3 fails its checks, and a row of the third
    batch of two (rows 6–7) passes them but is refused by the database; returns the rows and
    the spreadsheet row expected in the report for that failure."""
    header = [*HEADER, "ОГРН", "Выручка, руб."]
    rows = [[*r, None, "1 000"] for r in enterprise_rows(7)]
    rows[1][0] = bad_inn()
    if failure == "revenue beyond the database's integers":
        rows[4][4] = "100 000 000 000 000 000 000"
        return [header, *rows], "6"
    shared = ogrn("102720009999")  # a new OGRN given to two new enterprises
    rows[4][3] = rows[5][3] = shared
    return [header, *rows], "7"


DB_FAILURES = ["revenue beyond the database's integers", "one new OGRN on two rows"]


@pytest.mark.parametrize("failure", DB_FAILURES)
def test_a_database_failure_in_a_later_batch_keeps_the_earlier_batches(db, tmp_path, failure):
    table, _ = _rows_failing_in_the_database(failure)
    path = write_csv(tmp_path / "сбой.csv", table)
    rows = table[1:]

    with contextlib.suppress(Exception):  # what matters here is what was kept
        run(db, "enterprises", path, batch_size=2)

    assert set(stored_inns(db)) >= {rows[0][0], rows[2][0], rows[3][0]}
    assert rows[1][0] not in stored_inns(db)
    lines = report(db, last_run(db).id)
    assert ("3", "ИНН", rows[1][0]) in [(r["row"], r["column"], r["value"]) for r in lines]


@pytest.mark.parametrize("failure", DB_FAILURES)
def test_a_row_refused_by_the_database_is_reported_and_the_rest_imported(db, tmp_path, failure):
    table, failing_row = _rows_failing_in_the_database(failure)
    path = write_csv(tmp_path / "сбой.csv", table)
    errors = tmp_path / "отчёт.csv"
    rows = table[1:]

    result = cli(db, "enterprises", str(path), "--batch-size", "2", "--errors", str(errors))

    assert result.exit_code == 1, result.output
    assert errors.exists()
    lines = parse_report(errors.read_text(encoding="utf-8-sig"))
    assert sorted({r["row"] for r in lines}) == ["3", failing_row]
    refused = {rows[1][0], rows[int(failing_row) - 2][0]}
    assert set(stored_inns(db)) == {r[0] for r in rows} - refused
    assert last_run(db).status == "done"


def test_an_interruption_keeps_the_finished_batch_and_a_rerun_finishes_the_work(
    db, tmp_path, monkeypatch
):
    rows = enterprise_rows(5)
    path = write_csv(tmp_path / "прерванный.csv", [HEADER, *rows])
    original = writers.Enterprises.write
    batches = []

    def interrupted_write(self, session, batch):
        batches.append([r.number for r in batch])
        outcome = original(self, session, batch)  # the batch in flight is written ...
        if len(batches) == 2:
            raise KeyboardInterrupt  # ... and then Ctrl-C before its commit
        return outcome

    monkeypatch.setattr(writers.Enterprises, "write", interrupted_write)

    with pytest.raises(KeyboardInterrupt):
        run(db, "enterprises", path, batch_size=2)

    assert batches == [[2, 3], [4, 5]]
    assert stored_inns(db) == sorted(r[0] for r in rows[:2])
    interrupted = last_run(db)
    assert interrupted.status == "interrupted"
    assert "прервано" in interrupted.message
    assert (interrupted.rows_read, interrupted.created) == (2, 2)

    monkeypatch.undo()
    again = run(db, "enterprises", path, batch_size=2)

    assert again.status == "done"
    assert (again.rows_read, again.unchanged, again.created) == (len(rows), 2, len(rows) - 2)
    assert stored_inns(db) == sorted(r[0] for r in rows)
    assert import_run(db, interrupted.id).status == "interrupted"  # the first run stays as it was


# Concurrency


def test_two_imports_of_overlapping_files_at_once(db, tmp_path):
    rows = enterprise_rows(90)
    # Both files begin with the same 30 rows, and the two runs commit their batches in step
    # (``on_batch`` waits for the other run), so their first batches write the same INNs at the
    # same moment.
    first = write_csv(tmp_path / "первый.csv", [HEADER, *rows[30:60], *rows[:30]])
    second = write_csv(tmp_path / "второй.csv", [HEADER, *rows[30:60], *rows[60:]])
    engines = [make_engine(db.url), make_engine(db.url)]
    start, step = threading.Barrier(2, timeout=30), threading.Barrier(2, timeout=30)
    runs, failures = {}, []

    def work(name, path, engine):
        try:
            start.wait()
            runs[name] = service.run_import(
                make_sessionmaker(engine),
                "enterprises",
                path,
                actor=ACTOR,
                batch_size=10,
                on_batch=lambda _run: step.wait(),
            )
        except BaseException as exc:  # reported by the test below
            failures.append((name, repr(exc)))
            step.abort()  # the other run must not wait for this one

    threads = [
        threading.Thread(target=work, args=("first", first, engines[0])),
        threading.Thread(target=work, args=("second", second, engines[1])),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for engine in engines:
            engine.dispose()

    assert failures == []
    assert {r.status for r in runs.values()} == {"done"}
    inns = stored_inns(db)
    assert inns == sorted(r[0] for r in rows)  # every INN once (a list keeps duplicates)
    assert sum(r.created for r in runs.values()) == len(rows)
    for r in runs.values():
        assert r.rejected == 0
        assert r.created + r.unchanged == r.rows_read == 60
