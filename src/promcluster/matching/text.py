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
NAMING_PARTS = frozenset({"NOUN", "ADJF", "ADJS", "PRTF", "PRTS", "NUMR"})
SKIPPED_PARTS = frozenset({"PREP", "CONJ", "PRCL"})  # not INTJ: pymorphy3 tags «мм» so


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


SHORT_WORDS = frozenset("вск")  # not «о»: «металл-о-черепица» is one word
PART = 4  # shorter parts (but prepositions) would cut a misspelt word into dictionary scraps
GLUED = 9  # an unknown word this long may be several words written without spaces


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
            if len(part) < PART and part not in SHORT_WORDS:
                continue
            shorter = head is not None and (best[end] is None or len(head) + 1 < len(best[end]))
            if shorter and _morph().word_is_known(part):
                best[end] = [*head, part]
    return best[n] or [word]


@lru_cache(maxsize=500_000)
def lemma(word: str) -> str | None:
    """The normal form of one word; ``None`` for prepositions, conjunctions and particles.

    Product texts name things, so a noun or adjective reading wins over a likelier verb one
    («стали» is сталь, not стать)."""
    if not word.isalpha() or len(word) < 2:
        return word if len(word) > 1 or word.isdigit() else None
    parses = _morph().parse(word)
    if parses[0].tag.POS in SKIPPED_PARTS:
        return None
    parse = next((p for p in parses if p.tag.POS in NAMING_PARTS), parses[0])
    return parse.normal_form.replace("ё", "е")


@lru_cache(maxsize=100_000)
def lemma_variants(word: str) -> tuple[str, ...]:
    """Every likely normal form of a word, the first one first («прочего»: прочее, прочий), so
    that a query word meets the lemma a document's word got whichever parse won there."""
    first = lemma(word)
    if first is None or not word.isalpha():
        return () if first is None else (first,)
    forms = [p.normal_form.replace("ё", "е") for p in _morph().parse(word)]
    return tuple(dict.fromkeys([first, *forms]))[:4]


UNITS = frozenset(
    "мм см дм м км мкм кг г мг т л мл шт кв вт квт ква мпа атм бар гц об мин ч".split()  # noqa: SIM905
)  # units written after numbers («110 мм», «1,5 кВт»): a product name's measures, not its kind


def is_measure(lemma: str) -> bool:
    """A number, a size or grade with digits («110», «sdr17», «d500», «м150»), or a unit."""
    return lemma in UNITS or any(c.isdigit() for c in lemma)


@lru_cache(maxsize=100_000)
def head_noun(text: str | None) -> str | None:
    """The lemma of the name's head noun: its first Cyrillic word that can be a noun in the
    nominative («Керамзитобетонные блоки» → блок, «Трубы напорные» → труба); ``None`` when
    there is none (a name of abbreviations and numbers only)."""
    for word in words(text or ""):
        if (noun := nominative_noun(word)) is not None:
            return noun
    return None


@lru_cache(maxsize=200_000)
def nominative_noun(word: str) -> str | None:
    """The lemma of ``word`` when it can be a Cyrillic noun in the nominative, else ``None``."""
    if not word.isalpha() or len(word) < 3 or word in UNITS or not re.match("[а-я]", word):
        return None
    for parse in _morph().parse(word):
        if parse.tag.POS == "NOUN" and parse.tag.case == "nomn":
            return parse.normal_form.replace("ё", "е")
    return None


def lemmas(text: str | None) -> list[str]:
    """The lemmas of ``text`` in order, without function words."""
    if not text:
        return []
    return [lem for w in words(text) if (lem := lemma(w)) is not None]


@cache
def _synonym_groups() -> dict[str, tuple[tuple[tuple[str, ...], ...], ...]]:
    """Each group of synonyms as lemma sequences, under every first lemma of its variants."""
    by_first: dict[str, list] = {}
    for line in _data_lines("synonyms.txt"):
        group = tuple(v for v in (tuple(lemmas(v)) for v in line.split("=")) if v)
        for first in {v[0] for v in group}:
            by_first.setdefault(first, []).append(group)
    return {first: tuple(groups) for first, groups in by_first.items()}


