"""The columns of every import kind: the Russian header, the other names accepted, how a cell
is read. Templates, exports and ``docs/IMPORT.md`` are built from these definitions."""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster import labels
from promcluster.imports import gisp, values
from promcluster.reference.lookup import CodeIndex, RegionIndex
from promcluster.reference.models import Okpd, Okved
from promcluster.urls import http_url


@dataclass
class Lookups:
    """Reference data held in memory for the length of an import."""

    okved: CodeIndex
    okpd: CodeIndex
    regions: RegionIndex
    clusters: dict[int | str, int]

    @classmethod
    def of(cls, session: Session) -> "Lookups":
        from promcluster.registry.models import Cluster

        clusters: dict[int | str, int] = {}
        for id_, name in session.execute(select(Cluster.id, Cluster.name)):
            clusters[id_] = id_
            clusters.setdefault(name.casefold(), id_)
        return cls(
            CodeIndex.of(session, Okved, named=True),
            CodeIndex.of(session, Okpd),
            RegionIndex(session),
            clusters,
        )


Parse = Callable[[values.Cell, Lookups], Any]


def _plain(parse: Callable[[values.Cell], Any]) -> Parse:
    return lambda cell, _lookups: parse(cell)


def _okved(cell: values.Cell, lookups: Lookups) -> str:
    return lookups.okved.resolve(cell)


def _okpd(cell: values.Cell, lookups: Lookups) -> str:
    return lookups.okpd.resolve(cell)


def _okved_list(cell: values.Cell, lookups: Lookups) -> list[str]:
    return list(dict.fromkeys(lookups.okved.resolve(c) for c in values.code_list(cell)))


def _okpd_list(cell: values.Cell, lookups: Lookups) -> list[str]:
    return list(dict.fromkeys(lookups.okpd.resolve(c) for c in values.code_list(cell)))


def _region(cell: values.Cell, lookups: Lookups) -> str:
    return lookups.regions.resolve(cell)


def _latitude(cell: values.Cell) -> float:
    value = values.number(cell)
    if not -90 <= value <= 90:
        raise ValueError(f"широта {value} вне диапазона −90…90")
    return value


def _longitude(cell: values.Cell) -> float:
    value = values.number(cell)
    if not -180 <= value <= 180:
        raise ValueError(f"долгота {value} вне диапазона −180…180")
    return value


def _reference(cell: values.Cell) -> int | str:
    """A chain named by its number or its name."""
    raw = values.text(cell)
    return int(raw) if raw.isdigit() else raw


def _cluster(cell: values.Cell, lookups: Lookups) -> int:
    """A cluster of the platform named by its number (id) or its exact name."""
    ref = _reference(cell)
    found = lookups.clusters.get(ref.casefold() if isinstance(ref, str) else ref)
    if found is None:
        raise ValueError(f"нет кластера «{values.text(cell)}» на платформе")
    return found


TEXT = _plain(values.text)
INN = _plain(values.inn)
OGRN = _plain(values.ogrn)
MONEY = _plain(values.money)
INTEGER = _plain(values.integer)
NUMBER = _plain(values.non_negative)
SHARE = _plain(values.share)
YEAR = _plain(values.year)
DATE = _plain(values.day)
FLAG = _plain(values.flag)
REFERENCE = _plain(_reference)
URL = _plain(lambda cell: http_url(values.text(cell)))  # http(s) only: no javascript: links


@dataclass(frozen=True)
class Column:
    """One column of an import file."""

    field: str
    header: str
    parse: Parse = TEXT
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: str = ""
    note: str = ""
    # Money: a header saying "тыс. руб." or "млн руб." scales the values to roubles.
    scaled: bool = False

    def names(self) -> set[str]:
        """Every normalised header that means this column."""
        return {header_key(n) for n in (self.header, self.field, *self.aliases)}


