"""Uploading a cp1251 register through the web page: the upload and import progress, the outcome,
the error report to download, and the Excel download of the filtered enterprise list."""

import io
from pathlib import Path

import pytest
from conftest import DOCS_SCREENSHOTS
from factories import inn10
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

ADMIN = ("admin", "admin-password-1")
DOCS = DOCS_SCREENSHOTS


def _register(tmp_path: Path) -> tuple[Path, list[str]]:
    """A small register in cp1251 with ``;``: two good rows, one bad check digit."""
    good = [inn10("720101011"), inn10("720101022")]
    bad = good[0][:-1] + str((int(good[0][-1]) + 1) % 10)
    lines = [
        "Реестр участников на 01.01.2025",
        "ИНН;Наименование;Регион;ОКВЭД;Численность, чел.",
        f"{good[0]};ООО «Браузерный завод»;Тюменская обл.;23.61;1 200",
        f"{bad};ООО «Опечатка»;72;23.61;5",
        f"{good[1]};ООО «Второй браузерный»;72 - Тюменская область;2361;10",
    ]
    path = tmp_path / "реестр.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1251"))
    return path, good


@pytest.mark.browser
def test_upload_shows_progress_outcome_and_error_report(page: Page, live_server, log_in, tmp_path):
    path, good = _register(tmp_path)
    page.goto("/enterprises")
    log_in(page, *ADMIN)
    page.get_by_role("link", name="Загрузка данных").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Загрузка данных из файла")

    expect(page.locator("#upload-progress")).to_be_hidden()  # until a file is sent
    page.get_by_label("Что загружаем").select_option("enterprises")
    page.get_by_label("Файл").set_input_files(str(path))
    expect(page.locator("#upload-progress")).to_be_hidden()
    page.get_by_role("button", name="Загрузить").click()
    page.wait_for_url("**/imports/*")
    run = page.locator("#run")
    expect(run).to_have_attribute("data-status", "done", timeout=20_000)
    expect(run.locator("#created")).to_have_text("2")
    expect(run.locator("#rejected")).to_have_text("1")
    expect(run).to_contain_text("100\u00a0% файла")
    # The refused row on the page itself: row, column, value, reason.
    cells = run.locator("#rejected-lines tbody tr").first.locator("td")
    expect(cells).to_have_count(4)
    expect(cells.nth(0)).to_have_text("4")
    expect(cells.nth(1)).to_have_text("ИНН")
    expect(cells.nth(2)).to_have_text(good[0][:-1] + str((int(good[0][-1]) + 1) % 10))
    expect(cells.nth(3)).to_contain_text("контрольная цифра")
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / "import.png"))

    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать отчёт об ошибках (CSV)").click()
    report = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert report[0] == "Строка;Столбец;Значение;Причина"
    assert report[1].startswith("4;ИНН;")
    assert "контрольная цифра" in report[1]
    assert len(report) == 2

    names = {
        row[0]: row[1]
        for row in live_server.sql(
            "SELECT inn, name FROM enterprises WHERE inn IN (:a, :b)", a=good[0], b=good[1]
        )
    }
    assert names == {good[0]: "ООО «Браузерный завод»", good[1]: "ООО «Второй браузерный»"}

    # The enterprise list downloads the current filter as Excel with Russian headers.
    page.goto("/enterprises?q=браузерн")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").click()
    book = Path(download.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(book), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("ИНН", "ОГРН", "Наименование")
    assert sorted(r[2] for r in rows[1:]) == ["ООО «Браузерный завод»", "ООО «Второй браузерный»"]


@pytest.mark.browser
def test_unusable_file_is_refused_on_the_run_page(page: Page, live_server, log_in, tmp_path):
    picture = tmp_path / "реестр.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    before = live_server.scalar("SELECT count(*) FROM enterprises")
    page.goto("/enterprises")
    log_in(page, *ADMIN)
    page.goto("/imports")
    page.get_by_label("Файл").set_input_files(str(picture))
    page.get_by_role("button", name="Загрузить").click()
    page.wait_for_url("**/imports/*")
    run = page.locator("#run")
    expect(run).to_have_attribute("data-status", "failed", timeout=20_000)
    expect(run).to_contain_text("это не таблица, а изображение PNG")
    assert live_server.scalar("SELECT count(*) FROM enterprises") == before
