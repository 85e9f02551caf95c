"""The audit log: every insert, update and delete of an audited record, written in the same
transaction by a session hook, so no service can forget it."""

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from promcluster.auth.models import AuditLog
from promcluster.db import insert_rows, utcnow

SKIPPED = {"version", "created_at", "updated_at", "search_text"}


@dataclass(frozen=True)
class Actor:
    """Who is writing: a user or a named system process (CLI, demo loader)."""

    name: str
    user_id: int | None = None


SYSTEM = Actor("system")


def act_as(session: Session, actor: Actor) -> Session:
    """Attribute the session's writes to ``actor``."""
    session.info["actor"] = actor
    return session


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__table__"):
        return inspect(value).identity[0] if inspect(value).identity else None
    return value


def _hidden(obj: Any, key: str, value: Any) -> Any:
    return "***" if key in getattr(obj, "__audit_hidden__", ()) else value


def _snapshot(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    values = {
        a.key: _hidden(obj, a.key, _plain(getattr(obj, a.key)))
        for a in mapper.column_attrs
        if a.key not in SKIPPED
    }
    for rel in mapper.relationships:
        if rel.secondary is not None and rel.key in obj.__dict__:
            values[rel.key] = sorted(_plain(list(getattr(obj, rel.key))), key=str)
    return values


def _diff(obj: Any) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes() and hist.deleted != hist.added:
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before != after:
                changes[attr.key] = [
                    _hidden(obj, attr.key, _plain(before)),
                    _hidden(obj, attr.key, _plain(after)),
                ]
    for rel in state.mapper.relationships:
        if rel.secondary is None:
            continue
        hist = state.attrs[rel.key].history
        if hist.added or hist.deleted:
            after = [*hist.unchanged, *hist.added]
            before = [*hist.unchanged, *hist.deleted]
            changes[rel.key] = [sorted(_plain(before), key=str), sorted(_plain(after), key=str)]
    return changes


def _audited(obj: Any) -> bool:
    return getattr(obj, "__audited__", False)


def _entry(actor: Actor, action: str, obj: Any, changes: dict) -> dict:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "user_id": actor.user_id,
        "actor": actor.name,
        "action": action,
        "entity": obj.__tablename__,
        "changes": changes,
        "entity_id": ",".join(map(str, key)),
        "at": utcnow(),
    }


def record_bulk(
    session: Session,
    actor: Actor,
    entity: str,
    entries: list[tuple[str, int | None, dict[str, Any]]],
) -> None:
    """Audit rows for writes made with Core statements (bulk imports), which the flush hook
    does not see: ``entries`` are (action, id or None for a batch, changes)."""
    at = utcnow()
    rows = [
        (
            actor.user_id,
            actor.name,
            action,
            entity,
            None if id_ is None else str(id_),
            json.dumps({k: v for k, v in changes.items() if k not in SKIPPED}, default=_plain),
            at,
        )
        for action, id_, changes in entries
    ]
    columns = ("user_id", "actor", "action", "entity", "entity_id", "changes", "at")
    insert_rows(session.connection(), "audit_log", columns, rows)


@event.listens_for(Session, "after_flush")
def _record(session: Session, _ctx) -> None:
    actor = session.info.get("actor", SYSTEM)
    rows = [_entry(actor, "create", o, _snapshot(o)) for o in session.new if _audited(o)]
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj) and (changes := _diff(obj)):
            rows.append(_entry(actor, "update", obj, changes))
    rows += [_entry(actor, "delete", o, _snapshot(o)) for o in session.deleted if _audited(o)]
    if rows:
        session.connection().execute(insert(AuditLog), rows)
