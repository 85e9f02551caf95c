"""The one DOCX writer (python-docx, ADR 0016): editable Word documents the platform hands out — the
application package for the registry, the yearly report. A4, Times New Roman 12, numbers and
dates as Russians write them (russian.py), tables whose header repeats on every page, and the
signature lines an official letter ends with."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Literal

from docx import Document as new_document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from promcluster import russian

FONT = "Times New Roman"
Align = Literal["left", "center", "right"]
_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def cell_text(value: Any) -> str:
    """A value as a table cell shows it: «1 234,5», «31.12.2025», «да»/«нет», None → «—»."""
    if value is None or value == "":
        return russian.NO_VALUE
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int):
        return russian.number(value)
    if isinstance(value, float):
        return russian.exact(round(value, 2))
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


class WordFile:
    """A Word document built top to bottom: headings, paragraphs, lists, tables, signature
    lines; :meth:`save` writes it to a path or a binary stream."""

    def __init__(self, title: str) -> None:
        self._doc = new_document()
        section = self._doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
        section.top_margin = section.bottom_margin = Cm(2.0)
        for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet"):
            style = self._doc.styles[name]
            style.font.name = FONT
            style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
        self._doc.styles["Normal"].font.size = Pt(12)
        self._bullet = self._doc.styles["List Bullet"]  # looked up once: a lookup costs ~5 ms
        self._doc.core_properties.title = title
        self._doc.core_properties.language = "ru-RU"
        self._doc.add_heading(title, level=0)

    def heading(self, text: str, level: int = 1) -> None:
        """A heading of ``level`` 1 (section) to 3."""
        self._doc.add_heading(text, level=level)

    def paragraph(
        self, text: str, *, bold: bool = False, italic: bool = False, align: Align | None = None
    ) -> None:
        """A paragraph of plain text."""
        paragraph = self._doc.add_paragraph()
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if align is not None:
            paragraph.alignment = _ALIGN[align]

    def bullets(self, items: Iterable[str]) -> None:
        """A bulleted list, one item per line."""
        for item in items:
            self._doc.add_paragraph(item, style=self._bullet)

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        numeric: Iterable[int] = (),
    ) -> None:
        """A table with a bold header repeated on every page; cells through :func:`cell_text`,
        the columns in ``numeric`` right-aligned."""
        right = set(numeric)
        table = self._doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        first = table.rows[0]
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        first._tr.get_or_add_trPr().append(repeat)
        for cell, text in zip(first.cells, header, strict=True):
            cell.paragraphs[0].add_run(text).bold = True
        for values in rows:
            cells = table.add_row().cells
            for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
                paragraph = cell.paragraphs[0]
                paragraph.add_run(cell_text(value))
                if column in right:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self._doc.add_paragraph()

    def signature(self, position: str, name: str | None = None) -> None:
        """The lines an official letter ends with: position, signature and name, date, seal."""
        self._doc.add_paragraph()
        self.paragraph(position)
        self.paragraph(f"____________________ / {name or '____________________'} /")
        self.paragraph("«___» ______________ 20___ г.")
        self.paragraph("М. П.")

    def page_break(self) -> None:
        """Start a new page."""
        self._doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def save(self, target: Path | IO[bytes]) -> None:
        """Write the document to a path or a binary stream."""
        self._doc.save(target)
