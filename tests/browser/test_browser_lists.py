"""Long lists in the browser: the enterprise register of the demo with its synthetic supplement
(``synthetic_demo``, removed after the module)."""

import pytest
from playwright.sync_api import Page, expect


@pytest.mark.browser
def test_the_enterprise_list_pages_through_thousands_within_the_window(
    page: Page, live_server, synthetic_demo
):
    """The pager of the whole register fits the window: the first and last pages and those
    around the current one, with Russian thousands separators (issue 23)."""
    total = live_server.scalar("SELECT count(*) FROM enterprises")
    pages = -(-total // 50)
    assert pages > 8  # more pages than the pager shows
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/enterprises")
    shown = f"{total:,}".replace(",", "\u202f")
    expect(page.locator("#results > p.muted")).to_contain_text(f"Найдено: {shown}")
    pager = page.locator("nav.pager")
    expect(pager.locator("a, strong")).to_have_count(5)  # 1 2 3 … last, "вперёд"
    pager.get_by_role("link", name=f"{pages:,}".replace(",", "\u202f"), exact=True).click()
    expect(pager.locator("strong")).to_have_text(f"{pages:,}".replace(",", "\u202f"))
    expect(pager).to_contain_text(f"из {pages:,}".replace(",", "\u202f"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
