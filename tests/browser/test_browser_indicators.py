"""The ratings page in Chromium over the demo: the choropleth draws coloured region outlines,
the bar chart and the table agree, switching the indicator re-ranks; the cluster page loads its
indicators with the declared figures beside the records."""

import re

import pytest
from playwright.sync_api import Page, expect

from promcluster.indicators.ratings import NO_DATA_COLOUR

TYUMEN = "Строительно-индустриальный кластер Тюменской области"


def table_names(page: Page) -> list[str]:
    return page.locator("#rating-table tbody tr td:nth-child(2)").all_inner_texts()


@pytest.mark.browser
def test_ratings_map_chart_table_and_switching(page: Page, live_server):
    page.goto("/")
    page.get_by_role("link", name="Рейтинги").click()
    page.wait_for_url(re.compile(r"/ratings$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Рейтинги кластеров")
    page.locator("#ratings-map.map-ready[data-coloured]").wait_for()
    paths = page.locator("#ratings-map path.leaflet-interactive")
    assert paths.count() >= 80  # every region outline is drawn
    fills = paths.evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
    coloured = [f for f in fills if f and f.lower() != NO_DATA_COLOUR]
    # demo regions with members: Leningrad (6), Tyumen and Kaliningrad (1 each), Krasnodar (0)
    assert len(coloured) == 4, fills
    assert page.locator("#ratings-map").get_attribute("data-coloured") == "4"
    assert page.locator("#ratings-legend .swatch").count() >= 2

    names = table_names(page)
    bars = page.locator("svg.bars g.bar").evaluate_all("gs => gs.map(g => g.dataset.label)")
    assert bars == names and len(names) == 9
    assert names[0].startswith("Кластер химической промышленности")  # 6 members in records
    first = page.locator("#rating-table tbody tr").first
    expect(first.locator("td").first).to_have_text("1")

    page.locator("#rating-indicator").select_option("projects")
    page.wait_for_url(re.compile(r"indicator=projects"))
    names = table_names(page)
    assert names[0] == TYUMEN  # 9 projects in records
    assert names[1].startswith("Янтарный")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Инвестиционные проекты")

    page.locator("#rating-level").select_option("region")
    page.wait_for_url(re.compile(r"level=region"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Рейтинги регионов")
    assert table_names(page)[0] == "Тюменская область"


@pytest.mark.browser
def test_cluster_page_shows_indicators_beside_declared(page: Page, live_server):
    cid = live_server.cluster_id(TYUMEN)
    page.goto(f"/clusters/{cid}")
    row = page.locator('#indicators tr[data-indicator="members"]')
    expect(row).to_contain_text("1")
    expect(row.locator(".declared-figure")).to_contain_text("21")
    expect(page.locator('#indicators tr[data-indicator="potential"]')).to_contain_text("около 240")
    expect(page.locator("#indicators svg.bars g.bar.declared")).to_have_count(3)
