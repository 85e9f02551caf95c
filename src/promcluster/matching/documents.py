"""What the search index holds, and keeping it in step with every write.

Each cluster, chain, investment project, enterprise (specialised organisations and associations
are enterprises), product line, open need and open offer is one row of ``search_documents``
whose ``lemmas`` the database's full-text index covers. ORM writes refresh their rows in the
same transaction (``after_flush``); bulk writes (imports, the demo loader) call ``refresh``.
On SQLite, triggers keep the FTS5 index in step with any insert, update or delete; ``_insert``
adds a batch in one statement instead, the insert trigger standing aside (migration 0014)."""

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from sqlalchemy import (
    ColumnElement,
    Connection,
    ScalarSelect,
    column,
    delete,
    event,
    func,
    insert,
    select,
    table,
)
from sqlalchemy.orm import Session

from promcluster import labels
from promcluster.chains.models import Chain
from promcluster.db import insert_rows
from promcluster.matching.facets import KINDS, facet
from promcluster.matching.models import Need, Offer, SearchDocument
from promcluster.matching.text import index_terms
from promcluster.reference.models import Okpd
from promcluster.registry.models import (
    Cluster,
    Enterprise,
    InvestmentProject,
    ProductLine,
    cluster_region,
)

MODELS = {
    "cluster": Cluster,
    "chain": Chain,
    "project": InvestmentProject,
    "enterprise": Enterprise,
    "product": ProductLine,
    "need": Need,
    "offer": Offer,
}
BATCH = 2000
COLUMNS = (
    "kind", "ref_id", "enterprise_id", "title", "detail", "region_code", "okpd2_code", "lemmas"
)  # fmt: skip
Row = tuple[str, int, int | None, str, str | None, str | None, str | None, str]
DOCUMENTS = SearchDocument.__table__
FTS = table("search_fts", column("rowid"), column("lemmas"))
BATCH_MARK = table("search_fts_batch", column("id"))


def _insert(connection: Connection, rows: list[Row], skip_existing: bool = False) -> None:
    """Insert documents. On SQLite their full-text entries follow in one statement: a row in
    ``search_fts_batch`` for the while turns the per-row trigger off (FTS5 flushes its pending
    terms after each trigger statement: a million enterprises took 95 s to index, now 55 s). The
    new rows are those above the largest id before (the transaction holds the write lock)."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        insert_rows(connection, "search_documents", COLUMNS, rows, skip_existing=skip_existing)
        return
    connection.execute(insert(BATCH_MARK))
    try:
        before = connection.scalar(select(func.coalesce(func.max(DOCUMENTS.c.id), 0)))
        insert_rows(connection, "search_documents", COLUMNS, rows, skip_existing=skip_existing)
        added = select(DOCUMENTS.c.id, DOCUMENTS.c.lemmas).where(DOCUMENTS.c.id > before)
        connection.execute(insert(FTS).from_select(["rowid", "lemmas"], added))
    finally:
        connection.execute(delete(BATCH_MARK))


def with_facets(rows: Iterable[Row]) -> Iterator[Row]:
    """The rows with their facet terms appended to the lemmas."""
    for r in rows:
        facets = [facet("kind", r[0])] + ([facet("region", r[5])] if r[5] else [])
        yield (*r[:-1], " ".join([r[-1], *facets]))


def _enterprises(connection: Connection, ids: list[int]) -> Iterator[Row]:
    e = Enterprise
    query = select(e.id, e.name, e.full_name, e.inn, e.ogrn, e.region_code, e.okved_main)
    okved = labels.SEARCH_DETAILS["okved"]
    # fetched whole and unpacked: a million documents are built here after a bulk import
    for id_, name, full_name, inn, ogrn, region, okved_main in connection.execute(
        query.where(e.id.in_(ids))
    ).all():
        terms = index_terms(name, full_name) + [x for x in (inn, ogrn) if x]
        detail = f"{okved} {okved_main}" if okved_main else None
        yield "enterprise", id_, id_, name, detail, region, None, " ".join(terms)


def _first_region(cluster_id: ColumnElement[int]) -> ScalarSelect[str]:
    """A cluster's first region code (an interregional cluster is filed under one of them)."""
    return (
        select(func.min(cluster_region.c.region_code))
        .where(cluster_region.c.cluster_id == cluster_id)
        .scalar_subquery()
    )


