"""Clean data out: every kind as CSV, XLSX (Russian headers, frozen header row, fitted widths)
or GeoJSON, and an empty template per import kind. Exported files import back unchanged: the
columns carry the import headers and the values are written the way the importer reads them."""

import inspect
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from promcluster import labels, sheets
from promcluster.errors import InvalidField
from promcluster.imports.columns import KINDS
from promcluster.matching.models import Need
from promcluster.reference.models import City, Region
from promcluster.registry import maps, queries
from promcluster.registry.models import (
    Cluster,
    Enterprise,
    EnterpriseFigure,
    ProductLine,
    Supply,
    enterprise_okved,
)

FORMATS = ("csv", "xlsx", "geojson")
EXPORT_KINDS = (*(k for k, kind in KINDS.items() if not kind.documents), "clusters")
Point = tuple[float, float]
PROGRESS_EVERY = 5000
BATCH = 2000  # rows read from the database at a time (a server-side cursor on PostgreSQL)


@dataclass(frozen=True)
class Field:
    """One exported column: its header and how to read it from a record."""

    header: str
    value: Callable[[Any], Any]
    name: str = ""


def _import(kind: str, field: str, value: Callable[[Any], Any]) -> Field:
    return Field(KINDS[kind].column(field).header, value, field)


def _label(vocabulary: dict[str, str], value: str | None) -> str | None:
    return vocabulary.get(value, value) if value else None


def _region(region) -> str:
    return f"{region.code} - {region.name}"


def _enterprise_fields() -> list[Field]:
    e = "enterprises"
    return [
        _import(e, "inn", lambda o: o.inn),
        _import(e, "ogrn", lambda o: o.ogrn),
        _import(e, "name", lambda o: o.name),
        _import(e, "full_name", lambda o: o.full_name),
        _import(e, "region_code", lambda o: _region(o.region)),
        _import(e, "city", lambda o: o.city.name if o.city else None),
        _import(e, "address", lambda o: o.address),
        _import(e, "lat", lambda o: o.lat),
        _import(e, "lon", lambda o: o.lon),
        _import(e, "okved_main", lambda o: o.okved_main),
        _import(e, "okved_extra", lambda o: o.okved_extra),
        _import(e, "employees", lambda o: o.employees),
        _import(e, "revenue", lambda o: o.revenue),
        _import(e, "sme_category", lambda o: _label(labels.SME_CATEGORIES, o.sme_category)),
        _import(e, "website", lambda o: o.website),
        _import(e, "email", lambda o: o.email),
        _import(e, "phone", lambda o: o.phone),
        _import(e, "description", lambda o: o.description),
        _import(e, "is_synthetic", lambda o: o.is_synthetic),
    ]


def _member_fields() -> list[Field]:
    m = "members"
    return [
        _import(m, "cluster", lambda o: o.cluster.name),
        _import(m, "inn", lambda o: o.enterprise.inn),
        _import(m, "ogrn", lambda o: o.enterprise.ogrn),
        Field("Наименование", lambda o: o.enterprise.name, "name"),
        _import(m, "status", lambda o: _label(labels.MEMBERSHIP_STATUSES, o.status)),
        _import(m, "role", lambda o: _label(labels.MEMBERSHIP_ROLES, o.role)),
        _import(m, "since", lambda o: o.since),
        _import(m, "until", lambda o: o.until),
        _import(m, "note", lambda o: o.note),
    ]


def _product_fields() -> list[Field]:
    p = "products"
    return [
        _import(p, "inn", lambda o: o.enterprise.inn),
        _import(p, "ogrn", lambda o: o.enterprise.ogrn),
        Field("Предприятие", lambda o: o.enterprise.name, "enterprise"),
        _import(p, "okpd2", lambda o: o.okpd2_code),
        _import(p, "direction", lambda o: _label(labels.PRODUCT_DIRECTIONS, o.direction)),
        _import(p, "name", lambda o: o.name),
        _import(p, "volume", lambda o: o.volume),
        _import(p, "unit", lambda o: o.unit),
        _import(p, "value", lambda o: o.value),
        _import(p, "outside_share", lambda o: o.outside_share),
        _import(p, "import_share", lambda o: o.import_share),
        _import(p, "year", lambda o: o.year),
    ]


def _registry_fields() -> list[Field]:
    """Registry lines in the layout of the ГИСП export, so that the file imports back."""
    g = "gisp-products"
    return [
        _import(g, "org_name", lambda o: o.enterprise.name),
        _import(g, "ogrn", lambda o: o.enterprise.ogrn),
        _import(g, "inn", lambda o: o.enterprise.inn),
        _import(g, "org_address", lambda o: o.enterprise.address),
        _import(g, "registry_number", lambda o: o.registry_number),
        _import(g, "product_name", lambda o: o.name),
        _import(g, "okpd2", lambda o: o.okpd2_code),
        _import(g, "tnved_code", lambda o: o.tnved_code),
        _import(g, "registry_date", lambda o: o.registry_date),
        _import(g, "registry_valid_until", lambda o: o.registry_valid_until),
        _import(g, "registry_end_date", lambda o: o.registry_end_date),
    ]


