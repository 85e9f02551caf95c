"""The ``procurement`` kind end to end: the shipped ЕИС samples (tests/data/zakupki, PROVENANCE)
through ``run_import`` and the command line — documents at their latest version, items,
customers and suppliers as enterprises, consumption lines, supplies, needs from plan rows —
versions, re-runs, what typed-in records keep, and bad inputs reported by file and number with
nothing of a refused document written."""

import shutil
import zipfile
from pathlib import Path

import pytest
from factories import inn10
from sqlalchemy import func, select

from promcluster.auth.audit import act_as
from promcluster.cli import app
from promcluster.matching.models import Need
from promcluster.procurement.models import ProcurementDocument, ProcurementItem
from promcluster.registry.models import Enterprise, ProductLine, Supply

from .kit import ACTOR, cli, finished_run, run, runner, said
from .test_fns import API, report

SAMPLES = Path(__file__).parents[1] / "data" / "zakupki"
CONTRACT_2014 = SAMPLES / "contract_0129100000114000061_18121878.xml"
CONTRACT_2016 = SAMPLES / "contract_2366200608816001262_30400522.xml"
CONTRACT_2017 = SAMPLES / "contract_3341300934617000011_32420949.xml"
ADYGEYA = SAMPLES / "contract_Adygeya_Resp_20191217_000000_20191217_235959_daily_001.xml"
TEST2 = SAMPLES / "contract_test2.xml"
WITHOUT_XMLNS = SAMPLES / "contract_without_xmlns.xml"
PLAN = SAMPLES / "purchasePlan_test.xml"
ALL = (CONTRACT_2014, CONTRACT_2016, CONTRACT_2017, ADYGEYA, TEST2, WITHOUT_XMLNS, PLAN)
# file → (law, kind, number, version, items, items with OKPD2, items with an older OKPD code)
EXPECTED = {
    CONTRACT_2014: ("44", "contract", "0129100000114000061", 2, 6, 0, 6),
    CONTRACT_2016: ("44", "contract", "2366200608816001262", 1, 21, 21, 0),
    CONTRACT_2017: ("44", "contract", "3341300934617000011", 1, 1, 1, 0),
    ADYGEYA: ("223", "contract", "50105018196190002040000", 1, 1, 1, 0),
    TEST2: ("223", "contract", "50105018196180000870000", 1, 1, 1, 0),
    WITHOUT_XMLNS: ("223", "contract", "50105018196180001160000", 1, 1, 1, 0),
    # 229 purchasePlanItem, of which the SMB list repeats 20 (same guid): 209 positions with
    # 391 product rows, each an item and an open need.
    PLAN: ("223", "plan", "2180316803", 63, 391, 391, 0),
}


def documents(db) -> dict[str, tuple]:
    """Stored documents by number: (law, kind, version, items, with OKPD2, older OKPD)."""
    with db.sessions() as session:
        return {
            d.number: (
                d.law,
                d.kind,
                d.version,
                len(d.items),
                sum(i.okpd2_code is not None for i in d.items),
                sum(i.okpd_code is not None for i in d.items),
            )
            for d in session.scalars(select(ProcurementDocument))
        }


def table_counts(db) -> dict[str, int]:
    models = {
        "documents": ProcurementDocument,
        "items": ProcurementItem,
        "enterprises": Enterprise,
        "lines": ProductLine,
        "supplies": Supply,
        "needs": Need,
    }
    with db.sessions() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model))
            for name, model in models.items()
        }


def versions(db) -> dict[str, list[int]]:
    """The record versions of every derived table (a change bumps one)."""
    with db.sessions() as session:
        return {
            model.__tablename__: sorted(session.scalars(select(model.version)))
            for model in (Enterprise, ProductLine, Supply, Need)
        }


