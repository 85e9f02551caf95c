"""Official statistics in a real browser: the statistics page's choropleth draws every region's
shape coloured by its LQ, and discovery's national reference switches between Rosstat's figures
and the register. Screenshots of both for docs/OPEN_DATA.md (over docs/screenshots only with
``PROMCLUSTER_DOCS_SCREENSHOTS=1``)."""

import re

import pytest
from conftest import DOCS_SCREENSHOTS
from playwright.sync_api import Page, expect


@pytest.mark.browser
def test_statistics_map_draws_the_regions(page: Page, live_server, official_statistics):
    page.goto("/statistics?section=C")
    page.locator("#statistics-map.map-ready[data-coloured]").wait_for()
    paths = page.locator("#statistics-map path.leaflet-interactive")
    assert paths.count() >= 80  # every region outline is drawn
    fills = set(paths.evaluate_all("ps => ps.map(p => p.getAttribute('fill'))"))
    assert len(fills - {"#d9d9d9"}) >= 4  # coloured by classes of LQ, not all grey
    expect(page.locator("main")).to_contain_text("ЕМИСС")
    # the long section names stay inside the page (the select once ran past the right edge)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / "statistics.png"), full_page=False)


@pytest.mark.browser
def test_discovery_reference_switches(page: Page, live_server, synthetic_demo, official_statistics):
    page.goto("/discover/72")
    reference = page.locator("[data-reference]")
    expect(reference).to_have_attribute("data-reference", "official")
    expect(reference).to_contain_text("данные Росстата (ЕМИСС)")
    expect(reference).to_contain_text("2022 год")
    expect(page.locator("table#specialisations thead")).to_contain_text("Организаций (Росстат")
    expect(page.locator('table#specialisations tr[data-activity="C"] td[data-lq]')).to_have_text(
        "0,96"
    )
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / "discover-official.png"), full_page=False)

    page.locator('[data-switch="register"]').click()
    page.wait_for_url(re.compile(r"reference=register"))
    expect(reference).to_have_attribute("data-reference", "register")
    expect(reference).to_contain_text("реестр предприятий платформы")
    expect(page.locator("table#specialisations")).to_have_attribute("data-basis", "register")

    page.select_option("select[name=reference]", "official")
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(r"reference=official"))
    expect(reference).to_have_attribute("data-reference", "official")
    first = page.locator("table#candidates tbody tr").first
    expect(first.locator("a", has_text="предприятия кандидата")).to_have_attribute(
        "href", re.compile(r"reference=official")
    )
