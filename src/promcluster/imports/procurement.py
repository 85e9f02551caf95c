"""Public procurement open data of the Unified Information System (ЕИС) in its XML: one checked
row per document, read from one file, a folder or a ZIP of the export (``documents.py``: as a
stream, each file recognised by its root element and content, never by its name).

- 44-FZ contract — root ``export``, document ``contract`` (schemas 4.5 to 7.x read; prefixes
  ``ns2:``, ``oos:`` or none): number ``regNum``, ``versionNumber``, ``@schemeVersion``,
  ``signDate``; customer ``customer/inn``, ``kpp``, ``shortName``/``fullName``; supplier
  ``suppliers/supplier/legalEntityRF/INN``, ``KPP`` (``individualPersonRF``; schema 4.5:
  ``supplier/inn``, ``kpp``); total ``priceInfo/priceRUR``, ``priceInfo/price`` (4.5:
  ``price``); products ``products/product``: ``name``, ``OKPD2/code`` (or ``KTRU/code`` with
  ``KTRU/OKPD2/code``; the older ``OKPD/code`` kept as such), ``OKEI/code`` and name,
  ``quantity``, ``priceRUR``/``price``, ``sumRUR``/``sum``.
- 223-FZ contract — root ``contract``, one document per ``body/item`` (a daily file holds several),
  its ``contractData`` (TFF 7.5–9.3, with or without a namespace): number ``contractRegNumber``
  (else ``registrationNumber``), ``version``, ``contractDate``; customer ``customer/mainInfo/inn``,
  ``kpp``, ``shortName``; supplier ``supplierInfo/inn``, ``kpp``, ``address/region/code``; total
  ``price``; positions ``contractPositions/contractPosition``: ``name``, ``okpd2/code``, ``okei``,
  ``qty``. Positions have no price: one position gets the total; several keep it on the document
  (``priced_items`` False) and a note says so.
- 223-FZ purchase plan — root ``purchasePlan``, per ``body/item`` its ``purchasePlanData``: number
  ``registrationNumber``, ``version``, ``approveDate``, ``reportingYear``; customer
  ``customer/mainInfo``; positions ``purchasePlanItem`` (the SMB list repeats some by ``guid``:
  read once), each with rows ``purchasePlanRowItem`` (``okpd2/code``, ``okei``, ``qty``) → one item
  per row, with the position's year (``purchasePeriodYear``), deadline (``contractEndDate``) and
  maximum price (``maximumContractPrice``, in ``sum_kopecks`` when the position has one row).

Region codes come from the address region code, else the first two digits of the KPP or INN.
Money is read exactly from its decimal text into kopecks. The values of each row are the
contract with the writer (``procurement_writers.py``): docs/IMPORT.md, «procurement».
"""

import re
from functools import partial
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from promcluster.imports import values
from promcluster.imports.columns import KINDS, Lookups
from promcluster.imports.documents import (
    FileRefused,
    Recognised,
    local_name,
    read_documents,
)
from promcluster.imports.limits import ImportLimits
from promcluster.imports.procurement_fields import (
    Fields,
    first_text,
    iso_day,
    strip_namespaces,
    text,
    unit_price,
)
from promcluster.imports.rows import Parsed, Reading

ROOT_FIELD = "корневой элемент"
KNOWN = (
    "контракт 44-ФЗ (export/contract), договор 223-ФЗ (contract) или план закупки (purchasePlan)"
)
_TFF = re.compile(r"TFF-([\d.]+)")
ITEMS_223 = ("body", "item")  # where the documents of a 223-FZ file are
PERSON = ("lastName", "firstName", "middleName")  # an individual supplier's name


def read_procurement(path: Path, lookups: Lookups, limits: ImportLimits) -> Reading:
    """The contracts and plans of ``path`` (an XML file, a folder or a ZIP of the export)."""
    return read_documents(path, KINDS["procurement"], recognise, lookups, limits)


