"""Writing the Federal Tax Service's documents: the SME register into enterprises (by INN), their
activities and product lines; headcount and revenue into enterprise figures by the year of the
state date. Only administrators import these kinds (``access.py``): they change the cards of
thousands of firms at once, so the per-card checks of the other kinds do not apply."""

from datetime import date
from typing import Any, ClassVar

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from promcluster.auth.audit import record_bulk
from promcluster.db import select_in
from promcluster.imports.columns import KINDS, Lookups
from promcluster.imports.rows import Parsed
from promcluster.imports.upsert import ON_INSERT, Link, Outcome, upsert
from promcluster.imports.writers import Writer, refresh_search_text
from promcluster.reference.identifiers import TAX_REGIONS, tax_region  # noqa: F401 (kept here)
from promcluster.registry.models import (
    Enterprise,
    EnterpriseFigure,
    ProductLine,
    enterprise_okved,
    search_key,
)

REGISTER_FIELDS = (
    "inn", "name", "full_name", "region_code", "city_id", "okved_main", "okved_extra",
    "sme_category",
)  # fmt: skip
UNKNOWN = (
    "нет предприятия с ИНН {inn} на платформе: загрузите реестр МСП (вид fns-sme) или "
    "добавьте недостающие предприятия (--create-missing, «создать недостающие»)"
)


class Register(Writer):
    """``fns-sme``: one enterprise per document, upserted by INN. A document of an older state
    of the register than the one a card already shows leaves the card as it is."""

    kind = KINDS["fns-sme"]
    LINKS: ClassVar = {"okved_extra": Link(enterprise_okved, "enterprise_id", "okved_code")}

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        return (values["inn"],)

    @staticmethod
    def prepare(values: dict[str, Any], lookups: Lookups) -> None:
        """The document becomes the card: register fields, its dates, the source; a place not
        in the cities table is marked approximate (maps draw it at the region's centre). Only
        what ``write`` reads is kept: the CLI pickles every document to its writer process."""
        record = {f: values[f] for f in REGISTER_FIELDS if f in values}
        record |= {
            "sme_included_on": values.get("included_on"),
            "sme_state_date": values["state_date"],
            "sme_left_on": None,
            "place_approximate": values.get("city_id") is None,
            "data_source": "fns-sme",
            "is_minimal": False,
            ON_INSERT: {
                "search_text": search_key(values["name"], values.get("full_name"), values["inn"]),
                "address": values.get("address"),
            },
        }
        products = values.get("products")
        values.clear()
        values |= {"inn": record["inn"], "record": record, "products": products}

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        table = Enterprise.__table__
        inns = [r.values["inn"] for r in rows]
        columns = ["inn", "sme_state_date", "sme_left_on"]
        # The newest state a card reflects: the one it was read from or the one it left at.
        shown = {
            s["inn"]: max(d for d in (s["sme_state_date"], s["sme_left_on"]) if d is not None)
            for s in select_in(session.connection(), table, columns, "inn", inns)
            if s["sme_state_date"] is not None
        }
        records, older = [], 0
        for row in rows:
            record = row.values["record"]
            stored = shown.get(record["inn"])
            if stored is not None and stored > record["sme_state_date"]:
                older += 1
                continue
            records.append((row, record))
        outcome = self.save(session, Enterprise, ("inn",), records, self.LINKS)
        refresh_search_text(session, outcome.updated_ids)
        self._products(session, [r for r, _ in records])
        outcome.unchanged += older
        return outcome

    def _products(self, session: Session, rows: list[Parsed]) -> None:
        """``СвПрод`` as product lines the enterprise makes (name and OKPD2 code)."""
        with_products = [r for r in rows if r.values.get("products")]
        if not with_products:
            return
        ids = _ids_by_inn(session, {r.values["inn"] for r in with_products})
        records = [
            {
                "enterprise_id": ids[r.values["inn"]],
                "okpd2_code": code,
                "direction": "produces",
                "registry_number": None,  # the firm's own line, not a registry entry (ГИСП)
            }
            | ({"name": name} if name else {})
            for r in with_products
            for code, name in r.values["products"]
        ]
        key = ("enterprise_id", "okpd2_code", "direction", "registry_number")
        origin = {"import_run": self.run_id, "rows": [rows[0].number, rows[-1].number]}
        upsert(session, ProductLine, key, records, self.actor, origin=origin)

    def finish(self, session: Session) -> str | None:
        """After a whole state of the register (a ZIP or a folder): the cards of an older state
        belong to firms missing from the newest one — they are marked as having left the
        register on its date, never deleted."""
        if not getattr(self.header, "complete", False):
            return (
                "загружен один файл реестра, а не весь набор (архив ZIP или папка): выбывшие "
                "из реестра не отмечались"
            )
        latest = session.scalar(select(func.max(Enterprise.sme_state_date)))
        if latest is None:
            return None
        query = select(Enterprise.id, Enterprise.version).where(
            Enterprise.sme_state_date < latest, Enterprise.sme_left_on.is_(None)
        )
        left = session.execute(query).all()
        if left:
            table = Enterprise.__table__
            session.execute(
                update(table)
                .where(table.c.id == bindparam("eid"))
                .values(sme_left_on=latest, version=table.c.version + 1),
                [{"eid": id_} for id_, _ in left],
            )
            changes = {"sme_left_on": [None, latest]}
            record_bulk(
                session, self.actor, "enterprises", [("update", i, changes) for i, _ in left]
            )
        return f"реестр МСП на {latest:%d.%m.%Y}; отмечено выбывшими из реестра: {len(left)}"