def _supply_fields() -> list[Field]:
    s = "supplies"
    return [
        _import(s, "supplier_inn", lambda o: o.supplier.inn),
        Field("Поставщик", lambda o: o.supplier.name, "supplier"),
        _import(s, "buyer_inn", lambda o: o.buyer.inn),
        Field("Покупатель", lambda o: o.buyer.name, "buyer"),
        _import(s, "okpd2", lambda o: o.okpd2_code),
        _import(s, "year", lambda o: o.year),
        _import(s, "value", lambda o: o.value),
        _import(s, "volume", lambda o: o.volume),
        _import(s, "unit", lambda o: o.unit),
    ]


def _project_fields() -> list[Field]:
    p = "projects"
    return [
        _import(p, "cluster", lambda o: o.cluster.name),
        _import(p, "name", lambda o: o.name),
        _import(p, "chain", lambda o: o.chain.name if o.chain else None),
        _import(p, "initiator_inn", lambda o: o.initiator.inn if o.initiator else None),
        _import(p, "amount", lambda o: o.amount),
        _import(p, "start_year", lambda o: o.start_year),
        _import(p, "end_year", lambda o: o.end_year),
        _import(p, "status", lambda o: _label(labels.PROJECT_STATUSES, o.status)),
        _import(p, "import_substitution", lambda o: o.import_substitution),
        _import(p, "jobs", lambda o: o.jobs),
        _import(p, "products", lambda o: [c.code for c in o.products]),
        _import(p, "description", lambda o: o.description),
    ]


def _need_fields() -> list[Field]:
    n = "needs"
    return [
        _import(n, "customer_inn", lambda o: o.customer.inn if o.customer else None),
        _import(n, "customer_name", lambda o: o.customer.name if o.customer else o.customer_name),
        _import(n, "region_code", lambda o: _region(o.region)),
        _import(n, "product_name", lambda o: o.product_name),
        _import(n, "okpd2", lambda o: o.okpd2_code),
        _import(n, "volume", lambda o: o.volume),
        _import(n, "unit", lambda o: o.unit),
        _import(n, "value", lambda o: o.value),
        _import(n, "deadline", lambda o: o.deadline),
        _import(n, "status", lambda o: _label(labels.NEED_STATUSES, o.status)),
        _import(n, "description", lambda o: o.description),
    ]


def _figure_fields() -> list[Field]:
    f = "figures"
    return [
        _import(f, "inn", lambda o: o.enterprise.inn),
        _import(f, "ogrn", lambda o: o.enterprise.ogrn),
        Field("Предприятие", lambda o: o.enterprise.name, "enterprise"),
        _import(f, "year", lambda o: o.year),
        _import(f, "employees", lambda o: o.employees),
        _import(f, "revenue", lambda o: o.revenue),
    ]


def _figure_query(**_filters: Any) -> Select:
    return (
        select(EnterpriseFigure)
        .options(joinedload(EnterpriseFigure.enterprise))
        .order_by(EnterpriseFigure.enterprise_id, EnterpriseFigure.year)
    )


def _cluster_fields() -> list[Field]:
    return [
        Field("Номер", lambda o: o.id, "id"),
        Field("Кластер", lambda o: o.name, "name"),
        Field("Тип", lambda o: _label(labels.CLUSTER_KINDS, o.kind), "kind"),
        Field("Статус", lambda o: _label(labels.CLUSTER_STATUSES, o.status), "status"),
        Field("Регионы", lambda o: [_region(r) for r in o.regions], "regions"),
        Field("Специализация (ОКВЭД2)", lambda o: [a.code for a in o.specialisation], "okved"),
        Field("Номер в реестре", lambda o: o.registry_number, "registry_number"),
        Field("Дата включения в реестр", lambda o: o.registry_date, "registry_date"),
        Field(
            "Специализированная организация",
            lambda o: o.specialised_org.name if o.specialised_org else None,
            "specialised_org",
        ),
        Field(
            "Участников",
            lambda o: sum(m.status == "member" for m in o.memberships),
            "members",
        ),
        Field("Цепочек", lambda o: len(o.chains), "chains"),
        Field("Инвестиционных проектов", lambda o: len(o.projects), "projects"),
        Field("Сумма проектов, руб.", lambda o: sum(p.amount or 0 for p in o.projects), "amount"),
    ]


def _point(enterprise) -> Point:
    p = maps.enterprise_point(enterprise)
    return p["lon"], p["lat"]


