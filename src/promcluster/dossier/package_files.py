"""The files of an application package: the DOCX (the letter and every section, with signature
lines), one XLSX per table (participants, dependence, projects, compliance, documents), the
documents' current files under ``documents/`` and README.txt listing it all; written as a ZIP
or into a directory."""

import io
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from promcluster import labels
from promcluster.chains.downloads import graphml
from promcluster.compliance.exports import write_report
from promcluster.documents import store
from promcluster.dossier.package import Package, ParticipantRow
from promcluster.dossier.package_documents import DocumentRow
from promcluster.russian import NO_VALUE, money, percent
from promcluster.sheets import Book
from promcluster.word import WordFile

DECREE = (
    "постановлением Правительства Российской Федерации от 31.07.2015 № 779 «О промышленных "
    "кластерах и специализированных организациях промышленных кластеров»"
)
REGISTRY = "реестр промышленных кластеров и специализированных организаций промышленных кластеров"
ACCESSION_LABEL = labels.DOCUMENT_KINDS["accession_agreement"]
GRAPH = "граф поставок участников в GraphML (открывается в Gephi, yEd)"
NAME_LIMIT = 100  # characters of a document's file name inside the package
UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class Entry:
    """A file of the package: its name inside, and its bytes or the stored file to copy."""

    name: str
    about: str
    content: bytes | None = None
    source: Path | None = None


def safe_name(filename: str, limit: int = NAME_LIMIT) -> str:
    """A file name without folders, control or odd characters, at most ``limit`` characters
    (the extension kept): «../../etc/passwd» → «passwd»."""
    base = re.split(r"[\\/]", filename)[-1]
    base = UNSAFE.sub("_", base).strip(" ._") or "file"
    stem, dot, ext = base.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = base, ""
    ext = f".{ext}" if ext else ""
    return stem[: max(1, limit - len(ext))] + ext


def document_path(d: DocumentRow) -> str | None:
    """Where a document's current file lies inside the package (None without a file)."""
    if d.file is None:
        return None
    return f"documents/{d.id:05d}-{d.kind}-{safe_name(d.file.filename)}"


def entries(package: Package) -> list[Entry]:
    """Every file of the package, README.txt first."""
    made = [
        Entry(name, about, write(package))
        for name, about, write in (
            ("application.docx", "заявление и все разделы пакета (DOCX)", application),
            ("participants.xlsx", "участники кластера", participants_book),
            ("dependence.xlsx", "поставки между участниками и доля кооперации", dependence_book),
            ("projects.xlsx", "инвестиционные проекты и цепочки", projects_book),
            ("compliance.xlsx", "проверка соответствия требованиям на дату", compliance_book),
            ("documents.xlsx", "перечень прилагаемых документов", documents_book),
        )
    ]
    if package.graph.graph.nodes:
        made.append(Entry("supply-graph.graphml", GRAPH, graphml(package.graph)))
    for d in package.documents:
        path = document_path(d)
        if path is not None and store.exists(d.file.sha256):
            made.append(Entry(path, d.title, source=store.path_of(d.file.sha256)))
    return [Entry("README.txt", "состав пакета", readme(package, made)), *made]


