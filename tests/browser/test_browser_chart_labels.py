"""Chart labels in Chromium: the ratings bar labels all start inside the chart (long names
wrapped or ellipsised, the full name in the tooltip), and the labels of the discovery bubble
chart never overlap (those without room are left to the bubble's tooltip)."""

import pytest
from conftest import SCREENSHOTS
from playwright.sync_api import Page, expect


def intersect(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.browser
@pytest.mark.parametrize("level", ["cluster", "region"])
def test_no_rating_bar_label_starts_left_of_the_chart(page: Page, live_server, level):
    page.goto(f"/ratings?indicator=members&level={level}")
    chart = page.locator("svg.bars").first
    expect(chart).to_be_visible()
    frame = chart.bounding_box()
    labels = chart.locator(".bar-label")
    assert labels.count() >= 4
    for i in range(labels.count()):
        box = labels.nth(i).bounding_box()
        assert box is not None and box["width"] > 0
        assert box["x"] >= frame["x"], labels.nth(i).text_content()
        assert box["x"] + box["width"] <= frame["x"] + frame["width"]
    # The full names stay in the tooltips; the longest are wrapped onto a second line.
    titles = chart.locator(".bar-label title").all_text_contents()
    names = page.locator("#rating-table tbody tr td:nth-child(2)").all_inner_texts()
    assert titles == names
    if level == "cluster":
        assert chart.locator(".bar-label tspan[dy]").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(SCREENSHOTS / f"rating-bars-{level}.png"))


@pytest.mark.browser
def test_no_two_discovery_bubble_labels_overlap(page: Page, live_server, synthetic_demo):
    page.goto("/discover/72")
    chart = page.locator("#portfolio svg.bubbles")
    expect(chart).to_be_visible()
    bubbles = chart.locator("g.bubble")
    labels = chart.locator("text.bubble-label")
    assert bubbles.count() >= 10 and labels.count() >= 3
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    frame = chart.bounding_box()
    for i, a in enumerate(boxes):
        assert a is not None
        assert frame["x"] <= a["x"] and a["x"] + a["width"] <= frame["x"] + frame["width"]
        for j, b in enumerate(boxes[i + 1 :], i + 1):
            assert not intersect(a, b), (labels.nth(i).text_content(), labels.nth(j).text_content())
    # Every bubble, labelled or not, is named in its tooltip.
    assert chart.locator("g.bubble circle title").count() == bubbles.count()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(SCREENSHOTS / "discovery-bubbles.png"))