def recognise(root: Element) -> Recognised:
    """What a file of the export is, by its root element; FileRefused for anything else."""
    name = local_name(root.tag)
    if name == "export":
        return Recognised(
            parse_contract_44,
            ("contract",),
            label=lambda e: e.findtext("{*}regNum"),
            unknown=_unknown_export,
            whole=True,
        )
    # 223-FZ: the file's body holds one item per contract or plan; TFF names the schema.
    schema = _tff(root)
    if name == "contract":
        path = "{*}contractData/{*}"
        return Recognised(
            partial(parse_contract_223, schema=schema),
            ITEMS_223,
            label=lambda e: (
                e.findtext(path + "contractRegNumber") or e.findtext(path + "registrationNumber")
            ),
            whole=True,
        )
    if name == "purchasePlan":
        path = "{*}purchasePlanData/{*}registrationNumber"
        plan = partial(parse_plan_223, schema=schema)
        return Recognised(plan, ITEMS_223, label=lambda e: e.findtext(path), whole=True)
    raise FileRefused(f"корневой элемент «{name}»: это не {KNOWN}", ROOT_FIELD, name)


def _unknown_export(element: Element) -> FileRefused:
    name = local_name(element.tag)
    return FileRefused(
        f"документ «export/{name}» не читается: загружаются {KNOWN}", ROOT_FIELD, f"export/{name}"
    )


def _header(
    fields: Fields, law: str, kind: str, number: str | None, version: str | None, schema: str | None
) -> None:
    if number is None:
        fields.refuse("number", None, "нет номера документа")
    written = fields.read("version", version, values.integer)
    fields.values.update(
        law=law,
        kind=kind,
        number=number,
        version=written or 1,  # none written (or 0): the first
        schema_version=schema[:20] if schema else None,
        priced_items=True,
    )


def _dated(fields: Fields, raw: str | None, year: str | None = None) -> None:
    """``signed_on`` and ``year`` (the year written, else the date's)."""
    if raw is None and year is None:
        fields.refuse("signed_on", None, "нет даты документа: год не определить")
    signed = fields.read("signed_on", raw, iso_day)
    written = fields.read("signed_on", year, values.year)
    fields.values["signed_on"] = signed
    fields.values["year"] = written or (signed.year if signed else None)


def _customer(fields: Fields, customer: Element | None, name: str | None) -> None:
    inn = text(customer, "inn")
    if inn is None:
        fields.refuse("customer_inn", None, "нет ИНН заказчика")
    fields.values["customer"] = fields.party("customer", customer, inn, text(customer, "kpp"), name)


def _supplier(fields: Fields, party: dict[str, Any] | None) -> None:
    fields.values["supplier"] = party
    fields.values["supplier_region_code"] = party["region_code"] if party else None


def parse_contract_44(element: Element, lookups: Lookups, row: Parsed) -> None:
    """A 44-FZ contract (``export/contract``)."""
    strip_namespaces(element)
    fields = Fields(row, lookups)
    _header(
        fields,
        "44",
        "contract",
        text(element, "regNum"),
        text(element, "versionNumber"),
        element.get("schemeVersion"),
    )
    _dated(fields, text(element, "signDate"))
    customer = element.find("customer")
    _customer(fields, customer, first_text(customer, "shortName", "fullName"))
    _supplier(fields, _supplier_44(fields, element.find("suppliers")))
    total = first_text(element, "priceInfo/priceRUR", "priceInfo/price", "priceRUR", "price")
    fields.values["total_kopecks"] = fields.money("total", total)
    if text(element, "priceInfo/priceRUR") is None:  # else the total is in roubles anyway
        _currency(fields, first_text(element, "priceInfo/currency/code", "currency/code"))
    products = element.findall("products/product")
    if not products:
        fields.refuse("items", None, "в контракте нет ни одного товара (products/product)")
    items = []
    for position, product in enumerate(products, 1):
        where = f"позиция {position}: "
        ktru = text(product, "KTRU/code")
        okpd2 = first_text(product, "OKPD2/code", "OKPD2/OKPDCode")
        if okpd2 is None and ktru:
            okpd2 = first_text(product, "KTRU/OKPD2/code", "KTRU/OKPD2/OKPDCode")
        okpd = first_text(product, "OKPD/code", "OKPD/OKPDCode")
        name = first_text(product, "name", "KTRU/name", "OKPD2/name") or okpd2 or okpd
        item = fields.item(position, name, okpd2, okpd, ktru)
        fields.unit(item, product.find("OKEI"))
        item["quantity"] = fields.quantity(text(product, "quantity"), where)
        price = first_text(product, "priceRUR", "price")
        item["price_kopecks"] = fields.money("price", price, where)
        item["sum_kopecks"] = fields.money("sum", first_text(product, "sumRUR", "sum"), where)
        items.append(item)
    fields.values["items"] = items
    fields.finish()


