"""Writing public procurement (``procurement``): contracts under 44-FZ and 223-FZ and 223-FZ
purchase plans, each stored once at its latest version with its items, and what is derived
from them for the customers a batch touched — consumption lines, supplies from the suppliers,
open needs from plan rows (``data_source="procurement"``; lines, supplies and needs typed in or
imported as tables are never touched). Customers and suppliers are enterprises matched by INN;
a missing one is created from what the document states, an existing card is left as it is.
Administrators only (``access.py``), like the tax service's open data."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from promcluster import russian
from promcluster.auth.audit import record_bulk
from promcluster.db import insert_rows, select_in
from promcluster.imports.columns import KINDS
from promcluster.imports.models import RejectedRow
from promcluster.imports.procurement import ROOT_FIELD
from promcluster.imports.rows import Parsed, Problem
from promcluster.imports.upsert import ON_INSERT, Outcome, upsert
from promcluster.imports.writers import Writer
from promcluster.matching import documents
from promcluster.matching.models import Need
from promcluster.procurement.models import ProcurementDocument, ProcurementItem
from promcluster.registry.models import Enterprise, ProductLine, Supply, search_key

SOURCE = "procurement"
NAME_CHARS, UNIT_CHARS, ITEM_UNIT_CHARS, FILE_CHARS = 500, 30, 50, 500
DOCUMENT_FIELDS = (
    "law", "kind", "number", "version", "schema_version", "signed_on", "year", "customer_kpp",
    "total_kopecks", "priced_items",
)  # fmt: skip
ITEM_FIELDS = (
    "position", "name", "okpd2_code", "okpd_code", "ktru_code", "okei_code", "quantity",
    "price_kopecks", "sum_kopecks",
)  # fmt: skip
# The report's field of a problem the writer finds, when the reader's kind names none.
TITLES = {"customer": "Заказчик", "supplier": "Поставщик", "number": "Номер документа"}
KIND_WORDS = {  # 44-FZ says «контракт», 223-FZ «договор»
    ("44", "contract"): ("контракт", ""),
    ("223", "contract"): ("договор", ""),
    ("223", "plan"): ("план", " закупки"),
}
NOTES = "procurement_notes"  # the run's notes (``RunNotes``), kept on its header
CUSTOMERS = 500  # customers whose derived lines and supplies are rewritten at a time
MAX_NOTES = 5  # documents whose notes the run's message quotes


@dataclass(frozen=True)
class Party:
    """An enterprise as the import sees it: id and the region of its card."""

    id: int
    region_code: str


@dataclass
class RunNotes:
    """The reader's notes on the documents a run wrote: how many documents had any, the first
    few with their document, and the last row counted."""

    documents: int = 0
    first: list[str] = field(default_factory=list)
    last_row: int = 0


class Procurement(Writer):
    """``procurement``: one document per row (``values`` as ``imports/procurement.py`` reads
    them). A newer version of a stored document replaces it and its items; the same or an older
    version changes nothing (counted unchanged)."""

    kind = KINDS["procurement"]

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        return (values["law"], values["kind"], values["number"], values["version"])

    def title(self, field: str) -> str:
        if field in self.header.titles:
            return self.header.titles[field]
        known = {c.field for c in self.kind.columns}
        return self.kind.column(field).header if field in known else TITLES.get(field, field)

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        outcome = Outcome()
        latest, older = _latest(rows)
        outcome.unchanged += older
        stored = self._stored(session, latest)
        fresh: list[tuple[Parsed, int | None]] = []
        for row in latest:
            v = row.values
            found = stored.get((v["law"], v["kind"], v["number"]))
            if found is not None and found[1] >= v["version"]:
                outcome.unchanged += 1
            else:
                fresh.append((row, None if found is None else found[0]))
        if not fresh:
            return outcome
        parties = self._parties(session, [r for r, _ in fresh])
        accepted = [(r, id_) for r, id_ in fresh if r.values["customer"]["inn"] in parties]
        if not accepted:
            return outcome
        self._note(accepted)
        self._documents(session, accepted, parties)
        outcome.created += sum(id_ is None for _, id_ in accepted)
        outcome.updated += sum(id_ is not None for _, id_ in accepted)
        return outcome

    # Documents

    @staticmethod
    def _stored(session: Session, rows: list[Parsed]) -> dict[tuple, tuple[int, int]]:
        """(law, kind, number) → (id, version) of the documents already stored."""
        table = ProcurementDocument.__table__
        numbers = {r.values["number"] for r in rows}
        columns = ["id", "law", "kind", "number", "version"]
        return {
            (d["law"], d["kind"], d["number"]): (d["id"], d["version"])
            for d in select_in(session.connection(), table, columns, "number", numbers)
        }

    def _documents(
        self, session: Session, accepted: list[tuple[Parsed, int | None]], parties: dict
    ) -> None:
        """Insert the new documents, replace the older versions; their items, and the needs of
        plan rows. The documents are stored not yet derived (``finish`` derives them)."""
        connection = session.connection()
        table = ProcurementDocument.__table__
        records = {id(r): self._document(r, parties) for r, _ in accepted}
        replaced = {id_: r for r, id_ in accepted if id_ is not None}
        before: dict[int, dict[str, Any]] = {}
        old_needs: dict[int, dict[int, int]] = {}  # document → position → need
        if replaced:
            columns = ["id", "customer_id", "version"]
            before = {d["id"]: d for d in select_in(connection, table, columns, "id", replaced)}
            items = ProcurementItem.__table__
            query = select(items.c.document_id, items.c.position, items.c.need_id).where(
                items.c.document_id.in_(replaced), items.c.need_id.is_not(None)
            )
            for document_id, position, need_id in session.execute(query):
                old_needs.setdefault(document_id, {})[position] = need_id
            session.execute(delete(items).where(items.c.document_id.in_(replaced)))
            session.execute(
                update(table).where(table.c.id == bindparam("did")),
                [{"did": id_} | records[id(row)] for id_, row in replaced.items()],
            )
        new = [(r, records[id(r)]) for r, id_ in accepted if id_ is None]
        ids = {id(row): id_ for id_, row in replaced.items()}
        if new:
            columns = sorted(records[id(new[0][0])])
            insert_rows(
                connection, table.name, columns, [tuple(map(r.get, columns)) for _, r in new]
            )
            found = select_in(
                connection, table, ["id", "law", "kind", "number"], "number",
                {r["number"] for _, r in new},
            )  # fmt: skip
            by_key = {(d["law"], d["kind"], d["number"]): d["id"] for d in found}
            for row, record in new:
                ids[id(row)] = by_key[(record["law"], record["kind"], record["number"])]
        regions = {p.id: p.region_code for p in parties.values()}
        items, dropped = [], []
        for row, _ in accepted:
            document_id, record = ids[id(row)], records[id(row)]
            region = regions[record["customer_id"]]
            old = old_needs.get(document_id, {})
            needs = self._needs(session, row, record, region, old)
            dropped += [need for position, need in old.items() if position not in needs]
            items += [_item(document_id, i, needs.get(i["position"])) for i in row.values["items"]]
        columns = ["document_id", *ITEM_FIELDS, "unit", "need_id"]
        insert_rows(
            connection,
            ProcurementItem.__tablename__,
            columns,
            [tuple(map(i.get, columns)) for i in items],
        )
        self._close_needs(session, dropped)
        entries: list[tuple[str, int | None, dict[str, Any]]] = [
            ("update", id_, {"version": [before[id_]["version"], records[id(row)]["version"]]})
            for id_, row in replaced.items()
        ]
        if new:
            origin = {"import_run": self.run_id, "rows": [new[0][0].number, new[-1][0].number]}
            entries.append(("create", None, origin | {"ids": [ids[id(r)] for r, _ in new]}))
        record_bulk(session, self.actor, table.name, entries)

    def _document(self, row: Parsed, parties: dict[str, Party]) -> dict[str, Any]:
        v = row.values
        supplier = v.get("supplier")
        region = v.get("supplier_region_code")
        found = parties.get(supplier["inn"]) if supplier and supplier.get("inn") else None
        record = {f: v.get(f) for f in DOCUMENT_FIELDS}
        record |= {
            "customer_id": parties[v["customer"]["inn"]].id,
            "supplier_id": None if found is None else found.id,
            "supplier_region_code": region if region in self.lookups.regions.codes else None,
            "file": (row.document or "").rsplit(" · ", 1)[0][:FILE_CHARS] or None,
            "import_run_id": self.run_id,
            "derived": False,
        }
        return record

    # Parties

    def _parties(self, session: Session, rows: list[Parsed]) -> dict[str, Party]:
        """The customers and suppliers of ``rows`` by INN, the missing ones created from the
        documents. A document whose customer is missing and has no known region is refused;
        a supplier that cannot be created leaves the document without one."""
        named = [p for r in rows for p in (r.values["customer"], r.values.get("supplier")) if p]
        found = _parties(session, {p["inn"] for p in named if p.get("inn")})
        regions: dict[str, str] = {}  # a missing customer's region: the first a document knows
        for row in rows:
            customer = row.values["customer"]
            if customer.get("region_code") in self.lookups.regions.codes:
                regions.setdefault(customer["inn"], customer["region_code"])
        new: dict[str, tuple[Parsed, dict[str, Any]]] = {}
        refused: set[int] = set()
        for row in rows:
            customer = row.values["customer"]
            inn = customer["inn"]
            if inn not in found and inn not in new:
                region = regions.get(inn)
                if region is None:
                    reason = (
                        "заказчика нет на платформе, а его регион не определить ни по ИНН, "
                        "ни по КПП: документ не загружен"
                    )
                    self.problems.append(
                        Problem(row.number, self.title("customer_inn"), inn, reason, row.document)
                    )
                    refused.add(id(row))
                    continue
                new[inn] = (row, _enterprise(customer | {"region_code": region}, self.kind.name))
        for row in rows:
            supplier = row.values.get("supplier")
            if id(row) in refused or not supplier or not supplier.get("inn"):
                continue
            inn = supplier["inn"]
            region = supplier.get("region_code") or row.values.get("supplier_region_code")
            if inn not in found and inn not in new and region in self.lookups.regions.codes:
                new[inn] = (row, _enterprise(supplier | {"region_code": region}, self.kind.name))
        if new:
            self.save(session, Enterprise, ("inn",), list(new.values()))
            found |= _parties(session, set(new))
        return found

    # Needs of plan rows

    def _needs(
        self,
        session: Session,
        row: Parsed,
        document: dict[str, Any],
        region: str,
        old: dict[int, int],
    ) -> dict[int, int]:
        """An open need of the customer per plan row (position → need id): the need a row had
        in the version replaced is updated, a new row gets a new one."""
        if document["kind"] != "plan":
            return {}
        table = Need.__table__
        wanted = {i["position"]: _need(i, document, region) for i in row.values["items"]}
        kept = {p: old[p] for p in wanted if p in old}
        changed = self._update_needs(session, kept, wanted)
        fresh = [p for p in wanted if p not in kept]
        ids: dict[int, int] = dict(kept)
        if fresh:
            result = session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True),
                [wanted[p] for p in fresh],
            )
            created = list(result.scalars())
            ids |= dict(zip(fresh, created, strict=True))
            origin = {"import_run": self.run_id, "rows": [row.number], "ids": created}
            record_bulk(session, self.actor, table.name, [("create", None, origin)])
        indexed = changed if self.defer_index else changed + [ids[p] for p in fresh]
        documents.refresh(session.connection(), "need", indexed)
        return ids

    def _update_needs(
        self, session: Session, kept: dict[int, int], wanted: dict[int, dict[str, Any]]
    ) -> list[int]:
        """Bring the needs kept from the replaced version to their rows; the changed ids."""
        if not kept:
            return []
        table = Need.__table__
        fields = sorted(next(iter(wanted.values())))
        stored = {
            n["id"]: n
            for n in select_in(session.connection(), table, ["id", *fields], "id", kept.values())
        }
        entries, changed = [], []
        for position, need_id in kept.items():
            now = stored[need_id]
            changes = {f: [now[f], v] for f, v in wanted[position].items() if now[f] != v}
            if changes:
                session.execute(
                    update(table)
                    .where(table.c.id == need_id)
                    .values({f: after for f, (_, after) in changes.items()})
                    .values(version=table.c.version + 1)
                )
                entries.append(("update", need_id, changes))
                changed.append(need_id)
        record_bulk(session, self.actor, table.name, entries)
        return changed

    def _close_needs(self, session: Session, ids: list[int]) -> None:
        """Needs of plan rows a newer version dropped are closed, not deleted (responses to
        them stay)."""
        if not ids:
            return
        table = Need.__table__
        session.execute(
            update(table)
            .where(table.c.id.in_(ids), table.c.status == "open")
            .values(status="closed", version=table.c.version + 1)
        )
        entries = [("update", i, {"status": ["open", "closed"]}) for i in ids]
        record_bulk(session, self.actor, table.name, entries)
        documents.refresh(session.connection(), "need", ids)

    # Derived consumption lines and supplies

    def _derive(self, session: Session) -> None:
        """Rewrite the consumption lines and supplies of every customer with a contract stored
        and not yet derived (by this run, or by an earlier one cut short), a few hundred
        customers at a time: once per run, so a run's cost grows with its size, not its square."""
        d = ProcurementDocument.__table__
        pending = d.c.derived.is_(False)
        query = select(d.c.customer_id).where(pending, d.c.kind == "contract").distinct()
        for chunk in documents.chunks(sorted(session.scalars(query)), CUSTOMERS):
            self._consumption(session, chunk)
            self._supplies(session, chunk)
        session.execute(update(d).where(pending).values(derived=True))

    def _consumption(self, session: Session, customers: list[int]) -> None:
        """Rewrite the customers' consumption lines from their contracts: per OKPD2 code, the
        purchases of the latest year with items of the code, with the share bought from
        suppliers of other regions (of the value whose supplier's region is known)."""
        d, i = ProcurementDocument.__table__, ProcurementItem.__table__
        buyer, seller = aliased(Enterprise), aliased(Enterprise)
        region = func.coalesce(d.c.supplier_region_code, seller.region_code)
        known = func.sum(case((region.is_not(None), i.c.sum_kopecks))).label("known")
        outside = func.sum(case((region != buyer.region_code, i.c.sum_kopecks))).label("outside")
        query = (
            select(d.c.customer_id, i.c.okpd2_code, d.c.year, *_amounts(i), known, outside)
            .join(i, i.c.document_id == d.c.id)
            .join(buyer, buyer.id == d.c.customer_id)
            .outerjoin(seller, seller.id == d.c.supplier_id)
            .where(d.c.kind == "contract", d.c.customer_id.in_(customers))
            .where(i.c.okpd2_code.is_not(None))
            .group_by(d.c.customer_id, i.c.okpd2_code, d.c.year)
        )
        latest: dict[tuple[int, str], Any] = {}
        for r in session.execute(query):
            key = (r.customer_id, r.okpd2_code)
            if key not in latest or latest[key].year < r.year:
                latest[key] = r
        wanted = {
            key: {
                "enterprise_id": key[0],
                "okpd2_code": key[1],
                "direction": "consumes",
                "registry_number": None,
                "year": r.year,
                "value": _roubles(r.value),
                "outside_share": float(r.outside or 0) / float(r.known) if r.known else None,
                "data_source": SOURCE,
            }
            | _volume(r)
            for key, r in latest.items()
        }
        lines = ProductLine.__table__
        scope = and_(
            lines.c.enterprise_id.in_(customers),
            lines.c.direction == "consumes",
            lines.c.registry_number.is_(None),
        )
        fields = ("enterprise_id", "okpd2_code")
        unique = (*fields, "direction", "registry_number")
        self._rewrite(session, ProductLine, scope, wanted, fields, unique)

    def _supplies(self, session: Session, customers: list[int]) -> None:
        """Rewrite the supplies to the customers: per supplier, OKPD2 code and year."""
        d, i = ProcurementDocument.__table__, ProcurementItem.__table__
        key = (d.c.supplier_id, d.c.customer_id, i.c.okpd2_code, d.c.year)
        query = (
            select(*key, *_amounts(i))
            .join(i, i.c.document_id == d.c.id)
            .where(d.c.kind == "contract", i.c.okpd2_code.is_not(None))
            .where(d.c.customer_id.in_(customers), d.c.supplier_id.is_not(None))
            .where(d.c.supplier_id != d.c.customer_id)
            .group_by(*key)
        )
        wanted = {
            (r.customer_id, r.supplier_id, r.okpd2_code, r.year): {
                "buyer_id": r.customer_id,
                "supplier_id": r.supplier_id,
                "okpd2_code": r.okpd2_code,
                "year": r.year,
                "value": _roubles(r.value),
                "data_source": SOURCE,
            }
            | _volume(r)
            for r in session.execute(query)
        }
        table = Supply.__table__
        scope = table.c.buyer_id.in_(customers)
        fields = ("buyer_id", "supplier_id", "okpd2_code", "year")
        self._rewrite(session, Supply, scope, wanted, fields, fields)

    def _rewrite(
        self,
        session: Session,
        model: type,
        scope: ColumnElement[bool],
        wanted: dict[tuple, dict[str, Any]],
        key_fields: tuple[str, ...],
        unique: tuple[str, ...],
    ) -> None:
        """Make the derived records of ``model`` within ``scope`` be ``wanted`` (by their
        ``key_fields``), upserted by their ``unique`` key: a key held by a record typed in or
        imported as a table is left to it."""
        table: Table = model.__table__
        query = select(table.c.id, table.c.data_source, *(table.c[f] for f in key_fields))
        ours, theirs = [], set()
        for r in session.execute(query.where(scope)):
            key = tuple(getattr(r, f) for f in key_fields)
            (ours.append((r.id, key)) if r.data_source == SOURCE else theirs.add(key))
        records = [rec for key, rec in wanted.items() if key not in theirs]
        gone = [id_ for id_, key in ours if key not in wanted or key in theirs]
        if gone:
            session.execute(delete(table).where(table.c.id.in_(gone)))
            record_bulk(session, self.actor, table.name, [("delete", i, {}) for i in gone])
        if records:
            origin = {"import_run": self.run_id}
            outcome = upsert(
                session, model, unique, records, self.actor, origin=origin, scope=scope
            )
            gone += outcome.updated_ids if self.defer_index else outcome.ids_written
        if (indexed := documents.KIND_OF.get(model)) is not None and gone:
            documents.refresh(session.connection(), indexed, gone)

    # The run's message

    def _note(self, accepted: list[tuple[Parsed, int | None]]) -> None:
        """Count the reader's notes of the documents written (once per document: a batch
        written again after a conflict does not count twice)."""
        notes = getattr(self.header, NOTES, None)
        if notes is None:
            notes = RunNotes()
            setattr(self.header, NOTES, notes)  # one header per run: shared by its batches
        for row, _ in accepted:
            said = row.values.get("notes")
            if row.number <= notes.last_row or not said:
                continue
            notes.documents += 1
            if len(notes.first) < MAX_NOTES:
                notes.first.append(f"{row.document}: {', '.join(said)}")
        notes.last_row = max([notes.last_row, *(r.number for r, _ in accepted)])

    def finish(self, session: Session) -> str | None:
        """What the run stored: documents by law and kind, items, needs from plan rows, older
        OKPD codes kept as such, contracts whose total stays at contract level, the reader's
        notes."""
        self._derive(session)
        d, i = ProcurementDocument.__table__, ProcurementItem.__table__
        mine = d.c.import_run_id == self.run_id
        counts = session.execute(
            select(d.c.law, d.c.kind, func.count()).where(mine).group_by(d.c.law, d.c.kind)
        ).all()
        refused = RejectedRow.run_id == self.run_id, RejectedRow.column == ROOT_FIELD
        unknown = session.scalar(select(func.count(func.distinct(RejectedRow.row))).where(*refused))
        other = (
            f"; файлов и документов другого вида (не загружались, см. отчёт об ошибках): "
            f"{russian.number(unknown)}"
            if unknown
            else ""
        )
        if not counts:
            return "новых документов и новых версий нет: всё уже загружено" + other
        laws: dict[str, list[str]] = {}
        for law, kind, n in sorted(counts, key=lambda c: (int(c[0]), c[1])):
            word, tail = KIND_WORDS.get((law, kind), (kind, ""))
            laws.setdefault(law, []).append(russian.plural(n, word) + tail)
        items = select(
            func.count(),
            func.count(i.c.okpd2_code),
            func.count(case((and_(i.c.okpd_code.is_not(None), i.c.okpd2_code.is_(None)), 1))),
            func.count(i.c.need_id),
        ).join(d, d.c.id == i.c.document_id)
        total, coded, older, needs = session.execute(items.where(mine)).one()
        contracts = select(func.count()).select_from(d).where(mine, d.c.kind == "contract")
        unsplit = session.scalar(contracts.where(d.c.priced_items.is_(False)))
        unsupplied = session.scalar(contracts.where(d.c.supplier_id.is_(None)))
        text = [
            "загружено: " + "; ".join(f"{law}-ФЗ — {', '.join(w)}" for law, w in laws.items()),
            f"позиций: {russian.number(total)}, из них с кодом ОКПД2: {russian.number(coded)}",
        ]
        if needs:
            text.append(f"строк планов стали открытыми потребностями: {russian.number(needs)}")
        if older:
            text.append(
                "позиций со старым кодом ОКПД (сохранён как есть, в ОКПД2 не переводился): "
                f"{russian.number(older)}"
            )
        if unsplit:
            text.append(
                "договоров с ценой только по договору в целом (по позициям не распределялась "
                f"и в стоимость закупок по кодам не вошла): {russian.number(unsplit)}"
            )
        if unsupplied:
            text.append(
                "контрактов и договоров без поставщика на платформе (не указан, иностранный "
                f"или регион не определён; поставки не записаны): {russian.number(unsupplied)}"
            )
        notes = getattr(self.header, NOTES, None) or RunNotes()
        if notes.documents:
            more = notes.documents - len(notes.first)
            tail = f" и ещё в {russian.plural(more, 'документ', 'loct')}" if more else ""
            text.append(f"замечания: {'; '.join(notes.first)}{tail}")
        return "; ".join(text) + other