@dataclass(frozen=True)
class Kind:
    """An import kind: its columns and the groups of columns of which, in each group, at least
    one must be filled (INN or OGRN; headcount or revenue)."""

    name: str
    columns: tuple[Column, ...]
    one_of: tuple[tuple[str, ...], ...] = ()
    key: str = ""
    # Read by its own reader as documents of open data (``imports/sources.py``), not as a
    # table: the columns then describe the document's fields (header = where in the XML).
    documents: bool = False

    @property
    def label(self) -> str:
        return labels.IMPORT_KINDS[self.name]

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


def header_key(header: object) -> str:
    """A header reduced to compare: lower case, ё as е, no punctuation, no units in brackets."""
    key = str(header).casefold().replace("ё", "е")
    key = re.sub(r"\(.*?\)|\[.*?\]", " ", key)
    return " ".join(re.sub(r"[^\w\s]", " ", key).split())


def header_keys(header: object) -> tuple[str, ...]:
    """The header as written, then without what follows a comma (``Выручка, руб.``)."""
    full = header_key(header)
    short = header_key(str(header).split(",")[0])
    return (full, short) if short != full else (full,)


def _choice(vocabulary: dict[str, str], **extra: str) -> Parse:
    """A vocabulary column; ``extra`` maps more words (``_`` for a space) to stored values."""
    return _plain(values.choice(vocabulary, {w.replace("_", " "): k for w, k in extra.items()}))


_INN = Column(
    "inn",
    "ИНН",
    INN,
    ("инн организации", "инн юл", "инн участника"),
    note="10 цифр (организация) или 12 (ИП), контрольные цифры проверяются",
)
_OGRN = Column("ogrn", "ОГРН", OGRN, ("огрнип", "огрн огрнип", "огрн юл"))
_CLUSTER = Column(
    "cluster",
    "Кластер",
    _cluster,
    ("cluster id", "название кластера", "наименование кластера"),
    required=True,
    example="Строительно-промышленный кластер Тюменской области",
    note="номер (id) кластера на платформе или его точное название",
)
_OKPD2 = Column(
    "okpd2",
    "ОКПД2",
    _okpd,
    ("код окпд2", "окпд", "код продукции", "okpd2 code"),
    required=True,
    example="23.61.11",
    note="код с точками или без, лишние нули в конце допустимы",
)
_VOLUME = Column("volume", "Объём в год", NUMBER, ("объем", "объем в год", "количество"))
_UNIT = Column("unit", "Единица измерения", TEXT, ("ед изм", "единица", "ед"), example="м3")
_VALUE = Column(
    "value",
    "Стоимость в год, руб.",
    MONEY,
    ("стоимость", "сумма", "стоимость в год"),
    example="0",
    scaled=True,
)
_DESCRIPTION = Column("description", "Описание", TEXT, ("примечание", "комментарий"))

