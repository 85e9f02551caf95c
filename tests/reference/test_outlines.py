"""Region outlines for the maps: simplification, the regions in view of a map, the payload's
size, and the labels (regions in focus, their largest cities, neighbours)."""

import json

import pytest

from promcluster.errors import InvalidField
from promcluster.reference import outlines
from promcluster.reference.service import region_outlines_path


def test_simplified_keeps_the_ends_and_the_corners_and_drops_points_on_a_line():
    line = [[0.0, 0.0], [1.0, 0.001], [2.0, 0.0], [2.0, 1.0], [2.002, 2.0], [2.0, 3.0]]
    assert outlines.simplified(line, 0.01) == [[0.0, 0.0], [2.0, 0.0], [2.0, 3.0]]
    # Below the tolerance's scale every point stays.
    assert outlines.simplified(line, 0.0001) == line


def test_every_shipped_region_keeps_an_outline_at_every_detail():
    shipped = json.loads(region_outlines_path().read_text("utf-8"))["features"]
    for _, tolerance in outlines.DETAIL:
        kept = outlines.outlines(tolerance)
        assert set(kept) == {str(f["properties"]["code"]) for f in shipped}
        for o in kept.values():
            west, south, east, north = o.box
            assert 19 < west < east < 192 and 41 < south < north < 82, o.code


def test_chukotka_is_drawn_in_one_piece_past_180_degrees():
    chukotka = outlines.outlines(outlines.COUNTRY)["87"]
    west, _, east, _ = chukotka.box
    assert west > 150 and 180 < east < 192  # not -180 … 180


def test_a_map_of_a_region_shows_it_and_its_neighbours_only():
    shown = {o.code for o in outlines.in_view(["72"])}
    assert {"72", "66", "45", "55", "86"} <= shown  # Sverdlovsk, Kurgan, Omsk, Khanty-Mansi
    assert "39" not in shown and "23" not in shown  # Kaliningrad, Krasnodar
    assert {o.code for o in outlines.in_view(["39"])} == {"39"}  # an exclave
    assert len(outlines.in_view([])) == 85


@pytest.mark.parametrize("focus", [["72"], ["24"], ["87"], ["77"], ["14"], ["47", "78"], []])
def test_the_payload_of_a_map_stays_bounded(focus):
    """Simplified to the view: every region map under 150 kB, the whole country under 250 kB
    (the shipped file is 2.2 MB)."""
    size = len(json.dumps([o.geometry for o in outlines.in_view(focus)], separators=(",", ":")))
    assert size < (250_000 if not focus else 150_000), size
    assert size < region_outlines_path().stat().st_size / 8


def test_map_regions_marks_the_focus_and_orders_the_labels(db):
    with db.session() as session:
        found = outlines.map_regions(session, ["72"])["features"]
    shapes = [f for f in found if f["geometry"]["type"] != "Point"]
    labels = [f["properties"] for f in found if f["geometry"]["type"] == "Point"]
    assert [s["properties"]["code"] for s in shapes if s["properties"]["focus"]] == ["72"]
    assert len(shapes) > 5
    kinds = [(p["label"], p["focus"]) for p in labels]
    first_neighbour = kinds.index(("region", False))
    assert kinds[0] == ("region", True)
    assert set(kinds[1:first_neighbour]) == {("city", True)}
    assert set(kinds[first_neighbour:]) == {("region", False)}
    cities = [p["name"] for p in labels if p["label"] == "city"]
    # The capital first, then by population; Tyumen oblast has five towns in the reference.
    assert cities == ["Тюмень", "Тобольск", "Ишим", "Ялуторовск", "Заводоуковск"]
    with db.session() as session:
        krasnodar = outlines.map_regions(session, ["23"])["features"]
    assert len([f for f in krasnodar if f["properties"].get("label") == "city"]) == outlines.CITIES
    assert "Тюменская" in labels[0]["name"]


def test_map_regions_refuses_unknown_codes_and_too_many(db):
    with db.session() as session:
        with pytest.raises(InvalidField, match="нет региона с кодом «99»") as refused:
            outlines.map_regions(session, ["72", "99"])
        assert refused.value.field == "focus"
        with pytest.raises(InvalidField, match="не больше 20 регионов"):
            outlines.map_regions(session, [f"{n:02d}" for n in range(1, 30)])