def _latest(rows: list[Parsed]) -> tuple[list[Parsed], int]:
    """The latest version of each document of the batch, and how many older ones it held."""
    latest: dict[tuple, Parsed] = {}
    for row in rows:
        v = row.values
        key = (v["law"], v["kind"], v["number"])
        if key not in latest or latest[key].values["version"] < v["version"]:
            latest[key] = row
    return list(latest.values()), len(rows) - len(latest)


def _parties(session: Session, inns: set[str]) -> dict[str, Party]:
    table = Enterprise.__table__
    columns = ["id", "inn", "region_code"]
    return {
        e["inn"]: Party(e["id"], e["region_code"])
        for e in select_in(session.connection(), table, columns, "inn", inns)
    }


def _enterprise(party: dict[str, Any], source: str) -> dict[str, Any]:
    """A minimal card of a customer or supplier: what the document states."""
    inn = party["inn"]
    name = (party.get("name") or f"ИНН {inn}")[:NAME_CHARS]
    return {
        "inn": inn,
        "name": name,
        "region_code": party["region_code"],
        "is_minimal": True,
        "place_approximate": True,
        "data_source": source,
        ON_INSERT: {"search_text": search_key(name, inn)},
    }


def _item(document_id: int, item: dict[str, Any], need_id: int | None) -> dict[str, Any]:
    unit = item.get("unit")
    return {f: item.get(f) for f in ITEM_FIELDS} | {
        "document_id": document_id,
        "unit": unit[:ITEM_UNIT_CHARS] if unit else None,
        "need_id": need_id,
    }


