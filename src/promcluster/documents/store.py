"""The file store: files kept outside the database under ``PROMCLUSTER_FILES_DIR``, each named by
its SHA-256 (``ab/cd/abcd…``), so an equal file is kept once and a name never changes content.

A file is written to a temporary name in the store's own ``tmp/`` and renamed into place only
when complete, so a failed or cut upload leaves no file under a hash name; ``discard`` removes a
temporary file the caller decided not to keep.

A kept file may still end up unreferenced: the transaction that was to add its row fails, or a
deleted row was the last naming it. ``keep_for`` and ``unsure`` note such hashes on the database
session; when its outermost transaction ends (committed or rolled back) each is removed unless a
committed row of ``REFERENCES`` names it."""

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import column, event, func, select, table
from sqlalchemy.orm import Session, SessionTransaction

from promcluster.config import get_settings

CHUNK = 1024 * 1024
# Every column naming a stored file (backups copy what they name; nothing else is kept).
REFERENCES = (("document_files", "sha256"), ("application_packages", "sha256"))
UNSURE = "store.unsure_files"  # the session.info key of hashes to settle


@dataclass(frozen=True)
class Stored:
    """A file written into the store: its hash, size and where it lies."""

    sha256: str
    size: int
    path: Path
    new: bool  # the store did not hold it before


def root() -> Path:
    """The store's directory (``files_dir``), created when missing."""
    path = Path(get_settings().files_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(sha256: str) -> Path:
    """Where the file with this hash lies (whether or not it exists)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return root() / sha256[:2] / sha256[2:4] / sha256


def exists(sha256: str) -> bool:
    """Whether the store holds the file with this hash."""
    return path_of(sha256).is_file()


def temporary(suffix: str = "") -> Path:
    """A new empty temporary file inside the store (same file system, so ``keep`` renames)."""
    tmp = root() / "tmp"
    tmp.mkdir(exist_ok=True)
    handle, name = tempfile.mkstemp(dir=tmp, suffix=suffix)
    os.close(handle)
    return Path(name)


def keep(path: Path) -> Stored:
    """Move the complete file ``path`` into the store under its hash and return it; when the
    store already holds an equal file, ``path`` is removed and the kept one returned."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    sha256 = digest.hexdigest()
    target = path_of(sha256)
    new = not target.is_file()
    if new:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    else:
        path.unlink()
    return Stored(sha256, size, target, new)


def put(chunks: Iterable[bytes]) -> Stored:
    """Write ``chunks`` into the store (through a temporary file) and return the stored file."""
    path = temporary()
    try:
        with path.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return keep(path)


def discard(path: Path) -> None:
    """Remove a temporary file that is not to be kept."""
    path.unlink(missing_ok=True)


def keep_for(session: Session, path: Path) -> Stored:
    """``keep`` a file a row of ``session``'s transaction is to name: a file new to the store
    is removed again when the transaction ends without a committed row naming it."""
    stored = keep(path)
    if stored.new:
        unsure(session, stored.sha256)
    return stored


def unsure(session: Session, sha256: str) -> None:
    """Note that the stored file ``sha256`` may be left unreferenced by this transaction."""
    session.info.setdefault(UNSURE, set()).add(sha256)
    if not event.contains(session, "after_transaction_end", settle):
        event.listen(session, "after_transaction_end", settle)


def referenced(session: Session, sha256: str) -> bool:
    """Whether a committed row names ``sha256`` (read on a connection of its own)."""
    with session.get_bind().connect() as connection:
        return any(
            connection.scalar(
                select(func.count()).select_from(table(name)).where(column(col) == sha256)
            )
            for name, col in REFERENCES
        )


def settle(session: Session, transaction: SessionTransaction) -> None:
    """At the end of the outermost transaction, remove the noted files no row names."""
    if transaction.parent is not None or transaction.nested:
        return
    for sha256 in session.info.pop(UNSURE, set()):
        if not referenced(session, sha256):
            path_of(sha256).unlink(missing_ok=True)