@dataclass(frozen=True)
class Export:
    """A kind's columns, its records under the list filters, and where each one is on a map."""

    fields: Callable[[], list[Field]]
    query: Callable[..., Select]
    geometry: Callable[[Any], dict | None]
    # For CSV and XLSX, when given: light records with the attributes the fields read, read
    # without ORM objects (GeoJSON, which places each record on the map, reads the models).
    flat: Callable[[Session, dict[str, Any]], Iterator[Any]] | None = None


def _points(*ends: Callable[[Any], Point | None]) -> Callable[[Any], dict | None]:
    def geometry(record: Any) -> dict | None:
        coordinates = [end(record) for end in ends]
        if any(c is None for c in coordinates):
            return None
        if len(coordinates) == 1:
            return {"type": "Point", "coordinates": list(coordinates[0])}
        return {"type": "LineString", "coordinates": [list(c) for c in coordinates]}

    return geometry


def _cluster_point(cluster: Cluster) -> Point | None:
    point = maps.cluster_point(cluster)
    return None if point is None else (point[1], point[0])


def _project_point(project) -> Point | None:
    if project.initiator is not None:
        return _point(project.initiator)
    region = project.cluster.regions[0] if project.cluster.regions else None
    return None if region is None else (region.lon, region.lat)


def _need_point(need: Need) -> Point:
    if need.customer is not None:
        return _point(need.customer)
    return need.region.lon, need.region.lat


ENTERPRISE_COLUMNS = (
    Enterprise.id, Enterprise.inn, Enterprise.ogrn, Enterprise.name, Enterprise.full_name,
    Enterprise.address, Enterprise.lat, Enterprise.lon, Enterprise.okved_main,
    Enterprise.employees, Enterprise.revenue, Enterprise.sme_category, Enterprise.website,
    Enterprise.email, Enterprise.phone, Enterprise.description, Enterprise.is_synthetic,
    Region.code.label("region_code"), Region.name.label("region_name"),
    City.name.label("city_name"),
)  # fmt: skip