def readme(package: Package, files: list[Entry]) -> bytes:
    """The package's contents in plain text."""
    lines = [
        f"Пакет документов для включения в {REGISTRY}",
        f"Кластер: {package.cluster_name}",
        f"По состоянию на {package.as_of:%d.%m.%Y}",
        "",
        "Состав:",
        *(f"  {e.name} — {e.about}" for e in files),
    ]
    if package.missing:
        lines += ["", "Для полного пакета не хватает:", *(f"  - {m}" for m in package.missing)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def write_zip(files: Iterable[Entry], target: Path | IO[bytes]) -> None:
    """The package as a ZIP archive (deflated)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for e in files:
            if e.content is not None:
                archive.writestr(e.name, e.content)
            else:
                archive.write(e.source, e.name)


def write_directory(files: Iterable[Entry], folder: Path) -> None:
    """The package's files in ``folder`` (created when missing)."""
    for e in files:
        path = folder / e.name
        path.parent.mkdir(parents=True, exist_ok=True)
        if e.content is not None:
            path.write_bytes(e.content)
        else:
            shutil.copyfile(e.source, path)


# --- the application (DOCX) --------------------------------------------------------------------


def application(package: Package) -> bytes:
    """The application letter and every section of the package as one DOCX."""
    doc = WordFile(title="Заявление о включении промышленного кластера в реестр")
    _letter(doc, package)
    doc.page_break()
    _contents(doc, package)
    _participants_section(doc, package)
    _dependence_section(doc, package)
    _projects_section(doc, package)
    _compliance_section(doc, package)
    _documents_section(doc, package)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _letter(doc: WordFile, p: Package) -> None:
    doc.paragraph("В Министерство промышленности и торговли Российской Федерации", align="right")
    org = p.organisation
    if org is None:
        doc.paragraph("Специализированная организация не указана.", italic=True)
    else:
        doc.paragraph(f"от {org.full_name or org.name}", align="right")
        doc.table(
            ["Реквизит", "Значение"],
            [["Наименование", org.full_name or org.name], ["ИНН", org.inn], ["ОГРН", org.ogrn],
             ["Адрес", org.address], ["Телефон", org.phone], ["Электронная почта", org.email]],
        )  # fmt: skip
    doc.paragraph(
        f"В соответствии с {DECREE} просим включить промышленный кластер «{p.cluster_name}» и "
        f"его специализированную организацию в {REGISTRY}."
    )
    doc.paragraph(
        f"Сведения о кластере приведены по состоянию на {p.as_of:%d.%m.%Y} в разделах ниже; "
        "документы прилагаются по перечню (раздел 6)."
    )
    doc.signature("Руководитель специализированной организации")


def _contents(doc: WordFile, p: Package) -> None:
    doc.heading("Состав пакета", level=1)
    doc.bullets(
        ["1. Участники кластера", "2. Функциональная зависимость участников",
         "3. Инвестиционные проекты и кооперационные цепочки (функциональная карта)",
         "4. Соответствие требованиям", "5. Чего не хватает для полного пакета",
         "6. Перечень прилагаемых документов"]
    )  # fmt: skip
    doc.paragraph(
        "Таблицы разделов приложены также в формате XLSX: participants.xlsx, dependence.xlsx, "
        "projects.xlsx, compliance.xlsx, documents.xlsx; файлы документов — в папке documents/."
    )


PARTICIPANT_HEADERS = ["Наименование", "ИНН", "ОГРН", "Адрес", "ОКВЭД2 (основной)", "Роль",
                       "Дата вступления", "Основание вступления", "Промышленный",
                       "Численность, чел."]  # fmt: skip


def participant_cells(r: ParticipantRow) -> list:
    """A participant as a row of the tables (DOCX and XLSX)."""
    return [
        r.name, r.inn, r.ogrn, r.address,
        f"{r.okved_main} {r.okved_name or ''}".strip() if r.okved_main else None,
        labels.MEMBERSHIP_ROLES.get(r.role, r.role), r.since,
        f"{ACCESSION_LABEL} {r.agreement.reference}" if r.agreement else None,
        None if r.industrial is None else ("да" if r.industrial else "нет"),
        r.headcount,
    ]  # fmt: skip


def _participants_section(doc: WordFile, p: Package) -> None:
    doc.heading("1. Участники кластера", level=1)
    doc.paragraph(f"Участников на {p.as_of:%d.%m.%Y}: {len(p.participants)}.")
    doc.table(PARTICIPANT_HEADERS, [participant_cells(r) for r in p.participants], numeric={9})


def cooperation_sentence(p: Package) -> str:
    """The cooperation share as rule C3 computes it, in a sentence."""
    c = p.cooperation
    if c.share is None:
        return "Доля кооперации не рассчитана: нет сведений о закупках участников."
    return (
        f"Доля кооперации в {c.year} году: {percent(c.share)} — поставки между участниками "
        f"{money(c.inside)} из закупок участников {money(c.purchases)} (как в требовании C3)."
    )


def _dependence_section(doc: WordFile, p: Package) -> None:
    doc.heading("2. Функциональная зависимость участников", level=1)
    doc.paragraph(cooperation_sentence(p))
    doc.heading("Поставки между участниками", level=2)
    doc.table(
        ["Поставщик", "Покупатель", "ОКПД2", "Продукция", "Год", "Сумма, руб."],
        [[s.supplier, s.customer, s.okpd2_code, s.product, str(s.year), s.value]
         for s in p.supplies],
        numeric={5},
    )  # fmt: skip
    doc.heading("Договоры между участниками", level=2)
    doc.table(
        ["Договор", "Номер", "Дата", "Стороны"],
        [[d.title, d.number, d.signed_on, d.parties] for d in p.contracts],
    )


def _projects_section(doc: WordFile, p: Package) -> None:
    doc.heading("3. Инвестиционные проекты и кооперационные цепочки", level=1)
    doc.heading("Инвестиционные проекты", level=2)
    doc.table(
        ["Проект", "Статус", "Сумма, руб.", "Сроки", "Инициатор", "Цепочка", "Этап"],
        [_project_cells(x) for x in p.projects],
        numeric={2},
    )
    doc.heading("Функциональная карта: цепочки и их этапы", level=2)
    if not p.chains:
        doc.paragraph("Цепочки не описаны.", italic=True)
    for chain in p.chains:
        status = labels.CHAIN_STATUSES.get(chain.status, chain.status)
        doc.paragraph(f"Цепочка «{chain.name}» ({status})", bold=True)
        if chain.products:
            doc.paragraph("Целевая продукция: " + "; ".join(chain.products))
        doc.table(
            ["№", "ОКПД2", "Этап", "Поставщики", "Покрыт в регионе"],
            [[str(s.position), s.okpd2_code, s.name, ", ".join(s.suppliers) or None, s.covered]
             for s in chain.stages],
        )  # fmt: skip


def _project_cells(x) -> list:
    years = "–".join(str(y) for y in (x.start_year, x.end_year) if y) or None
    status = labels.PROJECT_STATUSES.get(x.status, x.status)
    return [x.name, status, x.amount, years, x.initiator, x.chain, x.stage]


def _compliance_section(doc: WordFile, p: Package) -> None:
    r = p.compliance
    doc.heading("4. Соответствие требованиям", level=1)
    verdict = labels.COMPLIANCE_VERDICTS[r.verdict]
    doc.paragraph(f"Итог проверки на {r.as_of:%d.%m.%Y}: {verdict}.", bold=True)
    doc.table(
        ["Код", "Требование", "Статус", "Пояснение"],
        [[c.id, c.title, labels.COMPLIANCE_STATUSES[c.status], c.explanation]
         for c in r.criteria],
    )  # fmt: skip
    doc.heading("5. Чего не хватает для полного пакета", level=1)
    if p.missing:
        doc.bullets(p.missing)
    else:
        doc.paragraph("Пакет полон: все сведения и документы на месте.")


def _documents_section(doc: WordFile, p: Package) -> None:
    doc.heading("6. Перечень прилагаемых документов", level=1)
    doc.table(
        ["Вид", "Документ", "Номер", "Дата", "Файл в пакете"],
        [[labels.DOCUMENT_KINDS.get(d.kind, d.kind), d.title, d.number, d.signed_on,
          document_path(d) or "файла нет"] for d in p.documents],
    )  # fmt: skip
    doc.signature("Руководитель специализированной организации")


# --- the tables (XLSX) -------------------------------------------------------------------------


def participants_book(p: Package) -> bytes:
    book = Book()
    rows = [[*participant_cells(r), r.headcount_year] for r in p.participants]
    book.table("Участники", [*PARTICIPANT_HEADERS, "Год численности"], rows)
    return book.content()


def dependence_book(p: Package) -> bytes:
    book = Book()
    book.table(
        "Поставки",
        ["Поставщик", "Покупатель", "ОКПД2", "Продукция", "Год", "Сумма, руб."],
        [[s.supplier, s.customer, s.okpd2_code, s.product, s.year, s.value] for s in p.supplies],
    )
    book.table(
        "Договоры",
        ["Договор", "Номер", "Дата", "Стороны", "Файл в пакете"],
        [[d.title, d.number, d.signed_on, d.parties, document_path(d)] for d in p.contracts],
    )
    c = p.cooperation
    book.table(
        "Доля кооперации",
        ["Показатель", "Значение"],
        [["Год поставок", c.year], ["Поставки между участниками, руб.", c.inside],
         ["Закупки участников, руб.", c.purchases], ["Участников", c.participants],
         ["Доля кооперации", c.share if c.share is not None else NO_VALUE]],
    )  # fmt: skip
    return book.content()


def projects_book(p: Package) -> bytes:
    book = Book()
    book.table(
        "Проекты",
        ["Проект", "Статус", "Сумма, руб.", "Начало", "Окончание", "Инициатор", "Цепочка", "Этап"],
        [[x.name, labels.PROJECT_STATUSES.get(x.status, x.status), x.amount, x.start_year,
          x.end_year, x.initiator, x.chain, x.stage] for x in p.projects],
    )  # fmt: skip
    book.table(
        "Цепочки",
        ["Цепочка", "Статус", "№ этапа", "ОКПД2", "Этап", "Поставщики", "Покрыт в регионе"],
        [[c.name, labels.CHAIN_STATUSES.get(c.status, c.status), s.position, s.okpd2_code,
          s.name, ", ".join(s.suppliers), "да" if s.covered else "нет"]
         for c in p.chains for s in c.stages],
    )  # fmt: skip
    return book.content()


def compliance_book(p: Package) -> bytes:
    path = store.temporary(".xlsx")  # the store's own tmp/, never the system's
    try:
        write_report(p.compliance, path)
        return path.read_bytes()
    finally:
        store.discard(path)


def documents_book(p: Package) -> bytes:
    book = Book()
    book.table(
        "Документы",
        ["Вид", "Документ", "Номер", "Дата", "Стороны", "Файл", "Размер, байт", "SHA-256",
         "Файл в пакете"],
        [[labels.DOCUMENT_KINDS.get(d.kind, d.kind), d.title, d.number, d.signed_on, d.parties,
          d.file.filename if d.file else None, d.file.size if d.file else None,
          d.file.sha256 if d.file else None, document_path(d)] for d in p.documents],
    )  # fmt: skip
    return book.content()
