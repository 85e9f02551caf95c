"""Maps without tiles (closed networks; the tile server here is unreachable): the cluster, region
and enterprise maps draw the outlines of their regions and neighbours and labels inside the
visible map, none of them overlapping."""

import re

import pytest
from conftest import SCREENSHOTS, TYUMEN
from playwright.sync_api import Locator, Page, expect


def boxes(labels: Locator) -> list[dict]:
    return [b for b in (labels.nth(i).bounding_box() for i in range(labels.count())) if b]


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def check_offline_map(page: Page, map_id: str, region_name: str, screenshot: str) -> None:
    the_map = page.locator(f"#{map_id}")
    expect(the_map).to_have_class(re.compile(r"\bregions-ready\b"))
    outlines = the_map.locator(".leaflet-regions-pane path.region-outline")
    assert outlines.count() >= 2  # the region in focus and its neighbours
    assert the_map.locator("path.region-outline.focus").count() >= 1
    assert int(the_map.get_attribute("data-outlines")) == outlines.count()
    box = the_map.bounding_box()
    assert box is not None
    shown = the_map.locator(".region-label:not(.label-hidden)")
    placed = boxes(shown)
    assert placed, "no label shown"
    for b in placed:  # every label shown lies whole inside the visible map
        assert box["x"] <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"], b
        assert box["y"] <= b["y"] and b["y"] + b["height"] <= box["y"] + box["height"], b
    assert int(the_map.get_attribute("data-labels-shown")) == shown.count()
    # The focus region's own name is among the visible labels (it is placed first).
    expect(the_map.locator(".region-label.focus:not(.label-hidden)").first).to_contain_text(
        region_name
    )
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            assert not overlap(a, b), (a, b)
    expect(the_map.locator(".leaflet-tile-loaded")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    the_map.screenshot(path=str(SCREENSHOTS / screenshot))


@pytest.mark.browser
def test_cluster_region_and_enterprise_maps_draw_outlines_and_labels_without_tiles(
    page: Page, live_server, monitor
):
    tyumen = live_server.cluster_id(TYUMEN)
    page.goto(f"/clusters/{tyumen}")
    check_offline_map(page, "members-map", "Тюменская", "offline-map-cluster.png")

    page.goto("/regions/72")
    check_offline_map(page, "region-map", "Тюменская", "offline-map-region.png")
    cities = page.locator("#region-map .region-label.city:not(.label-hidden)")
    expect(cities.first).to_be_visible()
    # Towns of the region (Tyumen itself may give way to the region's name beside it).
    towns = {"Тюмень", "Тобольск", "Ишим", "Ялуторовск", "Заводоуковск"}
    assert set(t.lstrip("• ") for t in cities.all_inner_texts()) <= towns

    firm = live_server.scalar(
        "SELECT min(m.enterprise_id) FROM memberships m JOIN enterprises e "
        "ON e.id = m.enterprise_id WHERE m.cluster_id = :c AND e.region_code = '72'",
        c=tyumen,
    )
    page.goto(f"/enterprises/{firm}")
    check_offline_map(page, "enterprise-map", "Тюменская", "offline-map-enterprise.png")
    assert monitor.tile_requests, "the maps never asked for tiles (they stay optional)"