ENTERPRISES = Kind(
    "enterprises",
    (
        replace(_INN, required=True),
        _OGRN,
        Column(
            "name",
            "Наименование",
            TEXT,
            (
                "название",
                "наименование организации",
                "краткое наименование",
                "организация",
                "предприятие",
                "наименование фио",
                "наименование юл",
            ),
            required=True,
            example="ООО «Пример»",
        ),
        Column("full_name", "Полное наименование", TEXT, ("полное наименование организации",)),
        Column(
            "region_code",
            "Регион",
            _region,
            ("region", "код региона", "субъект рф", "субъект", "регион регистрации"),
            required=True,
            example="72",
            note="код (72), название (Тюменская область) или «72 - Тюменская область»",
        ),
        Column("city", "Город", TEXT, ("населенный пункт",), example="Тюмень"),
        Column("address", "Адрес", TEXT, ("юридический адрес", "адрес местонахождения")),
        Column("lat", "Широта", _plain(_latitude), ("latitude",)),
        Column("lon", "Долгота", _plain(_longitude), ("longitude", "lng")),
        Column(
            "okved_main",
            "ОКВЭД",
            _okved,
            (
                "основной оквэд",
                "оквэд основной",
                "оквэд2",
                "код оквэд",
                "основной вид деятельности",
                "okved",
            ),
            example="23.61",
        ),
        Column(
            "okved_extra",
            "Дополнительные ОКВЭД",
            _okved_list,
            ("доп оквэд", "дополнительные виды деятельности", "дополнительные оквэд2"),
            note="через «;», «,» или пробел",
        ),
        Column(
            "employees",
            "Численность",
            INTEGER,
            ("среднесписочная численность", "численность работников", "сотрудников", "headcount"),
            example="120",
        ),
        Column("revenue", "Выручка, руб.", MONEY, ("выручка", "доход"), scaled=True),
        Column(
            "sme_category",
            "Категория МСП",
            _choice(
                labels.SME_CATEGORIES,
                микропредприятие="micro",
                малое_предприятие="small",
                среднее_предприятие="medium",
                крупное_предприятие="large",
                малый="small",
                средний="medium",
                крупный="large",
            ),
            ("категория", "категория субъекта мсп", "sme"),
        ),
        Column(
            "website",
            "Сайт",
            URL,
            ("веб сайт", "url"),
            example="https://example.ru",
            note="адрес http:// или https://",
        ),
        Column("email", "Эл. почта", TEXT, ("e mail", "электронная почта", "почта")),
        Column("phone", "Телефон", TEXT, ("тел",)),
        _DESCRIPTION,
        Column(
            "is_synthetic",
            "Синтетические данные",
            FLAG,
            ("synthetic", "синтетика"),
            note="«да» для строк, созданных генератором, а не взятых из реестра",
        ),
    ),
    key="ИНН",
)

MEMBERS = Kind(
    "members",
    (
        _CLUSTER,
        _INN,
        _OGRN,
        Column(
            "status",
            "Статус",
            _choice(
                labels.MEMBERSHIP_STATUSES,
                член_кластера="member",
                участник_кластера="member",
                вступает="applicant",
                заявка="applicant",
                кандидат="applicant",
                потенциальный="potential",
                вышел_из_кластера="left",
            ),
            ("статус участия", "статус в кластере"),
            required=True,
            example="участник",
        ),
        Column(
            "role",
            "Роль",
            _choice(
                labels.MEMBERSHIP_ROLES,
                якорное="anchor",
                якорный_участник="anchor",
                специализированная_организация_кластера="specialised_org",
                образовательная_организация="education",
                научная_организация="science",
                финансовая_организация="finance",
            ),
            ("роль в кластере",),
            example="участник",
        ),
        Column(
            "since", "Дата вступления", DATE, ("дата входа", "участник с"), example="01.03.2024"
        ),
        Column("until", "Дата выхода", DATE, ("участник до",)),
        Column("note", "Примечание", TEXT, ("комментарий",)),
    ),
    one_of=(("inn", "ogrn"),),
    key="кластер + ИНН",
)

PRODUCTS = Kind(
    "products",
    (
        _INN,
        _OGRN,
        _OKPD2,
        Column(
            "direction",
            "Направление",
            _choice(
                labels.PRODUCT_DIRECTIONS,
                производство="produces",
                выпуск="produces",
                продажа="produces",
                потребление="consumes",
                закупка="consumes",
                покупает="consumes",
            ),
            ("производит потребляет", "тип"),
            required=True,
            example="потребляет",
        ),
        Column(
            "name",
            "Наименование продукции",
            TEXT,
            ("продукция", "товар", "product", "наименование"),
            example="Блоки из ячеистого бетона",
        ),
        _VOLUME,
        _UNIT,
        _VALUE,
        Column(
            "outside_share",
            "Доля закупок вне региона",
            SHARE,
            ("доля вне региона",),
            example="0,6",
            note="от 0 до 1 или в процентах (60%)",
        ),
        Column("import_share", "Доля импорта", SHARE, ("доля импортных закупок",), example="0,2"),
        Column("year", "Год", YEAR, (), example="2024"),
    ),
    one_of=(("inn", "ogrn"),),
    key="ИНН + ОКПД2 + направление",
)

