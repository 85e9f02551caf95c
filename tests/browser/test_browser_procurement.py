"""Buyers from public procurement in Chromium: the Tyumen niche ranking marks the demand known
from ЕИС, the niche page lists the public customer with its purchased volume, contract numbers
and the regions it buys from, and its card shows its purchases by class and year.

The hand-made purchases of ``tests/procurement/purchases.py`` are added to the shared browser
database for this module and removed afterwards."""

from collections.abc import Iterator

import pytest
from conftest import DOCS_SCREENSHOTS, SCREENSHOTS, LiveServer
from factories import Database
from playwright.sync_api import Page, expect
from procurement.purchases import CONTRACTS, HOSPITAL, Purchases, build_purchases
from sqlalchemy import text

FIRMS = ("hospital", "sverdlovsk", "tyumen", "moscow")


@pytest.fixture(scope="module")
def purchases(live_server: LiveServer) -> Iterator[Purchases]:
    p = build_purchases(Database(live_server.database_url, live_server.engine))
    yield p
    ids = ", ".join(str(p[k]) for k in FIRMS)
    with live_server.engine.begin() as connection:
        for statement in (
            f"DELETE FROM procurement_items WHERE document_id IN (SELECT id FROM "
            f"procurement_documents WHERE customer_id IN ({ids}))",
            f"DELETE FROM procurement_documents WHERE customer_id IN ({ids})",
            f"DELETE FROM needs WHERE customer_id IN ({ids})",
            f"DELETE FROM supplies WHERE buyer_id IN ({ids}) OR supplier_id IN ({ids})",
            f"DELETE FROM product_lines WHERE enterprise_id IN ({ids})",
            f"DELETE FROM enterprises WHERE id IN ({ids})",
            "INSERT INTO audit_log (actor, action, entity, changes, at) VALUES "
            "('tests', 'delete', 'enterprises', '{}', CURRENT_TIMESTAMP)",  # cached results go
        ):
            connection.execute(text(statement))


@pytest.mark.browser
def test_the_tyumen_niche_lists_its_buyers_from_procurement(page: Page, purchases):
    page.goto("/niches/72")
    mark = page.locator('table#niches tr[data-group="23.61"] [data-field="procurement"]')
    expect(mark).to_contain_text("по данным госзакупок (ЕИС)")
    page.locator('table#niches tr[data-group="23.61"] a').first.click()
    page.wait_for_url("**/niches/72/23.61")

    expect(page.locator('[data-kpi="procurement"]')).to_be_visible()
    expect(page.locator("#procurement-note")).to_contain_text("по данным госзакупок (ЕИС)")
    row = page.locator(f'#buyers tr[data-procurement="{purchases["hospital"]}"]')
    expect(row).to_be_visible()
    expect(row.get_by_role("link", name=HOSPITAL)).to_be_visible()
    expect(row.locator('[data-field="purchased"]')).to_have_text("1,4 млн ₽")
    expect(row.locator('[data-field="contracts"]')).to_contain_text(
        f"4 контракта: № {CONTRACTS['first']}"
    )
    expect(row).to_contain_text("Свердловская область — 43 %")
    expect(row).to_contain_text("вне региона 79 %")
    row.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "niche-procurement.png"), full_page=True)
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#buyers").screenshot(path=str(DOCS_SCREENSHOTS / "niche-procurement.png"))

    row.get_by_role("link", name=HOSPITAL).click()
    page.wait_for_url(f"**/enterprises/{purchases['hospital']}")
    card = page.locator("section#procurement")
    expect(card.get_by_role("heading", name="Закупки (ЕИС)")).to_be_visible()
    expect(card.locator('[data-field="contracts"]')).to_have_text("4 контракта")
    expect(card.locator("#procurement-classes tbody tr")).to_have_count(4)
    expect(card.locator('#procurement-regions tr[data-region="66"]')).to_contain_text("41 %")
