"""Where the niche scatter draws each niche: feasibility across, attractiveness up, the area of a
bubble by demand; labels for the best niches, merged where they would overlap."""

from dataclasses import dataclass

from promcluster.niches.service import Niche

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 420, 48, 80, 12, 48
LABELLED = 12  # best niches whose code is written beside the bubble
CLOSE = (44, 14)  # labels nearer than this (px across, px up) are merged into one


@dataclass
class Bubble:
    niche: Niche
    x: float
    y: float
    radius: float
    label: str | None = None


def x_of(share: float) -> float:
    return LEFT + share * (WIDTH - LEFT - RIGHT)


def y_of(share: float) -> float:
    return HEIGHT - BOTTOM - share * (HEIGHT - BOTTOM - TOP)


def bubbles(niches: list[Niche]) -> list[Bubble]:
    """Bubbles in drawing order (smallest score last drawn first, so the best stay on top)."""
    top = max((n.demand for n in niches), default=0)
    placed = [
        Bubble(
            n,
            round(x_of(n.components["feasibility"]), 1),
            round(y_of(n.components["attractiveness"]), 1),
            round(4 + 22 * (n.demand / top) ** 0.5 if top else 4, 1),
        )
        for n in niches
    ]
    labelled: dict[int, list[str]] = {}  # index of the labelled bubble → codes it stands for
    for i, b in enumerate(placed[:LABELLED]):
        near = next(
            (
                k
                for k in labelled
                if abs(placed[k].x - b.x) < CLOSE[0] and abs(placed[k].y - b.y) < CLOSE[1]
            ),
            i,
        )
        labelled.setdefault(near, []).append(b.niche.group)
    for k, codes in labelled.items():
        placed[k].label = codes[0] + (f" +{len(codes) - 1}" if len(codes) > 1 else "")
    return placed[::-1]
