"""The DOCX writer: what a user opening the file in Word (here python-docx) finds."""

import ast
from datetime import date
from io import BytesIO
from pathlib import Path

from docx import Document

import promcluster
from promcluster.word import WordFile, cell_text


def test_cells_are_written_as_russians_read_them() -> None:
    assert cell_text(1234567) == "1\u202f234\u202f567"
    assert cell_text(0.25) == "0,25"
    assert cell_text(date(2025, 12, 31)) == "31.12.2025"
    assert cell_text(None) == "—"
    assert cell_text(True) == "да"
    assert cell_text("=1+1") == "=1+1"  # Word does not evaluate text; nothing to neutralise


def test_a_document_holds_its_title_headings_table_and_signature() -> None:
    doc = WordFile("Заявление о включении в реестр")
    doc.heading("1. Участники")
    doc.paragraph("Текст", bold=True, align="right")
    doc.bullets(["первый", "второй"])
    doc.table(["Наименование", "Численность"], [["ООО «Ромашка»", 1200], ["АО «Лютик»", None]], {1})
    doc.page_break()
    doc.signature("Генеральный директор", "И. И. Иванов")
    stream = BytesIO()
    doc.save(stream)

    opened = Document(BytesIO(stream.getvalue()))
    texts = [p.text for p in opened.paragraphs]
    assert texts[0] == "Заявление о включении в реестр"
    assert "1. Участники" in texts and "первый" in texts
    assert "____________________ / И. И. Иванов /" in texts
    assert opened.core_properties.title == "Заявление о включении в реестр"
    (table,) = opened.tables
    assert [c.text for c in table.rows[1].cells] == ["ООО «Ромашка»", "1\u202f200"]
    assert [c.text for c in table.rows[2].cells] == ["АО «Лютик»", "—"]
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold
    assert "w:tblHeader" in table.rows[0]._tr.xml
    section = opened.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


def test_only_the_word_module_writes_docx() -> None:
    src = Path(promcluster.__file__).parent
    offenders = []
    for path in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(m == "docx" or m.startswith("docx.") for m in modules):
                offenders.append(str(path.relative_to(src)))
    assert offenders and set(offenders) == {"word.py"}, "write DOCX through promcluster.word"
