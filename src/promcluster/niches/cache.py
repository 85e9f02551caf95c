"""Results kept in memory per database until its next write.

A write anywhere leaves a new audit record (services and imports alike), and a new enterprise a
new id; both are read from primary keys, so checking costs two index look-ups. Caveat: on
PostgreSQL two concurrent transactions may commit out of id order, and the later commit of a lower
id goes unnoticed until the next write.
"""

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.auth.models import AuditLog
from promcluster.registry.models import Enterprise

T = TypeVar("T")
_kept: dict[tuple, object] = {}
_lock = threading.Lock()


def registry_version(session: Session) -> tuple:
    """Changes with every write: the newest enterprise id and the newest audit record id."""
    return (
        session.scalar(select(func.max(Enterprise.id))),
        session.scalar(select(func.max(AuditLog.id))),
    )


def kept(session: Session, what: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` for ``what`` in this database, computed again only after a write (one
    computation at a time; older versions of the same ``what`` are dropped)."""
    place = (str(session.get_bind().url), what)
    key = (*place, registry_version(session))
    with _lock:
        if key not in _kept:
            for stale in [k for k in _kept if k[:2] == place]:
                del _kept[stale]
            _kept[key] = compute()
        return _kept[key]  # type: ignore[return-value]