def copy(path: Path, folder: Path, name: str | None = None, **replace: str) -> Path:
    """A copy of a sample in ``folder`` with texts replaced (``old=new`` given as pairs)."""
    content = path.read_text(encoding="utf-8")
    for old, new in replace.values():
        assert old in content, old
        content = content.replace(old, new, 1)
    target = folder / (name or path.name)
    target.write_text(content, encoding="utf-8")
    return target


def bumped(folder: Path, version: str = "2", quantity: str = "9.0") -> Path:
    """The 2016 contract as a later version with the first product's quantity changed."""
    return copy(
        CONTRACT_2016,
        folder,
        f"contract_v{version}.xml",
        version=("<versionNumber>1</versionNumber>", f"<versionNumber>{version}</versionNumber>"),
        quantity=("<quantity>7.0</quantity>", f"<quantity>{quantity}</quantity>"),
    )


# The shipped samples


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem[:30])
def test_each_sample_imports_with_its_counts(db, path):
    law, kind, number, version, items, coded, older = EXPECTED[path]

    result = run(db, "procurement", path)

    assert (result.status, result.rows_read, result.created, result.rejected) == ("done", 1, 1, 0)
    assert documents(db) == {number: (law, kind, version, items, coded, older)}
    assert f"позиций: {items}, из них с кодом ОКПД2: {coded}" in result.message.replace(
        "\u202f", ""
    )
    if older:
        assert "старым кодом ОКПД (сохранён как есть" in result.message


def test_the_2016_contract_becomes_a_consumption_line_and_a_supply(db):
    result = run(db, "procurement", CONTRACT_2016)

    assert result.message.startswith("загружено: 44-ФЗ — 1 контракт; позиций: 21")
    with db.sessions() as session:
        (document,) = session.scalars(select(ProcurementDocument))
        assert (document.signed_on.year, document.year, document.total_kopecks) == (
            2016,
            2016,
            120_768_035,
        )
        assert document.import_run_id == result.id and document.file == CONTRACT_2016.name
        customer, supplier = document.customer, document.supplier
        assert (customer.inn, customer.region_code, customer.name) == (
            "3662006088",
            "36",
            "БУЗ ВО ВОКБ №1",
        )
        assert (supplier.inn, supplier.region_code) == ("6829057730", "68")
        assert all(e.is_minimal and e.data_source == "procurement" for e in (customer, supplier))
        assert customer.search_text == "буз во вокб №1 3662006088"
        assert sum(i.sum_kopecks for i in document.items) == 120_768_035
        (line,) = session.scalars(select(ProductLine))
        assert (line.enterprise_id, line.okpd2_code, line.direction, line.year) == (
            customer.id,
            "21.20.23.111",
            "consumes",
            2016,
        )
        assert (line.value, line.volume, line.unit) == (1_207_680, 182.0, "НАБОР")
        assert line.outside_share == 1.0  # the supplier is of Tambov, the customer of Voronezh
        assert line.data_source == "procurement"
        (supply,) = session.scalars(select(Supply))
        assert (supply.supplier_id, supply.buyer_id, supply.okpd2_code, supply.year) == (
            supplier.id,
            customer.id,
            "21.20.23.111",
            2016,
        )
        assert (supply.value, supply.volume, supply.data_source) == (1_207_680, 182.0, SOURCE)


SOURCE = "procurement"


def test_a_supplier_of_the_customers_region_makes_no_outside_share(db):
    run(db, "procurement", CONTRACT_2017)

    with db.sessions() as session:
        (line,) = session.scalars(select(ProductLine))
        assert (line.okpd2_code, line.value, line.outside_share) == ("35.30.11.120", 745_024, 0.0)


