"""OKPD2 codes for free-text product names: nearest classifier entries and known names.

Every OKPD2 entry is a document made of its own name and, at a lower weight, the names of its
ancestors; every product name a user has already coded (product lines, needs, offers,
corrections) is a document for its code. A name is compared with all of them by cosine
similarity of TF-IDF vectors of lemmas (words, word pairs and the marked head noun) and of
character n-grams (for unknown compounds and typos); numbers, sizes and units («110 мм», «SDR17»,
«1,5 %») are left out, since they say how big a thing is, not what it is.

The nearest documents of the classifier are then weighed by how much of the name their code's
whole path (its name and its parent groups' names) covers: the head noun counts most, then
materials (``materials.txt``: «ПНД» reaches «полиэтилен» through ``synonyms.txt``), then other
words; a code that covers none keeps ``COVERAGE_FLOOR`` of its similarity. So «Трубы» under
«Инструменты музыкальные» does not win «Труба ПНД 110 мм» (nothing there is polyethylene), and
the milk «не более 1,5 % жирности» does not win a geomembrane. A code's score is its best
document's weighed similarity (documents users coded are trusted as they are)."""

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import numpy as np
from scipy import sparse

from promcluster.matching.text import (
    broader,
    expand,
    head_noun,
    is_measure,
    lemmas,
    materials,
    phrase_heads,
    synonym_variants,
)

MIN_LEVEL = 3  # XX.XX classes and finer; divisions and groups are too broad to suggest
ANCESTOR_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.4  # synonyms and expanded abbreviations count less than the words typed
CHAR_WEIGHT = 0.6
COMMON_CHARS = 0.02  # character n-grams in more documents than this share carry no signal
HEAD_WEIGHT = 2  # counts of the marked head noun
PREFER_FINER = 0.8  # a code inside a suggested one replaces it when it scores this share of it
PER_CLASS = 2  # suggestions from one XX.XX class, so that the list offers alternatives
POOL = 60  # nearest documents looked at for each name
NEAR = 0.25  # of them, those at least this share of the nearest one's similarity are weighed
KNOWN_BONUS = 1.1  # a name a user coded counts a little more than the classifier's wording
COVERAGE_FLOOR = 0.4  # share of its similarity a code keeps when its path covers no word
HEAD_COVER, MATERIAL_COVER, WORD_COVER = 3.0, 2.0, 1.0  # weights of a name's words in coverage
MATERIAL_MISS = 0.6  # factor when the name names materials and the path has none of them
HEAD_MISS = 0.7  # factor when the path does not have the name's head noun
FAR = COVERAGE_FLOOR * HEAD_MISS * MATERIAL_MISS  # the lowest factor, for the not NEAR ones
STEM = 5  # words sharing their first letters cover each other («профильный», «профиль»); a
SHORT_STEM = 4  # word of up to STEM letters by its first SHORT_STEM («лист», «листовой»)
EXCEPT = re.compile(r"\(кроме[^)]*\)?|,? кроме .*$", re.IGNORECASE)  # «(кроме …)»: not this code
DEPTH_STEP = 0.05  # a code this much less per level above the finest: specific codes first
FINEST = 7  # OKPD2 levels: 1 class XX … 6 XX.XX.XX.XX0, 7 XX.XX.XX.XXX below it


@dataclass(frozen=True)
class Parent:
    """An ancestor of a suggested code (a class ``XX``, a group, a subgroup …)."""

    code: str
    name: str


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    score: float
    parents: tuple[Parent, ...] = ()  # from the class ``XX`` down to the code's parent
    breadcrumb: str = field(init=False)  # «22 Изделия … › 22.21 … › 22.21.21.122 Трубы …»

    def __post_init__(self) -> None:
        steps = [f"{p.code} {p.name}" for p in self.parents] + [f"{self.code} {self.name}"]
        object.__setattr__(self, "breadcrumb", " › ".join(steps))


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    parent_code: str | None
    level: int