SUPPLIES = Kind(
    "supplies",
    (
        Column("supplier_inn", "ИНН поставщика", INN, ("поставщик инн",), required=True),
        Column(
            "buyer_inn", "ИНН покупателя", INN, ("инн заказчика", "покупатель инн"), required=True
        ),
        _OKPD2,
        Column("year", "Год", YEAR, (), required=True, example="2024"),
        _VALUE,
        _VOLUME,
        _UNIT,
    ),
    key="поставщик + покупатель + ОКПД2 + год",
)

PROJECTS = Kind(
    "projects",
    (
        _CLUSTER,
        Column(
            "name",
            "Название проекта",
            TEXT,
            ("проект", "наименование проекта", "наименование", "название"),
            required=True,
        ),
        Column(
            "chain",
            "Цепочка",
            REFERENCE,
            ("цепочка кооперации", "производственная цепочка"),
            note="номер цепочки в кластере или её название",
        ),
        Column("initiator_inn", "ИНН инициатора", INN, ("инициатор инн", "инн")),
        Column(
            "amount",
            "Сумма инвестиций, руб.",
            MONEY,
            ("объем инвестиций", "инвестиции", "стоимость проекта", "сумма инвестиций"),
            scaled=True,
        ),
        Column("start_year", "Год начала", YEAR, ()),
        Column("end_year", "Год окончания", YEAR, ("год завершения",)),
        Column(
            "status",
            "Статус",
            _choice(labels.PROJECT_STATUSES, реализован="done", в_реализации="in_progress"),
            ("статус проекта",),
            example="планируется",
        ),
        Column("import_substitution", "Импортозамещение", FLAG, ("импортозамещающий",)),
        Column(
            "jobs", "Рабочие места", INTEGER, ("новых рабочих мест", "создаваемые рабочие места")
        ),
        Column("products", "Продукция (ОКПД2)", _okpd_list, ("коды окпд2",)),
        _DESCRIPTION,
    ),
    key="кластер + название проекта",
)

NEEDS = Kind(
    "needs",
    (
        Column("customer_inn", "ИНН заказчика", INN, ("инн покупателя", "инн")),
        Column("customer_name", "Заказчик", TEXT, ("покупатель", "customer")),
        Column(
            "region_code",
            "Регион",
            _region,
            ("region", "код региона", "регион поставки"),
            note="по умолчанию — регион заказчика",
        ),
        Column(
            "product_name",
            "Продукция",
            TEXT,
            ("наименование продукции", "товар", "product", "потребность"),
            required=True,
            example="Геомембрана HDPE 1,5 мм",
        ),
        Column("okpd2", "ОКПД2", _okpd, ("код окпд2", "окпд")),
        _VOLUME,
        _UNIT,
        _VALUE,
        Column("deadline", "Срок", DATE, ("срок поставки", "дата поставки")),
        Column("status", "Статус", _choice(labels.NEED_STATUSES), (), example="открыта"),
        _DESCRIPTION,
    ),
    one_of=(("customer_inn", "customer_name"),),
    key="заказчик + продукция + ОКПД2",
)

FIGURES = Kind(
    "figures",
    (
        _INN,
        _OGRN,
        Column(
            "year",
            "Год",
            YEAR,
            ("отчетный год",),
            required=True,
            example="2023",
            note="отчётный год, к которому относятся численность и выручка",
        ),
        Column(
            "employees",
            "Численность",
            INTEGER,
            ("среднесписочная численность", "численность работников", "работников"),
            example="120",
            note="среднесписочная численность за год, целое число не меньше 0",
        ),
        Column(
            "revenue",
            "Выручка",
            MONEY,
            ("выручка, руб", "доход"),
            example="150000000",
            note="в рублях; заголовок «тыс. руб.» или «млн руб.» пересчитывается в рубли",
            scaled=True,
        ),
    ),
    one_of=(("inn", "ogrn"), ("employees", "revenue")),
    key="ИНН + год",
)