def test_a_line_holds_the_latest_year_and_supplies_each_year(db, tmp_path):
    later = copy(
        CONTRACT_2017,
        tmp_path,
        "contract_2018.xml",
        number=("<regNum>3341300934617000011</regNum>", "<regNum>3341300934618000001</regNum>"),
        signed=("<signDate>2017-02-09</signDate>", "<signDate>2018-02-09</signDate>"),
        total=("<sumRUR>745024.40</sumRUR>", "<sumRUR>800000.00</sumRUR>"),
    )

    for path in (later, CONTRACT_2017):  # the older year read last changes nothing of the line
        run(db, "procurement", path)

    with db.sessions() as session:
        (line,) = session.scalars(select(ProductLine))
        assert (line.year, line.value) == (2018, 800_000)
        supplies = {s.year: s.value for s in session.scalars(select(Supply))}
        assert supplies == {2017: 745_024, 2018: 800_000}


def test_223_contracts_keep_their_total_and_share_unknown_without_a_supplier(db, tmp_path):
    for path in (ADYGEYA, TEST2, WITHOUT_XMLNS):
        run(db, "procurement", path)

    with db.sessions() as session:
        lines = {
            line.okpd2_code: (line.year, line.value, line.outside_share)
            for line in session.scalars(select(ProductLine))
        }
        # One customer (Maykop gas distribution): a line per code, the latest year of each.
        assert lines == {
            "19.20.3": (2019, 1_750_000, None),  # no supplier stated: the share is unknown
            "19.20.31.110": (2018, 317_963, 1.0),  # a supplier of Krasnodar Krai
            "85.3": (2018, 229_500, None),
        }
        assert session.scalar(select(func.count()).select_from(Supply)) == 1


def test_a_contract_whose_total_is_not_split_says_so(db, tmp_path):
    position = TEST2.read_text(encoding="utf-8")
    start = position.index("<ns2:contractPosition>")
    end = position.index("</ns2:contractPosition>") + len("</ns2:contractPosition>")
    twice = position[:end] + position[start:end] + position[end:]
    path = tmp_path / "two_positions.xml"
    path.write_text(twice, encoding="utf-8")

    result = run(db, "procurement", path)

    assert result.created == 1
    assert "с ценой только по договору в целом" in result.message
    with db.sessions() as session:
        (document,) = session.scalars(select(ProcurementDocument))
        assert document.priced_items is False and document.total_kopecks == 31_796_272
        assert [i.sum_kopecks for i in document.items] == [None, None]
        (line,) = session.scalars(select(ProductLine))
        assert line.value is None and line.volume == 2.0  # no invented split of the total


def test_the_purchase_plan_becomes_open_needs_of_its_customer(db):
    result = run(db, "procurement", PLAN)

    assert "строк планов стали открытыми потребностями: 391" in result.message
    with db.sessions() as session:
        (plan,) = session.scalars(select(ProcurementDocument))
        needs = {n.id: n for n in session.scalars(select(Need))}
        assert len(needs) == 391 == len(plan.items)
        assert {i.need_id for i in plan.items} == set(needs)
        first = needs[plan.items[0].need_id]
        assert (first.customer_id, first.region_code, first.status) == (
            plan.customer_id,
            "77",
            "open",
        )
        assert (first.product_name, first.okpd2_code) == ("Поставка питьевой воды", "11.07.11.121")
        assert (first.volume, first.unit, first.value) == (1200.0, "Штука", 290_000)
        assert first.deadline.isoformat() == "2019-12-01"
        assert first.description == "План закупки № 2180316803 (223-ФЗ, версия 63), позиция 1"
        assert all(n.data_source == "procurement" for n in needs.values())
        assert (
            session.scalar(select(func.count()).select_from(ProductLine)) == 0
        )  # a plan buys nothing yet


# Versions and re-runs


def test_importing_everything_again_changes_nothing(db):
    for path in ALL:
        run(db, "procurement", path)
    before, audit, stored = versions(db), db.audit_count(), table_counts(db)

    again = [run(db, "procurement", path) for path in ALL]

    assert [(r.created, r.updated, r.unchanged, r.rejected) for r in again] == [(0, 0, 1, 0)] * 7
    assert all(r.message.startswith("новых документов и новых версий нет") for r in again)
    assert (versions(db), db.audit_count(), table_counts(db)) == (before, audit, stored)


