"""Reference data: everything shipped is loaded exactly once; unknown codes name their field."""

import csv

import pytest
from sqlalchemy import func, select

from promcluster.compliance.models import Rule
from promcluster.compliance.rules import load_rules
from promcluster.errors import InvalidField
from promcluster.reference import service as reference
from promcluster.reference.models import City, Okpd, Okved, Region

SHIPPED = {"regions": 85, "cities": 1117, "okved2": 3043, "okpd2": 20328}
MODELS = {"regions": Region, "cities": City, "okved2": Okved, "okpd2": Okpd}
RULES = 9  # the federal requirements C1–C7, S1, V1 (one edition each)


def csv_rows(name: str) -> list[dict[str, str]]:
    with reference.data_path(name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_shipped_files_hold_the_documented_row_counts():
    for table, expected in SHIPPED.items():
        assert len(csv_rows(f"{table}.csv")) == expected, table


def test_every_csv_row_is_in_the_database(db):
    with db.session() as session:
        for table, model in MODELS.items():
            assert session.scalar(select(func.count()).select_from(model)) == SHIPPED[table]
        okved = {o.code for o in session.scalars(select(Okved))}
        okpd = {o.code for o in session.scalars(select(Okpd))}
        regions = {r.code for r in session.scalars(select(Region))}
        kladr = set(session.scalars(select(City.kladr_id)))
    assert okved == {r["code"] for r in csv_rows("okved2.csv")}
    assert okpd == {r["code"] for r in csv_rows("okpd2.csv")}
    assert regions == {r["code"] for r in csv_rows("regions.csv")}
    assert kladr == {r["kladr_id"] for r in csv_rows("cities.csv")}


def test_codes_keep_their_leading_zeros_and_hierarchy(db):
    with db.session() as session:
        adygea = session.get(Region, "01")
        assert adygea is not None and adygea.name == "Республика Адыгея"
        assert session.get(Region, "72").name == "Тюменская область"
        crop = session.get(Okved, "01.11")
        assert crop is not None and crop.parent_code == "01.1" and crop.level == 3
        assert session.get(Okpd, "23.61.11.130").parent_code == "23.61.11"


def test_loading_again_adds_and_updates_nothing(db):
    with db.session() as session:
        reports = [*reference.load_reference(session), load_rules(session)]
        assert {r.table: (r.added, r.updated) for r in reports} == {
            table: (0, 0) for table in (*SHIPPED, "compliance_rules")
        }
        session.rollback()
    with db.session() as session:
        for table, model in MODELS.items():
            assert session.scalar(select(func.count()).select_from(model)) == SHIPPED[table]
        assert session.scalar(select(func.count()).select_from(Rule)) == RULES


def test_reference_loaded(db):
    with db.session() as session:
        assert reference.reference_loaded(session)


@pytest.mark.parametrize(
    ("lookup", "code", "default_field"),
    [
        (reference.require_region, "00", "region_code"),
        (reference.require_region, "7", "region_code"),
        (reference.require_okved, "99.99.99", "okved"),
        (reference.require_okved, "62.01.5", "okved"),
        (reference.require_okpd, "99.99.99.999", "okpd2"),
        (reference.require_okpd, "10.13.98", "okpd2"),
    ],
)
def test_unknown_code_raises_invalid_field_naming_the_field(db, lookup, code, default_field):
    with db.session() as session:
        with pytest.raises(InvalidField) as default:
            lookup(session, code)
        assert default.value.field == default_field
        assert code in default.value.message
        with pytest.raises(InvalidField) as named:
            lookup(session, code, "my_field")
        assert named.value.field == "my_field"


def test_known_codes_are_found_after_trimming_and_upper_casing(db):
    with db.session() as session:
        assert reference.require_region(session, " 72 ").code == "72"
        assert reference.require_okved(session, " 62.01 ").code == "62.01"
        assert reference.require_okved(session, "c").code == "C"
        assert reference.require_okpd(session, "23.61.11").code == "23.61.11"


def test_city_must_lie_in_the_region(db):
    with db.session() as session:
        tyumen = session.scalar(select(City).where(City.name == "Тюмень"))
        assert reference.require_city(session, tyumen.id, "72") is tyumen
        with pytest.raises(InvalidField) as exc:
            reference.require_city(session, tyumen.id, "47")
        assert exc.value.field == "city_id"
        with pytest.raises(InvalidField) as missing:
            reference.require_city(session, 10_000_000, None)
        assert missing.value.field == "city_id"