# Kinds read as XML documents of the Federal Tax Service's open data (``imports/fns.py``).
_FNS_DOCUMENT = (
    Column("document", "ИдДок", note="идентификатор документа: вместе с именем файла — в отчёте"),
    Column("state_date", "ДатаСост", DATE, required=True, note="дата, на которую даны сведения"),
)
_FNS_TAXPAYER = (
    Column("inn", "СведНП/@ИННЮЛ", INN, required=True, note="ИНН организации (10 цифр)"),
    Column("name", "СведНП/@НаимОрг", note="наименование: для предприятия, созданного по ИНН"),
)
FNS_SME = Kind(
    "fns-sme",
    (
        *_FNS_DOCUMENT,
        Column("included_on", "ДатаВклМСП", DATE, note="дата включения в реестр"),
        Column("sme_category", "КатСубМСП", note="1 микро-, 2 малое, 3 среднее предприятие"),
        Column("inn", "ОргВклМСП/@ИННЮЛ, ИПВклМСП/@ИННФЛ", INN, required=True),
        Column("name", "ОргВклМСП/@НаимОргСокр, ИПВклМСП/ФИОИП", required=True),
        Column("full_name", "ОргВклМСП/@НаимОрг"),
        Column("region_code", "СведМН/@КодРегион", _region, required=True),
        Column("city", "СведМН/Город, СведМН/НаселПункт", note="сопоставляется со справочником"),
        Column("okved_main", "СвОКВЭДОсн/@КодОКВЭД", _okved, note="только ВерсОКВЭД=2014"),
        Column("okved_extra", "СвОКВЭДДоп/@КодОКВЭД", _okved_list, note="только ВерсОКВЭД=2014"),
        Column("products", "СвПрод/@КодПрод", _okpd_list, note="продукция: код ОКПД2 и название"),
    ),
    key="ИНН",
    documents=True,
)
FNS_HEADCOUNT = Kind(
    "fns-headcount",
    (
        *_FNS_DOCUMENT,
        *_FNS_TAXPAYER,
        Column("employees", "СведССЧР/@КолРаб", INTEGER, required=True),
    ),
    key="ИНН + год",
    documents=True,
)
FNS_REVENUE = Kind(
    "fns-revenue",
    (
        *_FNS_DOCUMENT,
        *_FNS_TAXPAYER,
        Column("revenue", "СведДохРасх/@СумДоход", MONEY, required=True, note="доходы, руб."),
        Column("expenses", "СведДохРасх/@СумРасход", MONEY, note="расходы, руб."),
    ),
    key="ИНН + год",
    documents=True,
)

# Read as XML documents of the procurement open data of the ЕИС (``imports/procurement.py``):
# the header is the field's title in the error report, the note says where it is read.
PROCUREMENT = Kind(
    "procurement",
    (
        Column(
            "number",
            "Номер документа",
            required=True,
            note="44-ФЗ: contract/regNum; 223-ФЗ: contractData/contractRegNumber "
            "(иначе registrationNumber); план: purchasePlanData/registrationNumber",
        ),
        Column("version", "Версия", INTEGER, note="versionNumber, version; нет — 1"),
        Column(
            "signed_on", "Дата", DATE, note="signDate, contractDate; план: approveDate, год плана"
        ),
        Column(
            "customer_inn",
            "ИНН заказчика",
            INN,
            required=True,
            note="customer/inn, customer/mainInfo/inn; регион — по КПП или ИНН",
        ),
        Column("customer_kpp", "КПП заказчика", note="customer/kpp, customer/mainInfo/kpp"),
        Column(
            "supplier_inn",
            "ИНН поставщика",
            INN,
            note="suppliers/supplier/legalEntityRF/INN (схема 4.5: supplier/inn), supplierInfo/inn",
        ),
        Column("supplier_kpp", "КПП поставщика", note="регион поставщика — по адресу, КПП или ИНН"),
        Column(
            "total",
            "Цена контракта, руб.",
            note="priceInfo/price, contractData/price; план — сумма максимальных цен позиций",
        ),
        Column(
            "items",
            "Позиции",
            note="products/product, contractPositions/contractPosition, purchasePlanItem",
        ),
        Column(
            "okpd2",
            "Код продукции",
            note="OKPD2/code, KTRU/code с KTRU/OKPD2/code, okpd2/code; старый ОКПД (OKPD/code) "
            "хранится как есть, не переводится",
        ),
        Column("okei", "Единица измерения", note="OKEI/code, okei/code: код ОКЕИ и название"),
        Column("quantity", "Количество", NUMBER, note="quantity, qty: не меньше 0"),
        Column("price", "Цена за единицу, руб.", note="price (priceRUR), точно до копейки"),
        Column(
            "sum",
            "Сумма, руб.",
            note="sum (sumRUR); план: maximumContractPrice позиции; точно до копейки",
        ),
    ),
    key="закон + вид + номер документа",
    documents=True,
)

