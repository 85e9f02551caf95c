"""Per kind: the key of a row inside the file, the references it needs from the database
(enterprises by INN, clusters and chains by number or name), permissions, and the upsert."""

from collections.abc import Iterable
from typing import Any, ClassVar

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from promcluster.auth import permissions
from promcluster.auth.audit import Actor
from promcluster.auth.models import User
from promcluster.chains.models import Chain
from promcluster.errors import PermissionDenied
from promcluster.imports import gisp
from promcluster.imports.columns import KINDS, Kind, Lookups
from promcluster.imports.rows import Header, Parsed, Problem
from promcluster.imports.upsert import ON_INSERT, Link, Outcome, upsert
from promcluster.matching import documents
from promcluster.matching.models import Need
from promcluster.registry import events
from promcluster.registry import service as registry
from promcluster.registry.models import (
    Enterprise,
    EnterpriseFigure,
    InvestmentProject,
    Membership,
    ProductLine,
    Supply,
    enterprise_okved,
    project_product,
    search_key,
)

NOT_FOUND = "нет предприятия с {what} на платформе: сначала загрузите его (вид «предприятия»)"


class Writer:
    """Writes the rows of one kind; a subclass says how."""

    kind: Kind
    defer_index = False  # new records wait for ``search reindex --missing`` (bulk loads)

    def __init__(
        self, header: Header, lookups: Lookups, user: User | None, actor: Actor, run_id: int
    ) -> None:
        self.header, self.lookups, self.user, self.actor = header, lookups, user, actor
        self.run_id = run_id
        self.problems: list[Problem] = []
        self.options: dict[str, Any] = {}  # the run's options of its kind (``create_missing``)
        self._chains: dict[tuple[int, Any], int] | None = None

    def title(self, field: str) -> str:
        return self.header.titles.get(field, self.kind.column(field).header)

    def refuse(self, row: Parsed, field: str, reason: str) -> None:
        value = row.values.get(field)
        shown = _shown(value)
        self.problems.append(Problem(row.number, self.title(field), shown, reason, row.document))

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        """What identifies the row's record, to find the same record twice in one file."""
        raise NotImplementedError

    @staticmethod
    def prepare(values: dict[str, Any], lookups: Lookups) -> None:
        """Derive what needs no database from a checked row (done where the file is read)."""

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        """Resolve, check and upsert ``rows``; refused ones go to ``self.problems``."""
        raise NotImplementedError

    def finish(self, session: Session) -> str | None:
        """Work done once the whole file is written (a run that completed, not a cancelled or
        interrupted one); returns a note for the run's outcome, if any."""
        return None

    def save(
        self,
        session: Session,
        model: type,
        key: tuple[str, ...],
        records: list[tuple[Parsed, dict[str, Any]]],
        links: dict[str, Link] | None = None,
    ) -> Outcome:
        """Upsert the records, refusing a second row of the batch that means the same record
        (the same enterprise named once by INN and once by OGRN, say)."""
        first: dict[tuple, int] = {}
        unique = []
        for row, record in records:
            k = tuple(record.get(f) for f in key)
            if k in first:
                shown = " ".join(str(v) for v in k if v is not None)
                where = "документе №" if row.document else "строке "
                reason = f"повтор: та же запись, что в {where}{first[k]}"
                problem = Problem(row.number, self.kind.key, shown, reason, row.document)
                self.problems.append(problem)
                continue
            first[k] = row.number
            unique.append(record)
        if not records:
            return Outcome()
        rows = [records[0][0].number, records[-1][0].number]
        origin = {"import_run": self.run_id, "rows": rows}
        outcome = upsert(session, model, key, unique, self.actor, links, origin)
        if (indexed := documents.KIND_OF.get(model)) is not None:
            changed = outcome.updated_ids if self.defer_index else outcome.ids_written
            documents.refresh(session.connection(), indexed, changed)
        return outcome

    # References shared by several kinds

    def enterprises(
        self, session: Session, rows: Iterable[Parsed], pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], Enterprise]:
        """Enterprises named in ``rows`` by the (field, identifier kind) ``pairs``, keyed by
        ("inn"|"ogrn", value)."""
        wanted: dict[str, set[str]] = {"inn": set(), "ogrn": set()}
        for row in rows:
            for field, by in pairs:
                if field in row.values:
                    wanted[by].add(row.values[field])
        found: dict[tuple[str, str], Enterprise] = {}
        if wanted["inn"] or wanted["ogrn"]:
            query = select(Enterprise).where(
                or_(Enterprise.inn.in_(wanted["inn"]), Enterprise.ogrn.in_(wanted["ogrn"]))
            )
            for e in session.scalars(query).unique():
                found[("inn", e.inn)] = e
                found[("ogrn", e.ogrn)] = e
        return found

    def owner(
        self, row: Parsed, found: dict, inn_field: str = "inn", ogrn_field: str = "ogrn"
    ) -> Enterprise | None:
        """The enterprise a row names by INN or OGRN, or None with the row refused."""
        for field, by in ((inn_field, "inn"), (ogrn_field, "ogrn")):
            if field in row.values:
                enterprise = found.get((by, row.values[field]))
                if enterprise is None:
                    label = "ИНН" if by == "inn" else "ОГРН"
                    what = f"{label} {row.values[field]}"
                    self.refuse(row, field, NOT_FOUND.format(what=what))
                return enterprise
        return None

    def may_edit(self, row: Parsed, field: str, enterprise: Enterprise) -> bool:
        """Whether the user may change this enterprise's data; refuses the row when not."""
        return self.allowed(row, field, self._require_enterprise, enterprise)

    @staticmethod
    def _require_enterprise(user: User, enterprise: Enterprise) -> None:
        registry.require_enterprise_access(user, enterprise)  # the one rule (PERMISSIONS.md)

    def allowed(self, row: Parsed, field: str, check, *args) -> bool:
        if self.user is None:
            return True
        try:
            check(self.user, *args)
        except PermissionDenied as exc:
            self.refuse(row, field, f"нет прав: {exc}")
            return False
        return True

    def cluster_id(self, row: Parsed) -> int | None:
        """The row's cluster (resolved while parsing), if the user manages it."""
        id_ = row.values["cluster"]
        return id_ if self.allowed(row, "cluster", permissions.require_cluster, id_) else None

    def chain_id(self, session: Session, row: Parsed, cluster_id: int) -> int | None:
        if self._chains is None:
            self._chains = {}
            for id_, cid, position, name in session.execute(
                select(Chain.id, Chain.cluster_id, Chain.position, Chain.name)
            ):
                self._chains[(cid, position)] = id_
                self._chains[(cid, name.casefold())] = id_
        ref = row.values["chain"]
        id_ = self._chains.get((cluster_id, ref.casefold() if isinstance(ref, str) else ref))
        if id_ is None:
            self.refuse(row, "chain", f"в кластере нет цепочки «{ref}»")
        return id_


