"""One search over clusters, chains, investment projects, enterprises, product lines, needs and
offers, in Russian.

The query is lemmatised like the documents, unknown words get spelling corrections, and the
database's own full-text index finds and ranks the documents: FTS5 with BM25 on SQLite,
``tsvector`` with ``ts_rank`` on PostgreSQL, over the same lemmas (ADR 0007). Every word must
match (in any of its forms); when nothing does, documents matching any word are shown."""

from dataclasses import dataclass, field

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from promcluster.errors import InvalidField
from promcluster.matching.facets import KINDS, facet
from promcluster.matching.text import lemma_variants, words
from promcluster.matching.typos import Vocabulary
from promcluster.matching.vocabulary import known_words

LIMIT = 20
MAX_WORDS = 12
RANKED = 1000  # matching documents ranked (ranking all of 50,000 matches took 300 ms)


PAGES = {
    "cluster": "/clusters/{h.ref_id}",
    "chain": "/chains/{h.ref_id}",
    "project": "/clusters/{h.cluster_id}",  # a project of no chain is listed on its cluster's
    "enterprise": "/enterprises/{h.ref_id}",
    "product": "/enterprises/{h.enterprise_id}",
    "need": "/needs/{h.ref_id}",
    "offer": "/offers/{h.ref_id}",
}
PROJECT_IN_CHAIN = "/chains/{h.chain_id}"


@dataclass(frozen=True)
class Hit:
    kind: str
    ref_id: int
    enterprise_id: int | None
    title: str
    detail: str | None
    region_code: str | None
    okpd2_code: str | None
    score: float
    chain_id: int | None = None  # an investment project's chain and cluster
    cluster_id: int | None = None

    @property
    def link(self) -> str:
        """The page the hit opens (a product line opens its enterprise, an investment project
        its chain, else its cluster)."""
        page = PROJECT_IN_CHAIN if self.kind == "project" and self.chain_id else PAGES[self.kind]
        return page.format(h=self)


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    corrected: dict[str, str] = field(default_factory=dict)
    every_word: bool = True


def parse_kinds(kinds: list[str] | None) -> tuple[str, ...]:
    """The kinds asked for (all when none); an unknown kind is refused by name."""
    if not kinds:
        return KINDS
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        allowed = ", ".join(KINDS)
        raise InvalidField("kind", f"неизвестный вид «{unknown[0]}»; допустимы: {allowed}")
    return tuple(dict.fromkeys(kinds))


def plan(query: str, vocabulary: Vocabulary | None, prefix: bool = False) -> tuple[list, dict]:
    """The query as groups of alternative terms (one group a word) and the corrections used.

    A term is ``(word, is_prefix)``. A word's group holds its likely normal forms and, for a
    word the platform has never seen, its spelling corrections; with ``prefix`` the last word
    also matches as a beginning, and is corrected only when no known word begins so."""
    typed = words(query)[:MAX_WORDS]
    groups, corrected = [], {}
    for position, word in enumerate(typed):
        forms = lemma_variants(word)
        if not forms:
            continue
        group = {(f, False) for f in forms}
        typing = prefix and position == len(typed) - 1 and len(word) >= 3
        if typing:
            group.add((word, True))
        if (
            vocabulary is not None
            and not any(f in vocabulary for f in forms)
            and not (typing and vocabulary.starts(word))
            and (fixes := vocabulary.corrections(forms[0]))
        ):
            corrected[word] = fixes[0]
            group.update((f, False) for f in fixes)
        groups.append(sorted(group))
    return groups, corrected


def _filters(kinds: tuple[str, ...], region: str | None) -> list[list[tuple[str, bool]]]:
    """Kind and region as groups of the index's facet terms, which every hit must match."""
    groups = [] if set(kinds) == set(KINDS) else [[(facet("kind", k), False) for k in kinds]]
    return groups + ([[(facet("region", region), False)]] if region else [])