_GISP_DATE = "дата: 2024-04-10, 10.04.2024 или дата Excel; «-» — нет"
GISP_PRODUCTS = Kind(
    "gisp-products",
    (
        Column(
            "org_name",
            "Nameoforg",
            gisp.required(_plain(gisp.limited(500, "наименование организации"))),
            ("наименование организации", "наименование предприятия", "изготовитель"),
            required=True,
            example='ООО "ПРИМЕР"',
            note="наименование изготовителя; предприятию, которого ещё нет на платформе",
        ),
        Column(
            "ogrn",
            "OGRN",
            gisp.optional(values.ogrn),
            ("огрн",),
            note="13 цифр, контрольная цифра проверяется; должен совпасть с ОГРН предприятия",
        ),
        Column(
            "inn",
            "INN",
            gisp.required(_plain(values.inn)),
            ("инн",),
            required=True,
            note="10 или 12 цифр, контрольные цифры проверяются; по ИНН находится предприятие",
        ),
        Column(
            "org_address",
            "Orgaddr",
            gisp.optional(gisp.limited(500, "адрес")),
            ("адрес организации", "юридический адрес"),
            note="по адресу определяются регион и город нового предприятия (иначе — по ИНН)",
        ),
        Column(
            "registry_number",
            "Registernumber",
            gisp.required(_plain(gisp.registry_number)),
            ("реестровый номер", "номер реестровой записи", "номер в реестре"),
            required=True,
            example="12345",
            note="номер записи в реестре: ключ строки продукции",
        ),
        Column(
            "product_name",
            "Productname",
            gisp.required(_plain(gisp.limited(500, "наименование продукции"))),
            ("наименование продукции",),
            required=True,
            example="Насос центробежный консольный",
        ),
        Column(
            "okpd2",
            "OKPD2",
            gisp.required(_okpd),
            ("окпд2", "код окпд2"),
            required=True,
            example="28.13.14.110",
            note="код ОКПД2 из классификатора",
        ),
        Column(
            "tnved_code",
            "TNVED",
            gisp.optional(gisp.tnved),
            ("тн вэд", "код тн вэд", "тн вэд еаэс"),
            example="8413 70 300 0",
            note="код ТН ВЭД ЕАЭС, пробелы допустимы",
        ),
        Column(
            "registry_date",
            "Docdate",
            gisp.optional(values.day),
            ("дата внесения в реестр", "дата заключения"),
            example="2024-04-10",
            note=_GISP_DATE,
        ),
        Column(
            "registry_valid_until",
            "Docvalidtill",
            gisp.optional(values.day),
            ("срок действия", "действует до"),
            example="2027-04-09",
            note=_GISP_DATE,
        ),
        Column(
            "registry_end_date",
            "Enddate",
            gisp.optional(values.day),
            ("дата исключения из реестра", "дата исключения"),
            note="дата исключения записи из реестра; «-» — запись действует",
        ),
    ),
    key="номер реестровой записи (Registernumber) + дата и срок документа",
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (ENTERPRISES, MEMBERS, PRODUCTS, SUPPLIES, PROJECTS, NEEDS, FIGURES, GISP_PRODUCTS)
} | {k.name: k for k in (FNS_SME, FNS_HEADCOUNT, FNS_REVENUE, PROCUREMENT)}
