"""Loading the reference data shipped with the package, and looking codes up."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.errors import InvalidField
from promcluster.reference.levels import INDUSTRIAL_SECTIONS
from promcluster.reference.models import City, Okpd, Okved, Region

DATA = resources.files("promcluster.reference") / "data"


def data_path(name: str) -> Path:
    """Path of a file shipped in ``reference/data``."""
    return Path(str(DATA / name))


def _rows(name: str) -> Iterator[dict[str, str]]:
    with data_path(name).open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _region(r: dict[str, str]) -> dict:
    return {
        "code": r["code"],
        "name": r["name"],
        "short_name": r["short_name"],
        "federal_district": r["federal_district"],
        "capital": r["capital"],
        "lat": float(r["lat"]),
        "lon": float(r["lon"]),
        "iso_code": r["iso_code"] or None,
    }


def _city(r: dict[str, str]) -> dict:
    return {
        "name": r["name"],
        "region_code": r["region_code"],
        "kladr_id": r["kladr_id"],
        "lat": float(r["lat"]),
        "lon": float(r["lon"]),
        "population": int(r["population"]) if r["population"] else None,
    }


def _classifier(r: dict[str, str]) -> dict:
    return {
        "code": r["code"],
        "name": r["name"],
        "parent_code": r["parent_code"] or None,
        "level": int(r["level"]),
        "section": r["section"],
    }


def shipped_okpd2() -> list[dict]:
    """The OKPD2 classifier shipped with the package (what ``load reference`` loads): code,
    name, parent_code and level of each entry in the file's order, for work that needs the
    classifier and no database."""
    keep = ("code", "name", "parent_code", "level")
    return [{k: v for k, v in _classifier(r).items() if k in keep} for r in _rows("okpd2.csv")]


@dataclass
class LoadReport:
    """How many rows of each reference table were added or updated."""

    table: str
    added: int
    updated: int


def _sync(session: Session, model, key: str, rows: list[dict]) -> LoadReport:
    """Insert missing rows and update changed ones, keyed by ``key``; never duplicates."""
    existing = {getattr(o, key): o for o in session.scalars(select(model))}
    added = updated = 0
    new_rows = []
    for row in rows:
        current = existing.get(row[key])
        if current is None:
            new_rows.append(row)
            added += 1
        elif any(getattr(current, k) != v for k, v in row.items()):
            for k, v in row.items():
                setattr(current, k, v)
            updated += 1
    if new_rows:
        session.execute(model.__table__.insert(), new_rows)
    session.flush()
    return LoadReport(model.__tablename__, added, updated)


def load_reference(session: Session) -> list[LoadReport]:
    """Load regions, cities, OKVED2 and OKPD2 from the package; safe to run again. (The
    federal cluster requirements are loaded by ``compliance.rules.load_rules``.)"""
    return [
        _sync(session, Region, "code", [_region(r) for r in _rows("regions.csv")]),
        _sync(session, City, "kladr_id", [_city(r) for r in _rows("cities.csv")]),
        _sync(session, Okved, "code", [_classifier(r) for r in _rows("okved2.csv")]),
        _sync(session, Okpd, "code", [_classifier(r) for r in _rows("okpd2.csv")]),
    ]


def reference_loaded(session: Session) -> bool:
    """Whether the regions table has been filled."""
    return bool(session.scalar(select(func.count()).select_from(Region)))


def normalise_code(code: str) -> str:
    """A classifier code as stored: trimmed, with dots, upper-case section letters."""
    return code.strip().upper()


def require_region(session: Session, code: str, field: str = "region_code") -> Region:
    """The region with ``code``, or InvalidField naming ``field``."""
    region = session.get(Region, code.strip())
    if region is None:
        raise InvalidField(field, f"нет субъекта РФ с кодом «{code}»")
    return region


def require_okved(session: Session, code: str, field: str = "okved") -> Okved:
    """The OKVED2 activity with ``code``, or InvalidField naming ``field``."""
    okved = session.get(Okved, normalise_code(code))
    if okved is None:
        raise InvalidField(field, f"нет кода ОКВЭД2 «{code}»")
    return okved


def require_okpd(session: Session, code: str, field: str = "okpd2") -> Okpd:
    """The OKPD2 product with ``code``, or InvalidField naming ``field``."""
    okpd = session.get(Okpd, normalise_code(code))
    if okpd is None:
        raise InvalidField(field, f"нет кода ОКПД2 «{code}»")
    return okpd


def require_city(session: Session, city_id: int, region_code: str | None) -> City:
    """The city ``city_id``, checked to lie in ``region_code`` when given."""
    city = session.get(City, city_id)
    if city is None:
        raise InvalidField("city_id", f"нет города с идентификатором {city_id}")
    if region_code and city.region_code != region_code:
        raise InvalidField("city_id", f"город «{city.name}» не находится в регионе {region_code}")
    return city


def industrial_codes(session: Session, codes: list[str]) -> set[str]:
    """The OKVED2 codes among ``codes`` in an industrial section (B–E, ``INDUSTRIAL_SECTIONS``)."""
    if not codes:
        return set()
    query = select(Okved.code).where(
        Okved.code.in_(codes), Okved.section.in_(sorted(INDUSTRIAL_SECTIONS))
    )
    return set(session.scalars(query))


def list_regions(session: Session) -> list[Region]:
    """All regions by name."""
    return list(session.scalars(select(Region).order_by(Region.name)))


def region_outlines_path() -> Path:
    """The GeoJSON file with simplified region boundaries."""
    return data_path("regions.geojson")
