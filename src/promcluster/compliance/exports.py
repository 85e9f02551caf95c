"""The compliance report as a printable workbook: a title block and one row per criterion, then
a sheet of the offending records and a sheet of the checklist with its marks."""

from datetime import date
from pathlib import Path

from promcluster import labels
from promcluster.compliance.service import ChecklistItem, Criterion, Report
from promcluster.sheets import Book

HEADERS = ["Код", "Требование", "Как решается", "Статус", "Значение", "Порог", "Единица",
           "Пояснение", "Редакция правила", "Источник", "Прочтение"]  # fmt: skip
WIDTHS = (7, 36, 18, 22, 12, 10, 16, 70, 22, 50, 22)
CHECKLIST = ["Код", "Пункт", "Отмечено", "Документ", "Дата отметки", "Кто отметил",
             "Документ из досье", "Вид документа", "Номер документа", "Дата документа",
             "Адрес документа"]  # fmt: skip
PRIVATE = "документ досье (доступен участникам)"
REMOVED = "документ удалён из досье"


def shown(value) -> object:
    """A value or threshold as a cell: shares as they are, ISO dates as dates."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def edition_span(c: Criterion) -> str:
    e = c.edition
    start = e.valid_from.strftime("%d.%m.%Y")
    return f"{start} — {e.valid_to:%d.%m.%Y}" if e.valid_to else f"с {start}"


def _row(c: Criterion) -> list:
    threshold = c.threshold if c.op is None else f"{'≥' if c.op == '>=' else '≤'} {c.threshold}"
    return [
        c.id, c.title, labels.RULE_DECIDED_BY.get(c.decided_by, c.decided_by),
        labels.COMPLIANCE_STATUSES[c.status], shown(c.value), threshold, c.unit,
        " ".join([c.explanation, *c.notes]), edition_span(c), c.edition.source,
        labels.RULE_READINGS.get(c.edition.reading, c.edition.reading),
    ]  # fmt: skip


def cited(item: ChecklistItem, site: str) -> list:
    """The dossier document a checklist item cites, as cells: title, kind, number, date and
    the address of its page on ``site`` (only the words of ``PRIVATE`` for a document the
    report's reader may not see; ``REMOVED`` when the tick's document was deleted)."""
    d = item.document
    if d is None:
        return [REMOVED if item.document_removed else None, None, None, None, None]
    if d.title is None:
        return [PRIVATE, None, None, None, None]
    kind = labels.DOCUMENT_KINDS.get(d.kind or "", d.kind)
    return [d.title, kind, d.number, d.signed_on, f"{site.rstrip('/')}/documents/{d.id}"]


def write_report(report: Report, path: Path, site: str = "") -> None:
    """The workbook of ``report`` at ``path``; ``site``: the platform's address, for the links
    to the cited documents."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Book()
    sheet = book.sheet("Соответствие")
    title = f"Соответствие требованиям к промышленным кластерам: {report.cluster.name}"
    book.append(sheet, [title])[0].font = Font(bold=True, size=14)
    for block in (
        ["Дата проверки", report.as_of],
        ["Набор правил", report.rule_set],
        ["Итог", labels.COMPLIANCE_VERDICTS[report.verdict]],
        ["Основание", "Постановление Правительства РФ № 779 от 31.07.2015 (в ред.); "
                      "требования «по документам» отмечает менеджер кластера"],
    ):  # fmt: skip
        book.append(sheet, block)[0].font = Font(bold=True)
    book.append(sheet, [])
    book.append(sheet, HEADERS, bold=True)
    header_row = sheet.max_row
    for c in report.criteria:
        for cell in book.append(sheet, _row(c)):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for n in report.not_in_force:
        book.append(sheet, [n.id, n.title, "", "не действует на дату", None, None, None,
                            "Редакции: " + "; ".join(n.editions)])  # fmt: skip
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    book.table(
        "Нарушения",
        ["Код", "Запись", "Наименование", "Причина"],
        [[c.id, labels.COMPLIANCE_RECORDS.get(o.kind, o.kind), o.name, o.reason]
         for c in report.criteria for o in c.offenders],
    )  # fmt: skip
    book.table(
        "Чек-лист",
        CHECKLIST,
        [[c.id, i.label, "да" if i.done else "нет", i.reference, i.marked_on, i.marked_by,
          *cited(i, site)] for c in report.criteria for i in c.checklist],
    )  # fmt: skip
    book.save(path)