def _ids_by_inn(session: Session, inns: set[str]) -> dict[str, int]:
    table = Enterprise.__table__
    return {
        e["inn"]: e["id"]
        for e in select_in(session.connection(), table, ["id", "inn"], "inn", inns)
    }


class Figures(Writer):
    """Headcount or revenue by the year of the state date, matched by INN; an unknown INN is
    refused (listed in the report) unless the run creates the missing enterprises."""

    FIELDS: ClassVar[tuple[str, ...]] = ()

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        return (values["inn"], values["state_date"].year)

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        found = _ids_by_inn(session, {r.values["inn"] for r in rows})
        if self.options.get("create_missing"):
            missing = [r for r in rows if r.values["inn"] not in found]
            if self._create(session, missing):
                found = _ids_by_inn(session, {r.values["inn"] for r in rows})
        records, refused = [], {p.row for p in self.problems}
        for row in rows:
            enterprise_id = found.get(row.values["inn"])
            if enterprise_id is None:
                if row.number not in refused:
                    self.refuse(row, "inn", UNKNOWN.format(inn=row.values["inn"]))
                continue
            records.append((row, self.record(row.values, enterprise_id)))
        return self.save(session, EnterpriseFigure, ("enterprise_id", "year"), records)

    def record(self, values: dict[str, Any], enterprise_id: int) -> dict[str, Any]:
        """The figure of the year, with its source and state date."""
        raise NotImplementedError

    def _create(self, session: Session, rows: list[Parsed]) -> bool:
        """Minimal enterprises for unknown INNs: the name in the file, the region of the INN's
        first two digits, marked ``is_minimal``."""
        records = []
        for row in rows:
            inn = row.values["inn"]
            region = tax_region(inn)
            if region not in self.lookups.regions.codes:
                reason = (
                    f"по первым цифрам ИНН «{inn[:2]}» регион справочника не определяется: "
                    "предприятие не добавлено"
                )
                self.refuse(row, "inn", reason)
                continue
            name = row.values.get("name") or f"ИНН {inn}"
            records.append(
                (
                    row,
                    {
                        "inn": inn,
                        "name": name,
                        "region_code": region,
                        "is_minimal": True,
                        "place_approximate": True,
                        "data_source": self.kind.name,
                        ON_INSERT: {"search_text": search_key(name, inn)},
                    },
                )
            )
        if not records:
            return False
        self.save(session, Enterprise, ("inn",), records)
        return True


class Headcount(Figures):
    kind = KINDS["fns-headcount"]

    def record(self, values: dict[str, Any], enterprise_id: int) -> dict[str, Any]:
        return {
            "enterprise_id": enterprise_id,
            "year": values["state_date"].year,
            "employees": values["employees"],
            "employees_source": self.kind.name,
            "employees_as_of": values["state_date"],
        }


class Revenue(Figures):
    kind = KINDS["fns-revenue"]

    def record(self, values: dict[str, Any], enterprise_id: int) -> dict[str, Any]:
        state: date = values["state_date"]
        record = {
            "enterprise_id": enterprise_id,
            "year": state.year,
            "revenue": values["revenue"],
            "revenue_source": self.kind.name,
            "revenue_as_of": state,
        }
        if "expenses" in values:
            record["expenses"] = values["expenses"]
        return record
