"""The yearly report as files — DOCX (``word.WordFile``: title, cluster, year, the table,
bases, explanations, signature lines) and XLSX (``sheets.Book``) —, the regional comparison
as XLSX, and the targets workbook to fill in and import; plus how the report writes a value,
a target and a deviation (pages and files alike)."""

from promcluster import labels
from promcluster.dossier.models import ProgrammeTarget
from promcluster.dossier.report import Comparison, Row, YearlyReport
from promcluster.dossier.targets import REPORT_INDICATORS, indicator_label
from promcluster.indicators.pages import display
from promcluster.indicators.service import UNITS
from promcluster.russian import NO_VALUE, exact, money, signed, signed_percent
from promcluster.sheets import Book
from promcluster.word import WordFile

XLSX_UNITS = {"count": "", "persons": "чел.", "rub": "руб.", "share": "%"}
TARGET_HEADERS = ["Показатель", "Год", "Целевое значение (доли — в процентах)", "Пояснение"]


def shown(value: float | None, unit: str) -> str:
    """A value or target as the report writes it: «21», «3,6 млрд ₽», «25,0 %», «—»."""
    if value is None:
        return NO_VALUE
    if unit in ("count", "persons") and not float(value).is_integer():
        return f"{exact(value)} {labels.UNITS[unit]}".strip()  # a target may have decimals
    return display(value, unit)


def deviation_text(value: float | None, unit: str) -> str:
    """An absolute deviation with its sign: «+3 чел.», «−1,2 млн ₽», «+5,0 п. п.»."""
    if value is None:
        return NO_VALUE
    if unit == "share":
        return f"{signed(value * 100, 1)}\u00a0п.\u00a0п."
    if unit == "rub":
        return ("+" if value > 0 else "") + money(value)
    text = signed(value, 0)
    return f"{text} {labels.UNITS[unit]}".strip() if unit in labels.UNITS else text


def target_input(value: float | None, unit: str) -> str:
    """A target as its form field shows it: «1 200,5»; shares in percent («25»)."""
    if value is None:
        return ""
    return exact(round(value * 100, 6) if unit == "share" else value)


def relative_text(share: float | None) -> str:
    """A relative deviation: «+12,5 %»."""
    return signed_percent(share)


def _cell(value: float | None, unit: str) -> float | None:
    """A value as an XLSX cell: a number in the column's unit (shares in percent)."""
    if value is None:
        return None
    return round(value * 100, 4) if unit == "share" else value


def _title(report: YearlyReport) -> str:
    return f"Отчёт о реализации программы развития кластера за {report.year} год"


def _table_rows(report: YearlyReport) -> list[list[str]]:
    rows = []
    for row in report.rows:
        absolute, relative = report.deviation(row)
        values = [shown(row.value_in(y), row.unit) for y in report.years]
        rows.append(
            [
                row.label,
                *values,
                shown(row.target, row.unit),
                deviation_text(absolute, row.unit),
                relative_text(relative),
            ]
        )
    return rows


def header(report: YearlyReport) -> list[str]:
    """The table's header: indicator, each year, the target, the deviations."""
    years = [f"{y} г." for y in report.years]
    return ["Показатель", *years, f"Цель {report.year} г.", "Отклонение", "Отклонение, %"]


def _notes(row: Row, report: YearlyReport) -> str:
    value = row.values[report.year]
    return f"{row.label}: {value.basis}" + (f" ({value.note})" if value.note else "")


