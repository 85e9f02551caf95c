"""The README screenshots, taken at 1280×900 from the demo data: into test-artifacts/ on every
run, and over docs/screenshots/*.png only with ``PROMCLUSTER_DOCS_SCREENSHOTS=1`` (so that the
test suite never rewrites tracked files)."""

import re

import pytest
from conftest import DOCS_SCREENSHOTS
from playwright.sync_api import Page, expect

TYUMEN = "Строительно-индустриальный кластер Тюменской области"
LENINGRAD = "Кластер химической промышленности Ленинградской области"
DOCS = DOCS_SCREENSHOTS


@pytest.mark.browser
def test_readme_screenshots(page: Page, live_server, synthetic_demo):
    DOCS.mkdir(parents=True, exist_ok=True)
    assert page.viewport_size == {"width": 1280, "height": 900}

    page.goto("/")
    expect(page.locator('[data-kpi="clusters"]')).to_have_text(
        str(live_server.scalar("SELECT count(*) FROM clusters"))
    )
    page.screenshot(path=str(DOCS / "home.png"))

    page.goto(f"/clusters/{live_server.cluster_id(TYUMEN)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TYUMEN)
    expect(page.locator("#members-map .pc-marker").first).to_be_visible()
    page.screenshot(path=str(DOCS / "cluster.png"))

    page.goto("/map")
    expect(page.locator("#map")).to_have_attribute("data-markers", re.compile(r"^\d+$"))
    expect(page.locator("#map .region-label", has_text="Тюменская")).to_be_visible()
    page.locator("#map").scroll_into_view_if_needed()
    page.screenshot(path=str(DOCS / "map.png"))

    tyumen = live_server.cluster_id(TYUMEN)
    chain = live_server.scalar(
        "SELECT id FROM chains WHERE cluster_id = :c AND position = 1", c=tyumen
    )
    page.goto(f"/chains/{chain}")
    expect(page.locator("[data-chain-projects]")).to_have_text("4")
    page.screenshot(path=str(DOCS / "chain.png"))

    page.goto(f"/clusters/{live_server.cluster_id(LENINGRAD)}/compliance")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Соответствие")
    page.screenshot(path=str(DOCS / "compliance.png"))

    page.goto("/ratings?indicator=members")
    page.locator("#ratings-map.map-ready[data-coloured]").wait_for()
    page.locator("#ratings-map").scroll_into_view_if_needed()
    page.screenshot(path=str(DOCS / "ratings.png"))

    page.goto("/discover/72")
    rows = page.locator("table#candidates tbody tr")
    expect(page.locator("#discovery-map")).to_have_attribute("data-candidates", str(rows.count()))
    page.locator("#discovery-map").evaluate("m => m.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(DOCS / "discover.png"))

    page.goto(f"/clusters/{tyumen}/prospects")
    expect(page.locator("table#prospect-list tbody tr").first).to_be_visible()
    page.screenshot(path=str(DOCS / "prospects.png"))

    shots = ("home", "cluster", "map", "chain", "compliance", "ratings", "discover", "prospects")
    for name in shots:
        png = (DOCS / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG"), name
        assert int.from_bytes(png[16:20]) == 1280 and int.from_bytes(png[20:24]) == 900, name
