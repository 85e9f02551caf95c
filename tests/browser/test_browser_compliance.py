"""The compliance check in Chromium: the fragment on the cluster page, the full report with its
print stylesheet, and a cluster manager ticking a checklist item with a document reference or
a document of the cluster's dossier."""

import re
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from promcluster.documents import store
from promcluster.documents.models import Document, DocumentFile

TYUMEN = "Строительно-индустриальный кластер Тюменской области"
LENINGRAD = "Кластер химической промышленности Ленинградской области"
MANAGER = ("tyumen-manager", "tyumen-password-1")


@pytest.fixture
def no_marks(live_server) -> Iterator[None]:
    """Marks made by a test are removed afterwards (the live database is shared)."""
    yield
    with live_server.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM compliance_marks")


def test_the_cluster_page_shows_the_compliance_summary(page: Page, live_server):
    cluster = live_server.cluster_id(LENINGRAD)
    page.goto(f"/clusters/{cluster}")
    section = page.locator("#compliance")
    expect(section.locator("[data-verdict]")).to_have_attribute("data-verdict", "fail")
    c2 = section.locator('li[data-rule="C2"]')
    expect(c2.locator("[data-status]")).to_have_text("не выполнено")
    expect(section.locator("li[data-rule]")).to_have_count(9)
    section.get_by_role("link", name=re.compile("Полный отчёт")).click()
    page.wait_for_url(re.compile(rf"/clusters/{cluster}/compliance$"))
    expect(page.locator('tr[data-rule="C2"] [data-status]')).to_have_text("не выполнено")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Печать")).to_be_hidden()


def test_a_manager_ticks_a_checklist_item_with_a_reference(
    page: Page, live_server, log_in, no_marks
):
    cluster = live_server.cluster_id(TYUMEN)
    page.goto(f"/clusters/{cluster}/compliance")
    expect(page.locator(".mark-form")).to_have_count(0)
    log_in(page, *MANAGER)
    item = page.locator('#rule-C5 li[data-item="application"]')
    expect(item).to_have_class(re.compile("open"))
    item.get_by_role("button", name="Отметить").click()  # no reference: refused by the server
    page.wait_for_url(re.compile(r"error="))
    expect(page.get_by_role("alert")).to_contain_text("укажите документ")
    item = page.locator('#rule-C5 li[data-item="application"]')
    item.get_by_label(re.compile("^Документ для пункта")).fill("Заявление № 15 от 01.04.2024")
    item.get_by_role("button", name="Отметить").click()
    item = page.locator('#rule-C5 li[data-item="application"]')
    expect(item).to_have_class(re.compile("done"))
    expect(item.locator('[data-field="reference"]')).to_have_text("Заявление № 15 от 01.04.2024")
    expect(page.locator('#rule-C5 [data-field="value"]')).to_have_text("1 пункт / ≥ 6")
    assert live_server.scalar("SELECT count(*) FROM compliance_marks WHERE done") == 1


@pytest.fixture
def dossier_document(live_server) -> Iterator[int]:
    """A private document of the Tyumen cluster's dossier with its file in the store; removed
    afterwards with the marks citing it."""
    stored = store.put([b"%PDF-1.7 programme"])
    with Session(live_server.engine) as session, session.begin():
        document = Document(
            cluster_id=live_server.cluster_id(TYUMEN), kind="programme",
            title="Программа развития кластера на 2024–2030 годы", number="ПР-3",
            signed_on=date(2024, 2, 12), public=False,
        )  # fmt: skip
        document.files.append(
            DocumentFile(
                number=1, sha256=stored.sha256, size=stored.size,
                media_type="application/pdf", filename="programme.pdf",
            )
        )  # fmt: skip
        session.add(document)
        session.flush()
        document_id = document.id
    yield document_id
    with live_server.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM compliance_marks")
        connection.exec_driver_sql("DELETE FROM document_files")
        connection.exec_driver_sql("DELETE FROM documents")


def test_a_manager_cites_a_document_of_the_dossier(
    page: Page, live_server, log_in, dossier_document
):
    cluster = live_server.cluster_id(TYUMEN)
    page.goto(f"/clusters/{cluster}/compliance")
    log_in(page, *MANAGER)
    item = page.locator('#rule-C6 li[data-item="programme"]')
    choice = item.get_by_label(re.compile("^Документ из досье"))
    choice.select_option(label="программа развития кластера № ПР-3 от 12.02.2024 — Программа "
                         "развития кластера на 2024–2030 годы")  # fmt: skip
    item.get_by_role("button", name="Отметить").click()
    item = page.locator('#rule-C6 li[data-item="programme"]')
    expect(item).to_have_class(re.compile("done"))
    link = item.get_by_role("link", name="Программа развития кластера на 2024–2030 годы")
    expect(link).to_have_attribute("href", f"/documents/{dossier_document}")
    expect(item.locator(".cited-document")).to_contain_text("№ ПР-3 от 12.02.2024")
    assert (
        live_server.scalar(
            "SELECT document_id FROM compliance_marks WHERE rule_code = 'C6' AND done"
        )
        == dossier_document
    )
    page.context.clear_cookies()  # the public sees that a document exists, not which
    page.goto(f"/clusters/{cluster}/compliance")
    item = page.locator('#rule-C6 li[data-item="programme"]')
    expect(item.locator(".cited-document")).to_have_text("документ досье (доступен участникам)")
    expect(item.get_by_role("link")).to_have_count(0)
