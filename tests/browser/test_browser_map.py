"""The overview map: drawn from the platform's own data even when map tiles cannot load."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from promcluster.reference.service import region_outlines_path


@pytest.mark.browser
def test_map_draws_points_outlines_and_labels_without_tiles(page: Page, live_server, monitor):
    placed = live_server.scalar("SELECT count(DISTINCT cluster_id) FROM cluster_regions")
    enterprises = live_server.scalar("SELECT count(*) FROM enterprises")
    labelled = sorted(
        name
        for (name,) in live_server.sql(
            "SELECT DISTINCT r.short_name FROM regions r "
            "JOIN cluster_regions cr ON cr.region_code = r.code"
        )
    )
    assert {"Тюменская", "Калининградская", "Краснодарский", "Ленинградская"} <= set(labelled)
    outlines = len(json.loads(region_outlines_path().read_text("utf-8"))["features"])

    page.goto("/map")
    map_ = page.locator("#map")
    # map.js sets data-markers once the outlines, labels and points are on the map.
    expect(map_).to_have_attribute("data-markers", re.compile(r"^\d+$"))
    overlay = map_.locator(".leaflet-overlay-pane")

    markers = overlay.locator(".pc-marker")
    expect(markers.first).to_be_visible()
    assert markers.count() >= placed
    expect(overlay.locator(".pc-cluster")).to_have_count(placed)
    expect(overlay.locator(".pc-marker:not(.pc-cluster)")).to_have_count(enterprises)

    # The outlines (simplified, every region) lie in their own pane, under the points.
    region_paths = map_.locator(".leaflet-regions-pane path.region-outline")
    expect(region_paths).to_have_count(outlines)
    assert outlines > 80

    box = map_.bounding_box()
    assert box is not None
    for name in labelled:
        label = map_.locator(".region-label", has_text=re.compile(f"^{name}$"))
        expect(label).to_be_visible()
        where = label.bounding_box()
        assert where is not None
        assert box["x"] <= where["x"] and where["x"] + where["width"] <= box["x"] + box["width"], (
            name
        )
        assert (
            box["y"] <= where["y"] and where["y"] + where["height"] <= box["y"] + box["height"]
        ), name

    # The tile layer was asked for tiles, and none of them could load.
    assert monitor.tile_requests, "the map never asked for background tiles"
    expect(map_.locator(".leaflet-tile-loaded")).to_have_count(0)
