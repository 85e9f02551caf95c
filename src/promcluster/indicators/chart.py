"""Server-drawn horizontal bar charts (SVG in the templates): where each bar and label goes.
Used for members by status, investment by status, ratings and time series."""

from dataclasses import dataclass

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