def _flat_enterprises(session: Session, filters: dict[str, Any]) -> Iterator[SimpleNamespace]:
    """The enterprises under the list filters, in the list's order, as records with the
    attributes ``_enterprise_fields`` read: Core rows read ``BATCH`` at a time with their extra
    activities (one query per batch), in constant memory and without building ORM objects (a
    100,000-firm register: about 9 s of the export's time on this machine, docs/BENCHMARKS.md)."""
    query = (
        queries.enterprise_query(**filters)
        .options()
        .with_only_columns(*ENTERPRISE_COLUMNS, maintain_column_froms=True)
        .join(Region, Region.code == Enterprise.region_code)
        .outerjoin(City, City.id == Enterprise.city_id)
    )
    result = session.execute(query.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        extras: dict[int, list[str]] = {}
        ids = [row.id for row in batch]
        pairs = select(enterprise_okved.c.enterprise_id, enterprise_okved.c.okved_code).where(
            enterprise_okved.c.enterprise_id.in_(ids)
        )
        for enterprise_id, code in session.execute(pairs.order_by(enterprise_okved.c.okved_code)):
            extras.setdefault(enterprise_id, []).append(code)
        for row in batch:
            yield SimpleNamespace(
                **row._asdict(),
                region=SimpleNamespace(code=row.region_code, name=row.region_name),
                city=SimpleNamespace(name=row.city_name) if row.city_name is not None else None,
                okved_extra=extras.get(row.id, []),
            )


EXPORTS: dict[str, Export] = {
    "enterprises": Export(
        _enterprise_fields, queries.enterprise_query, _points(_point), _flat_enterprises
    ),
    "members": Export(
        _member_fields, queries.membership_query, _points(lambda m: _point(m.enterprise))
    ),
    "products": Export(
        _product_fields,
        lambda **f: (
            select(ProductLine)
            .where(ProductLine.registry_number.is_(None))
            .order_by(ProductLine.enterprise_id, ProductLine.id)
        ),
        _points(lambda p: _point(p.enterprise)),
    ),
    "gisp-products": Export(
        _registry_fields,
        lambda **f: (
            select(ProductLine)
            .where(ProductLine.registry_number.is_not(None))
            .order_by(ProductLine.enterprise_id, ProductLine.registry_number)
        ),
        _points(lambda p: _point(p.enterprise)),
    ),
    "supplies": Export(
        _supply_fields,
        lambda **f: select(Supply).order_by(Supply.year, Supply.id),
        _points(lambda s: _point(s.supplier), lambda s: _point(s.buyer)),
    ),
    "projects": Export(_project_fields, queries.project_query, _points(_project_point)),
    "needs": Export(_need_fields, lambda **f: select(Need).order_by(Need.id), _points(_need_point)),
    "figures": Export(_figure_fields, _figure_query, _points(lambda f: _point(f.enterprise))),
    "clusters": Export(_cluster_fields, queries.cluster_query, _points(_cluster_point)),
}


def format_of(path: Path) -> str:
    """The export format named by the file's suffix."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "json":
        suffix = "geojson"
    if suffix not in FORMATS:
        raise InvalidField(
            "format", f"формат «{path.suffix}» не поддерживается: .csv, .xlsx, .geojson"
        )
    return suffix


def _spec(kind: str) -> Export:
    if kind not in EXPORTS:
        raise InvalidField("kind", f"нет вида данных «{kind}»; есть: {', '.join(EXPORT_KINDS)}")
    return EXPORTS[kind]


def filter_names(kind: str) -> set[str]:
    """The list filters ``kind`` accepts (the keyword parameters of its query)."""
    parameters = inspect.signature(_spec(kind).query).parameters.values()
    return {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def records(session: Session, kind: str, filters: dict[str, Any] | None = None) -> Iterator[Any]:
    """The records of ``kind`` under the list filters, streamed."""
    query = _spec(kind).query(**{k: v for k, v in (filters or {}).items() if v is not None})
    yield from session.scalars(query.execution_options(yield_per=1000))


def export(
    session: Session,
    kind: str,
    path: Path,
    filters: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``kind`` to ``path`` in the format its suffix names; returns the number of records.
    ``progress(n)`` is told every ``PROGRESS_EVERY`` records read (it may raise to stop)."""
    fmt, spec = format_of(path), _spec(kind)
    given = {k: v for k, v in (filters or {}).items() if v is not None}
    if spec.flat is not None and fmt != "geojson":
        rows = spec.flat(session, given)
    else:
        rows = records(session, kind, filters)
    if progress is not None:
        rows = _reporting(rows, progress)
    fields = spec.fields()
    if fmt == "geojson":
        return _write_geojson(path, fields, spec, rows)
    table = ([f.value(r) for f in fields] for r in rows)
    writer = sheets.write_xlsx if fmt == "xlsx" else sheets.write_csv
    return writer(path, [f.header for f in fields], table, _sheet_title(kind))


def _reporting(rows: Iterator[Any], progress: Callable[[int], None]) -> Iterator[Any]:
    for n, row in enumerate(rows, 1):
        if n % PROGRESS_EVERY == 0:
            progress(n)
        yield row


def count(session: Session, kind: str, filters: dict[str, Any] | None = None) -> int:
    """The number of records ``export`` would read."""
    query = _spec(kind).query(**{k: v for k, v in (filters or {}).items() if v is not None})
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def template(kind: str, path: Path) -> Path:
    """An empty file with the import headers of ``kind`` (XLSX adds a sheet explaining them)."""
    if kind not in KINDS:
        raise InvalidField("kind", f"нет вида загрузки «{kind}»; есть: {', '.join(KINDS)}")
    if KINDS[kind].documents:
        raise InvalidField(
            "kind",
            f"у вида «{kind}» нет шаблона: загружается файл ФНС как есть (XML или ZIP); поля "
            "описаны на странице загрузки и в docs/OPEN_DATA.md",
        )
    headers = [c.header for c in KINDS[kind].columns]
    if format_of(path) == "csv":
        sheets.write_csv(path, headers, iter(()), "")
        return path
    if format_of(path) != "xlsx":
        raise InvalidField("format", "шаблон бывает в форматах .xlsx и .csv")
    sheets.write_xlsx(path, headers, iter(()), _sheet_title(kind), notes=describe(kind))
    return path


def describe(kind: str) -> list[list[str]]:
    """The columns of an import kind explained: header, required, format, example, other names."""
    rows = [["Столбец", "Обязательный", "Что писать", "Пример", "Другие допустимые названия"]]
    one_of = {f for group in KINDS[kind].one_of for f in group}
    for c in KINDS[kind].columns:
        required = "да" if c.required else "одно из двух" if c.field in one_of else ""
        rows.append([c.header, required, c.note, c.example, ", ".join(c.aliases)])
    return rows


def _sheet_title(kind: str) -> str:
    return (labels.IMPORT_KINDS.get(kind) or "кластеры").split(" (")[0].capitalize()[:31]


def _write_geojson(path: Path, fields: list[Field], spec: Export, rows: Iterator[Any]) -> int:
    """A FeatureCollection; records with no place on the map are left out."""
    count = 0
    with path.open("w", encoding="utf-8") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        for record in rows:
            geometry = spec.geometry(record)
            if geometry is None:
                continue
            props = {x.name: _json_value(x.value(record)) for x in fields}
            feature = {"type": "Feature", "geometry": geometry, "properties": props}
            f.write((",\n" if count else "") + json.dumps(feature, ensure_ascii=False))
            count += 1
        f.write("\n]}\n")
    return count


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
