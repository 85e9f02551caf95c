"""OKPD2 codes for free-text product names: nearest classifier entries and known names.

Every OKPD2 entry is a document made of its own name and, at a lower weight, the names of its
ancestors; every product name a user has already coded (product lines, needs, offers,
corrections) is a document for its code. A name is compared with all of them by cosine
similarity of TF-IDF vectors of lemmas (words and word pairs) and of character n-grams (for
unknown compounds and typos); a code's score is its best document's similarity."""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from scipy import sparse

from promcluster.matching.text import expand, lemmas

MIN_LEVEL = 3  # XX.XX classes and finer; divisions and groups are too broad to suggest
ANCESTOR_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.4  # synonyms and expanded abbreviations count less than the words typed
CHAR_WEIGHT = 0.6
COMMON_CHARS = 0.02  # character n-grams in more documents than this share carry no signal
HEAD_WEIGHT = 1  # counts of the marked first lemma
PER_CLASS = 2  # suggestions from one XX.XX class, so that the list offers alternatives
POOL = 60  # nearest documents looked at for each name
KNOWN_BONUS = 1.1  # a name a user coded counts a little more than the classifier's wording


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str
    score: float


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
    """Lemmas, pairs of neighbours, and the first lemma marked: in Russian product names as in
    the classifier's, the first word is usually the head noun («Трубы …», «Краска …»)."""
    words = terms.split()
    head = [f"^{words[0]}"] * HEAD_WEIGHT if words else []
    return words + [f"{a} {b}" for a, b in pairwise(words)] + head


@lru_cache(maxsize=100_000)
def _terms(name: str) -> tuple[str, str]:
    """The name's own lemmas and the lemmas its synonyms add, each as one string."""
    own = lemmas(name)
    return " ".join(own), " ".join(expand(own)[len(own) :])


def name_key(name: str) -> str:
    """What identifies a coded name: its lemmas (every case form of a name has the same)."""
    return _terms(name)[0]


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
        self.words.fit([t for pair in own + context for t in pair])
        chars = self.chars.fit_transform([t for t, _ in own])
        base = self._vectors(own, chars) + ANCESTOR_WEIGHT * self._vectors(context, None)
        self._base = _normalise(base).tocsr()
        self._base_labels = [e.code for e in coded]
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

    def _context(self, entry: Entry) -> tuple[str, str]:
        """The lemmas of the entry's ancestors' names (divisions and finer)."""
        names, parent = [], entry.parent_code
        while parent in self.entries and self.entries[parent].level >= 1:
            names.append(_terms(self.entries[parent].name))
            parent = self.entries[parent].parent_code
        return " ".join(n for n, _ in names), " ".join(s for _, s in names)

    def _vectors(self, terms: Sequence[tuple[str, str]], chars=...) -> sparse.csr_matrix:
        """Word and character features side by side; ``chars`` already computed, or ``None``
        for none (ancestors' names add words only)."""
        own = [t for t, _ in terms]
        words = self.words.transform(own)
        synonyms = sparse.diags(self._synonym_weights(terms)) @ self.words.transform(
            [s for _, s in terms]
        )
        words = _normalise(words + synonyms)
        if chars is None:
            chars = sparse.csr_matrix((len(own), len(self.chars.vocabulary_)), dtype=np.float32)
        elif chars is ...:
            chars = self.chars.transform(own)
        return _normalise(sparse.hstack([words, CHAR_WEIGHT * _normalise(chars)]).tocsr())

    def _synonym_weights(self, terms: Sequence[tuple[str, str]]) -> np.ndarray:
        """``SYNONYM_WEIGHT``, or 1 when the name holds a word the classifier never uses (an
        abbreviation such as «ПНД»: then its expansion is all there is to go by)."""
        vocabulary = self.words.vocabulary_
        return np.array(
            [
                1.0 if s and any(w not in vocabulary for w in own.split()) else SYNONYM_WEIGHT
                for own, s in terms
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
        fresh: dict[tuple[str, str], tuple[str, Hashable]] = {}
        for (name, code), key in zip(examples, keys, strict=True):
            if code in self.entries and name and name.strip():
                terms = _terms(name)
                if terms[0] and self.known.get(terms[0]) != code:
                    fresh[terms] = (code, key)
        if not fresh:
            return 0
        first = len(self.labels)
        for row, ((own, _), (code, key)) in enumerate(fresh.items(), start=first):
            self.known[own] = code
            if key is not None:
                self._rows[key] = (row, own)
                self._owner[own] = key
        codes = [code for code, _ in fresh.values()]
        self._set(
            sparse.vstack([self.matrix, self._vectors(list(fresh))]).tocsr(),
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
        terms = [_terms(n or "") for n in names]
        similarity = (self._vectors(terms) @ self._columns).toarray() * self.weights
        return [self._best(t, row, top) for (t, _), row in zip(terms, similarity, strict=True)]

    def _best(self, terms: str, row: np.ndarray, top: int) -> list[Suggestion]:
        if not terms:
            return []
        scores: dict[str, float] = {}
        if (code := self.known.get(terms)) is not None:
            scores[code] = 1.0 + KNOWN_BONUS
        pool = min(max(POOL, top * 12), len(row) - 1)
        nearest = np.argpartition(-row, pool)[:pool]
        nearest = nearest[np.argsort(-row[nearest])]
        for i, score in zip(nearest.tolist(), row[nearest].tolist(), strict=True):
            if score <= 0:
                break
            scores.setdefault(self.labels[i], score)
        picked: list[str] = []
        for code in sorted(scores, key=scores.get, reverse=True):
            related = any(p.startswith(code + ".") or code.startswith(p + ".") for p in picked)
            crowded = sum(p[:5] == code[:5] for p in picked) >= PER_CLASS
            if not (related or crowded):
                picked.append(code)
            if len(picked) == top:
                break
        return [Suggestion(c, self.entries[c].name, round(min(scores[c], 1.0), 4)) for c in picked]