def _clusters(connection: Connection, ids: list[int]) -> Iterator[Row]:
    c, org = Cluster, Enterprise
    query = (
        select(c.id, c.name, c.description, c.status, c.registry_number, _first_region(c.id))
        .add_columns(org.name.label("org"))
        .outerjoin(org, org.id == c.specialised_org_id)
        .where(c.id.in_(ids))
    )
    for id_, name, description, status, number, region, org_name in connection.execute(query):
        terms = index_terms(name, description, org_name) + ([number] if number else [])
        detail = labels.CLUSTER_STATUSES.get(status) if status else None
        yield "cluster", id_, None, name, detail, region, None, " ".join(terms)


def _cluster_parts(kind: str) -> Callable[[Connection, list[int]], Iterator[Row]]:
    """Chains and investment projects: titled by their name, detailed by their cluster."""
    model = MODELS[kind]

    def rows(connection: Connection, ids: list[int]) -> Iterator[Row]:
        query = (
            select(model.id, model.name, model.description, Cluster.name.label("cluster"))
            .add_columns(_first_region(model.cluster_id))
            .join(Cluster, Cluster.id == model.cluster_id)
            .where(model.id.in_(ids))
        )
        for id_, name, description, cluster, region in connection.execute(query):
            terms = index_terms(name, description)
            detail = f"{labels.SEARCH_DETAILS['cluster']}: {cluster}"
            yield kind, id_, None, name, detail, region, None, " ".join(terms)

    return rows


def _products(connection: Connection, ids: list[int]) -> Iterator[Row]:
    p = ProductLine
    query = (
        select(p.id, p.enterprise_id, p.name, p.direction, p.okpd2_code)
        .add_columns(Okpd.name.label("okpd2_name"))
        .add_columns(Enterprise.name.label("enterprise"), Enterprise.region_code)
        .join(Enterprise, Enterprise.id == p.enterprise_id)
        .join(Okpd, Okpd.code == p.okpd2_code)
        .where(p.id.in_(ids))
    )
    for r in connection.execute(query):
        title = r.name or r.okpd2_name
        terms = index_terms(r.name, r.okpd2_name)
        detail = f"{labels.PRODUCT_DIRECTIONS.get(r.direction, r.direction)}: {r.enterprise}"
        yield ("product", r.id, r.enterprise_id, title, detail, r.region_code, r.okpd2_code,
               " ".join(terms))  # fmt: skip


def _postings(kind: str) -> Callable[[Connection, list[int]], Iterator[Row]]:
    model = MODELS[kind]
    party = model.customer_id if kind == "need" else model.supplier_id

    def rows(connection: Connection, ids: list[int]) -> Iterator[Row]:
        query = (
            select(*model.__table__.c, Okpd.name.label("okpd2_name"))
            .add_columns(Enterprise.id.label("party_id"), Enterprise.name.label("party"))
            .outerjoin(Okpd, Okpd.code == model.okpd2_code)
            .outerjoin(Enterprise, Enterprise.id == party)
            .where(model.id.in_(ids), model.status == "open")
        )
        for r in connection.execute(query):
            party_name = r.party or getattr(r, "customer_name", None)
            role = labels.SEARCH_DETAILS[kind]
            party_name = f"{role}: {party_name}" if party_name else None
            terms = index_terms(r.product_name, r.description, r.okpd2_name)
            yield (kind, r.id, r.party_id, r.product_name, party_name, r.region_code,
                   r.okpd2_code, " ".join(terms))  # fmt: skip

    return rows


BUILDERS = {
    "cluster": _clusters,
    "chain": _cluster_parts("chain"),
    "project": _cluster_parts("project"),
    "enterprise": _enterprises,
    "product": _products,
    "need": _postings("need"),
    "offer": _postings("offer"),
}


def chunks(values: Iterable[int], size: int = BATCH) -> Iterator[list[int]]:
    """``values`` in lists of ``size``."""
    it = iter(values)
    while chunk := list(islice(it, size)):
        yield chunk


