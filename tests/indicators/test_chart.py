"""Server-drawn charts: where bars and bubbles go."""

import pytest

from promcluster.indicators.chart import bar_chart, bubble_chart


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
