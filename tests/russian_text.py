"""What a reader sees on a page, and the forms of it that are not Russian."""

import re
from html.parser import HTMLParser

HIDDEN = {"script", "style", "template", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

# Each a form no Russian reader should meet, with why.
PATTERNS = {
    "decimal point": re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])"),  # «94.7»; dates 03.12.2026 pass
    "ungrouped number": re.compile(r"(?<![\d\u202f,.])\d{5,}(?![\d,.])"),  # «16722»
    "minus zero": re.compile(r"[-−]0,0*(?!\d*[1-9])"),  # «-0,00»
    "ISO month": re.compile(r"\b\d{4}-\d{2}\b"),  # «2026-12», «2026-12-03»
    "identifier": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),  # «specialised_org»
    "raw vocabulary": re.compile(r"(?<![\w/.-])(?:federal|regional|count|region:\d+)(?![\w/.-])"),
    "percent glued": re.compile(r"\d%"),  # «12%»: one rule, «12 %»
    "percent plain space": re.compile(r"\d %"),  # the space before «%» is a no-break one
}

CODE = r"\d{2}(?:\.\d{1,3}){1,4}"
# What may look like the above and is not a number for reading: identifiers of records.
CODES = [
    re.compile(r"\b\d{10}(?:\d{2,5})?\b"),  # ИНН (10, 12), ОГРН (13), ОГРНИП (15)
    # ОКВЭД2 / ОКПД2 codes (23.61, 23.61.11.110) where the text says so: after the classifier's
    # name or «группа», or before the name they code (text of class="code" is skipped)
    re.compile(
        rf"(?:ОКВЭД2|ОКПД2|группа|группы|деятельность|деятельности|›|или|например,)\s{CODE}"
    ),
    re.compile(rf"\b{CODE}(?=\s[«А-ЯЁ(])"),
    re.compile(r"\b\d{6}\b(?=,? ?[А-ЯЁ])"),  # a postcode before the address: «625000, Тюмень»
    re.compile(r"№\s?\d+"),  # a record's number: «Синтетическое предприятие №12345»
    re.compile(r"(?:показатель )?\b\d{5}\b(?= «)"),  # an ЕМИСС indicator: «58109 «Количество…»»
    re.compile(r"CC BY(?:-SA)? \d\.\d"),  # a licence's version
]
# A code alone (a table cell, a chart label «25.11 +2»), except in a number (class="num") cell.
CODE_ALONE = re.compile(rf"^{CODE}(?: \+\d+)?$")


class _Text(HTMLParser):
    """Text nodes and tooltips outside ``HIDDEN`` elements and elements of class ``code``, each
    with whether it sits in a number (class ``num``) element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, bool]] = []
        self.open: list[tuple[str, bool, bool]] = []  # (tag, skipped, number)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag not in VOID:
            self.open.append((tag, tag in HIDDEN or "code" in classes, "num" in classes))
        if not self.skipped:
            self.parts.extend((v, False) for k, v in attrs if k in SHOWN_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    @property
    def skipped(self) -> bool:
        return any(skip for _, skip, _ in self.open)

    def handle_data(self, data: str) -> None:
        if not self.skipped and data.strip():
            self.parts.append((data.strip(), any(num for _, _, num in self.open)))


def visible_text(html: str) -> list[tuple[str, bool]]:
    """The text nodes and tooltips of ``html`` a reader sees (no scripts, styles or head), each
    with whether it is in a number cell."""
    parser = _Text()
    parser.feed(html)
    return parser.parts


def problems(html: str) -> list[tuple[str, str, str]]:
    """(pattern name, match, its text) for every form of ``html`` that is not Russian."""
    found = []
    for text, in_number in visible_text(html):
        plain = text if in_number else CODE_ALONE.sub("§", text)
        for code in CODES:
            plain = code.sub("§", plain)
        for name, pattern in PATTERNS.items():
            found.extend((name, m.group(), text[:160]) for m in pattern.finditer(plain))
    return found
