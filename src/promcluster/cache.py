"""Results kept in memory per database until its next write.

A write anywhere leaves a new audit record (services and imports alike), and a new enterprise a
new id; both are read from primary keys, so checking costs two index look-ups (one query, one
round trip). The key is read from the database at every call, so a write by any process
(another worker, a command-line import) is seen by every other at its next call
(docs/OPERATIONS.md, "Workers").

On PostgreSQL two concurrent transactions may commit out of id order: the later commit of a lower
id leaves the newest id as it was. So there the key also counts the audit records among the
newest ``WINDOW`` ids, which such a commit changes (one more index range read); a transaction
that stays open while more than ``WINDOW`` others write audit records is still missed until the
next write. SQLite writes one transaction at a time, in id order.

A result that reads only some tables names them (``on``): it is then computed again only after a
write to those tables (an index look-up per table on the audit log by entity), so that adding a
member does not recompute the national register's location quotients.

Hits and misses are counted per kind of result (the first element of a tuple ``what``) for the
Prometheus metrics (docs/OPERATIONS.md).
"""

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from prometheus_client import Counter
from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session

T = TypeVar("T")
HITS = Counter("promcluster_cache_hits_total", "Results served from the cache", ["kind"])
MISSES = Counter("promcluster_cache_misses_total", "Results computed (not in the cache)", ["kind"])
WINDOW = 1000
_kept: dict[tuple, object] = {}
_lock = threading.Lock()


# Read by name, not through the domains' models: the cache sits below every domain.
AUDIT_LOG = table("audit_log", column("id"), column("entity"))
ENTERPRISES = table("enterprises", column("id"))
FIRMS = ("enterprises", "enterprise_figures")  # the firm register: activities, places, figures


def registry_version(session: Session, on: tuple[str, ...] | None = None) -> tuple:
    """Changes with every write (to the tables ``on``, when given): the newest enterprise id and
    the newest audit record id (of those tables), read in one round trip."""
    ordered = session.get_bind().dialect.name == "sqlite"
    parts = [select(func.max(ENTERPRISES.c.id)).scalar_subquery()]
    for name in on or (None,):
        parts += _newest(ordered, name)
    return tuple(session.execute(select(*parts)).one())


def kind_of(what: Hashable) -> str:
    """The metrics label of a cached result: the first element of a tuple key, else its type."""
    first = what[0] if isinstance(what, tuple) and what else what
    return first if isinstance(first, str) else type(first).__name__


def _newest(ordered: bool, entity: str | None = None) -> list:
    """The newest audit id (of ``entity``) and, unless commits come in id order, how many
    records are among the ``WINDOW`` ids before it: scalar subqueries."""
    where = [] if entity is None else [AUDIT_LOG.c.entity == entity]
    newest = select(func.max(AUDIT_LOG.c.id)).where(*where).scalar_subquery()
    if ordered:
        return [newest]
    recent = (
        select(func.count()).select_from(AUDIT_LOG).where(*where, AUDIT_LOG.c.id > newest - WINDOW)
    )
    return [newest, recent.scalar_subquery()]


def kept(
    session: Session,
    what: Hashable,
    compute: Callable[[], T],
    on: tuple[str, ...] | None = None,
) -> T:
    """``compute()`` for ``what`` in this database, computed again only after a write (to the
    tables ``on``, when given; one computation at a time; older versions of the same ``what`` are
    dropped)."""
    place = (str(session.get_bind().url), what)
    key = (*place, registry_version(session, on))
    with _lock:
        if key in _kept:
            HITS.labels(kind_of(what)).inc()
        else:
            MISSES.labels(kind_of(what)).inc()
            for stale in [k for k in _kept if k[:2] == place]:
                del _kept[stale]
            _kept[key] = compute()
        return _kept[key]  # type: ignore[return-value]
