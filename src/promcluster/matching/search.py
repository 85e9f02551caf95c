"""One search over enterprises, product lines, needs and offers, in Russian.

The query is lemmatised like the documents, unknown words get spelling corrections, and the
database's own full-text index finds and ranks the documents: FTS5 with BM25 on SQLite,
``tsvector`` with ``ts_rank`` on PostgreSQL, over the same lemmas (ADR 0007). Every word must
match (in any of its forms); when nothing does, documents matching any word are shown."""

from dataclasses import dataclass, field

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from promcluster.matching.documents import KINDS
from promcluster.matching.text import lemma, lemmas, words
from promcluster.matching.typos import Vocabulary
from promcluster.reference.models import Okpd, Okved
from promcluster.registry.models import ProductLine

LIMIT = 20
MAX_WORDS = 12


@dataclass(frozen=True)
class Hit:
    kind: str
    ref_id: int
    title: str
    detail: str | None
    region_code: str | None
    okpd2_code: str | None
    score: float
    link: str = ""


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    corrected: dict[str, str] = field(default_factory=dict)
    every_word: bool = True


class KnownWords:
    """Each database's spelling vocabulary, loaded once per process and grown by its writes."""

    def __init__(self) -> None:
        self._by_database: dict[str, Vocabulary] = {}

    @staticmethod
    def _key(connection: Connection) -> str:
        return connection.engine.url.render_as_string(hide_password=False)

    def cached(self, connection: Connection) -> Vocabulary | None:
        return self._by_database.get(self._key(connection))

    def get(self, connection: Connection) -> Vocabulary:
        key = self._key(connection)
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
        terms = connection.exec_driver_sql("SELECT term, doc FROM temp.search_terms")
    else:
        terms = connection.exec_driver_sql(
            "SELECT word, ndoc FROM ts_stat('SELECT tsv FROM search_documents')"
        )
    for term, documents in terms:
        vocabulary.add([term], documents)
    return vocabulary


def plan(query: str, vocabulary: Vocabulary, prefix: bool = False) -> tuple[list, dict]:
    """The query as groups of alternative terms (one group a word) and the corrections used.

    A term is ``(word, is_prefix)``; with ``prefix`` the last word also matches as a beginning
    (for search as you type)."""
    typed = words(query)[:MAX_WORDS]
    groups, corrected = [], {}
    for position, word in enumerate(typed):
        base = lemma(word)
        if base is None:
            continue
        group = {(base, False)}
        if base not in vocabulary and (fixes := vocabulary.corrections(base)):
            corrected[word] = fixes[0]
            group.update((f, False) for f in fixes)
        if prefix and position == len(typed) - 1 and len(word) >= 3:
            group.add((word, True))
        groups.append(sorted(group))
    return groups, corrected


def _fts5(groups: list, every_word: bool) -> str:
    parts = ["(" + " OR ".join(f'"{w}"' + ("*" if p else "") for w, p in g) + ")" for g in groups]
    return (" AND " if every_word else " OR ").join(parts)


def _tsquery(groups: list, every_word: bool) -> str:
    parts = ["(" + " | ".join(f"'{w}'" + (":*" if p else "") for w, p in g) + ")" for g in groups]
    return (" & " if every_word else " | ").join(parts)


def _filters(kinds: tuple[str, ...], region: str | None) -> str:
    sql = ""
    if set(kinds) != set(KINDS):
        sql += " AND d.kind IN (" + ", ".join(f"'{k}'" for k in kinds if k in KINDS) + ")"
    if region:
        sql += " AND d.region_code = :region"
    return sql


def _find(connection: Connection, match: str, kinds, region, limit: int, offset: int):
    columns = "d.kind, d.ref_id, d.title, d.detail, d.region_code, d.okpd2_code"
    params = {"q": match, "region": region, "limit": limit, "offset": offset}
    if connection.dialect.name == "sqlite":
        sql = (
            f"SELECT {columns}, -bm25(search_fts) AS score FROM search_fts "
            "JOIN search_documents d ON d.id = search_fts.rowid "
            f"WHERE search_fts MATCH :q{_filters(kinds, region)} "
            "ORDER BY bm25(search_fts) LIMIT :limit OFFSET :offset"
        )
    else:
        sql = (
            f"SELECT {columns}, ts_rank(d.tsv, q) AS score "
            "FROM search_documents d, to_tsquery('simple', :q) q "
            f"WHERE d.tsv @@ q{_filters(kinds, region)} "
            "ORDER BY score DESC, d.id LIMIT :limit OFFSET :offset"
        )
    return [Hit(*row) for row in connection.execute(text(sql), params)]


def search(
    session: Session,
    query: str,
    kinds: tuple[str, ...] = KINDS,
    region: str | None = None,
    limit: int = LIMIT,
    offset: int = 0,
    prefix: bool = False,
) -> Results:
    """The best ``limit`` documents for ``query`` (every word first, else any word)."""
    connection = session.connection()
    groups, corrected = plan(query, known_words.get(connection), prefix)
    results = Results(query=query, corrected=corrected)
    if not groups:
        return results
    render = _fts5 if connection.dialect.name == "sqlite" else _tsquery
    results.hits = _find(connection, render(groups, True), kinds, region, limit, offset)
    if not results.hits and len(groups) > 1:
        results.every_word = False
        results.hits = _find(connection, render(groups, False), kinds, region, limit, offset)
    results.hits = _linked(session, results.hits)
    return results


def _linked(session: Session, hits: list[Hit]) -> list[Hit]:
    """Hits with the page each one opens (a product line opens its enterprise)."""
    lines = [h.ref_id for h in hits if h.kind == "product"]
    owners = dict(
        session.execute(
            select(ProductLine.id, ProductLine.enterprise_id).where(ProductLine.id.in_(lines))
        ).all()
    )
    pages = {
        "enterprise": lambda h: f"/enterprises/{h.ref_id}",
        "product": lambda h: f"/enterprises/{owners.get(h.ref_id, 0)}",
        "need": lambda h: f"/needs/{h.ref_id}",
        "offer": lambda h: f"/offers/{h.ref_id}",
    }
    return [Hit(**{**h.__dict__, "link": pages[h.kind](h)}) for h in hits]
