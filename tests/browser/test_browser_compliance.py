"""The compliance check in Chromium: the fragment on the cluster page, the full report with its
print stylesheet, and a cluster manager ticking a checklist item with a document reference."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

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
    item.get_by_label(re.compile("Документ")).fill("Заявление № 15 от 01.04.2024")
    item.get_by_role("button", name="Отметить").click()
    item = page.locator('#rule-C5 li[data-item="application"]')
    expect(item).to_have_class(re.compile("done"))
    expect(item.locator('[data-field="reference"]')).to_have_text("Заявление № 15 от 01.04.2024")
    expect(page.locator('#rule-C5 [data-field="value"]')).to_contain_text("1")
    assert live_server.scalar("SELECT count(*) FROM compliance_marks WHERE done") == 1