def _currency(fields: Fields, code: str | None) -> None:
    if code not in (None, "RUB", "643"):
        fields.notes.append(f"цена в валюте «{code}», не в рублях")


def _supplier_44(fields: Fields, suppliers: Element | None) -> dict[str, Any] | None:
    """The first supplier: the element holding its INN (``legalEntityRF``,
    ``individualPersonRF``, schema 4.5's ``supplier`` itself); a foreign one (no INN) is noted."""
    found = [] if suppliers is None else suppliers.findall("supplier")
    if len(found) > 1:
        fields.notes.append(f"поставщиков {len(found)}: учтён первый")
    if not found:
        return None
    party = next((e for e in found[0].iter() if first_text(e, "INN", "inn")), None)
    if party is None:
        fields.notes.append("поставщик без ИНН (иностранный или не указан): не учтён")
        return None
    person = " ".join(filter(None, (first_text(party, t, f"nameInfo/{t}") for t in PERSON)))
    return fields.party(
        "supplier",
        party,
        first_text(party, "INN", "inn"),
        first_text(party, "KPP", "kpp"),
        first_text(party, "shortName", "fullName", "organizationName") or person or None,
    )


def _data(fields: Fields, element: Element, path: str, what: str) -> Element | None:
    strip_namespaces(element)
    data = element.find(path)
    if data is None:
        fields.refuse("number", None, f"нет {path}: это не {what}")
    return data


def _tff(element: Element) -> str | None:
    """The TFF version a 223-FZ document names in its schema location (``TFF-9.3``)."""
    location = next((v for k, v in element.attrib.items() if k.endswith("schemaLocation")), "")
    found = _TFF.search(location)
    return f"TFF-{found.group(1)}" if found else None


def parse_contract_223(
    element: Element, lookups: Lookups, row: Parsed, schema: str | None = None
) -> None:
    """A 223-FZ contract (``contract/body/item``: its ``contractData``)."""
    fields = Fields(row, lookups)
    data = _data(fields, element, "contractData", "договор 223-ФЗ")
    if data is None:
        return
    number = first_text(data, "contractRegNumber", "registrationNumber")
    _header(fields, "223", "contract", number, text(data, "version"), schema)
    _dated(fields, first_text(data, "contractDate", "publicationDate"))
    customer = data.find("customer/mainInfo")
    _customer(fields, customer, first_text(customer, "shortName", "fullName"))
    info = data.find("supplierInfo")
    supplier = fields.party(
        "supplier",
        info,
        text(info, "inn"),
        text(info, "kpp"),
        first_text(info, "shortName", "name"),
        text(info, "address/region/code"),
    )
    _supplier(fields, supplier)
    total = fields.money("total", text(data, "price"))
    fields.values["total_kopecks"] = total
    _currency(fields, text(data, "currency/code"))
    positions = data.findall("contractPositions/contractPosition")
    if not positions:
        fields.refuse("items", None, "в договоре нет ни одной позиции (contractPosition)")
    items, quantities = [], []
    for position, element_ in enumerate(positions, 1):
        okpd2 = text(element_, "okpd2/code")
        item = fields.item(position, text(element_, "name") or okpd2, okpd2)
        fields.unit(item, element_.find("okei"))
        quantities.append(text(element_, "qty"))
        item["quantity"] = fields.quantity(quantities[-1], f"позиция {position}: ")
        items.append(item)
    if len(items) == 1 and total is not None:
        items[0]["sum_kopecks"] = total
        if not row.problems:
            items[0]["price_kopecks"] = unit_price(total, items[0]["quantity"], quantities[0])
    elif len(items) > 1:
        fields.values["priced_items"] = False
        fields.notes.append(
            f"договор 223-ФЗ: позиций {len(items)}, цена дана только общей суммой — "
            "по позициям не разнесена, сумма учтена у договора"
        )
    fields.values["items"] = items
    fields.finish()


