"""Numbers as people type them in Russian — «1 200 000,50», «−3», «15 000 ₽» — read the same way
in imported files and in the platform's forms."""

import re

SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")  # between thousands: spaces, no-break spaces, '
_ROUBLES = re.compile(r"(руб\.?|₽|р\.)$", re.IGNORECASE)


def parse(text: str) -> float:
    """``1 234,5`` → 1234.5: spaces between thousands, a decimal comma or point, «−» for minus,
    roubles' signs after the number; anything else (and NaN or infinity) raises ValueError."""
    if text.isascii() and text.isdigit():
        return float(text)
    raw = _ROUBLES.sub("", SPACES.sub("", text).replace(",", ".").replace("−", "-"))
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"«{text}» не число") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"«{text}» не число")
    return value
