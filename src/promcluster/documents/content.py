"""The type of an uploaded document read from its bytes, never from its name: PDF, JPEG, PNG,
DOCX, XLSX, ODT and signed containers (CMS/PKCS#7, ``.sig``). Anything else — an executable
renamed ``.pdf``, HTML, SVG, an empty file, an archive that unpacks to far more than it weighs —
is refused with a message naming the field ``file``."""

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype

from promcluster.config import Settings, get_settings
from promcluster.errors import InvalidField

# Members smaller than this unpacked are never refused for their ratio (a small XML part of
# repeated tags compresses a hundredfold and is harmless); the same floor as the imports'.
RATIO_FLOOR_BYTES = 1024 * 1024
# A DOCX or XLSX holds dozens of parts; thousands are not a document but an attack.
MAX_ARCHIVE_MEMBERS = 5000
HEAD_BYTES = 8192
# DER of the pkcs7-signedData OID 1.2.840.113549.1.7.2, found near the start of a CMS container.
SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")
PEM_SIGNED = re.compile(rb"\A\s*-----BEGIN (PKCS7|CMS)-----")
ODT = "application/vnd.oasis.opendocument.text"
ALLOWED = "PDF, DOCX, XLSX, ODT, JPEG, PNG или подписанный контейнер .sig (CMS/PKCS#7)"


@dataclass(frozen=True)
class Kind:
    """A type of file the platform keeps: its media type and usual extension."""

    media_type: str
    extension: str


PDF = Kind("application/pdf", "pdf")
JPEG = Kind("image/jpeg", "jpg")
PNG = Kind("image/png", "png")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
ODT_KIND = Kind(ODT, "odt")
SIGNED = Kind("application/pkcs7-signature", "sig")
KINDS = (PDF, JPEG, PNG, DOCX, XLSX, ODT_KIND, SIGNED)
MEDIA_TYPES = frozenset(k.media_type for k in KINDS)


def refuse(message: str) -> InvalidField:
    return InvalidField("file", message)


def detect(path: Path, settings: Settings | None = None) -> Kind:
    """The kind of the file at ``path``, read from its content; ``InvalidField("file")`` when
    it is empty, of another type, or an archive too large unpacked (a ZIP bomb)."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head:
        raise refuse("файл пуст")
    if head.startswith(b"PK\x03\x04"):
        return office_kind(path, settings or get_settings())
    if is_signed_container(head):
        return SIGNED
    guessed = filetype.guess(head)
    mime = guessed.mime if guessed is not None else None
    if mime == PDF.media_type and head.startswith(b"%PDF-"):
        return PDF
    if mime == JPEG.media_type:
        return JPEG
    if mime == PNG.media_type:
        return PNG
    raise refuse(f"тип файла не распознан по содержимому; допускаются {ALLOWED}")


def is_signed_container(head: bytes) -> bool:
    """A CMS/PKCS#7 signed-data container: DER (a SEQUENCE with the signedData OID within its
    first bytes) or PEM."""
    if PEM_SIGNED.match(head):
        return True
    return head[:1] == b"\x30" and SIGNED_DATA_OID in head[:32]


def office_kind(path: Path, settings: Settings) -> Kind:
    """DOCX, XLSX or ODT by their parts; any other ZIP, a broken one or a ZIP bomb refused.
    Nothing is unpacked: the sizes declared in the archive's directory are checked, and only
    the tiny ``mimetype`` member of an ODT is read (at most 100 bytes)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            check_unpacked(members, settings)
            names = {m.filename for m in members}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise refuse("документы с макросами не принимаются; сохраните документ без них")
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    if member.read(100).strip() == ODT.encode():
                        return ODT_KIND
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError):
        raise refuse("архив повреждён или не читается; сохраните документ заново") from None
    raise refuse(f"архив ZIP не является документом DOCX, XLSX или ODT; допускаются {ALLOWED}")


def check_unpacked(members: list[zipfile.ZipInfo], settings: Settings) -> None:
    """Refuse an archive of too many parts, too large unpacked, or a part compressed beyond
    ``import_max_compression_ratio`` (the imports' limits)."""
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise refuse(f"в архиве документа больше {MAX_ARCHIVE_MEMBERS} частей")
    total = sum(m.file_size for m in members)
    if total > settings.import_max_unpacked_bytes:
        raise refuse("документ в распакованном виде слишком велик (похоже на ZIP-бомбу)")
    ratio = settings.import_max_compression_ratio
    for member in members:
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > ratio * max(
            member.compress_size, 1
        ):
            raise refuse(
                f"часть документа «{member.filename[:100]}» сжата более чем в {ratio} раз "
                "(похоже на ZIP-бомбу)"
            )
