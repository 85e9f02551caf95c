"""OKPD2 codes for free-text product names: nearest classifier entries and known names.

Every OKPD2 entry is a document made of its own name and, at a lower weight, the names of its
ancestors; every product name a user has already coded (product lines, needs, offers,
corrections) is a document for its code. A name is compared with all of them by cosine
similarity of TF-IDF vectors of lemmas (words and word pairs) and of character n-grams (for
unknown compounds and typos); a code's score is its best document's similarity."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from promcluster.matching.text import expand, lemmas

MIN_LEVEL = 3  # XX.XX classes and finer; divisions and groups are too broad to suggest
ANCESTOR_WEIGHT = 0.35
SYNONYM_WEIGHT = 0.4  # synonyms and expanded abbreviations count less than the words typed
CHAR_WEIGHT = 0.5
COMMON_CHARS = 0.02  # character n-grams in more documents than this share carry no signal
HEAD_WEIGHT = 2  # counts of the marked first lemma
PER_CLASS = 2  # suggestions from one XX.XX class, so that the list offers alternatives
POOL = 300  # nearest documents looked at for each name
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


class Classifier:
    """Suggests OKPD2 codes; ``learn`` adds names coded by users without refitting."""

    def __init__(self, entries: Iterable[Entry]) -> None:
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
        self.matrix = normalize(base).tocsr()
        self.labels = [e.code for e in coded]
        self.weights = np.ones(len(coded))
        self.known: dict[str, str] = {}

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
        words = normalize(words + SYNONYM_WEIGHT * self.words.transform([s for _, s in terms]))
        if chars is None:
            chars = sparse.csr_matrix((len(own), len(self.chars.vocabulary_)), dtype=np.float32)
        elif chars is ...:
            chars = self.chars.transform(own)
        return normalize(sparse.hstack([words, CHAR_WEIGHT * normalize(chars)]).tocsr())

    def learn(self, examples: Iterable[tuple[str, str]]) -> int:
        """Add ``(name, code)`` pairs coded by users; a later pair for the same name wins."""
        fresh: dict[tuple[str, str], str] = {}
        for name, code in examples:
            if code in self.entries and name and name.strip():
                terms = _terms(name)
                if terms[0] and self.known.get(terms[0]) != code:
                    fresh[terms] = code
        if not fresh:
            return 0
        terms, codes = list(fresh), list(fresh.values())
        for (t, _), code in fresh.items():
            self.known[t] = code
        pairs = list(zip(terms, codes, strict=True))
        self.matrix = sparse.vstack([self.matrix, self._vectors(terms)]).tocsr()
        self.labels += [c for _, c in pairs]
        self.weights = np.concatenate([self.weights, np.full(len(pairs), KNOWN_BONUS)])
        return len(pairs)

    def suggest(self, names: Sequence[str], top: int = 5) -> list[list[Suggestion]]:
        """The ``top`` likeliest codes for each name, best first (an empty name gets none)."""
        terms = [_terms(n or "") for n in names]
        similarity = (self._vectors(terms) @ self.matrix.T).toarray() * self.weights
        return [self._best(t, row, top) for (t, _), row in zip(terms, similarity, strict=True)]

    def _best(self, terms: str, row: np.ndarray, top: int) -> list[Suggestion]:
        if not terms:
            return []
        scores: dict[str, float] = {}
        if (code := self.known.get(terms)) is not None:
            scores[code] = 1.0 + KNOWN_BONUS
        pool = min(POOL, len(row) - 1)
        nearest = np.argpartition(-row, pool)[:pool]
        for i in nearest[np.argsort(-row[nearest])]:
            if row[i] <= 0:
                break
            scores.setdefault(self.labels[i], float(row[i]))
        picked: list[str] = []
        for code in sorted(scores, key=scores.get, reverse=True):
            related = any(p.startswith(code + ".") or code.startswith(p + ".") for p in picked)
            crowded = sum(p[:5] == code[:5] for p in picked) >= PER_CLASS
            if not (related or crowded):
                picked.append(code)
            if len(picked) == top:
                break
        return [Suggestion(c, self.entries[c].name, round(min(scores[c], 1.0), 4)) for c in picked]
