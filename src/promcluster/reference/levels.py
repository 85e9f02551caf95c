"""Levels of the OKVED2 and OKPD2 hierarchies and prefix look-ups over their codes."""

from sqlalchemy import and_

# OKVED2 level → length of the code prefix: "XX" division, "XX.X" group, "XX.XX" class.
PREFIX = {1: 2, 2: 4, 3: 5}
DEFAULT_LEVEL = 2

# Industry as Decree No. 779 counts it: OKVED2 sections B (mining), C (manufacturing), D (energy)
# and E (water and waste). Niches relate, and discovery seeds candidates, among these only.
INDUSTRIAL_SECTIONS = frozenset("BCDE")

GROUP_LENGTH = 5  # OKPD2 "XX.XX": a class, e.g. 23.61 «Изделия из бетона для строительства»


def group_of(code: str) -> str:
    """The OKPD2 class of a code (``23.61.11.130`` → ``23.61``)."""
    return code[:GROUP_LENGTH]


def code_range(column, prefix: str):
    """``column`` starts with ``prefix``, written as a range that a B-tree index serves."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper, column.startswith(prefix, autoescape=True))
