"""Russian text to lemmas: word tokens, pymorphy3 normal forms, abbreviations expanded.

The same function prepares what is indexed, what is searched and what is classified, so that
«газобетонных блоков», «Газобетонный блок» and «газоблок» meet on the same words."""

import re
from functools import cache, lru_cache
from importlib import resources

import pymorphy3

WORD = re.compile(
    r"[a-zа-яё]{0,3}\d+(?:[.,]\d+)*(?:[a-zа-яё]{1,3}(?![a-zа-яё]))?"  # D500, М200, 1,5, 750вт
    r"|[a-z]+|[а-яё]+"
)
DIMENSION = re.compile(r"(?<=\d)[xх×*](?=\d)")
SKIPPED_PARTS = frozenset({"PREP", "CONJ", "PRCL", "INTJ"})


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens: «D500» and «М200» stay whole, «600х300» is two
    numbers, «1,5» becomes «1.5», «ё» becomes «е». (razdel splits «D500» in two, so a plain
    pattern is used; ADR 0007.)"""
    text = DIMENSION.sub(" ", text.lower().replace("ё", "е"))
    found = []
    for word in WORD.findall(text):
        found.extend(split_glued(word) if len(word) >= GLUED else [word.replace(",", ".")])
    return found


SHORT_WORDS = frozenset("вскуои")
GLUED = 14  # an unknown word this long may be several words written without spaces


@lru_cache(maxsize=100_000)
def split_glued(word: str) -> list[str]:
    """«чайникэлектрический» → «чайник», «электрический» when the dictionary knows every part
    (the fewest parts win); any other word is returned whole."""
    if not word.isalpha() or _morph().word_is_known(word):
        return [word]
    n = len(word)
    best: list[list[str] | None] = [[]] + [None] * n
    for end in range(2, n + 1):
        for start in range(max(0, end - 20), end):
            head, part = best[start], word[start:end]
            if len(part) == 1 and part not in SHORT_WORDS:
                continue
            if head is not None and _morph().word_is_known(part):
                if best[end] is None or len(head) + 1 < len(best[end]):
                    best[end] = [*head, word[start:end]]
    return best[n] or [word]


@lru_cache(maxsize=500_000)
def lemma(word: str) -> str | None:
    """The normal form of one word; ``None`` for prepositions, conjunctions and particles."""
    if not word.isalpha() or len(word) < 2:
        return word if len(word) > 1 or word.isdigit() else None
    parse = _morph().parse(word)[0]
    if parse.tag.POS in SKIPPED_PARTS:
        return None
    return parse.normal_form.replace("ё", "е")


def lemmas(text: str | None) -> list[str]:
    """The lemmas of ``text`` in order, without function words."""
    if not text:
        return []
    return [lem for w in words(text) if (lem := lemma(w)) is not None]


@cache
def _synonym_groups() -> tuple[tuple[tuple[str, ...], ...], ...]:
    text = (resources.files("promcluster.matching") / "data" / "synonyms.txt").read_text("utf-8")
    groups = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            variants = tuple(tuple(lemmas(v)) for v in line.split("="))
            groups.append(tuple(v for v in variants if v))
    return tuple(groups)


def _contains(sequence: list[str], part: tuple[str, ...]) -> bool:
    n = len(part)
    return any(tuple(sequence[i : i + n]) == part for i in range(len(sequence) - n + 1))


def expand(found: list[str]) -> list[str]:
    """``found`` followed by the lemmas of every synonym or abbreviation of what it holds."""
    present = set(found)
    extra: list[str] = []
    for group in _synonym_groups():
        if any(v[0] in present and _contains(found, v) for v in group):
            extra.extend(w for v in group for w in v if w not in present)
            present.update(w for v in group for w in v)
    return found + extra


def index_terms(*texts: str | None) -> list[str]:
    """What is stored for a text in the search index and fed to the classifier."""
    return expand([w for t in texts for w in lemmas(t)])