def write_docx(report: YearlyReport, target) -> None:
    """The report as an editable Word document at ``target`` (a path or a binary stream)."""
    doc = WordFile(_title(report))
    doc.paragraph(report.cluster_name, bold=True)
    doc.paragraph(
        f"Отчётный год: {report.year}. Значения показателей рассчитаны платформой по записям "
        f"на 31 декабря каждого года (за текущий год — на {report.as_of:%d.%m.%Y}); целевые "
        "значения — из программы развития кластера."
    )
    doc.heading("1. Показатели и целевые значения", level=1)
    head = header(report)
    doc.table(head, _table_rows(report), numeric=range(1, len(head)))
    if report.project_statuses:
        statuses = "; ".join(
            f"{labels.PROJECT_STATUSES.get(s, s)} — {n}" for s, n in report.project_statuses.items()
        )
        doc.paragraph(f"Инвестиционные проекты по статусам: {statuses}.")
    doc.heading("2. Основания значений", level=1)
    doc.bullets(_notes(row, report) for row in report.rows)
    doc.heading("3. Пояснения отклонений от целевых значений", level=1)
    explained = [row for row in report.rows if row.explanation]
    for row in explained:
        doc.paragraph(row.label, bold=True)
        doc.paragraph(row.explanation or "")
    if not explained:
        doc.paragraph("Пояснения не приведены.", italic=True)
    doc.signature("Руководитель специализированной организации кластера")
    doc.save(target)


def report_book(report: YearlyReport) -> Book:
    """The report as a workbook: the table with numbers in their units, then every target."""
    from openpyxl.styles import Alignment, Font

    book = Book()
    sheet = book.sheet(f"Отчёт {report.year}")
    book.append(sheet, [_title(report)])[0].font = Font(bold=True, size=14)
    book.append(sheet, ["Кластер", report.cluster_name])
    book.append(sheet, ["Значения на", report.as_of])
    book.append(sheet, [])
    years = [f"{y} г." for y in report.years]
    book.append(
        sheet,
        ["Показатель", "Единица", *years, f"Цель {report.year} г.", "Отклонение",
         "Отклонение, %", "Пояснение отклонения", "Основание значения"],
        bold=True,
    )  # fmt: skip
    for row in report.rows:
        absolute, relative = report.deviation(row)
        cells = book.append(
            sheet,
            [row.label, XLSX_UNITS[row.unit], *(_cell(row.value_in(y), row.unit)
             for y in report.years), _cell(row.target, row.unit), _cell(absolute, row.unit),
             None if relative is None else round(relative * 100, 2), row.explanation,
             _notes(row, report)],
        )  # fmt: skip
        for cell in cells[-2:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("AB", (44, 9), strict=True):
        sheet.column_dimensions[column].width = width
    rows = [
        [row.label, year, _cell(value, row.unit), text]
        for row in report.rows
        for year, (value, text) in sorted(row.targets.items())
    ]
    book.table("Цели", TARGET_HEADERS, rows)
    return book


def targets_template(targets: list[ProgrammeTarget]) -> Book:
    """The workbook to fill in and import: the header and the cluster's targets so far, and a
    sheet naming every indicator the report takes."""
    book = Book()
    rows = [
        [indicator_label(t.indicator), t.year, _cell(t.target, UNITS[t.indicator]), t.explanation]
        for t in targets
    ]
    book.table("Цели", TARGET_HEADERS, rows)
    book.table(
        "Показатели",
        ["Показатель", "Ключ", "Единица"],
        [[indicator_label(k), k, XLSX_UNITS[UNITS[k]]] for k in REPORT_INDICATORS],
    )
    return book


def comparison_book(comparison: Comparison) -> Book:
    """The region's clusters side by side: a value and a target column per cluster."""
    book = Book()
    head = ["Показатель", "Единица"]
    for _, name in comparison.clusters:
        head += [f"{name}: значение", f"{name}: цель {comparison.year} г."]
    rows = []
    for key, by_cluster in comparison.cells.items():
        unit = comparison.unit(key)
        row = [comparison.label(key), XLSX_UNITS[unit]]
        for cid, _ in comparison.clusters:
            value, target = by_cluster[cid]
            row += [_cell(value.value, unit), _cell(target, unit)]
        rows.append(row)
    book.table(f"{comparison.region_name[:20]} {comparison.year}", head, rows)
    return book
