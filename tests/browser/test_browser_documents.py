"""A cluster's documents in Chromium: the manager uploads a PDF through the page, sees it listed
with its kind in Russian, number, date and size, downloads it (the same bytes, the Cyrillic
name kept); an anonymous visitor sees neither the unpublished document nor the upload form."""

from pathlib import Path

import pytest
from conftest import DOCS_SCREENSHOTS
from playwright.sync_api import Page, expect

TYUMEN = "Строительно-индустриальный кластер Тюменской области"
MANAGER = ("tyumen-manager", "tyumen-password-1")

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"% browser test\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
TITLE = "Соглашение о вступлении ООО «Тест»"


@pytest.mark.browser
def test_manager_uploads_a_pdf_sees_it_listed_and_downloads_it(
    page: Page, live_server, monitor, log_in
):
    tyumen = live_server.cluster_id(TYUMEN)
    page.goto(f"/clusters/{tyumen}")
    log_in(page, *MANAGER)
    page.get_by_role("link", name="Документы", exact=True).click()
    page.wait_for_url(f"**/clusters/{tyumen}/documents")
    expect(page.get_by_role("heading", level=1)).to_have_text("Документы кластера")

    form = page.locator("#upload form")
    form.get_by_label("Вид документа").select_option("accession_agreement")
    form.get_by_label("Название").fill(TITLE)
    form.get_by_label("Номер", exact=True).fill("15-К")
    form.get_by_label("Дата документа").fill("2024-03-01")
    form.get_by_label("Файл").set_input_files(
        files=[{"name": "соглашение №15.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.get_by_role("button", name="Загрузить").click()
    page.wait_for_url("**/documents/*")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("[data-versions] tbody tr")).to_have_count(1)
    expect(page.locator("[data-sha256]")).to_have_text(
        live_server.scalar("SELECT sha256 FROM document_files ORDER BY id DESC LIMIT 1")
    )

    page.get_by_role("link", name="документы").click()
    row = page.locator("[data-documents] tbody tr", has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("соглашение о вступлении в кластер")
    expect(row).to_contain_text("№ 15-К от 01.03.2024")
    expect(row).to_contain_text(f"{len(PDF)}\u00a0байт")
    expect(row).to_contain_text("Менеджер Тюменского кластера")
    expect(row).to_contain_text("для участников")

    with page.expect_download() as info:
        row.get_by_role("link", name="соглашение №15.pdf").click()
    download = info.value
    assert download.suggested_filename == "соглашение №15.pdf"
    assert Path(download.path()).read_bytes() == PDF
    shots = DOCS_SCREENSHOTS / "issue-20"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "documents.jpg"), full_page=True, quality=80)

    # A new version through the document's page: both stay, the new one is current.
    row.get_by_role("link", name=TITLE).click()
    replace = page.locator("#replace form")
    replace.get_by_label("Файл").set_input_files(
        files=[{"name": "соглашение №15, подписанное.pdf", "mimeType": "application/pdf",
                "buffer": PDF + b"% signed\n"}]
    )  # fmt: skip
    replace.get_by_role("button", name="Заменить").click()
    expect(page.locator("[data-versions] tbody tr")).to_have_count(2)
    expect(page.locator("[data-version='2']")).to_contain_text("текущая")
    expect(page.locator("[data-version='1']")).to_contain_text("соглашение №15.pdf")
    page.screenshot(path=str(shots / "document.jpg"), full_page=True, quality=80)

    # An anonymous visitor: the list without the unpublished document and without the form.
    visitor = page.context.browser.new_page(base_url=live_server.url)
    try:
        visitor.goto(f"/clusters/{tyumen}/documents")
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Документы кластера")
        expect(visitor.get_by_text(TITLE)).to_have_count(0)
        expect(visitor.locator("#upload")).to_have_count(0)
    finally:
        visitor.close()
    assert not monitor.problems(), monitor.problems()
