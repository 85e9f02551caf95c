"""Insert-or-update of a batch of records by their natural key, with Core statements (fast enough
for a million rows), optimistic locking and one audit row per created or changed record."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from promcluster.auth.audit import Actor, record_bulk
from promcluster.db import insert_rows, select_in

ON_INSERT = "_on_insert"  # a record's fields written only when it is created (derived defaults)


class BatchConflict(Exception):
    """A record changed under the batch (a concurrent edit or import): the batch is retried."""


@dataclass(frozen=True)
class Link:
    """A many-to-many field stored in a link table (``enterprise_okved``, ``project_products``)."""

    table: Table
    owner: str
    code: str


@dataclass
class Outcome:
    """What a batch did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    @property
    def ids_written(self) -> list[int]:
        """The records the batch created or changed."""
        return self.created_ids + self.updated_ids


def upsert(
    session: Session,
    model: type,
    key: Sequence[str],
    records: list[dict[str, Any]],
    actor: Actor,
    links: dict[str, Link] | None = None,
    origin: dict[str, Any] | None = None,
    scope: ColumnElement[bool] | None = None,
) -> Outcome:
    """Create the records whose key is new and update the fields that differ in the others.

    A record holds only the fields the file filled: an empty cell never erases a stored value;
    fields under ``ON_INSERT`` are written only when the record is created (a default taken from
    elsewhere must not overwrite a stored value). ``key[0]`` is the column used to look existing
    records up (an indexed one), unless ``scope`` is given: a condition true of every stored
    record the batch may match (derived records rewritten by a few keys among many of one
    ``key[0]`` value: a customer's supplies).

    Each changed record gets an audit row with its values before and after. Created records get
    one audit row each holding their values, or, when ``origin`` says where the batch came from
    (an import run and its rows), one audit row for the batch listing the created ids: a
    million-row import would otherwise spend a third of its time on the audit log.
    """
    links = links or {}
    table = model.__table__
    key_of = itemgetter(*key)
    skipped = {*key, *links, ON_INSERT}
    compared = sorted({f for r in records for f in r if f not in skipped})
    columns = ["id", "version", *key, *compared]
    existing = {key_of(row): row for row in _stored(session, table, columns, key, records, scope)}
    current_links = _links(session, links, [row["id"] for row in existing.values()])
    outcome = Outcome()
    new, entries = [], []
    for record in records:
        row = existing.get(key_of(record))
        if row is None:
            extra = record.get(ON_INSERT) or {}
            new.append({f: v for f, v in record.items() if f != ON_INSERT} | extra)
            continue
        outcome.ids.append(row["id"])
        changes = {f: [row[f], v] for f, v in record.items() if f in compared and row[f] != v}
        changed_links = {
            f: [sorted(current_links[f].get(row["id"], ())), sorted(record[f])]
            for f in links
            if f in record and set(record[f]) != current_links[f].get(row["id"], set())
        }
        if not changes and not changed_links:
            outcome.unchanged += 1
            continue
        result = session.execute(
            update(table)
            .where(table.c.id == row["id"], table.c.version == row["version"])
            .values(
                {f: after for f, (_, after) in changes.items()} | {"version": row["version"] + 1}
            )
        )
        if result.rowcount != 1:
            raise BatchConflict(f"{model.__tablename__} {row['id']}")
        for f in changed_links:
            _replace_links(session, links[f], row["id"], record[f])
        entries.append(("update", row["id"], changes | changed_links))
        outcome.updated += 1
        outcome.updated_ids.append(row["id"])
    if new:
        connection = session.connection()
        defaults = {
            c.name: c.default.arg
            for c in table.columns
            if c.default is not None and c.default.is_scalar
        }
        columns = sorted({f for r in new for f in r if f not in links} | defaults.keys())
        blank = [defaults.get(f) for f in columns]
        insert_rows(
            connection,
            table.name,
            columns,
            [tuple(map(r.get, columns, blank)) for r in new],
        )
        # Ids by key (RETURNING with a guaranteed row order costs one statement per row).
        found = _stored(session, table, ["id", *key], key, new, scope)
        created = {key_of(row): row["id"] for row in found}
        ids = [created[key_of(r)] for r in new]
        for f, link in links.items():
            pairs = [(id_, c) for r, id_ in zip(new, ids, strict=True) for c in r.get(f) or ()]
            insert_rows(connection, link.table.name, (link.owner, link.code), pairs)
        if origin is None:
            entries += [("create", id_, r) for r, id_ in zip(new, ids, strict=True)]
        else:
            entries.append(("create", None, origin | {"ids": ids}))
        outcome.created += len(new)
        outcome.ids.extend(ids)
        outcome.created_ids.extend(ids)
    record_bulk(session, actor, model.__tablename__, entries)
    return outcome


def _stored(
    session: Session,
    table: Table,
    columns: list[str],
    key: Sequence[str],
    records: list[dict[str, Any]],
    scope: ColumnElement[bool] | None,
) -> list[dict[str, Any]]:
    """The stored records the batch may match: by ``key[0]``, or those ``scope`` selects."""
    if scope is None:
        keys = {r[key[0]] for r in records}
        return select_in(session.connection(), table, columns, key[0], keys)
    query = select(*(table.c[c] for c in columns)).where(scope)
    return [dict(row._mapping) for row in session.execute(query)]


def _links(session: Session, links: dict[str, Link], ids: list[int]) -> dict[str, dict[int, set]]:
    found: dict[str, dict[int, set]] = {}
    for f, link in links.items():
        found[f] = {}
        if not ids:
            continue
        owner, code = link.table.c[link.owner], link.table.c[link.code]
        for id_, value in session.execute(select(owner, code).where(owner.in_(ids))):
            found[f].setdefault(id_, set()).add(value)
    return found


def _replace_links(session: Session, link: Link, id_: int, codes: list[str]) -> None:
    session.execute(delete(link.table).where(link.table.c[link.owner] == id_))
    if codes:
        session.execute(insert(link.table), [{link.owner: id_, link.code: c} for c in codes])
