"""Reading the fields of one procurement document of the ЕИС (``imports/procurement.py``): the
parties, the product codes, quantities and money, each checked, a bad one refusing the document
with a problem naming its title (``columns.PROCUREMENT``) and value."""

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.etree.ElementTree import Element

from promcluster.imports import values
from promcluster.imports.columns import PROCUREMENT, Lookups
from promcluster.imports.documents import local_name
from promcluster.imports.rows import Parsed
from promcluster.reference.identifiers import tax_region

UNIT_CHARS, CODE_CHARS = 50, 40  # stored sizes of ``procurement_items.unit`` and ``ktru_code``


def strip_namespaces(element: Element) -> None:
    """Name every element of ``element`` by its local name (``ns2:contract``, ``oos:contract``
    and ``contract`` read alike)."""
    for child in element.iter():
        if "}" in child.tag:
            child.tag = local_name(child.tag)


def text(element: Element | None, path: str) -> str | None:
    """The text at ``path`` (names joined by ``/``) under ``element``, its runs of spaces
    collapsed; None when absent or empty. Each step is a plain child lookup (done in C)."""
    for name in path.split("/"):
        if element is None:
            return None
        element = element.find(name)
    if element is None or element.text is None:
        return None
    return " ".join(element.text.split()) or None


def first_text(element: Element | None, *paths: str) -> str | None:
    """The first of ``paths`` that has a text."""
    return next((t for p in paths if (t := text(element, p)) is not None), None)


def iso_day(raw: str) -> date:
    """An XML date or date-time (``2016-11-21``, ``2019-12-30T21:22:17``, ``2014-03-05+04:00``)."""
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ValueError(f"«{raw}» не дата (ожидается ГГГГ-ММ-ДД)") from None


class Fields:
    """The values of one document being read into ``row.values`` (the contract with the writer:
    ``columns.PROCUREMENT`` and docs/IMPORT.md), and the notes for the run's report."""

    def __init__(self, row: Parsed, lookups: Lookups) -> None:
        self.row, self.lookups = row, lookups
        self.notes: list[str] = []
        self.older_okpd = 0
        self.unknown_okpd2: list[str] = []

    @property
    def values(self) -> dict[str, Any]:
        return self.row.values

    def refuse(self, field: str, value: object, reason: str) -> None:
        self.row.refuse(PROCUREMENT.column(field).header, value, reason)

    def read(self, field: str, raw: str | None, parse: Callable, where: str = "") -> Any:
        """``parse(raw)``, or None (and the document refused) when the value is wrong;
        ``where`` names the position in the reason."""
        if raw is None:
            return None
        try:
            return parse(raw)
        except ValueError as exc:
            self.refuse(field, raw, f"{where}{exc}")
            return None

    def party(
        self,
        role: str,
        element: Element | None,
        inn: str | None,
        kpp: str | None,
        name: str | None,
        region: str | None = None,
    ) -> dict[str, Any] | None:
        """A customer or supplier: INN checked, KPP, name, region (``region``: the address's
        code; else by the KPP's, else the INN's tax region); None when none is stated."""
        if element is None or inn is None:
            return None
        checked = self.read(f"{role}_inn", inn, values.inn)
        if checked is None:
            return None
        if kpp is not None and not (len(kpp) == 9 and kpp[:4].isdigit()):
            self.refuse(f"{role}_kpp", kpp, "КПП состоит из 9 знаков, первые 4 — цифры")
            kpp = None
        return {
            "inn": checked,
            "kpp": kpp,
            "name": name,
            "region_code": self.region(region, kpp, checked),
        }

    def region(self, *candidates: str | None) -> str | None:
        """The first candidate that names a region of the reference: an address region code,
        or a KPP or INN whose first two digits are a tax region."""
        for candidate in candidates:
            if not candidate or not candidate[:2].isdigit():
                continue
            code = tax_region(candidate.zfill(2))
            if code in self.lookups.regions.codes:
                return code
        return None

    def money(self, field: str, raw: str | None, where: str = "") -> int | None:
        return self.read(field, raw, values.kopecks, where)

    def quantity(self, raw: str | None, where: str = "") -> float | None:
        exact = self.read("quantity", raw, values.exact, where)
        return None if exact is None else float(exact)

    def item(
        self,
        position: int,
        name: str | None,
        okpd2: str | None,
        okpd: str | None = None,
        ktru: str | None = None,
    ) -> dict[str, Any]:
        """An item's name and codes: OKPD2 checked against the reference (an unknown code is
        kept out and noted), an older OKPD code kept as written and counted; an item without
        any code refuses the document."""
        where = f"позиция {position}"
        if not (okpd2 or okpd or ktru):
            self.refuse("okpd2", name, f"{where}: нет кода продукции (ни ОКПД2, ни КТРУ, ни ОКПД)")
        code = None
        if okpd2:
            try:
                code = self.lookups.okpd.resolve(okpd2)
            except ValueError:
                self.unknown_okpd2.append(okpd2)
        if okpd:
            self.older_okpd += 1
        return {
            "position": position,
            "name": name,
            "okpd2_code": code,
            "okpd_code": okpd[:20] if okpd else None,
            "ktru_code": ktru[:CODE_CHARS] if ktru else None,
            "okei_code": None,
            "unit": None,
            "quantity": None,
            "price_kopecks": None,
            "sum_kopecks": None,
            "year": None,
            "deadline": None,
        }

    def unit(self, item: dict[str, Any], okei: Element | None) -> None:
        """The OKEI code and unit name of ``item`` (``okei``: its ``OKEI``/``okei`` element)."""
        code = text(okei, "code")
        item["okei_code"] = code if code and len(code) <= 4 else None
        unit = first_text(okei, "name", "fullName", "nationalCode")
        item["unit"] = unit[:UNIT_CHARS] if unit else None

    def finish(self) -> None:
        """The notes on codes, added to the document's values."""
        if self.older_okpd:
            self.notes.append(
                f"позиций с кодом старого ОКПД (не ОКПД2): {self.older_okpd} — код сохранён как "
                "есть, в ОКПД2 не переводится"
            )
        if self.unknown_okpd2:
            codes = ", ".join(f"«{c}»" for c in dict.fromkeys(self.unknown_okpd2))
            self.notes.append(f"кодов ОКПД2 нет в справочнике: {codes} — позиции без кода ОКПД2")
        self.values["notes"] = self.notes


def unit_price(total: int, quantity: float | None, exact: str | None) -> int | None:
    """Kopecks per unit of a position that has only a total: the total over the quantity as
    written (exact), rounded to the kopeck; None without a positive quantity."""
    if exact is None or quantity is None or quantity <= 0:
        return None
    return int((Decimal(total) / values.exact(exact)).to_integral_value(ROUND_HALF_UP))
