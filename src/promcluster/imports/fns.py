"""The Federal Tax Service's open data sets in their XML format 4.01: one ``Документ`` read into
the values of its kind (``columns.FNS_*``), or refused naming the field (the XML location).

- ``fns-sme`` — the Unified Register of SMEs (7707329152-rsmp): ``ОргВклМСП`` (organisation)
  or ``ИПВклМСП`` (individual entrepreneur), category, inclusion date, place, OKVED2, products;
- ``fns-headcount`` — average headcount (7707329152-sshr2019): ``СведССЧР/@КолРаб``;
- ``fns-revenue`` — income and expenses (7707329152-revexp2019): ``СведДохРасх``.

Nothing is guessed: an OKVED code of another version than 2014, a code or region the reference
does not know, a wrong INN check digit each refuse the document. An OKVED2 code the edition no
longer has is read as the code bearing the name the document states for it
(``CodeIndex.renumbered``), never by its digits.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element

from promcluster.imports import values
from promcluster.imports.columns import KINDS, Kind, Lookups
from promcluster.imports.documents import (
    FileRefused,
    ParseDocument,
    Recognise,
    Recognised,
    read_documents,
)
from promcluster.imports.limits import ImportLimits
from promcluster.imports.rows import Parsed, Reading


@dataclass(frozen=True)
class Layout:
    """What a file of one FNS data set looks like: root element, format versions read, the
    type of information it declares (``ТипИнф``), the document element."""

    data_set: str
    info_type: str
    versions: tuple[str, ...] = ("4.01",)
    root: str = "Файл"
    document: str = "Документ"

    def reading(self, parse: ParseDocument) -> Recognise:
        """Recognise files of this data set, their documents read by ``parse``."""

        def recognise(root: Element) -> Recognised:
            declared = _check_root(root, self)
            return Recognised(parse, (self.document,), declared, lambda e: e.get("ИдДок"))

        return recognise


def _check_root(root: Element, layout: Layout) -> int | None:
    """The number of documents the file declares; FileRefused for another root, data set or
    format version."""
    if root.tag != layout.root:
        raise FileRefused(
            f"корневой элемент «{root.tag}», а не «{layout.root}»: это не файл набора "
            f"«{layout.data_set}»",
            "корневой элемент",
            root.tag,
        )
    info = root.get("ТипИнф")
    if info != layout.info_type:
        raise FileRefused(
            f"файл другого набора данных (ТипИнф «{info}», нужен «{layout.info_type}» — "
            f"{layout.data_set}): выберите другой вид загрузки",
            "ТипИнф",
            info,
        )
    version = root.get("ВерсФорм")
    if version not in layout.versions:
        raise FileRefused(
            f"версия формата «{version}» не поддерживается (читается {', '.join(layout.versions)})",
            "ВерсФорм",
            version,
        )
    declared = root.get("КолДок")
    return int(declared) if declared and declared.isdigit() else None


SME = Layout("Единый реестр субъектов МСП (7707329152-rsmp)", "РЕЕСТРМСП")
HEADCOUNT = Layout("Среднесписочная численность работников (7707329152-sshr2019)", "ОТКРДАННЫЕ3")
REVENUE = Layout("Сведения о суммах доходов и расходов (7707329152-revexp2019)", "ОТКРДАННЫЕ5")
CATEGORIES = {"1": "micro", "2": "small", "3": "medium"}
OKVED_VERSION = "2014"
# Stored column sizes (``enterprises.name``, ``full_name``, ``product_lines.name``).
NAME_CHARS, FULL_NAME_CHARS, PRODUCT_CHARS = 500, 1000, 500
# Dates repeat (one state date per file, a few thousand inclusion dates): read each once.
_day = lru_cache(maxsize=8192)(values.day)


class _Document:
    """Reading the fields of one document of ``kind``; a bad field refuses the document."""

    def __init__(self, kind: Kind, element: Element, row: Parsed) -> None:
        self.kind, self.element, self.row = kind, element, row

    def refuse(self, field: str, value: object, reason: str) -> None:
        self.row.refuse(self.kind.column(field).header, value, reason)

    def read(self, field: str, raw: str | None, parse, required: bool = False):
        """``parse(raw)`` stored as ``field``; None (and the document refused when the field
        is required or the value is wrong) otherwise."""
        if raw is None or not raw.strip():
            if required:
                self.refuse(field, None, "нет обязательного значения")
            return None
        try:
            value = parse(raw.strip())
        except ValueError as exc:
            self.refuse(field, raw, str(exc))
            return None
        self.row.values[field] = value
        return value

    def text(self, field: str, raw: str | None, limit: int, required: bool = False) -> None:
        if raw is not None and len(raw.strip()) > limit:
            self.refuse(field, raw[:limit], f"длиннее {limit} знаков: так не хранится")
            return
        self.read(field, raw, lambda s: " ".join(s.split()), required)

    def state(self) -> date | None:
        self.row.values["document"] = self.element.get("ИдДок")
        return self.read("state_date", self.element.get("ДатаСост"), _day, required=True)


def _inn(length: int):
    def parse(raw: str) -> str:
        inn = values.inn(raw)
        if len(inn) != length:
            whose = "организации" if length == 10 else "индивидуального предпринимателя"
            raise ValueError(f"ИНН {whose} состоит из {length} цифр")
        return inn

    return parse


def _okved(doc: _Document, field: str, element: Element, lookups: Lookups) -> str | None:
    code, version = element.get("КодОКВЭД"), element.get("ВерсОКВЭД")
    if version != OKVED_VERSION:
        doc.refuse(
            field,
            code,
            f"код ОКВЭД версии «{version}»: принимается только ОКВЭД2 (ВерсОКВЭД=2014); "
            "коды других версий не переводятся",
        )
        return None
    try:
        return lookups.okved.resolve(code or "")
    except ValueError as exc:
        # A code renumbered since: 71.12.46 «Землеустройство» of the 2019 register is
        # 71.12.9 in the shipped edition.
        # is found by the official name the document states beside it.
        if renumbered := lookups.okved.renumbered(code or "", element.get("НаимОКВЭД")):
            return renumbered
        doc.refuse(field, code, str(exc))
        return None


def parse_sme(element: Element, lookups: Lookups, row: Parsed) -> None:
    """One document of the SME register: an organisation or an individual entrepreneur."""
    doc = _Document(KINDS["fns-sme"], element, row)
    doc.state()
    doc.read("included_on", element.get("ДатаВклМСП"), _day)
    doc.read("sme_category", element.get("КатСубМСП"), _category, required=True)
    org, person = element.find("ОргВклМСП"), element.find("ИПВклМСП")
    if org is not None:
        doc.read("inn", org.get("ИННЮЛ"), _inn(10), required=True)
        doc.text("name", org.get("НаимОргСокр") or org.get("НаимОрг"), NAME_CHARS, True)
        doc.text("full_name", org.get("НаимОрг"), FULL_NAME_CHARS)
    elif person is not None:
        doc.read("inn", person.get("ИННФЛ"), _inn(12), required=True)
        fio = person.find("ФИОИП")
        parts = [] if fio is None else [fio.get(a) for a in ("Фамилия", "Имя", "Отчество")]
        full = " ".join(p for p in parts if p)
        doc.text("name", f"ИП {full}" if full else None, NAME_CHARS, True)
        if full:
            doc.text("full_name", f"Индивидуальный предприниматель {full}", FULL_NAME_CHARS)
    else:
        doc.refuse("inn", None, "нет сведений ни об организации (ОргВклМСП), ни об ИП (ИПВклМСП)")
    _place(doc, element.find("СведМН"), lookups)
    _activities(doc, element.find("СвОКВЭД"), lookups)
    _products(doc, element.findall("СвПрод"), lookups)


def _category(raw: str) -> str:
    if raw not in CATEGORIES:
        raise ValueError("категория субъекта МСП — 1, 2 или 3")
    return CATEGORIES[raw]


def _place(doc: _Document, place: Element | None, lookups: Lookups) -> None:
    """Region code, the settlement (town, else locality) and the address parts as written."""
    if place is None:
        doc.refuse("region_code", None, "нет сведений о месте нахождения (СведМН)")
        return
    region = doc.read("region_code", place.get("КодРегион"), _region_code(lookups), True)
    parts = []
    for tag in ("Регион", "Район", "Город", "НаселПункт"):
        part = place.find(tag)
        if part is not None and part.get("Наим"):
            name, kind = part.get("Наим", "").title(), (part.get("Тип") or "").lower()
            # «Ямало-Ненецкий автономный округ», «Приуральский район», «город Салехард»
            words = (name, kind) if tag in ("Регион", "Район") else (kind, name)
            parts.append(" ".join(w for w in words if w))
    doc.row.values["address"] = ", ".join(parts)[:500] or None
    settlement = next(
        (
            part.get("Наим")
            for tag in ("Город", "НаселПункт")
            if (part := place.find(tag)) is not None and part.get("Наим")
        ),
        None,
    )
    city = lookups.regions.city(region, settlement) if region and settlement else None
    doc.row.values["city"] = settlement
    doc.row.values["city_id"] = city.id if city is not None else None


def _region_code(lookups: Lookups):
    def parse(raw: str) -> str:
        code = raw.zfill(2)
        if not code.isdigit() or code not in lookups.regions.codes:
            raise ValueError(f"нет субъекта РФ с кодом «{raw}»")
        return code

    return parse


def _activities(doc: _Document, block: Element | None, lookups: Lookups) -> None:
    if block is None:
        return
    main = block.find("СвОКВЭДОсн")
    if main is not None and (code := _okved(doc, "okved_main", main, lookups)):
        doc.row.values["okved_main"] = code
    extra = []
    for element in block.findall("СвОКВЭДДоп"):
        if (code := _okved(doc, "okved_extra", element, lookups)) is not None:
            extra.append(code)
    doc.row.values["okved_extra"] = list(dict.fromkeys(extra))


def _products(doc: _Document, products: list[Element], lookups: Lookups) -> None:
    """Products (``СвПрод``): OKPD2 code and name, one product line each."""
    found: dict[str, str | None] = {}
    for product in products:
        code = product.get("КодПрод")
        try:
            okpd = lookups.okpd.resolve(code or "")
        except ValueError as exc:
            doc.refuse("products", code, str(exc))
            continue
        name = " ".join((product.get("НаимПрод") or "").split())[:PRODUCT_CHARS]
        found.setdefault(okpd, name or None)
    doc.row.values["products"] = list(found.items())


def _figures(kind: str, fields: tuple[tuple[str, str, str, object], ...]):
    """A parser of headcount or revenue documents: ``fields`` are (field, element, attribute,
    parse) of the figures read."""

    def parse(element: Element, lookups: Lookups, row: Parsed) -> None:
        doc = _Document(KINDS[kind], element, row)
        doc.state()
        taxpayer = element.find("СведНП")
        if taxpayer is None:
            doc.refuse("inn", None, "нет сведений о налогоплательщике (СведНП)")
            return
        if taxpayer.get("ИННФЛ") and not taxpayer.get("ИННЮЛ"):
            doc.read("inn", taxpayer.get("ИННФЛ"), _inn(12), required=True)
        else:
            doc.read("inn", taxpayer.get("ИННЮЛ"), _inn(10), required=True)
        doc.text("name", taxpayer.get("НаимОрг"), NAME_CHARS)
        for i, (field, tag, attribute, read) in enumerate(fields):
            block = element.find(tag)
            raw = None if block is None else block.get(attribute)
            doc.read(field, raw, read, required=i == 0)

    return parse


def _not_negative(read):
    def parse(raw: str) -> int:
        value = read(raw)
        if value < 0:
            raise ValueError("значение меньше нуля")
        return value

    return parse


parse_headcount = _figures(
    "fns-headcount", (("employees", "СведССЧР", "КолРаб", _not_negative(values.integer)),)
)
parse_revenue = _figures(
    "fns-revenue",
    (
        ("revenue", "СведДохРасх", "СумДоход", values.money),
        ("expenses", "СведДохРасх", "СумРасход", values.money),
    ),
)


def read_sme(path: Path, lookups: Lookups, limits: ImportLimits) -> Reading:
    return read_documents(path, KINDS["fns-sme"], SME.reading(parse_sme), lookups, limits)


def read_headcount(path: Path, lookups: Lookups, limits: ImportLimits) -> Reading:
    kind = KINDS["fns-headcount"]
    return read_documents(path, kind, HEADCOUNT.reading(parse_headcount), lookups, limits)


def read_revenue(path: Path, lookups: Lookups, limits: ImportLimits) -> Reading:
    kind = KINDS["fns-revenue"]
    return read_documents(path, kind, REVENUE.reading(parse_revenue), lookups, limits)