def _fts5(groups: list, every_word: bool, filters: list) -> str:
    def part(g):
        return "(" + " OR ".join(f'"{w}"' + ("*" if p else "") for w, p in g) + ")"

    words = (" AND " if every_word else " OR ").join(map(part, groups))
    return " AND ".join([f"({words})", *map(part, filters)])


def _tsquery(groups: list, every_word: bool, filters: list) -> str:
    def part(g):
        return "(" + " | ".join(f"'{w}'" + (":*" if p else "") for w, p in g) + ")"

    words = (" & " if every_word else " | ").join(map(part, groups))
    return " & ".join([f"({words})", *map(part, filters)])


COLUMNS = "d.kind, d.ref_id, d.enterprise_id, d.title, d.detail, d.region_code, d.okpd2_code"
PROJECT = " LEFT JOIN investment_projects p ON d.kind = 'project' AND p.id = d.ref_id"
# The newest RANKED matches are ranked, then the page of them is returned: a word in tens of
# thousands of documents costs a bounded time (the database can stop early in id order).
SQLITE = text(
    f"SELECT {COLUMNS}, m.score, p.chain_id, p.cluster_id FROM ("
    " SELECT rowid AS id, -bm25(search_fts) AS score FROM search_fts"
    " WHERE search_fts MATCH :q ORDER BY rowid DESC LIMIT :ranked"
    f") m JOIN search_documents d ON d.id = m.id{PROJECT}"
    " ORDER BY m.score DESC, d.id DESC LIMIT :limit OFFSET :offset"
)
# PostgreSQL: the first RANKED matches the GIN index yields are ranked (a GIN index has no
# order, and asking for the newest would make the planner walk the primary key backwards,
# testing every row, when it misjudges how rare a combination of words is: 1.3 s).
POSTGRES = text(
    "WITH matched AS MATERIALIZED ("
    " SELECT id FROM search_documents WHERE tsv @@ to_tsquery('simple', :q) LIMIT :ranked)"
    f" SELECT {COLUMNS}, ts_rank(d.tsv, to_tsquery('simple', :q)) AS score,"
    f" p.chain_id, p.cluster_id FROM matched m JOIN search_documents d ON d.id = m.id{PROJECT}"
    " ORDER BY score DESC, d.id DESC LIMIT :limit OFFSET :offset"
)


def matches(
    connection: Connection,
    groups: list,
    every_word: bool,
    kinds: tuple[str, ...] = KINDS,
    region: str | None = None,
    limit: int = LIMIT,
    offset: int = 0,
) -> list[Hit]:
    """The best documents of ``kinds`` matching the word ``groups`` of ``plan`` (every one, or
    any one), best first."""
    sqlite = connection.dialect.name == "sqlite"
    match = (_fts5 if sqlite else _tsquery)(groups, every_word, _filters(kinds, region))
    params = {"q": match, "limit": limit, "offset": offset, "ranked": RANKED}
    return [Hit(*row) for row in connection.execute(SQLITE if sqlite else POSTGRES, params)]


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
    if not kinds:
        raise InvalidField("kind", "не выбран ни один вид записей")
    kinds = parse_kinds(list(kinds))
    if not 1 <= limit <= RANKED:
        raise InvalidField("limit", f"число результатов должно быть от 1 до {RANKED}")
    if not 0 <= offset <= RANKED - limit:
        raise InvalidField("offset", f"показываются только первые {RANKED} результатов")
    connection = session.connection()
    vocabulary = known_words.get(connection)
    groups, corrected = plan(query, vocabulary, prefix)
    results = Results(query=query, corrected=corrected)
    if not groups:
        return results
    results.hits = matches(connection, groups, True, kinds, region, limit, offset)
    if not results.hits and len(groups) > 1:
        results.every_word = False
        results.hits = matches(connection, groups, False, kinds, region, limit, offset)
    return results