def _need(item: dict[str, Any], document: dict[str, Any], region: str) -> dict[str, Any]:
    """A plan row as an open need: planned quantity, maximum price, the row's date (or the end
    of its year)."""
    year = item.get("year") or document["year"]
    unit = item.get("unit")
    name = item.get("name") or f"позиция {item['position']} плана закупки № {document['number']}"
    return {
        "customer_id": document["customer_id"],
        "customer_name": None,
        "region_code": region,
        "product_name": name[:NAME_CHARS],
        "okpd2_code": item.get("okpd2_code"),
        "volume": item.get("quantity"),
        "unit": unit[:UNIT_CHARS] if unit else None,
        "value": _roubles(item.get("sum_kopecks")),
        "deadline": item.get("deadline") or date(year, 12, 31),
        "status": "open",
        "description": (
            f"План закупки № {document['number']} (223-ФЗ, версия {document['version']}), "
            f"позиция {item['position']}"
        ),
        "data_source": SOURCE,
    }


def _amounts(items: Table) -> tuple:
    """The aggregates of items a derived record sums: value, and volume when one unit."""
    return (
        func.sum(items.c.sum_kopecks).label("value"),
        func.sum(items.c.quantity).label("volume"),
        func.count().label("n"),
        func.count(items.c.quantity).label("with_quantity"),
        func.count(items.c.unit).label("with_unit"),
        func.min(items.c.unit).label("unit"),
        func.max(items.c.unit).label("last_unit"),
    )


def _volume(r: Any) -> dict[str, Any]:
    """Volume and unit when every item states a quantity in the same unit."""
    one_unit = r.with_unit == r.n and r.unit == r.last_unit
    if one_unit and r.with_quantity == r.n:
        return {"volume": float(r.volume), "unit": r.unit[:UNIT_CHARS]}
    return {"volume": None, "unit": None}


def _roubles(kopecks: Any) -> int | None:
    return None if kopecks is None else round(int(kopecks) / 100)