def parse_plan_223(
    element: Element, lookups: Lookups, row: Parsed, schema: str | None = None
) -> None:
    """A 223-FZ purchase plan (``purchasePlan/body/item``: its ``purchasePlanData``)."""
    fields = Fields(row, lookups)
    data = _data(fields, element, "purchasePlanData", "план закупки 223-ФЗ")
    if data is None:
        return
    _header(
        fields,
        "223",
        "plan",
        text(data, "registrationNumber"),
        text(data, "version"),
        schema,
    )
    _dated(fields, text(data, "approveDate"), text(data, "reportingYear"))
    customer = data.find("customer/mainInfo")
    _customer(fields, customer, first_text(customer, "shortName", "fullName"))
    _supplier(fields, None)
    seen: set[str] = set()
    items: list[dict[str, Any]] = []
    total, unsplit, empty = 0, 0, 0
    for number, plan_item in enumerate(data.iter("purchasePlanItem"), 1):
        guid = text(plan_item, "guid") or f"#{number}"
        if guid in seen:
            continue  # the SMB list repeats positions of the plan
        seen.add(guid)
        rows, maximum = _plan_position(fields, plan_item, number, len(items))
        items += rows
        total += maximum or 0
        unsplit += len(rows) > 1
        empty += not rows
    if not items:
        fields.refuse(
            "items", None, "в плане нет ни одной позиции с товарами (purchasePlanRowItem)"
        )
    if empty:
        fields.notes.append(f"позиций плана без строк товаров (purchasePlanRowItem): {empty}")
    if unsplit:
        fields.notes.append(
            f"позиций плана с несколькими строками товаров: {unsplit} — их максимальная цена "
            "по строкам не разнесена, учтена в сумме плана"
        )
    fields.values["total_kopecks"] = total
    fields.values["priced_items"] = not unsplit
    fields.values["items"] = items
    fields.finish()


def _plan_position(
    fields: Fields, plan_item: Element, number: int, before: int
) -> tuple[list[dict[str, Any]], int | None]:
    """The items of one plan position (one per goods row, numbered after ``before``) and its
    maximum price, given to its row when it has one."""
    where = f"позиция плана {text(plan_item, 'ordinalNumber') or number}: "
    maximum = fields.money("sum", text(plan_item, "maximumContractPrice"), where)
    year = fields.read("signed_on", text(plan_item, "purchasePeriodYear"), values.year, where)
    deadline = fields.read("signed_on", text(plan_item, "contractEndDate"), iso_day, where)
    if year is None:
        planned = fields.read("signed_on", text(plan_item, "purchasePlannedDate"), iso_day, where)
        year = planned.year if planned else None
    subject = text(plan_item, "contractSubject")
    rows = plan_item.findall("purchasePlanDataItemRows/purchasePlanRowItem")
    items = []
    for plan_row in rows:
        okpd2 = text(plan_row, "okpd2/code")
        name = subject if len(rows) == 1 else text(plan_row, "okpd2/name") or subject
        item = fields.item(before + len(items) + 1, name, okpd2)
        fields.unit(item, plan_row.find("okei"))
        item["quantity"] = fields.quantity(text(plan_row, "qty"), where)
        item["sum_kopecks"] = maximum if len(rows) == 1 else None
        item["year"], item["deadline"] = year, deadline
        items.append(item)
    return items, maximum
