"""Server-drawn horizontal bar charts (SVG in the templates): where each bar and label goes.
Used for members by status, investment by status, ratings and time series; and bubble charts
(the specialisation portfolio of a region)."""

import math
from dataclasses import dataclass

from promcluster.russian import signed_percent

WIDTH, LABEL, BAR_HEIGHT, GAP, VALUE = 640, 250, 18, 6, 110


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as shown
    y: float
    width: float
    css: str = ""


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int = WIDTH
    label_width: int = LABEL
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return len(self.bars) * (BAR_HEIGHT + GAP) + GAP

    @property
    def value_x(self) -> float:
        return self.label_width + 4


def bar_chart(items: list[tuple[str, float | None, str, str]], width: int = WIDTH) -> BarChart:
    """Bars for ``(label, value, text, css class)``, scaled to the largest value; a missing
    value gets no bar and its text (e.g. «нет данных») only."""
    top = max((v for _, v, _, _ in items if v), default=0)
    room = width - LABEL - VALUE
    bars = [
        Bar(
            label,
            value,
            text,
            GAP + i * (BAR_HEIGHT + GAP),
            round(room * value / top, 1) if value and top else 0,
            css,
        )
        for i, (label, value, text, css) in enumerate(items)
    ]
    return BarChart(bars, width)


@dataclass(frozen=True)
class Bubble:
    label: str  # shown beside the bubble
    title: str  # the tooltip
    x: float
    y: float
    r: float
    css: str = ""


@dataclass(frozen=True)
class BubbleChart:
    """Bubbles on a plot area with tick marks and two reference lines (``x_mark``, ``y_mark``)."""

    bubbles: list[Bubble]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    x_mark: float  # pixel x of the vertical reference line
    y_mark: float  # pixel y of the horizontal reference line
    x_title: str
    y_title: str
    width: int = WIDTH
    height: int = 420
    left: int = 56
    right: int = 16
    top: int = 12
    bottom: int = 44

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom


LOG_TICKS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)


def bubble_chart(
    items: list[tuple[str, str, float, float, float]],
    x_title: str,
    y_title: str,
    x_mark: float = 1.0,
    y_mark: float = 0.0,
) -> BubbleChart:
    """Bubbles for ``(label, title, x, y, size)``: x on a log scale (x > 0), y a share shown in
    per cent, the bubble's area proportional to ``size``; the reference lines at ``x_mark`` and
    ``y_mark`` are always in view. The css class tells the quadrant: ``high-rising`` (x above
    the mark, y above), ``high-falling``, ``low-rising``, ``low-falling``."""
    chart = BubbleChart([], [], [], 0, 0, x_title, y_title)
    xs = [math.log10(x) for _, _, x, _, _ in items] + [math.log10(x_mark)]
    ys = [y for _, _, _, y, _ in items] + [y_mark]
    x0, x1 = _padded(min(xs), max(xs), 0.1)
    y0, y1 = _padded(min(ys), max(ys), 0.02)
    width = chart.width - chart.left - chart.right
    height = chart.plot_bottom - chart.top

    def px(x: float) -> float:
        return round(chart.left + width * (math.log10(x) - x0) / (x1 - x0), 1)

    def py(y: float) -> float:
        return round(chart.top + height * (y1 - y) / (y1 - y0), 1)

    largest = max((s for *_, s in items), default=0) or 1
    bubbles = [
        Bubble(
            label, title, px(x), py(y), round(4 + 18 * math.sqrt(max(size, 0) / largest), 1),
            ("high" if x >= x_mark else "low") + ("-rising" if y >= y_mark else "-falling"),
        )
        for label, title, x, y, size in items
    ]  # fmt: skip
    bubbles.sort(key=lambda b: -b.r)  # the small ones on top
    x_ticks = [(px(t), f"{t:g}".replace(".", ",")) for t in LOG_TICKS if x0 <= math.log10(t) <= x1]
    step = _step(y1 - y0)
    first = math.ceil(y0 / step)
    y_ticks = [
        (py(k * step), signed_percent(k * step, 0)) for k in range(first, math.floor(y1 / step) + 1)
    ]
    return BubbleChart(
        bubbles, x_ticks, y_ticks, px(x_mark), py(y_mark), x_title, y_title
    )  # fmt: skip


def _padded(low: float, high: float, least: float) -> tuple[float, float]:
    pad = max((high - low) * 0.08, least)
    return low - pad, high + pad


def _step(span: float) -> float:
    """A round tick step giving about five ticks over ``span``."""
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
