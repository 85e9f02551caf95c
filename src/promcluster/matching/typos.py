"""Spelling correction of query words against the words the platform knows."""

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MIN_LENGTH = 4  # shorter words are abbreviations or units, not typos
CORRECTIONS = 3


def allowed_edits(word: str) -> int:
    """One edit in a word of up to six letters, two in a longer one."""
    return 1 if len(word) <= 6 else 2


class Vocabulary:
    """Known words with their document counts, bucketed by first letter and length.

    A typo rarely hits the first letter, so a word is compared only with known words of the
    same first letter and a length within the allowed edits: a few thousand comparisons."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._buckets: dict[tuple[str, int], list[str]] = defaultdict(list)

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def __len__(self) -> int:
        return len(self.counts)

    def add(self, words: Iterable[str], count: int = 1) -> None:
        """Count ``words`` (each once per call) as seen in ``count`` documents."""
        for word in set(words):
            if word in self.counts:
                self.counts[word] += count
            else:
                self.counts[word] = count
                if word.isalpha():
                    self._buckets[word[0], len(word)].append(word)

    def starts(self, beginning: str) -> bool:
        """Whether a known word begins with ``beginning`` (a word still being typed)."""
        if not beginning.isalpha():
            return True
        return any(
            known.startswith(beginning)
            for (first, length), bucket in self._buckets.items()
            if first == beginning[0] and length >= len(beginning)
            for known in bucket
        )

    def corrections(self, word: str) -> list[str]:
        """The likeliest known words for an unknown ``word``: fewest edits, then most used."""
        if word in self.counts or len(word) < MIN_LENGTH or not word.isalpha():
            return []
        edits = allowed_edits(word)
        candidates = [
            known
            for length in range(len(word) - edits, len(word) + edits + 1)
            for known in self._buckets.get((word[0], length), ())
        ]
        found = process.extract(
            word,
            candidates,
            scorer=Levenshtein.distance,
            score_cutoff=edits,
            limit=50,
        )
        found.sort(key=lambda f: (f[1], -self.counts[f[0]]))
        return [known for known, _, _ in found[:CORRECTIONS]]
