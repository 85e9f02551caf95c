"""The type of an upload is read from its bytes: every kept kind recognised, and everything
else — an executable renamed .pdf, HTML, SVG, an empty file, a plain ZIP, a ZIP bomb inside a
DOCX, a broken archive — refused with a message naming ``file``."""

import io
import zipfile
from pathlib import Path

import pytest

from documents import samples
from promcluster.config import Settings
from promcluster.documents import content
from promcluster.errors import InvalidField

KEPT = [
    (samples.pdf, content.PDF),
    (samples.png, content.PNG),
    (samples.jpeg, content.JPEG),
    (samples.docx, content.DOCX),
    (samples.xlsx, content.XLSX),
    (samples.odt, content.ODT_KIND),
    (samples.signed_der, content.SIGNED),
    (samples.signed_pem, content.SIGNED),
]
REFUSED = [
    (samples.exe, "тип файла не распознан"),
    (samples.html, "тип файла не распознан"),
    (samples.svg, "тип файла не распознан"),
    (lambda: b"", "файл пуст"),
    (lambda: b"just text, no magic", "тип файла не распознан"),
    (samples.plain_zip, "не является документом DOCX, XLSX или ODT"),
    (samples.docx_bomb, "похоже на ZIP-бомбу"),
    (samples.docm, "с макросами не принимаются"),
    (lambda: b"PK\x03\x04" + b"\x00" * 100, "архив повреждён"),
]


def write(tmp_path: Path, data: bytes, name: str = "upload.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("make", "kind"), KEPT, ids=lambda x: getattr(x, "__name__", ""))
def test_kept_kinds_are_recognised_by_content_whatever_the_name(tmp_path, make, kind):
    # The name says nothing: every sample is called «upload.pdf».
    assert content.detect(write(tmp_path, make())) == kind


@pytest.mark.parametrize(("make", "message"), REFUSED)
def test_other_content_is_refused_naming_the_file_field(tmp_path, make, message):
    with pytest.raises(InvalidField) as refused:
        content.detect(write(tmp_path, make()))
    assert refused.value.field == "file"
    assert message in refused.value.message


def test_a_docx_is_refused_when_it_unpacks_past_the_limit(tmp_path):
    # A part too small for the ratio check, but the whole larger unpacked than allowed.
    plain = samples.docx()
    unpacked = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(plain)).infolist())
    settings = Settings(_env_file=None, import_max_unpacked_bytes=unpacked + 10_000)
    path = write(tmp_path, samples.docx_bomb(unpacked=20_000))
    with pytest.raises(InvalidField, match="слишком велик"):
        content.detect(path, settings)
    assert content.detect(write(tmp_path, plain, "ok.docx"), settings) == content.DOCX


def test_a_pdf_renamed_docx_is_still_a_pdf(tmp_path):
    assert content.detect(write(tmp_path, samples.pdf(), "letter.docx")).media_type == (
        "application/pdf"
    )
