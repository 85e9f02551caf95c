"""The words each database knows, for spelling corrections of search queries: the names of the
OKPD2 and OKVED2 classes and the indexed words, loaded once per process and grown by writes."""

import threading

from sqlalchemy import Connection, select

from promcluster.matching.facets import FACET
from promcluster.matching.text import lemmas
from promcluster.matching.typos import Vocabulary
from promcluster.reference.models import Okpd, Okved

VOCABULARY_SAMPLE = 200_000


class KnownWords:
    """Each database's spelling vocabulary, loaded once per process and grown by its writes."""

    def __init__(self) -> None:
        self._by_database: dict[str, Vocabulary] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(connection: Connection) -> str:
        return connection.engine.url.render_as_string(hide_password=False)

    def cached(self, connection: Connection) -> Vocabulary | None:
        return self._by_database.get(self._key(connection))

    def get(self, connection: Connection) -> Vocabulary:
        """The vocabulary, loaded on first use (``serve`` loads it at start, in the background;
        a search arriving meanwhile waits for it)."""
        key = self._key(connection)
        if key not in self._by_database:
            with self._lock:
                if key not in self._by_database:
                    self._by_database[key] = _load_vocabulary(connection)
        return self._by_database[key]

    def forget(self) -> None:
        self._by_database.clear()


known_words = KnownWords()


def _load_vocabulary(connection: Connection) -> Vocabulary:
    vocabulary = Vocabulary()
    for model in (Okpd, Okved):
        for name in connection.scalars(select(model.name)):
            vocabulary.add(lemmas(name))
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms "
            "USING fts5vocab(main, search_fts, row)"
        )
        terms = connection.exec_driver_sql(
            f"SELECT term, doc FROM temp.search_terms WHERE term GLOB '[a-zа-я]*' "
            f"AND term NOT GLOB '{FACET}*'"
        )
    else:  # ts_stat reads every vector: the newest documents are enough to learn the words
        terms = connection.exec_driver_sql(
            "SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_documents "
            f"ORDER BY id DESC LIMIT {VOCABULARY_SAMPLE}')"
        )
    for term, documents in terms:
        if not term.startswith(FACET):
            vocabulary.add([term], documents)
    return vocabulary
