"""Search results as a person reads them: grouped by kind with counts, identical hits (same
kind, title and OKPD2 code: twenty firms consuming «Цемент общестроительный») collapsed into one
line with their count, and each line saying why it matched — the field, the words found in the
title, the spelling corrections used. The search page, the top bar's suggestions and the
typeahead pickers all read this."""

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from promcluster import labels
from promcluster.errors import InvalidField
from promcluster.matching.search import KINDS, LIMIT, Hit, matches, parse_kinds, plan
from promcluster.matching.text import index_terms, lemma_variants, words
from promcluster.matching.vocabulary import known_words

CANDIDATES = 100  # documents of one kind grouped (a kind with more shows «100+»)
SUGGESTED = 5  # lines of one kind under the top bar's box
MAX_SUGGESTED = 10
TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Reason:
    """Why a line matched: the fields holding the query's words, the words found in the title,
    the corrections of typos it relied on."""

    fields: tuple[str, ...]
    found: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        """«совпало: название; исправлено: цемнт → цемент»."""
        parts = ["совпало: " + ", ".join(labels.SEARCH_FIELDS[f] for f in self.fields)]
        if self.corrected:
            fixes = ", ".join(f"{typed} → {fixed}" for typed, fixed in self.corrected)
            parts.append(f"исправлено: {fixes}")
        return "; ".join(parts)


@dataclass
class Line:
    """One line of results: the best of its identical hits, and the others."""

    hit: Hit
    why: Reason
    marked: list[tuple[str, bool]]  # the title in pieces, the query's words marked
    in_title: bool  # every query word is in the title
    others: list[Hit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return 1 + len(self.others)


@dataclass
class Section:
    kind: str
    count: int  # lines of this kind (of the first CANDIDATES documents)
    capped: bool  # the kind has more matching documents than were grouped
    lines: list[Line]

    @property
    def label(self) -> str:
        return labels.SEARCH_KIND_GROUPS[self.kind]


@dataclass
class Overview:
    query: str
    sections: list[Section] = field(default_factory=list)  # the best-matched kind first
    corrected: dict[str, str] = field(default_factory=dict)
    every_word: bool = True

    @property
    def lines(self) -> list[Line]:
        return [line for s in self.sections for line in s.lines]


def _forms(token: str) -> set[str]:
    """A title word as the query may meet it: its lower-cased self and normal forms."""
    return {w for part in words(token) for w in (part, *lemma_variants(part))}


def _group_in(group: list[tuple[str, bool]], forms: set[str]) -> bool:
    return any(
        (any(f.startswith(term) for f in forms) if is_prefix else term in forms)
        for term, is_prefix in group
    )


def explain(hit: Hit, groups: list, corrected: dict[str, str], every_word: bool) -> Line:
    """The line of one hit: why it matched and its title with the query's words marked."""
    title_terms = set(index_terms(hit.title)) | {w for w in words(hit.title)}
    in_title = [g for g in groups if _group_in(g, title_terms)]
    rest = [g for g in groups if g not in in_title]
    fields = ["title"] if in_title else []
    if any(term.isdigit() for g in rest for term, _ in g):
        fields.append("number")
    if any(not all(term.isdigit() for term, _ in g) for g in rest):
        fields.append("text")
    marked, end, found = [], 0, []
    for token in TOKEN.finditer(hit.title):
        if any(_group_in(g, _forms(token.group())) for g in groups):
            marked += [(hit.title[end : token.start()], False), (token.group(), True)]
            end = token.end()
            found.append(token.group())
    marked.append((hit.title[end:], False))
    fixes = tuple(
        (typed, fixed) for typed, fixed in corrected.items() if every_word or fixed in title_terms
    )
    why = Reason(tuple(fields or ["text"]), tuple(found), fixes)
    return Line(hit, why, [m for m in marked if m[0]], len(in_title) == len(groups))


def collapse(lines: list[Line]) -> list[Line]:
    """Lines of the same kind, title and OKPD2 code as one, in the order of their best."""
    by_key: dict[tuple, Line] = {}
    for line in lines:
        h = line.hit
        key = (h.kind, " ".join(h.title.casefold().split()), h.okpd2_code)
        if key in by_key:
            by_key[key].others.append(h)
        else:
            by_key[key] = line
    return list(by_key.values())


def overview(
    session: Session,
    query: str,
    kinds: tuple[str, ...] = KINDS,
    region: str | None = None,
    per_kind: int = LIMIT,
    offset: int = 0,
) -> Overview:
    """The lines for ``query`` by kind, ``per_kind`` of each from ``offset``; the kind whose
    best line has every query word in its title, then the best ranked, comes first. The last
    word may be unfinished (it also matches as a beginning)."""
    kinds = parse_kinds(list(kinds))
    if not 1 <= per_kind <= CANDIDATES:
        raise InvalidField("limit", f"число результатов должно быть от 1 до {CANDIDATES}")
    if not 0 <= offset <= CANDIDATES - per_kind:
        raise InvalidField("offset", f"показываются только первые {CANDIDATES} результатов")
    connection = session.connection()
    groups, corrected = plan(query, known_words.get(connection), prefix=True)
    result = Overview(query=query, corrected=corrected)
    if not groups:
        return result
    found = {k: matches(connection, groups, True, (k,), region, CANDIDATES) for k in kinds}
    if not any(found.values()) and len(groups) > 1:
        result.every_word = False
        found = {k: matches(connection, groups, False, (k,), region, CANDIDATES) for k in kinds}
    for kind, hits in found.items():
        lines = [explain(h, groups, corrected, result.every_word) for h in hits]
        lines = collapse(sorted(lines, key=lambda line: not line.in_title))  # stable: by score
        if lines:
            page = lines[offset : offset + per_kind]
            result.sections.append(Section(kind, len(lines), len(hits) == CANDIDATES, page))
    result.sections.sort(key=_rank)
    return result


def _rank(section: Section) -> tuple[bool, float]:
    best = section.lines[0] if section.lines else None
    return (best is None or not best.in_title, -best.hit.score if best else 0.0)
