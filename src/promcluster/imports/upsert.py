"""Insert-or-update of a batch of records by their natural key, with Core statements (fast enough
for a million rows), optimistic locking and one audit row per created or changed record."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from promcluster.auth.audit import Actor, record_bulk


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


def _key(record: dict[str, Any], key: Sequence[str]) -> tuple:
    return tuple(record.get(k) for k in key)


def upsert(
    session: Session,
    model: type,
    key: Sequence[str],
    records: list[dict[str, Any]],
    actor: Actor,
    links: dict[str, Link] | None = None,
) -> Outcome:
    """Create the records whose key is new and update the fields that differ in the others.

    A record holds only the fields the file filled: an empty cell never erases a stored value.
    ``key[0]`` is the column used to look existing records up (an indexed one).
    """
    links = links or {}
    table = model.__table__
    lookup = table.c[key[0]]
    compared = sorted({f for r in records for f in r if f not in key and f not in links})
    existing = {
        _key(row._mapping, key): row._mapping
        for row in session.execute(
            select(
                table.c.id,
                table.c.version,
                *(table.c[k] for k in key),
                *(table.c[f] for f in compared),
            ).where(lookup.in_({r[key[0]] for r in records}))
        )
    }
    current_links = _links(session, links, [row["id"] for row in existing.values()])
    outcome = Outcome()
    new, entries = [], []
    for record in records:
        row = existing.get(_key(record, key))
        if row is None:
            new.append(record)
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
            .values({f: after for f, (_, after) in changes.items()}, version=row["version"] + 1)
        )
        if result.rowcount != 1:
            raise BatchConflict(f"{model.__tablename__} {row['id']}")
        for f in changed_links:
            _replace_links(session, links[f], row["id"], record[f])
        entries.append(("update", row["id"], changes | changed_links))
        outcome.updated += 1
    if new:
        fields = {f for r in new for f in r if f not in links}
        blank = {f: _default(table.c[f]) for f in fields}
        rows = [blank | {f: v for f, v in r.items() if f not in links} for r in new]
        ids = session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
        ).all()
        for f, link in links.items():
            pairs = [
                {link.owner: id_, link.code: c}
                for record, id_ in zip(new, ids, strict=True)
                for c in record.get(f) or ()
            ]
            if pairs:
                session.execute(insert(link.table), pairs)
        entries += [("create", id_, r) for r, id_ in zip(new, ids, strict=True)]
        outcome.created += len(new)
        outcome.ids.extend(ids)
    record_bulk(session, actor, model.__tablename__, entries)
    return outcome


def _default(column) -> Any:
    """The value a column takes when a row leaves it out (one statement inserts every row)."""
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


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