def test_a_newer_version_replaces_the_contract_and_an_older_changes_nothing(db, tmp_path):
    run(db, "procurement", CONTRACT_2016)
    with db.sessions() as session:
        (supply,) = session.scalars(select(Supply))
        first_supply = supply.id

    newer = run(db, "procurement", bumped(tmp_path))

    assert (newer.created, newer.updated, newer.unchanged) == (0, 1, 0)
    assert documents(db) == {"2366200608816001262": ("44", "contract", 2, 21, 21, 0)}
    with db.sessions() as session:
        (document,) = session.scalars(select(ProcurementDocument))
        assert document.items[0].quantity == 9.0 and document.import_run_id == newer.id
        (line,) = session.scalars(select(ProductLine))
        assert line.volume == 184.0  # 182 − 7 + 9
        (supply,) = session.scalars(select(Supply))
        assert (supply.id, supply.volume) == (first_supply, 184.0)  # updated, not re-created
    audit = db.audit_count()

    older = run(db, "procurement", CONTRACT_2016)

    assert (older.created, older.updated, older.unchanged) == (0, 0, 1)
    assert documents(db)["2366200608816001262"][2] == 2
    assert db.audit_count() == audit


def test_two_versions_and_a_repeat_in_one_folder_store_the_latest_once(db, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(CONTRACT_2016, folder / "a_first.xml")
    shutil.copy(CONTRACT_2016, folder / "b_repeat.xml")
    bumped(folder)

    result = run(db, "procurement", folder)

    assert (result.rows_read, result.created, result.unchanged, result.rejected) == (3, 1, 1, 1)
    assert documents(db) == {"2366200608816001262": ("44", "contract", 2, 21, 21, 0)}
    (line,) = report(db, result.id)
    assert line["document"] == "b_repeat.xml · 2366200608816001262"
    assert "повтор" in line["reason"]
    assert table_counts(db)["items"] == 21


def test_a_newer_plan_version_updates_its_needs_in_place(db, tmp_path):
    run(db, "procurement", PLAN)
    with db.sessions() as session:
        before = {i.position: i.need_id for i in session.scalars(select(ProcurementItem))}
    newer = copy(
        PLAN,
        tmp_path,
        version=("<ns2:version>63</ns2:version>", "<ns2:version>64</ns2:version>"),
        quantity=("<ns2:qty>1200</ns2:qty>", "<ns2:qty>1500</ns2:qty>"),
    )

    result = run(db, "procurement", newer)

    assert (result.updated, result.unchanged) == (1, 0)
    with db.sessions() as session:
        items = {i.position: i for i in session.scalars(select(ProcurementItem))}
        assert {p: i.need_id for p, i in items.items()} == before  # the same needs
        first = session.get(Need, items[1].need_id)
        assert (first.volume, first.version) == (1500.0, 2)
        assert "версия 64" in first.description
        assert session.scalar(select(func.count()).select_from(Need)) == 391


def test_a_plan_row_dropped_by_a_newer_version_closes_a_need(db, tmp_path):
    run(db, "procurement", PLAN)
    content = PLAN.read_text(encoding="utf-8")
    # The third position (one row; the first two are repeated in the SMB list).
    start = content.index("<ns2:purchasePlanItem>")
    for _ in range(2):
        start = content.index("<ns2:purchasePlanItem>", start + 1)
    end = content.index("</ns2:purchasePlanItem>", start) + len("</ns2:purchasePlanItem>")
    newer = tmp_path / "plan_v64.xml"
    dropped = content[:start] + content[end:]
    newer.write_text(
        dropped.replace("<ns2:version>63</ns2:version>", "<ns2:version>64</ns2:version>")
    )

    result = run(db, "procurement", newer)

    assert result.updated == 1
    assert documents(db)["2180316803"][2:4] == (64, 390)
    with db.sessions() as session:
        statuses = dict(
            session.execute(select(Need.status, func.count()).group_by(Need.status)).all()
        )
        assert statuses == {"open": 390, "closed": 1}  # none deleted: responses would stay
        linked = select(func.count()).where(
            ProcurementItem.need_id == Need.id, Need.status == "open"
        )
        assert session.scalar(linked) == 390


def test_a_folder_and_a_zip_of_the_export_import_every_sample(db, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    for path in ALL:
        shutil.copy(path, folder / path.name)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in ALL:
            out.write(path, f"daily/{path.name}")

    from_folder = run(db, "procurement", folder)
    stored = table_counts(db)
    from_zip = run(db, "procurement", archive)

    assert (from_folder.rows_read, from_folder.created, from_folder.rejected) == (7, 7, 0)
    assert "44-ФЗ — 3 контракта; 223-ФЗ — 3 договора, 1 план закупки" in from_folder.message
    assert stored == {
        "documents": 7,
        "items": 422,
        "enterprises": 9,
        "lines": 5,
        "supplies": 3,
        "needs": 391,
    }
    assert (from_zip.created, from_zip.unchanged, from_zip.rejected) == (0, 7, 0)
    assert table_counts(db) == stored


# What the import leaves alone


def test_a_stored_card_and_typed_in_records_are_never_touched(db):
    with db.session() as session:
        act_as(session, ACTOR)
        customer = Enterprise(inn="3662006088", name="Областная больница", region_code="72")
        session.add(customer)
        session.flush()
        typed = ProductLine(
            enterprise_id=customer.id, okpd2_code="21.20.23.111", direction="consumes", value=5
        )
        session.add(typed)
    result = run(db, "procurement", CONTRACT_2016)

    assert result.created == 1
    with db.sessions() as session:
        card = session.get(Enterprise, customer.id)
        assert (card.name, card.region_code, card.is_minimal, card.version) == (
            "Областная больница",
            "72",
            False,
            1,
        )
        (line,) = session.scalars(select(ProductLine))
        assert (line.id, line.value, line.data_source, line.version) == (typed.id, 5, None, 1)
        (supply,) = session.scalars(select(Supply))
        assert supply.buyer_id == customer.id  # a supply has its own key: written


# Bad inputs


def test_bad_documents_are_reported_by_file_and_number_and_the_rest_imported(db, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    bad_inn = inn10("366200608")[:-1] + str((int(inn10("366200608")[-1]) + 1) % 10)
    copy(
        CONTRACT_2016, folder, "bad_inn.xml", inn=("<inn>3662006088</inn>", f"<inn>{bad_inn}</inn>")
    )
    copy(
        CONTRACT_2017,
        folder,
        "negative.xml",
        total=("<sumRUR>745024.40</sumRUR>", "<sumRUR>-745024.40</sumRUR>"),
    )
    truncated = CONTRACT_2014.read_bytes()
    (folder / "truncated.xml").write_bytes(truncated[: len(truncated) // 2])
    shutil.copy(TEST2, folder / "good.xml")
    before = table_counts(db)

    result = run(db, "procurement", folder)

    lines = report(db, result.id)
    assert (result.status, result.created, result.rejected) == ("done", 1, 3), lines
    by_document = {line["document"]: line for line in lines}
    assert by_document["bad_inn.xml · 2366200608816001262"]["value"] == bad_inn
    assert "отриц" in by_document["negative.xml · 3341300934617000011"]["reason"]
    assert "обрезан" in by_document["truncated.xml"]["reason"]
    assert documents(db).keys() == {"50105018196180000870000"}
    with db.sessions() as session:
        inns = set(session.scalars(select(Enterprise.inn)))
    # Only the parties of the good contract: none of a refused document (no orphans).
    assert inns == {"0105018196", "2310140001"}
    stored = table_counts(db)
    assert stored["items"] == before["items"] + 1

    again = run(db, "procurement", folder)

    assert (again.created, again.unchanged, again.rejected) == (0, 1, 3)
    assert table_counts(db) == stored


def test_a_zip_with_a_non_xml_member_imports_the_xml(db, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(CONTRACT_2017, CONTRACT_2017.name)
        out.writestr("readme.pdf", b"%PDF-1.4 not xml")

    result = run(db, "procurement", archive)

    assert (result.created, result.rejected) == (1, 1)
    (line,) = report(db, result.id)
    assert line["document"] == "readme.pdf" and "не файл XML" in line["reason"]


def test_a_customer_without_a_known_region_is_refused_and_nothing_of_it_written(db, tmp_path):
    # An INN and KPP of tax code 90, a region the reference lacks (no address region stated).
    unknown = inn10("900000001")
    path = copy(
        CONTRACT_2017,
        tmp_path,
        inn=("<inn>3413009346</inn>", f"<inn>{unknown}</inn>"),
        kpp=("<kpp>341301001</kpp>", "<kpp>900001001</kpp>"),
    )

    result = run(db, "procurement", path)

    assert (result.created, result.rejected) == (0, 1)
    (line,) = report(db, result.id)
    assert (line["document"], line["value"]) == (f"{path.name} · 3341300934617000011", unknown)
    assert "регион не определить" in line["reason"]
    assert table_counts(db) == dict.fromkeys(table_counts(db), 0)


def test_the_command_line_imports_procurement(db, tmp_path):
    result = cli(db, "procurement", str(CONTRACT_2016))

    assert result.exit_code == 0, result.output
    assert "44-ФЗ — 1 контракт" in said(result)
    assert documents(db).keys() == {"2366200608816001262"}


def test_the_kind_is_offered_on_the_page_the_api_and_the_command_line(admin_client, db):
    page = admin_client.get("/imports").text
    assert '<option value="procurement">Госзакупки ЕИС: контракты 44-ФЗ' in page
    schema = admin_client.get("/api/openapi.json").json()
    form = schema["components"]["schemas"]["Body_import_file_api_v1_imports_post"]
    assert "procurement" in form["properties"]["kind"]["description"]
    assert "procurement" in said(runner.invoke(app, ["import", "--help"]))

    answer = admin_client.post(
        f"{API}/imports",
        data={"kind": "procurement"},
        files={"file": (PLAN.name, PLAN.read_bytes(), "application/xml")},
    )

    assert answer.status_code == 202, answer.text
    finished = finished_run(admin_client, answer.json()["id"])
    assert (finished["status"], finished["created"], finished["rejected"]) == ("done", 1, 0)
    assert table_counts(db)["needs"] == 391


def test_a_run_cut_short_is_derived_by_the_next_run(db, tmp_path):
    """Lines and supplies are derived once, at the end of a run: the documents of a run cut
    short stay pending until the next run — of any file — derives their customers."""
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(CONTRACT_2016, folder / "a.xml")
    shutil.copy(CONTRACT_2017, folder / "b.xml")

    def stop(run_) -> None:
        raise KeyboardInterrupt

    def derived() -> tuple[list[bool], int, int]:
        with db.sessions() as session:
            flags = list(session.scalars(select(ProcurementDocument.derived)))
            lines = session.scalar(
                select(func.count())
                .select_from(ProductLine)
                .where(ProductLine.data_source == "procurement")
            )
            supplies = session.scalar(select(func.count()).select_from(Supply))
        return flags, lines, supplies

    with pytest.raises(KeyboardInterrupt):
        run(db, "procurement", folder, batch_size=1, on_batch=stop)
    assert derived() == ([False], 0, 0)  # stored, not yet derived
    later = run(db, "procurement", PLAN)
    assert later.status == "done"
    flags, lines, supplies = derived()
    assert flags == [True, True] and lines > 0 and supplies > 0
    again = run(db, "procurement", folder)
    assert again.status == "done" and (again.created, again.unchanged) == (1, 1)
    flags, more_lines, _ = derived()
    assert flags == [True] * 3 and more_lines > lines
