"""The niche pages in Chromium over the demo with its synthetic supplement: the notice, the
scatter matching the table, sorting by a column, re-weighting, one niche with its buyers and
candidate producers, the passport download; screenshots for the test run and for the docs.

The supplement (15,000 synthetic enterprises) is loaded into the shared browser database for this
module only and removed afterwards, so that the other browser tests (the map draws every
enterprise) see the demo they expect."""

import io
import re
from pathlib import Path

import pytest
from conftest import DOCS_SCREENSHOTS
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from promcluster.db import make_sessionmaker
from promcluster.labels import CANDIDATE_REASONS
from promcluster.niches.outlook import outlook
from promcluster.niches.transfer import transfer_model

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
DOCS = DOCS_SCREENSHOTS
DEMAND_COLUMN = 4  # 1-based: №, product, score, demand, …


@pytest.fixture(scope="module")
def synthetic(live_server, synthetic_demo) -> None:
    """The synthetic supplement, with the feasibility model and outlook computed beforehand so
    that the first page does not wait for them."""
    transfer_model()
    with make_sessionmaker(live_server.engine)() as session:
        outlook(session)


def column(page: Page, index: int) -> list[float]:
    """The ``data-value`` numbers of a column of the niche table, top to bottom."""
    cells = page.locator(f"table#niches tbody tr td:nth-child({index})")
    return [float(v) for v in cells.evaluate_all("cs => cs.map(c => c.dataset.value)")]


def groups(page: Page) -> list[str]:
    return page.locator("table#niches tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.group)"
    )


@pytest.mark.browser
def test_ranking_page_scatter_sorting_and_weights(page: Page, live_server, synthetic):
    page.goto("/niches")
    page.wait_for_url("**/niches/72")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Тюменская область")
    expect(page.locator(".synthetic-notice")).to_be_visible()
    expect(page.locator(".synthetic-notice")).to_contain_text("синтетические")

    rows = page.locator("table#niches tbody tr[data-group]")
    bubbles = page.locator("svg.scatter circle.bubble[data-group]")
    count = rows.count()
    assert count >= 10
    expect(bubbles).to_have_count(count)
    ranked = groups(page)
    assert sorted(bubbles.evaluate_all("cs => cs.map(c => c.dataset.group)")) == sorted(ranked)
    scores = column(page, 3)
    assert scores == sorted(scores, reverse=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "niches.png"), full_page=True)

    # A click on a header orders by that column, descending; a second click reverses.
    header = page.locator("table#niches thead th", has_text="Спрос вне региона")
    header.click()
    expect(header).to_have_attribute("data-order", "desc")
    demand = column(page, DEMAND_COLUMN)
    assert demand == sorted(demand, reverse=True)
    assert groups(page) != ranked
    header.click()
    expect(header).to_have_attribute("data-order", "asc")
    assert column(page, DEMAND_COLUMN) == sorted(demand)

    # Demand alone: the recomputed ranking is the order by demand.
    form = page.locator("form.weights")
    form.locator('input[name="demand"]').fill("10")
    form.locator('input[name="feasibility"]').fill("0")
    form.locator('input[name="attractiveness"]').fill("0")
    form.get_by_role("button", name="Пересчитать").click()
    page.wait_for_url(re.compile(r"/niches/72\?.*demand=10"))
    expect(form.locator('input[name="demand"]')).to_have_value("10.0")
    by_demand = column(page, DEMAND_COLUMN)
    assert by_demand == sorted(by_demand, reverse=True)
    assert groups(page) != ranked
    assert len(by_demand) == count


@pytest.mark.browser
def test_niche_page_buyers_candidates_and_passport(page: Page, live_server, synthetic):
    page.goto("/niches/72")
    first = page.locator("table#niches tbody tr").first
    group = first.get_attribute("data-group")
    first.locator("a").first.click()
    page.wait_for_url(f"**/niches/72/{group}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(group)
    expect(page.locator('[data-kpi="demand"]')).to_contain_text("₽")
    buyers_shown = int(page.locator('[data-kpi="buyers"]').inner_text())
    expect(page.locator("[data-component]")).to_have_count(3)

    buyers = page.locator("#buyers tbody tr")
    expect(buyers.first).to_be_visible()
    assert buyers.count() == buyers_shown
    candidates = page.locator("#candidates tbody tr")
    expect(candidates.first).to_be_visible()
    reasons = candidates.locator("td:nth-child(5)").all_inner_texts()
    assert len(reasons) == candidates.count()
    known = tuple(reason.split("{")[0] for reason in CANDIDATE_REASONS.values())
    assert all(r.startswith(known) for r in reasons), reasons
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "niche.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Инвестиционный паспорт (Excel)").click()
    assert download.value.suggested_filename == f"niche-72-{group}.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert {"Паспорт ниши", "Покупатели", "Кто может производить"} <= set(book.sheetnames)
    assert group in book["Паспорт ниши"]["A1"].value
    buyer_rows = list(book["Покупатели"].iter_rows(min_row=2, values_only=True))
    assert len(buyer_rows) == buyers_shown
    shown = [
        t.replace("синтетика", "").strip()
        for t in buyers.locator("td:first-child").all_inner_texts()
    ]
    assert [r[0] for r in buyer_rows] == shown
    maker_rows = list(book["Кто может производить"].iter_rows(min_row=2, values_only=True))
    assert [r[4] for r in maker_rows] == reasons


@pytest.mark.browser
def test_niche_screenshots_for_the_docs(page: Page, live_server, synthetic):
    DOCS.mkdir(parents=True, exist_ok=True)
    assert page.viewport_size == {"width": 1280, "height": 900}
    page.goto("/niches/72")
    expect(page.locator("svg.scatter circle.bubble").first).to_be_visible()
    page.screenshot(path=str(DOCS / "niches.png"))
    group = page.locator("table#niches tbody tr").first.get_attribute("data-group")
    page.goto(f"/niches/72/{group}")
    expect(page.locator("#candidates tbody tr").first).to_be_attached()
    page.screenshot(path=str(DOCS / "niche.png"))
    for name in ("niches", "niche"):
        png = (DOCS / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG"), name
        assert int.from_bytes(png[16:20]) == 1280 and int.from_bytes(png[20:24]) == 900, name
