"""Small real files of every kind the platform keeps, and of kinds it refuses, generated here
(python-docx, openpyxl, zipfile, zlib): nothing downloaded, nothing read from the checkout."""

import io
import struct
import zipfile
import zlib

from docx import Document as WordDocument
from openpyxl import Workbook

ODT_TYPE = b"application/vnd.oasis.opendocument.text"


def pdf(text: str = "Соглашение") -> bytes:
    """A minimal one-page PDF."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    )
    return body + f"% {text}\n".encode() + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def png() -> bytes:
    """A 1×1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The start of a JFIF JPEG (SOI, APP0) and its end marker."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + b"\xff\xd9"


def docx(text: str = "Соглашение о вступлении в кластер") -> bytes:
    document = WordDocument()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "Программа развития"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODT_TYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return out.getvalue()


def signed_der() -> bytes:
    """The start of a DER CMS SignedData (ContentInfo with the signedData OID)."""
    oid = bytes.fromhex("06092a864886f70d010702")
    inner = oid + bytes.fromhex("a0800000")
    return b"\x30\x80" + inner + b"\x00\x00"


def signed_pem() -> bytes:
    body = b"MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0B"
    return b"-----BEGIN PKCS7-----\n" + body + b"\n-----END PKCS7-----\n"


def exe() -> bytes:
    """A Windows executable's header (what an .exe renamed .pdf starts with)."""
    dos = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    return dos + b"\x00" * 48 + b"PE\x00\x00"


def html() -> bytes:
    return b"<!doctype html><html><script>alert(1)</script></html>"


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "не документ")
    return out.getvalue()


def docx_bomb(unpacked: int = 8 * 1024 * 1024) -> bytes:
    """A real DOCX with one more part of zeros compressed about a thousandfold."""
    source = zipfile.ZipFile(io.BytesIO(docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            archive.writestr(member, source.read(member))
        archive.writestr("word/media/image1.bin", b"\x00" * unpacked)
    return out.getvalue()


def docm() -> bytes:
    """A DOCX carrying a macro project (what Word saves as .docm)."""
    source = zipfile.ZipFile(io.BytesIO(docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            archive.writestr(member, source.read(member))
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return out.getvalue()
