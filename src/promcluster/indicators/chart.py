"""Server-drawn horizontal bar charts (SVG in the templates): where each bar and label goes.
Used for members by status, investment by status, ratings and time series; and bubble charts
(the specialisation portfolio of a region).

Labels are fitted by an estimate of their width (``text_width``) that errs wide for the fonts
the pages use or fall back to (DejaVu Sans, the widest, on a bare Linux): a bar label is wrapped
onto at most two lines and ellipsised to the room left of the bars, so that it is never cut at
the chart's left edge (the full name stays in its tooltip); a bubble label takes the first place
beside its bubble where it overlaps no label placed before it, larger bubbles first, and is left
out (the bubble's tooltip still names it) when no place is free."""

import math
from dataclasses import dataclass, replace

from promcluster.russian import signed_percent

WIDTH, LABEL, BAR_HEIGHT, GAP, VALUE = 640, 250, 18, 6, 110
LABEL_SIZE, LINE, LINES = 12, 14, 2  # bar label font (px), line spacing, most lines
BUBBLE_LABEL_SIZE, HALO = 11, 2  # bubble label font (px); its white outline, with room

# Widths of characters in em: generous (DejaVu Sans ≤ these), so that an estimate never falls
# short of the width drawn.
NARROW = set("ijlrtfIJ.,:;'!|()[]«» ·-ітј")
WIDE = set("mwMWшщжмыюфдШЩЖМЫЮФДQ%—…")


def text_width(text: str, size: float) -> float:
    """An upper estimate of the width in px of ``text`` at font size ``size`` (px)."""
    em = sum(
        0.4 if c in NARROW else 0.96 if c in WIDE else 0.8 if c.isupper() else 0.66 for c in text
    )
    return em * size


def fitted(text: str, width: float, size: float, lines: int = LINES) -> list[str]:
    """``text`` in at most ``lines`` lines no wider than ``width`` px (by ``text_width``):
    wrapped between words, a word longer than a line and the last line of a text that does not
    fit ending in an ellipsis."""
    words = text.split()
    out: list[str] = []
    while words and len(out) < lines:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size) <= width:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if not out:
        return [""]
    shown = [_ellipsised(x, width, size) if text_width(x, size) > width else x for x in out]
    if words:
        shown[-1] = _ellipsised(out[-1], width, size)
    return shown


def _ellipsised(line: str, width: float, size: float) -> str:
    """``line`` cut to fit ``width`` with an ellipsis at its end."""
    while line and text_width(line + "…", size) > width:
        line = line[:-1]
    return line.rstrip(" ,.-") + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as shown
    y: float  # top of the bar
    width: float
    css: str = ""
    lines: tuple[str, ...] = ()  # the label as drawn (wrapped, ellipsised)
    row: float = BAR_HEIGHT  # height of the bar's row: the bar or its label's lines

    @property
    def bar_y(self) -> float:
        """Top of the bar, centred in its row."""
        return round(self.y + (self.row - BAR_HEIGHT) / 2, 1)

    @property
    def text_y(self) -> float:
        """Baseline of the value, and of the label's first line (the lines centred on the bar)."""
        return round(self.bar_y + BAR_HEIGHT - 5 - (len(self.lines) - 1) * LINE / 2, 1)


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int = WIDTH
    label_width: int = LABEL
    bar_height: int = BAR_HEIGHT
    line: int = LINE

    @property
    def height(self) -> int:
        return math.ceil(sum(b.row + GAP for b in self.bars) + GAP)

    @property
    def value_x(self) -> float:
        return self.label_width + 4


def bar_chart(items: list[tuple[str, float | None, str, str]], width: int = WIDTH) -> BarChart:
    """Bars for ``(label, value, text, css class)``, scaled to the largest value; a missing
    value gets no bar and its text (e.g. «нет данных») only. The label column is as wide as
    the longest label's widest line (at most ``LABEL`` px, labels wrapped and ellipsised to
    fit), so that no label reaches past the chart's left edge."""
    top = max((v for _, v, _, _ in items if v), default=0)
    drawn = [fitted(label, LABEL - 8, LABEL_SIZE) for label, *_ in items]
    widest = max((text_width(x, LABEL_SIZE) for lines in drawn for x in lines), default=0)
    label_width = min(LABEL, max(80, math.ceil(widest) + 8))
    room = width - label_width - VALUE
    bars, y = [], GAP
    for (label, value, text, css), lines in zip(items, drawn, strict=True):
        row = max(BAR_HEIGHT, len(lines) * LINE + 4)
        scaled = round(room * value / top, 1) if value and top else 0
        bars.append(Bar(label, value, text, y, scaled, css, tuple(lines), row))
        y += row + GAP
    return BarChart(bars, width, label_width)


@dataclass(frozen=True)
class LabelPlace:
    x: float
    y: float  # baseline
    anchor: str  # SVG text-anchor: start, end, middle


@dataclass(frozen=True)
class Bubble:
    label: str  # shown beside the bubble, where there is room
    title: str  # the tooltip
    x: float
    y: float
    r: float
    css: str = ""
    place: LabelPlace | None = None  # where the label goes; None: no room, tooltip only


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
    bubbles = placed_labels(bubbles, chart)
    x_ticks = [(px(t), f"{t:g}".replace(".", ",")) for t in LOG_TICKS if x0 <= math.log10(t) <= x1]
    step = _step(y1 - y0)
    first = math.ceil(y0 / step)
    y_ticks = [
        (py(k * step), signed_percent(k * step, 0)) for k in range(first, math.floor(y1 / step) + 1)
    ]
    return BubbleChart(
        bubbles, x_ticks, y_ticks, px(x_mark), py(y_mark), x_title, y_title
    )  # fmt: skip


Box = tuple[float, float, float, float]  # left, top, right, bottom


def placed_labels(bubbles: list[Bubble], chart: BubbleChart) -> list[Bubble]:
    """The bubbles with a place for each label that fits: larger bubbles first, each label
    right of its bubble, else left, above or below, in the first of these places inside the
    plot that overlaps no label placed before; a label with no free place is left out (its
    bubble's tooltip names it)."""
    size = BUBBLE_LABEL_SIZE
    plot = (chart.left, chart.top, chart.width - chart.right, chart.plot_bottom)
    taken: list[Box] = []
    out = []
    for b in bubbles:
        w = text_width(b.label, size)
        # (x, baseline, anchor, left edge of the text)
        options = [
            (b.x + b.r + 2, b.y + 4, "start", b.x + b.r + 2),
            (b.x - b.r - 2, b.y + 4, "end", b.x - b.r - 2 - w),
            (b.x, b.y - b.r - 3, "middle", b.x - w / 2),
            (b.x, b.y + b.r + size, "middle", b.x - w / 2),
        ]
        place = None
        for x, base, anchor, left in options:
            # The glyphs' ascent and descent, generous, and the white halo drawn round them.
            box = (left - HALO, base - 1.25 * size, left + w + HALO, base + 0.45 * size)
            if _inside(box, plot) and not any(_meet(box, t) for t in taken):
                taken.append(box)
                place = LabelPlace(round(x, 1), round(base, 1), anchor)
                break
        out.append(replace(b, place=place))
    return out


def _inside(box: Box, frame: Box) -> bool:
    return frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]


def _meet(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _padded(low: float, high: float, least: float) -> tuple[float, float]:
    pad = max((high - low) * 0.08, least)
    return low - pad, high + pad


def _step(span: float) -> float:
    """A round tick step giving about five ticks over ``span``."""
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
