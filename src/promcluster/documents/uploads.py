"""An uploaded file on its way into the store, with nothing half-stored: it is streamed to a
temporary file of the store (the size limit checked as it comes), its name and content checked,
and only then kept under its hash. A refusal discards the temporary file.

A kept file may still end up unreferenced — the transaction that was to add its row fails, or
a deleted document took the last row naming it. Such hashes are noted on the database session;
when its outermost transaction ends (committed or rolled back) each is removed from the store
unless a committed ``document_files`` row names it."""

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from promcluster.config import get_settings
from promcluster.documents import content, store
from promcluster.documents.models import DocumentFile
from promcluster.errors import InvalidField
from promcluster.russian import file_size

MAX_FILENAME = 255
UNSURE = "documents.unsure_files"  # the session.info key of hashes to settle


@dataclass(frozen=True)
class Received:
    """A checked upload in the store's temporary directory."""

    path: Path
    sha256: str
    size: int
    kind: content.Kind
    filename: str


def clean_filename(name: str | None) -> str:
    """The file's name as it will be stored and offered on download: a bare name of at most
    255 characters; path separators, control characters, ``.``/``..`` refused (``filename``)."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise InvalidField("filename", "укажите имя файла")
    if "/" in name or "\\" in name:
        raise InvalidField("filename", "имя файла не должно содержать «/» или «\\» (путь)")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise InvalidField("filename", "имя файла содержит управляющие символы")
    if name in (".", "..") or name.startswith("."):
        raise InvalidField("filename", "имя файла не может начинаться с точки")
    if len(name) > MAX_FILENAME:
        raise InvalidField(
            "filename", f"имя файла длиннее {MAX_FILENAME} символов ({len(name)}); сократите его"
        )
    return name


def receive(stream: BinaryIO, filename: str | None, max_bytes: int | None = None) -> Received:
    """Copy ``stream`` into a temporary file of the store (refused as soon as it passes
    ``max_bytes``, ``max_document_bytes`` by default), then check its name and content."""
    limit = max_bytes if max_bytes is not None else get_settings().max_document_bytes
    path = store.temporary()
    try:
        name = clean_filename(filename)
        digest, size = hashlib.sha256(), 0
        with path.open("wb") as handle:
            while chunk := stream.read(store.CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InvalidField(
                        "file", f"файл больше допустимого размера {file_size(limit)}"
                    )
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise InvalidField("file", "файл пуст")
        kind = content.detect(path)
    except BaseException:
        store.discard(path)
        raise
    return Received(path, digest.hexdigest(), size, kind, name)


def keep(session: Session, received: Received) -> DocumentFile:
    """Move the checked upload into the store and return its (unsaved) file row; a file new to
    the store is settled when ``session``'s transaction ends (removed unless a row names it)."""
    new = not store.exists(received.sha256)
    stored = store.keep(received.path)
    if new:
        unsure(session, stored.sha256)
    return DocumentFile(
        sha256=stored.sha256,
        size=stored.size,
        media_type=received.kind.media_type,
        filename=received.filename,
    )


def unsure(session: Session, sha256: str) -> None:
    """Note that the stored file ``sha256`` may be left unreferenced by this transaction."""
    session.info.setdefault(UNSURE, set()).add(sha256)
    if not event.contains(session, "after_transaction_end", settle):
        event.listen(session, "after_transaction_end", settle)


def referenced(session: Session, sha256: str) -> bool:
    """Whether a committed file row names ``sha256`` (read on a connection of its own)."""
    with session.get_bind().connect() as connection:
        query = select(func.count()).where(DocumentFile.sha256 == sha256)
        return bool(connection.scalar(query))


def settle(session: Session, transaction: SessionTransaction) -> None:
    """At the end of the outermost transaction, remove the noted files no row names."""
    if transaction.parent is not None or transaction.nested:
        return
    for sha256 in session.info.pop(UNSURE, set()):
        if not referenced(session, sha256):
            store.path_of(sha256).unlink(missing_ok=True)