def _normalise(matrix: sparse.spmatrix) -> sparse.spmatrix:
    """Rows scaled to unit length. scikit-learn is imported on first use, not with this module:
    importing it takes seconds that the web application's start-up does not need
    (docs/BENCHMARKS.md, "Start-up (issue 22)")."""
    from sklearn.preprocessing import normalize

    return normalize(matrix)


def _word_features(terms: str) -> list[str]:
    """Lemmas, pairs of neighbours, and the head noun marked when ``terms`` starts with it
    («^труба труба пнд»: the thing named weighs more than what is said about it)."""
    words = terms.split()
    head = []
    if words and words[0].startswith("^"):
        head, words = [words[0]] * HEAD_WEIGHT, words[1:]
    return words + [f"{a} {b}" for a, b in pairwise(words)] + head


Terms = tuple[str, str, str]  # own lemmas, lemmas the synonyms add, head noun ("" for none)


@lru_cache(maxsize=100_000)
def _terms(name: str) -> Terms:
    """The name's own lemmas without numbers and units, the lemmas its synonyms add (each as
    one string), and its head noun (the first lemma when no word is a noun)."""
    found = lemmas(name)
    own = [w for w in found if not is_measure(w)]
    extra = [w for w in expand(found)[len(found) :] if w not in own]
    head = head_noun(name) or (own[0] if own else "")
    return " ".join(own), " ".join(extra), head


def _marked(terms: Terms) -> str:
    own, _, head = terms
    return f"^{head} {own}" if head else own


def name_key(name: str) -> str:
    """What identifies a coded name: its lemmas (every case form of a name has the same)."""
    return " ".join(lemmas(name))


@dataclass(frozen=True)
class _Path:
    """The words of a code's name and its parent groups' names, for coverage."""

    lemmas: frozenset[str]
    materials: frozenset[str]
    stems: frozenset[str]  # the first SHORT_STEM and STEM letters of each word

    @classmethod
    def of(cls, found: Iterable[str]) -> "_Path":
        found = frozenset(found)
        stems = {w[:n] for w in found for n in (SHORT_STEM, STEM) if len(w) >= n}
        return cls(found, frozenset(m for w in found for m in materials(w)), frozenset(stems))

    def tokens(self) -> list[str]:
        """Its words, stems and materials as the columns of the path matrix."""
        return (
            [f"w:{w}" for w in self.lemmas]
            + [f"s:{s}" for s in self.stems]
            + [f"m:{m}" for m in self.materials]
        )


def _word_tokens(word: str) -> frozenset[str]:
    stem = {f"s:{_stem(word)}"} if len(word) >= SHORT_STEM else set()
    return frozenset({f"w:{word}", *stem})


def _stem(word: str) -> str:
    """STEM first letters, SHORT_STEM for a short word: «лист» and «листовой», «профильный»
    and «профиль» cover each other."""
    return word[:SHORT_STEM] if len(word) <= STEM else word[:STEM]


@dataclass(frozen=True)
class _Concept:
    """A word of the name to be covered: its weight, its variants (itself and the synonyms of
    ``synonyms.txt`` it is a variant of, each a tuple of lemmas) and the materials it names
    (with the wider ones). One-word variants are kept as sets, for speed."""

    weight: float
    variants: tuple[tuple[str, ...], ...]
    materials: frozenset[str]
    words: frozenset[str] = frozenset()  # the one-word variants
    stems: frozenset[str] = frozenset()  # their stems
    phrases: tuple[tuple[str, ...], ...] = ()  # the longer variants

    @classmethod
    def of(cls, weight: float, variants, named: frozenset[str]) -> "_Concept":
        words = frozenset(v[0] for v in variants if len(v) == 1)
        return cls(
            weight,
            variants,
            broader(named) if named else named,
            words,
            frozenset(_stem(w) for w in words if len(w) >= SHORT_STEM),
            tuple(v for v in variants if len(v) > 1),
        )

    def alternatives(self) -> list[list[frozenset[str]]]:
        """Ways to cover it, each a list of token sets that must all meet the path: a
        material, a one-word variant (itself or its stem), or every word of a longer one."""
        found = [[frozenset(f"m:{m}" for m in self.materials)]] if self.materials else []
        singles = {f"w:{w}" for w in self.words} | {f"s:{s}" for s in self.stems}
        if singles:
            found.append([frozenset(singles)])
        for phrase in self.phrases:
            found.append([_word_tokens(w) for w in phrase])
        return found


