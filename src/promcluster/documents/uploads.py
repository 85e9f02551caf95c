"""An uploaded file on its way into the store, with nothing half-stored: it is streamed to a
temporary file of the store (the size limit checked as it comes), its name and content checked,
and only then kept under its hash (``store.keep_for``: removed again if the transaction adding
its row fails). A refusal discards the temporary file."""

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from promcluster.config import get_settings
from promcluster.documents import content, store
from promcluster.documents.models import DocumentFile
from promcluster.errors import InvalidField
from promcluster.russian import file_size

MAX_FILENAME = 255


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
    stored = store.keep_for(session, received.path)
    return DocumentFile(
        sha256=stored.sha256,
        size=stored.size,
        media_type=received.kind.media_type,
        filename=received.filename,
    )
