"""Discovery in Chromium over the demo with its synthetic supplement: the region page draws the
candidate outlines on the map, and a cluster manager ticks two potential participants, adds
them, and finds them as potential participants on the cluster page."""

import re

import pytest
from conftest import MANAGER, TYUMEN
from playwright.sync_api import Page, expect
from sqlalchemy import text


@pytest.mark.browser
def test_discover_page_draws_candidate_outlines(page: Page, live_server, synthetic_demo):
    page.goto("/discover")
    page.wait_for_url(re.compile(r"/discover/72"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Тюменская область")
    expect(page.locator(".synthetic-notice")).to_be_visible()
    rows = page.locator("table#candidates tbody tr")
    assert rows.count() >= 1
    the_map = page.locator("#discovery-map")
    expect(the_map).to_have_attribute("data-candidates", str(rows.count()))
    assert page.locator("#discovery-map path.candidate-outline").count() == rows.count()
    expect(page.locator(".existing-cluster").first).to_contain_text(TYUMEN)
    assert page.locator("table#specialisations tbody tr").count() >= 10


@pytest.mark.browser
def test_discover_page_compares_with_chosen_regions_and_shows_growth(
    page: Page, live_server, synthetic_demo
):
    page.goto("/discover/72")
    expect(page.locator("table#specialisations thead")).to_contain_text("Рост 2023–2024")
    expect(page.locator("[data-growth-note]")).to_contain_text("синтетические")
    bubbles = page.locator("#portfolio svg.bubbles g.bubble")
    assert (
        bubbles.count() == page.locator("table#specialisations td[data-growth][data-value]").count()
    )
    assert bubbles.count() >= 10 and bubbles.first.locator("circle").bounding_box()["width"] > 8
    expect(page.locator("[data-against]")).to_contain_text("вся страна")
    page.locator("[data-district]").click()
    page.wait_for_url(re.compile(r"against=66"))
    expect(page.locator("[data-against]")).to_contain_text("Свердловская область")
    page.select_option("select[name=against]", ["45", "66"])
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(r"/discover/72\?.*against=45&against=66"))
    expect(page.locator("[data-against] strong")).to_have_text(
        "Курганская область, Свердловская область"
    )
    first = page.locator("table#candidates tbody tr").first
    expect(first.locator("a", has_text="предприятия кандидата")).to_have_attribute(
        "href", re.compile(r"against=45&against=66")
    )


@pytest.mark.browser
def test_manager_adds_two_prospects_to_the_pipeline(
    page: Page, live_server, synthetic_demo, log_in
):
    cluster = live_server.cluster_id(TYUMEN)
    before = live_server.scalar(
        "SELECT count(*) FROM memberships WHERE cluster_id = :c AND status = 'potential'", c=cluster
    )
    page.goto(f"/clusters/{cluster}")
    log_in(page, *MANAGER)
    page.locator("#prospects-link").click()
    page.wait_for_url(f"**/clusters/{cluster}/prospects")
    rows = page.locator("table#prospect-list tbody tr")
    expect(rows.first).to_contain_text("синтетика")
    expect(rows.first.locator("ul.reasons li").first).to_contain_text("специализацией кластера")
    chosen = [rows.nth(i).get_attribute("data-enterprise") for i in (0, 1)]
    names = [rows.nth(i).locator("td:nth-child(3) a").inner_text() for i in (0, 1)]
    try:
        for i in (0, 1):
            rows.nth(i).locator("input[type=checkbox]").check()
        page.get_by_role("button", name="Добавить выбранных как потенциальных участников").click()
        page.wait_for_url(re.compile(r"prospects\?added=2"))
        expect(page.get_by_role("status")).to_contain_text("Добавлено потенциальных участников: 2")
        for id_ in chosen:
            expect(page.locator(f'table#prospect-list tr[data-enterprise="{id_}"]')).to_have_count(
                0
            )
        expect(page.locator('#funnel [data-current="potential"]')).to_have_text(str(before + 2))
        page.goto(f"/clusters/{cluster}")
        expect(page.locator('[data-count="potential"]')).to_have_text(str(before + 2))
        potential = page.locator("#members h3.status-potential + h4 + ul.members")
        for name in names:
            expect(potential).to_contain_text(name)
    finally:
        with live_server.engine.begin() as connection:
            for id_ in chosen:
                connection.execute(
                    text("DELETE FROM memberships WHERE cluster_id = :c AND enterprise_id = :e"),
                    {"c": cluster, "e": int(id_)},
                )