def refresh(connection: Connection, kind: str, ids: Iterable[int], missing: bool = False) -> int:
    """Rebuild the documents of ``kind`` for ``ids`` (gone or closed records drop out).
    ``missing``: the ids have no document, so none is deleted first — on PostgreSQL that delete,
    in the transaction that just wrote a million documents, scans them all for every chunk (the
    planner has no statistics of the new rows); one written meanwhile is kept."""
    written = 0
    for chunk in chunks(ids, BATCH):
        if not missing:
            connection.execute(
                delete(DOCUMENTS).where(DOCUMENTS.c.kind == kind, DOCUMENTS.c.ref_id.in_(chunk))
            )
        rows = list(with_facets(BUILDERS[kind](connection, chunk)))
        _insert(connection, rows, skip_existing=missing)
        written += len(rows)
    return written


def reindex(
    connection: Connection,
    kinds: Iterable[str] = KINDS,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the whole index for ``kinds``; ``progress(kind, rows)`` after each batch."""
    counts = {}
    for kind in kinds:
        model = MODELS[kind]
        connection.execute(delete(DOCUMENTS).where(DOCUMENTS.c.kind == kind))
        ids = connection.scalars(select(model.id).order_by(model.id))
        counts[kind] = 0
        for chunk in chunks(list(ids), BATCH):
            rows = list(with_facets(BUILDERS[kind](connection, chunk)))
            _insert(connection, rows)
            counts[kind] += len(rows)
            if progress:
                progress(kind, len(chunk))
    return counts


def index_missing(
    connection: Connection, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Index the records that have no document yet (after imports with a deferred index)."""
    counts = {}
    for kind in KINDS:
        counts[kind] = 0
        for chunk in chunks(missing_ids(connection, kind), BATCH):
            counts[kind] += refresh(connection, kind, chunk, missing=True)
            if progress:
                progress(kind, len(chunk))
    return counts


def record_ids(connection: Connection, kind: str) -> list[int]:
    """Every record of ``kind`` that the index may hold, in order."""
    model = MODELS[kind]
    return list(connection.scalars(select(model.id).order_by(model.id)))


def missing_ids(connection: Connection, kind: str) -> list[int]:
    """The records of ``kind`` without a document (open postings only), in order."""
    model = MODELS[kind]
    indexed = select(SearchDocument.ref_id).where(SearchDocument.kind == kind)
    query = select(model.id).where(model.id.not_in(indexed))
    if kind in ("need", "offer"):
        query = query.where(model.status == "open")
    return list(connection.scalars(query.order_by(model.id)))


def drop_orphans(connection: Connection, kind: str) -> int:
    """Delete the documents of ``kind`` whose record is gone (a rebuild in batches replaces
    the others in place)."""
    model = MODELS[kind]
    gone = DOCUMENTS.c.kind == kind, DOCUMENTS.c.ref_id.not_in(select(model.id))
    return connection.execute(delete(DOCUMENTS).where(*gone)).rowcount


KIND_OF = {model: kind for kind, model in MODELS.items()}


@event.listens_for(Session, "after_flush")
def _follow_writes(session: Session, _ctx) -> None:
    gone = [o.id for o in session.deleted if isinstance(o, Enterprise)]
    if gone:  # its product lines, needs and offers went with it (ON DELETE CASCADE)
        session.connection().execute(delete(DOCUMENTS).where(DOCUMENTS.c.enterprise_id.in_(gone)))
    touched: dict[str, set[int]] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        kind = KIND_OF.get(type(obj))
        if kind is not None and obj.id is not None:
            touched.setdefault(kind, set()).add(obj.id)
    if clusters := touched.get("cluster"):  # their chains and projects name them
        for kind in ("chain", "project"):
            model = MODELS[kind]
            parts = session.connection().scalars(
                select(model.id).where(model.cluster_id.in_(clusters))
            )
            touched.setdefault(kind, set()).update(parts)
            drop_orphans(session.connection(), kind)
    for kind, ids in touched.items():
        refresh(session.connection(), kind, sorted(ids))
