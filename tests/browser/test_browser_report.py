"""The yearly report in Chromium: a cluster manager opens the report from the cluster page,
enters a target and an explanation on the targets page and sees the deviation on the report,
which prints without the navigation and with signature lines."""

import re
from collections.abc import Iterator
from datetime import date

import pytest
from conftest import DOCS_SCREENSHOTS
from playwright.sync_api import Page, expect

TYUMEN = "Строительно-индустриальный кластер Тюменской области"
MANAGER = ("tyumen-manager", "tyumen-password-1")
EXPLANATION = "Два предприятия перенесли вступление на следующий год"
SHOTS = DOCS_SCREENSHOTS / "issue-20"  # the closing note's pictures (docs/ only on request)


@pytest.fixture
def no_targets(live_server) -> Iterator[None]:
    """Targets set by a test are removed afterwards (the live database is shared)."""
    yield
    with live_server.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM programme_targets")


def test_a_manager_enters_a_target_and_sees_the_deviation(
    page: Page, live_server, log_in, no_targets
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    cluster = live_server.cluster_id(TYUMEN)
    year = date.today().year - 1
    page.goto(f"/clusters/{cluster}")
    expect(page.locator("#yearly-report")).to_have_count(0)  # anonymous: no link
    log_in(page, *MANAGER)
    page.locator("#yearly-report").get_by_role("link", name="Годовой отчёт").click()
    page.wait_for_url(re.compile(rf"/clusters/{cluster}/report$"))
    members = page.locator('tr[data-indicator="members"]')
    value = members.locator(f'td[data-year="{year}"] [data-field="value"]').inner_text()
    expect(members.locator('[data-field="target"]')).to_have_text("—")

    page.get_by_role("link", name="Изменить цели и пояснения").click()
    page.wait_for_url(re.compile(rf"/clusters/{cluster}/targets\?year={year}"))
    form = page.locator("#target-members")
    form.get_by_label("Целевое значение: Участники").fill("1 000")
    form.get_by_label("Пояснение отклонения: Участники").fill(EXPLANATION)
    form.get_by_role("button", name="Сохранить").click()
    page.wait_for_url(re.compile(r"#target-members$"))
    grid = page.locator('[data-grid="targets"] tr[data-indicator="members"]')
    expect(grid.locator(f'td[data-year="{year}"]')).to_have_text("1\u202f000")
    page.locator("h1").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "targets.png"))

    page.get_by_role("link", name=f"Годовой отчёт за {year} год").click()
    page.wait_for_url(re.compile(rf"/clusters/{cluster}/report\?year={year}"))
    expect(members.locator('[data-field="target"]')).to_have_text("1\u202f000")
    shown = int(value.replace("\u202f", ""))
    deviation = shown - 1000
    expect(members.locator('[data-field="deviation"]')).to_have_text(
        f"{'+' if deviation > 0 else '−'}{abs(deviation):,}".replace(",", "\u202f")
    )
    relative = f"{abs(deviation) / 10:.1f}".replace(".", ",")
    expect(members.locator('[data-field="relative"]')).to_have_text(f"−{relative}\u00a0%")
    expect(page.locator('[data-explanation="members"]')).to_have_text(EXPLANATION)
    assert live_server.scalar("SELECT count(*) FROM programme_targets") == 1
    page.screenshot(path=str(SHOTS / "yearly-report.png"), full_page=True)

    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Печать")).to_be_hidden()
    expect(page.locator(".signatures")).to_be_visible()
    expect(page.locator('[data-report] tr[data-indicator="members"]')).to_be_visible()