def refresh_search_text(session: Session, ids: list[int]) -> None:
    """Recompute the search text of updated enterprises from everything stored about them."""
    if not ids:
        return
    table = Enterprise.__table__
    rows = session.execute(
        select(table.c.id, table.c.name, table.c.full_name, table.c.inn, table.c.ogrn).where(
            table.c.id.in_(ids)
        )
    ).all()
    session.execute(
        update(table).where(table.c.id == bindparam("eid")),
        [
            {"eid": r.id, "search_text": search_key(r.name, r.full_name, r.inn, r.ogrn)}
            for r in rows
        ],
    )


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def _fields(values: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {n: values[n] for n in names if n in values}


def _fold(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


class Enterprises(Writer):
    kind = KINDS["enterprises"]
    LINKS: ClassVar = {"okved_extra": Link(enterprise_okved, "enterprise_id", "okved_code")}

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        return (values.get("inn"),)

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        ogrns = {r.values["ogrn"] for r in rows if "ogrn" in r.values}
        query = select(Enterprise.ogrn, Enterprise.inn).where(Enterprise.ogrn.in_(ogrns))
        holders = {ogrn: inn for ogrn, inn in session.execute(query)}
        existing = self.enterprises(session, rows, [("inn", "inn")]) if self.user else {}
        records = []
        for row in rows:
            v = row.values
            holder = holders.setdefault(v["ogrn"], v["inn"]) if "ogrn" in v else v["inn"]
            if holder != v["inn"]:
                self.refuse(row, "ogrn", f"этот ОГРН уже у другого предприятия (ИНН {holder})")
                continue
            if self.user and not self._may_write(row, existing.get(("inn", v["inn"]))):
                continue
            records.append((row, v))
        outcome = self.save(session, Enterprise, ("inn",), records, self.LINKS)
        refresh_search_text(session, outcome.updated_ids)
        return outcome

    @staticmethod
    def prepare(values: dict[str, Any], lookups: Lookups) -> None:
        """The row becomes the record: a known city's name turns into its id (an unknown one is
        dropped; the address keeps the place); the search text is set for a new enterprise (an
        updated one gets it recomputed from all its stored names)."""
        city = values.pop("city", None)
        if city and (found := lookups.regions.city(values["region_code"], city)):
            values["city_id"] = found.id
        names = (values["name"], values.get("full_name"), values["inn"], values.get("ogrn"))
        values[ON_INSERT] = {"search_text": search_key(*names)}

    def _may_write(self, row: Parsed, enterprise: Enterprise | None) -> bool:
        if enterprise is None:
            return self.allowed(row, "inn", permissions.require_creator)
        return self.may_edit(row, "inn", enterprise)


class Members(Writer):
    kind = KINDS["members"]

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        return (values["cluster"], values.get("inn"), values.get("ogrn"))

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        found = self.enterprises(session, rows, [("inn", "inn"), ("ogrn", "ogrn")])
        records = []
        for row in rows:
            cluster_id = self.cluster_id(row)
            enterprise = self.owner(row, found)
            if cluster_id is None or enterprise is None:
                continue
            v = row.values
            if v.get("since") and v.get("until") and v["until"] < v["since"]:
                self.refuse(row, "until", "дата выхода раньше даты вступления")
                continue
            record = _fields(v, ("status", "role", "since", "until", "note"))
            records.append(
                (row, record | {"cluster_id": cluster_id, "enterprise_id": enterprise.id})
            )
        before = events.statuses(session, {r["enterprise_id"] for _, r in records})
        outcome = self.save(session, Membership, ("enterprise_id", "cluster_id"), records)
        events.record_batch(session, outcome.ids_written, before)
        return outcome


class Products(Writer):
    kind = KINDS["products"]
    FIELDS = (
        "direction",
        "name",
        "volume",
        "unit",
        "value",
        "outside_share",
        "import_share",
        "year",
    )

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        return (values.get("inn"), values.get("ogrn"), values["okpd2"], values["direction"])

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        found = self.enterprises(session, rows, [("inn", "inn"), ("ogrn", "ogrn")])
        records = []
        for row in rows:
            enterprise = self.owner(row, found)
            if enterprise is None or not self.may_edit(row, "inn", enterprise):
                continue
            v = row.values
            if v["direction"] == "produces" and ("outside_share" in v or "import_share" in v):
                field = "outside_share" if "outside_share" in v else "import_share"
                self.refuse(
                    row, field, "доли закупок указываются только для потребляемой продукции"
                )
                continue
            record = _fields(v, self.FIELDS) | {
                "enterprise_id": enterprise.id,
                "okpd2_code": v["okpd2"],
                "registry_number": None,  # the firm's own line, not a registry entry (ГИСП)
            }
            records.append((row, record))
        key = ("enterprise_id", "okpd2_code", "direction", "registry_number")
        return self.save(session, ProductLine, key, records)


class Supplies(Writer):
    kind = KINDS["supplies"]

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        return (values["supplier_inn"], values["buyer_inn"], values["okpd2"], values["year"])

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        found = self.enterprises(session, rows, [("supplier_inn", "inn"), ("buyer_inn", "inn")])
        records = []
        for row in rows:
            supplier = self.owner(row, found, "supplier_inn", "")
            buyer = self.owner(row, found, "buyer_inn", "")
            if supplier is None or buyer is None:
                continue
            if supplier.id == buyer.id:
                self.refuse(row, "buyer_inn", "поставщик и покупатель — одно предприятие")
                continue
            if self.user and not any(
                permissions.allowed(self._require_enterprise, self.user, e)
                for e in (buyer, supplier)
            ):
                self.refuse(
                    row, "buyer_inn", "нет прав: вы не представляете ни поставщика, ни покупателя"
                )
                continue
            v = row.values
            record = _fields(v, ("year", "value", "volume", "unit"))
            record |= {"supplier_id": supplier.id, "buyer_id": buyer.id, "okpd2_code": v["okpd2"]}
            records.append((row, record))
        key = ("supplier_id", "buyer_id", "okpd2_code", "year")
        return self.save(session, Supply, key, records)


class Projects(Writer):
    kind = KINDS["projects"]
    FIELDS = (
        "name", "amount", "start_year", "end_year", "status", "import_substitution", "jobs",
        "products", "description",
    )  # fmt: skip
    LINKS: ClassVar = {"products": Link(project_product, "project_id", "okpd2_code")}

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        return (values["cluster"], values["name"].casefold())

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        found = self.enterprises(session, rows, [("initiator_inn", "inn")])
        records = []
        for row in rows:
            v = row.values
            cluster_id = self.cluster_id(row)
            if cluster_id is None:
                continue
            record = _fields(v, self.FIELDS) | {"cluster_id": cluster_id}
            if "chain" in v:
                if (chain_id := self.chain_id(session, row, cluster_id)) is None:
                    continue
                record["chain_id"] = chain_id
            if "initiator_inn" in v:
                if (initiator := self.owner(row, found, "initiator_inn", "")) is None:
                    continue
                record["initiator_id"] = initiator.id
            if v.get("start_year") and v.get("end_year") and v["end_year"] < v["start_year"]:
                self.refuse(row, "end_year", "год окончания раньше года начала")
                continue
            records.append((row, record))
        key = ("cluster_id", "name")
        return self.save(session, InvestmentProject, key, records, self.LINKS)


class Needs(Writer):
    kind = KINDS["needs"]
    FIELDS = ("product_name", "volume", "unit", "value", "deadline", "status", "description")

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        customer = values.get("customer_inn") or _fold(values.get("customer_name"))
        return (customer, values["product_name"].casefold(), values.get("okpd2"))

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        found = self.enterprises(session, rows, [("customer_inn", "inn")])
        records = []
        for row in rows:
            v = row.values
            record = _fields(v, self.FIELDS) | {"okpd2_code": v.get("okpd2")}
            if "customer_inn" in v:
                customer = self.owner(row, found, "customer_inn", "")
                if customer is None or not self.may_edit(row, "customer_inn", customer):
                    continue
                record |= {"customer_id": customer.id, "customer_name": None}
                if "region_code" in v:
                    record["region_code"] = v["region_code"]
                else:
                    record[ON_INSERT] = {"region_code": customer.region_code}
            else:
                if not self.allowed(row, "customer_name", permissions.require_creator):
                    continue
                if "region_code" not in v:
                    self.refuse(row, "customer_name", "для заказчика не с платформы укажите регион")
                    continue
                record |= {"customer_id": None, "customer_name": v["customer_name"]}
                record["region_code"] = v["region_code"]
            records.append((row, record))
        key = ("product_name", "customer_id", "customer_name", "okpd2_code")
        return self.save(session, Need, key, records)


class Figures(Writer):
    """An enterprise's headcount and revenue by reporting year; the enterprise's current
    ``employees`` and ``revenue`` are left as they are."""

    kind = KINDS["figures"]
    FIELDS = ("year", "employees", "revenue")

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        return (values.get("inn"), values.get("ogrn"), values["year"])

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        found = self.enterprises(session, rows, [("inn", "inn"), ("ogrn", "ogrn")])
        records = []
        for row in rows:
            enterprise = self.owner(row, found)
            if enterprise is None or not self.may_edit(row, "inn", enterprise):
                continue
            record = _fields(row.values, self.FIELDS) | {"enterprise_id": enterprise.id}
            records.append((row, record))
        return self.save(session, EnterpriseFigure, ("enterprise_id", "year"), records)


class GispProducts(Writer):
    """Entries of the registry of industrial products made in Russia (ГИСП, Decree No. 719):
    one product line per entry, keyed by its registry number, of the enterprise found by INN.
    An enterprise not yet on the platform is created from the row (name, OGRN, address,
    region); a stored one keeps its card: the registry only adds its entries. Of an entry's
    rows (renewals) the newest document wins, whatever the order of rows and runs."""

    kind = KINDS["gisp-products"]
    LINE_FIELDS = ("tnved_code", "registry_date", "registry_valid_until", "registry_end_date")

    @staticmethod
    def file_key(values: dict[str, Any]) -> tuple:
        dated = (values.get("registry_date"), values.get("registry_valid_until"))
        return (values["registry_number"], *dated)

    @staticmethod
    def prepare(values: dict[str, Any], lookups: Lookups) -> None:
        """Drop the registry's «-» cells; place a possible new enterprise."""
        for field in [f for f, v in values.items() if v is None]:
            del values[field]
        region, city = gisp.place(values.get("org_address"), values["inn"], lookups.regions)
        values["region_code"], values["city_id"] = region, city

    def write(self, session: Session, rows: list[Parsed]) -> Outcome:
        found = self.enterprises(session, rows, [("inn", "inn"), ("ogrn", "ogrn")])
        holders = {key[1]: e.inn for key, e in found.items() if key[0] == "ogrn" and key[1]}
        new: dict[str, tuple[Parsed, dict[str, Any]]] = {}
        kept = []
        for row in rows:
            v = row.values
            holder = holders.setdefault(v["ogrn"], v["inn"]) if "ogrn" in v else v["inn"]
            if holder != v["inn"]:
                self.refuse(row, "ogrn", f"этот ОГРН уже у другого предприятия (ИНН {holder})")
                continue
            enterprise = found.get(("inn", v["inn"]))
            if enterprise is None:
                if v["inn"] not in new and not self._may_create(row):
                    continue
                new.setdefault(v["inn"], (row, self._enterprise(v)))
            elif enterprise.ogrn and v.get("ogrn", enterprise.ogrn) != enterprise.ogrn:
                reason = f"у предприятия с ИНН {v['inn']} на платформе ОГРН {enterprise.ogrn}"
                self.refuse(row, "ogrn", reason)
                continue
            elif not self._may_add(row, enterprise):
                continue
            kept.append(row)
        self.save(session, Enterprise, ("inn",), list(new.values()))
        inns = {r.values["inn"] for r in kept}
        ids = dict(
            session.execute(
                select(Enterprise.inn, Enterprise.id).where(Enterprise.inn.in_(inns))
            ).all()
        )
        return self._lines(session, [(r, self._line(r.values, ids[r.values["inn"]])) for r in kept])

    def _lines(self, session: Session, records: list[tuple[Parsed, dict[str, Any]]]) -> Outcome:
        """Upsert the newest row of each entry; older rows (of this batch or older than the
        stored entry) change nothing and count as unchanged."""
        latest, superseded = gisp.newest(records)
        numbers = [r["registry_number"] for _, r in latest]
        stored = {
            number: gisp.freshness({"registry_date": d, "registry_valid_until": until})
            for number, d, until in session.execute(
                select(
                    ProductLine.registry_number,
                    ProductLine.registry_date,
                    ProductLine.registry_valid_until,
                ).where(ProductLine.registry_number.in_(numbers))
            )
        }
        fresh = []
        for row, record in latest:
            number = record["registry_number"]
            if number in stored and stored[number] > gisp.freshness(record):
                superseded.append((row, record))
            else:
                fresh.append((row, record))
        outcome = self.save(session, ProductLine, ("registry_number",), fresh)
        outcome.unchanged += len(superseded)
        return outcome

    def _line(self, v: dict[str, Any], enterprise_id: int) -> dict[str, Any]:
        return _fields(v, self.LINE_FIELDS) | {
            "registry_number": v["registry_number"],
            "enterprise_id": enterprise_id,
            "okpd2_code": v["okpd2"],
            "direction": "produces",
            "name": v["product_name"],
        }

    @staticmethod
    def _enterprise(v: dict[str, Any]) -> dict[str, Any]:
        record = {"inn": v["inn"], "name": v["org_name"], "region_code": v["region_code"]}
        record |= {k: v[f] for k, f in (("ogrn", "ogrn"), ("address", "org_address")) if f in v}
        if v.get("city_id") is not None:
            record["city_id"] = v["city_id"]
        record[ON_INSERT] = {
            "search_text": search_key(v["org_name"], None, v["inn"], v.get("ogrn"))
        }
        return record

    def _may_create(self, row: Parsed) -> bool:
        """A new enterprise needs a region and a user who may add enterprises."""
        if row.values.get("region_code") is None:
            reason = (
                "предприятия нет на платформе, а регион не определить ни по адресу, "
                "ни по первым цифрам ИНН: сначала загрузите его (вид «предприятия»)"
            )
            self.refuse(row, "inn", reason)
            return False
        return self.allowed(row, "inn", permissions.require_creator)

    def _may_add(self, row: Parsed, enterprise: Enterprise) -> bool:
        """Entries of an enterprise that is no cluster's member are open to whoever may add
        enterprises; a member's, to whoever may edit its card (docs/PERMISSIONS.md)."""
        if self.user is not None and not registry.member_clusters(enterprise):
            return self.allowed(row, "inn", permissions.require_creator)
        return self.may_edit(row, "inn", enterprise)


WRITERS: dict[str, type[Writer]] = {
    w.kind.name: w
    for w in (Enterprises, Members, Products, Supplies, Projects, Needs, Figures, GispProducts)
}
