"""The words each database knows, for spelling corrections of search queries: the names of the
OKPD2 and OKVED2 classes and the indexed words, loaded once per process and grown by writes.

Writes may come from any process (another worker, an import on the command line), so the
vocabulary follows the index itself, not the writes this process made: at each use it reads the
documents above the newest id it has seen. The newest document is read again each time, since
SQLite gives a deleted last row's id to the next one (a refreshed document is deleted and
inserted). On PostgreSQL a transaction that commits after a later one leaves its documents under
the mark; their words are missed until the next start, which makes a spelling correction
less likely, never a search result wrong."""

import threading
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, select

from promcluster import artefacts
from promcluster.matching.facets import FACET
from promcluster.matching.models import SearchDocument
from promcluster.matching.text import lemmas
from promcluster.matching.typos import Vocabulary
from promcluster.reference.models import Okpd, Okved

VOCABULARY_SAMPLE = 200_000


@dataclass
class _Known:
    vocabulary: Vocabulary
    mark: int  # the newest document read
    last: str | None  # its lemmas


class KnownWords:
    """Each database's spelling vocabulary, loaded once per process and grown by every write."""

    def __init__(self) -> None:
        self._by_database: dict[str, _Known] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(connection: Connection) -> str:
        return connection.engine.url.render_as_string(hide_password=False)

    def get(self, connection: Connection) -> Vocabulary:
        """The vocabulary with the words of every document committed so far, loaded on first use
        (``serve`` loads it at start, in the background; a search arriving meanwhile waits)."""
        key = self._key(connection)
        with self._lock:
            known = self._by_database.get(key)
            if known is None:
                known = self._by_database[key] = _load(connection)
            else:
                _grow(connection, known)
        return known.vocabulary

    def forget(self) -> None:
        self._by_database.clear()


known_words = KnownWords()


def _classes(connection: Connection) -> Vocabulary:
    """The words of the OKPD2 and OKVED2 names (lemmatising them takes seconds: kept on disk)."""
    names = [n for model in (Okpd, Okved) for n in connection.scalars(select(model.name))]

    def fit() -> Vocabulary:
        vocabulary = Vocabulary()
        for name in names:
            vocabulary.add(lemmas(name))
        return vocabulary

    return artefacts.fitted("class-words", lambda: names, fit)


def _load(connection: Connection) -> _Known:
    vocabulary = _classes(connection)
    newest = connection.execute(
        select(SearchDocument.id, SearchDocument.lemmas).order_by(SearchDocument.id.desc()).limit(1)
    ).first()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms "
            "USING fts5vocab(main, search_fts, row)"
        )
        terms = connection.exec_driver_sql(
            f"SELECT term, doc FROM temp.search_terms WHERE term GLOB '[a-zа-я]*' "
            f"AND term NOT GLOB '{FACET}*'"
        )
    else:
        # The newest documents are enough to learn the words. Their lemmas are counted here, as
        # ``_grow`` counts them: ts_stat over their vectors took 70 s with 100,000 synthetic
        # enterprises (300,000 distinct words: INNs, OGRNs), in every worker at start; 2 s so.
        newest_lemmas = (
            select(SearchDocument.lemmas)
            .order_by(SearchDocument.id.desc())
            .limit(VOCABULARY_SAMPLE)
            .execution_options(yield_per=10_000)
        )
        counts: Counter[str] = Counter()
        for words in connection.scalars(newest_lemmas):
            counts.update(set(words.split()))
        terms = counts.items()
    for term, documents in terms:
        if not term.startswith(FACET):
            vocabulary.add([term], documents)
    return _Known(vocabulary, *(newest or (0, None)))


def _grow(connection: Connection, known: _Known) -> None:
    """Add the words of the documents indexed since the last look (an index range read)."""
    found = connection.execute(
        select(SearchDocument.id, SearchDocument.lemmas)
        .where(SearchDocument.id >= known.mark)
        .order_by(SearchDocument.id)
    ).all()
    for id_, terms in found:
        if id_ == known.mark and terms == known.last:
            continue
        known.vocabulary.add(w for w in terms.split() if not w.startswith(FACET))
    if found:
        known.mark, known.last = found[-1]