def _data_lines(name: str) -> list[str]:
    """The non-blank, non-comment lines of a file in ``matching/data``."""
    text = (resources.files("promcluster.matching") / "data" / name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


DATA_FILES = ("synonyms.txt", "materials.txt")


def word_lists() -> list[str]:
    """The contents of the word lists that shape what the classifier is fitted on."""
    return [_data_lines(name).__repr__() for name in DATA_FILES]


LONG_STEM = 5  # material stems this long are found inside a word, shorter ones at its start


def _material_lines() -> list[tuple[list[str], str | None]]:
    """Each material's stems and the wider material it is a kind of (after «<»), if any."""
    found = []
    for line in _data_lines("materials.txt"):
        stems, _, wider = line.partition("<")
        found.append((stems.split(), wider.strip() or None))
    return found


@cache
def _material_stems() -> tuple[tuple[str, str], ...]:
    """(stem, material) pairs: the material is the first stem of its line."""
    return tuple((stem, stems[0]) for stems, _ in _material_lines() for stem in stems)


@cache
def _wider() -> dict[str, str]:
    return {stems[0]: wider for stems, wider in _material_lines() if wider}


def broader(found: frozenset[str]) -> frozenset[str]:
    """``found`` with the wider materials they are kinds of (полиэтилен → полимер)."""
    return found | {_wider()[m] for m in found if m in _wider()}


@lru_cache(maxsize=200_000)
def materials(lemma: str) -> frozenset[str]:
    """The materials of ``materials.txt`` a lemma holds («керамзитобетонный» → керамзит,
    бетон; «стальной» → сталь); a stem inside a longer one found is dropped («керам» in
    «керамзит»)."""
    found = [
        (stem, material)
        for stem, material in _material_stems()
        if lemma.startswith(stem) or (len(stem) >= LONG_STEM and stem in lemma)
    ]
    return frozenset(
        material for stem, material in found if not any(stem != s and stem in s for s, _ in found)
    )


@lru_cache(maxsize=100_000)
def synonym_variants(lemma: str) -> tuple[tuple[str, ...], ...]:
    """The lemma itself and every variant of the synonym groups it is a whole variant of
    («пнд» → (пнд,), (hdpe,), (полиэтилен, низкий, давление) …)."""
    found = [(lemma,)]
    for group in _synonym_groups().get(lemma, ()):
        if (lemma,) in group:
            found.extend(v for v in group if v not in found)
    return tuple(found)


def phrase_heads(found: list[str], head: str) -> tuple[str, ...]:
    """The head nouns of the synonyms of every phrase of ``found`` that holds ``head``
    («керамзитобетонный блок = … строительный камень из бетона» → камень)."""
    present = set(found)
    heads: list[str] = []
    for group in dict.fromkeys(g for w in found for g in _synonym_groups().get(w, ())):
        if any(head in v and len(v) > 1 and all(w in present for w in v) for v in group):
            heads.extend(h for v in group if (h := head_noun(" ".join(v))) and h != head)
    return tuple(dict.fromkeys(heads))


def expand(found: list[str]) -> list[str]:
    """``found`` followed by the lemmas of every synonym or abbreviation of what it holds."""
    groups = _synonym_groups()
    present = set(found)
    extra: list[str] = []
    for group in dict.fromkeys(g for w in found for g in groups.get(w, ())):
        if any(all(w in present for w in v) for v in group):  # in any order: «блоки газобетонные»
            extra.extend(w for v in group for w in v if w not in present)
            present.update(w for v in group for w in v)
    return found + extra


def index_terms(*texts: str | None) -> list[str]:
    """What is stored for a text in the search index and fed to the classifier."""
    return expand([w for t in texts for w in lemmas(t)])