@lru_cache(maxsize=100_000)
def _concepts(terms: Terms) -> tuple[_Concept, ...]:
    """The name's words to be covered with their weights (head noun, material, other word);
    then the materials only its synonyms name («Труба ПНД» → полиэтилен)."""
    own, extra, head = terms
    found = []
    for word in dict.fromkeys(own.split()):
        named = materials(word)
        variants = synonym_variants(word)
        if word == head:  # «блок» of «керамзитобетонный блок» is also its synonym's «камень»
            variants += tuple((h,) for h in phrase_heads(own.split(), head))
        weight = HEAD_COVER if word == head else MATERIAL_COVER if named else WORD_COVER
        found.append(_Concept.of(weight, variants, named))
    seen = {m for c in found for m in c.materials}
    for word in dict.fromkeys(extra.split()):
        named = materials(word)
        if named and not named <= seen:
            seen |= named
            found.append(_Concept.of(MATERIAL_COVER, ((word,),), named))
    return tuple(found)


class Classifier:
    """Suggests OKPD2 codes; ``learn`` adds names coded by users without refitting."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer  # on use: see _normalise

        self.entries = {e.code: e for e in entries}
        coded = [e for e in self.entries.values() if e.level >= MIN_LEVEL]
        own = [_terms(e.name) for e in coded]
        context = [self._context(e) for e in coded]
        self.words = TfidfVectorizer(analyzer=_word_features, sublinear_tf=True, dtype=np.float32)
        self.chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=2,
            max_df=COMMON_CHARS,
            dtype=np.float32,
        )
        self.words.fit(
            [_marked(t) for t in own] + [t[1] for t in own] + [t for c in context for t in c[:2]]
        )
        chars = self.chars.fit_transform([t[0] for t in own])
        base = self._vectors(own, chars) + ANCESTOR_WEIGHT * self._vectors(context, None)
        self._base = _normalise(base).tocsr()
        self._base_labels = [e.code for e in coded]
        self._parents: dict[str, tuple[Parent, ...]] = {}
        self._path_tokens = [frozenset(p.tokens()) for p in self._paths(self._base_labels)]
        self._depth = np.array(
            [1 - DEPTH_STEP * (FINEST - e.level) for e in coded], dtype=np.float32
        )
        self.forget_learnt()

    def forget_learnt(self) -> None:
        """Back to the classifier's own entries (before relearning what users coded)."""
        self._set(self._base, list(self._base_labels), np.ones(len(self._base_labels)))
        self.known: dict[str, str] = {}  # a coded name's lemmas → its code
        self._rows: dict[Hashable, tuple[int, str]] = {}  # a record → its row and lemmas
        self._owner: dict[str, Hashable] = {}  # a coded name's lemmas → the record behind it

    def _set(self, matrix: sparse.csr_matrix, labels: list[str], weights: np.ndarray) -> None:
        self.matrix, self.labels, self.weights = matrix, labels, weights
        self._columns = matrix.T.tocsr()  # transposed once, not at every suggestion

    def ancestors(self, code: str) -> list[Entry]:
        """The entries above ``code`` from its parent up to its class ``XX`` (level 1)."""
        found, parent = [], self.entries[code].parent_code
        while parent in self.entries and self.entries[parent].level >= 1:
            found.append(self.entries[parent])
            parent = self.entries[parent].parent_code
        return found

    def parents(self, code: str) -> tuple[Parent, ...]:
        """The breadcrumb above ``code``: its class first, its parent last."""
        if (found := self._parents.get(code)) is None:
            found = tuple(Parent(e.code, e.name) for e in reversed(self.ancestors(code)))
            self._parents[code] = found
        return found

    def suggestion(self, code: str, score: float) -> Suggestion:
        return Suggestion(code, self.entries[code].name, score, self.parents(code))

    def _context(self, entry: Entry) -> Terms:
        """The lemmas of the entry's ancestors' names (divisions and finer)."""
        names = [_terms(e.name) for e in self.ancestors(entry.code)]
        return " ".join(n[0] for n in names), " ".join(n[1] for n in names), ""

    def _paths(self, codes: Sequence[str]) -> list[_Path]:
        """The words of each code's name and of its parent groups' names, without what they
        exclude («(кроме брусчатки …)»)."""
        words: dict[str, frozenset[str]] = {}

        def path(code: str) -> frozenset[str]:
            if (found := words.get(code)) is None:
                entry = self.entries[code]
                found = frozenset(lemmas(EXCEPT.sub("", entry.name)))
                parent = self.entries.get(entry.parent_code or "")
                if parent is not None and parent.level >= 1:
                    found |= path(parent.code)
                words[code] = found
            return found

        return [_Path.of(path(code)) for code in codes]

    def _coverages(self, concepts: Sequence[_Concept], rows: np.ndarray) -> np.ndarray:
        """The factor each classifier document of ``rows`` is weighed by (module docstring):
        0.4 + 0.6 × the covered share of the name's weight, × HEAD_MISS without its head noun,
        × MATERIAL_MISS without any of its materials, × the depth factor."""
        if not concepts:
            return self._depth[rows]
        needs: list[frozenset[str]] = []
        plan = []  # per concept: its alternatives as lists of column numbers of ``needs``
        for concept in concepts:
            ways = []
            for alternative in concept.alternatives():
                ways.append(list(range(len(needs), len(needs) + len(alternative))))
                needs.extend(alternative)
            plan.append(ways)
        paths = [self._path_tokens[i] for i in rows.tolist()]
        met = np.array(
            [[not need.isdisjoint(path) for need in needs] for path in paths], dtype=bool
        ).reshape(len(paths), len(needs))
        hits = np.stack(
            [
                np.any([met[:, way].all(axis=1) for way in ways], axis=0)
                if ways
                else np.zeros(len(rows), dtype=bool)
                for ways in plan
            ],
            axis=1,
        )
        weights = np.array([c.weight for c in concepts], dtype=np.float32)
        factor = self._depth[rows] * (
            COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * (hits @ weights) / weights.sum()
        )
        head = weights == HEAD_COVER
        if head.any():
            factor = np.where(hits[:, head].any(axis=1), factor, factor * HEAD_MISS)
        named = np.array([bool(c.materials) for c in concepts])
        if named.any():
            factor = np.where(hits[:, named].any(axis=1), factor, factor * MATERIAL_MISS)
        return factor

    def _vectors(self, terms: Sequence[Terms], chars=...) -> sparse.csr_matrix:
        """Word and character features side by side; ``chars`` already computed, or ``None``
        for none (ancestors' names add words only)."""
        own = [t[0] for t in terms]
        words = self.words.transform([_marked(t) for t in terms])
        synonyms = sparse.diags(self._synonym_weights(terms)) @ self.words.transform(
            [t[1] for t in terms]
        )
        words = _normalise(words + synonyms)
        if chars is None:
            chars = sparse.csr_matrix((len(own), len(self.chars.vocabulary_)), dtype=np.float32)
        elif chars is ...:
            chars = self.chars.transform(own)
        return _normalise(sparse.hstack([words, CHAR_WEIGHT * _normalise(chars)]).tocsr())

    def _synonym_weights(self, terms: Sequence[Terms]) -> np.ndarray:
        """``SYNONYM_WEIGHT``, or 1 when the name holds a word the classifier never uses (an
        abbreviation such as «ПНД»: then its expansion is all there is to go by)."""
        vocabulary = self.words.vocabulary_
        return np.array(
            [
                1.0 if s and any(w not in vocabulary for w in own.split()) else SYNONYM_WEIGHT
                for own, s, _ in terms
            ],
            dtype=np.float32,
        )

    def learn(
        self, examples: Iterable[tuple[str, str]], keys: Sequence[Hashable] | None = None
    ) -> int:
        """Add ``(name, code)`` pairs coded by users; a later pair for the same name wins. With
        ``keys`` (the records they come from), a key learnt before is replaced."""
        examples = list(examples)
        keys = list(keys) if keys is not None else [None] * len(examples)
        self.unlearn([k for k in keys if k is not None])
        fresh: dict[str, tuple[Terms, str, Hashable]] = {}
        for (name, code), key in zip(examples, keys, strict=True):
            if code in self.entries and name and name.strip():
                own = name_key(name)
                if own and self.known.get(own) != code:
                    fresh[own] = (_terms(name), code, key)
        if not fresh:
            return 0
        first = len(self.labels)
        for row, (own, (_, code, key)) in enumerate(fresh.items(), start=first):
            self.known[own] = code
            if key is not None:
                self._rows[key] = (row, own)
                self._owner[own] = key
        codes = [code for _, code, _ in fresh.values()]
        self._set(
            sparse.vstack([self.matrix, self._vectors([t for t, _, _ in fresh.values()])]).tocsr(),
            self.labels + codes,
            np.concatenate([self.weights, np.full(len(codes), KNOWN_BONUS)]),
        )
        return len(codes)

    def unlearn(self, keys: Iterable[Hashable]) -> None:
        """Forget what the records ``keys`` taught (deleted or changed records)."""
        for key in keys:
            row, own = self._rows.pop(key, (None, None))
            if row is None:
                continue
            self.weights[row] = 0.0
            if self._owner.get(own) == key:
                del self._owner[own]
                self.known.pop(own, None)

    def suggest(self, names: Sequence[str], top: int = 5) -> list[list[Suggestion]]:
        """The ``top`` likeliest codes for each name, best first (an empty name gets none)."""
        names = [n or "" for n in names]
        terms = [_terms(n) for n in names]
        similarity = (self._vectors(terms) @ self._columns).toarray() * self.weights
        return [
            self._best(name_key(n), t, row, top)
            for n, t, row in zip(names, terms, similarity, strict=True)
        ]

    def _best(self, key: str, terms: Terms, row: np.ndarray, top: int) -> list[Suggestion]:
        if not key:
            return []
        scores: dict[str, float] = {}
        if (code := self.known.get(key)) is not None:
            scores[code] = 1.0 + KNOWN_BONUS
        pool = min(max(POOL, top * 12), len(row) - 1)
        nearest = np.argpartition(-row, pool)[:pool]
        nearest = nearest[row[nearest] > 0]
        weighed = row[nearest].astype(np.float32)
        own = nearest < len(self._base_labels)  # classifier documents, not names users coded
        near = own & (weighed >= NEAR * weighed.max(initial=0.0))
        if near.any():
            weighed[near] *= self._coverages(_concepts(terms), nearest[near])
        weighed[own & ~near] *= FAR  # only to fill a long list
        for i, score in zip(nearest.tolist(), weighed.tolist(), strict=True):
            code = self.labels[i]
            if score > scores.get(code, 0.0):
                scores[code] = score
        picked = self._pick(scores, top)
        return [self.suggestion(c, round(min(scores[c], 1.0), 4)) for c in picked]

    @staticmethod
    def _pick(scores: dict[str, float], top: int) -> list[str]:
        """The best ``top`` codes, at most ``PER_CLASS`` from one ``XX.XX`` and none inside
        another; a finer code scoring nearly as well takes its ancestor's place."""
        picked: list[str] = []
        for code in sorted(scores, key=scores.get, reverse=True):
            if len(picked) == top and scores[code] < PREFER_FINER * min(scores[p] for p in picked):
                break  # too low to take any picked code's place
            above = next((i for i, p in enumerate(picked) if code.startswith(p + ".")), None)
            if above is not None:
                if scores[code] >= PREFER_FINER * scores[picked[above]]:
                    picked[above] = code
                continue
            if len(picked) == top:
                continue
            below = any(p.startswith(code + ".") for p in picked)
            crowded = sum(p[:5] == code[:5] for p in picked) >= PER_CLASS
            if not (below or crowded):
                picked.append(code)
        return sorted(picked, key=scores.get, reverse=True)
