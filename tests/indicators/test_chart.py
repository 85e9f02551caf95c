"""Server-drawn charts: where bars and bubbles go."""

import pytest

from promcluster.indicators.chart import bar_chart, bubble_chart, fitted, text_width


def test_bars_scale_to_the_largest_value_and_a_missing_value_has_no_bar():
    chart = bar_chart([("a", 10, "10", ""), ("b", 5, "5", ""), ("c", None, "нет данных", "")])
    a, b, c = chart.bars
    assert a.width == pytest.approx(2 * b.width) and a.width > 0
    assert c.width == 0 and c.text == "нет данных"
    assert a.y < b.y < c.y


def test_bubbles_on_a_log_scale_with_the_reference_lines_at_lq_1_and_no_growth():
    chart = bubble_chart(
        [("a", "A", 1.0, 0.0, 100), ("b", "B", 10.0, 0.2, 400), ("c", "C", 0.1, -0.2, 25)],
        "LQ", "рост",
    )  # fmt: skip
    by = {b.label: b for b in chart.bubbles}
    # LQ 1 sits on the vertical line, growth 0 on the horizontal one.
    assert by["a"].x == pytest.approx(chart.x_mark) and by["a"].y == pytest.approx(chart.y_mark)
    # Log scale: 0.1 → 1 is as far as 1 → 10.
    assert by["b"].x - by["a"].x == pytest.approx(by["a"].x - by["c"].x, abs=0.2)
    assert by["b"].y < by["a"].y < by["c"].y  # higher growth is higher up
    # The area follows the size: 4 times the size, twice the radius beyond the least radius.
    assert (by["b"].r - 4) == pytest.approx(2 * (by["a"].r - 4), abs=0.1)
    assert [b.css for b in (by["a"], by["b"], by["c"])] == [
        "high-rising", "high-rising", "low-falling",
    ]  # fmt: skip
    assert [b.label for b in chart.bubbles] == ["b", "a", "c"]  # the largest drawn first
    assert {"0,1", "1", "10"} <= {text for _, text in chart.x_ticks}
    assert "0\u00a0%" in {text for _, text in chart.y_ticks}
    assert all(chart.left <= b.x <= chart.width - chart.right for b in chart.bubbles)
    assert all(chart.top <= b.y <= chart.plot_bottom for b in chart.bubbles)


def test_the_reference_lines_stay_in_view_when_every_activity_is_specialised_and_growing():
    chart = bubble_chart([("a", "A", 5.0, 0.3, 1), ("b", "B", 8.0, 0.1, 1)], "LQ", "рост")
    assert chart.left <= chart.x_mark < min(b.x for b in chart.bubbles)
    assert max(b.y for b in chart.bubbles) < chart.y_mark <= chart.plot_bottom


LONG = "Кластер химической промышленности Ленинградской области и ещё очень длинное продолжение"


def test_a_long_label_is_wrapped_onto_two_lines_and_ellipsised_to_its_room():
    lines = fitted(LONG, 200, 12)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(text_width(x, 12) <= 200 for x in lines)
    assert lines[0] == "Кластер химической"  # broken between words
    assert fitted("Короткий", 200, 12) == ["Короткий"]
    word = fitted("Ж" * 40, 100, 12)
    assert len(word) == 1 and word[0].endswith("…") and text_width(word[0], 12) <= 100


def test_the_label_column_holds_the_widest_label_line_and_rows_grow_for_two_lines():
    chart = bar_chart([(LONG, 10, "10", ""), ("Участники", 5, "5", "")])
    long, short = chart.bars
    assert len(long.lines) == 2 and short.lines == ("Участники",)
    widest = max(text_width(x, 12) for b in chart.bars for x in b.lines)
    # Every line, right-aligned 6 px left of the bars, starts right of the chart's left edge.
    assert chart.label_width - 6 - widest >= 0
    assert long.row > short.row and short.y >= long.y + long.row
    assert chart.height >= short.y + short.row
    narrow = bar_chart([("a", 1, "1", "")])
    assert narrow.label_width < chart.label_width  # short labels leave the bars more room


def test_bubble_labels_never_overlap_and_those_without_room_are_left_out():
    # Twenty bubbles in a tight cloud: their labels cannot all sit beside them.
    items = [(f"{10 + i}.{i:02d}", f"t{i}", 1 + 0.01 * i, 0.001 * i, 1) for i in range(20)]
    chart = bubble_chart(items, "LQ", "рост")
    placed = [b for b in chart.bubbles if b.place]
    assert 0 < len(placed) < len(chart.bubbles)
    boxes = []
    for b in placed:
        w = text_width(b.label, 11)
        left = {"start": b.place.x, "end": b.place.x - w, "middle": b.place.x - w / 2}
        boxes.append(
            (left[b.place.anchor], b.place.y - 11, left[b.place.anchor] + w, b.place.y + 3)
        )
    for i, a in enumerate(boxes):
        assert chart.left <= a[0] and a[2] <= chart.width - chart.right
        for c in boxes[i + 1 :]:
            assert not (a[0] < c[2] and c[0] < a[2] and a[1] < c[3] and c[1] < a[3]), (a, c)
    # Spread out, every bubble keeps its label.
    apart = bubble_chart([("a", "A", 0.5, -0.1, 1), ("b", "B", 5.0, 0.2, 1)], "LQ", "рост")
    assert all(b.place for b in apart.bubbles)
