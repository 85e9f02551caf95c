"""The procurement reader (``imports/procurement.py``) on the real ЕИС samples of
``tests/data/zakupki`` and on bad copies of them made in a temporary directory: what each
document gives the writer (``values``), recognition by root and content (not by file name), the
same documents from a file, a folder and a ZIP, and each bad input reported by file, document
number and field while the rest is read."""

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from factories import inn12

from promcluster.db import make_sessionmaker
from promcluster.imports import documents
from promcluster.imports.columns import PROCUREMENT, Lookups
from promcluster.imports.limits import ImportLimits
from promcluster.imports.procurement import read_procurement
from promcluster.imports.readers import UnusableFile
from promcluster.imports.rows import Parsed

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "zakupki"
CONTRACT_2016 = "contract_2366200608816001262_30400522.xml"  # 44-FZ, schema 6.3, 21 products
CONTRACT_2017 = "contract_3341300934617000011_32420949.xml"  # 44-FZ, schema 7.0
CONTRACT_2014 = "contract_0129100000114000061_18121878.xml"  # 44-FZ, schema 4.5, older OKPD
ADYGEYA = "contract_Adygeya_Resp_20191217_000000_20191217_235959_daily_001.xml"  # TFF 9.3
CONTRACT_223 = "contract_test2.xml"  # 223-FZ, TFF 7.5, supplierInfo
NO_XMLNS = "contract_without_xmlns.xml"  # 223-FZ, TFF 8.2, no default namespace
PLAN = "purchasePlan_test.xml"  # 223-FZ purchase plan, TFF 9.3


def title(field: str) -> str:
    return PROCUREMENT.column(field).header


@pytest.fixture(scope="module")
def lookups(engine) -> Lookups:
    with make_sessionmaker(engine)() as session:
        return Lookups.of(session)


@pytest.fixture
def read(lookups):
    def read(path: Path) -> list[Parsed]:
        reading = read_procurement(path, lookups, ImportLimits())
        try:
            return list(reading.rows)
        finally:
            reading.close()

    return read


def one(read, path: Path) -> Parsed:
    (row,) = read(path)
    return row


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def problems(row: Parsed) -> list[tuple[str, str | None, str]]:
    return [(p.column, p.value, p.reason) for p in row.problems]


# --- the shipped samples -------------------------------------------------------------------


def test_44fz_contract_of_2016_gives_21_products_with_okpd2_prices_and_both_parties(read):
    row = one(read, SAMPLES / CONTRACT_2016)
    v = row.values
    assert not row.problems
    assert row.document == f"{CONTRACT_2016} · 2366200608816001262"
    assert (v["law"], v["kind"], v["number"], v["version"]) == (
        "44",
        "contract",
        "2366200608816001262",
        1,
    )
    assert (v["schema_version"], str(v["signed_on"]), v["year"]) == ("6.3", "2016-11-21", 2016)
    assert v["customer"] == {
        "inn": "3662006088",
        "kpp": "366201001",
        "name": "БУЗ ВО ВОКБ №1",
        "region_code": "36",
    }
    assert v["supplier"]["inn"] == "6829057730"
    assert v["supplier_region_code"] == v["supplier"]["region_code"] == "68"  # Tambov
    items = v["items"]
    assert len(items) == 21
    assert all(i["okpd2_code"] for i in items)
    assert [i["position"] for i in items] == list(range(1, 22))
    first = items[0]
    assert first["okpd2_code"] == "21.20.23.111"
    assert first["name"].startswith("Щелочная Фосфотаза Фасовка: 400 тестов")
    assert (first["okei_code"], first["unit"], first["quantity"]) == ("704", "НАБОР", 7.0)
    assert (first["price_kopecks"], first["sum_kopecks"]) == (175300, 1227100)
    assert v["total_kopecks"] == 120768035  # 1 207 680,35 roubles, to the kopeck
    assert sum(i["sum_kopecks"] for i in items) == v["total_kopecks"]
    assert v["priced_items"] is True and v["notes"] == []


def test_44fz_contract_of_2017_schema_7(read):
    v = one(read, SAMPLES / CONTRACT_2017).values
    assert (v["number"], v["schema_version"], v["year"]) == ("3341300934617000011", "7.0", 2017)
    assert v["customer"]["inn"] == "3413009346" and v["customer"]["region_code"] == "34"
    assert v["supplier"]["inn"] == "3413900560" and v["supplier_region_code"] == "34"
    (item,) = v["items"]
    assert (item["okpd2_code"], item["quantity"], item["sum_kopecks"]) == (
        "35.30.11.120",
        1.0,
        74502440,
    )


def test_44fz_schema_45_keeps_the_older_okpd_codes_as_such_and_says_so(read):
    v = one(read, SAMPLES / CONTRACT_2014).values
    assert (v["number"], v["version"], v["schema_version"]) == ("0129100000114000061", 2, "4.5")
    assert v["supplier"]["inn"] == "3433100378"  # schema 4.5: supplier/inn in lower case
    assert v["supplier"]["kpp"] == "343301001" and v["supplier_region_code"] == "34"
    assert len(v["items"]) == 6
    assert {i["okpd_code"] for i in v["items"]} == {"40.30.10.113"}
    assert all(i["okpd2_code"] is None for i in v["items"])  # never mapped to OKPD2
    assert v["items"][0]["quantity"] == 0.97  # written «.97»
    assert v["items"][0]["sum_kopecks"] == 120086
    assert any("старого ОКПД" in n and "6" in n for n in v["notes"])


@pytest.mark.parametrize(
    ("name", "number", "schema", "okpd2", "total", "supplier"),
    [
        (ADYGEYA, "50105018196190002040000", "TFF-9.3", "19.20.3", 175000000, None),
        (
            CONTRACT_223,
            "50105018196180000870000",
            "TFF-7.5",
            "19.20.31.110",
            31796272,
            "2310140001",
        ),
        (NO_XMLNS, "50105018196180001160000", "TFF-8.2", "85.3", 22950000, None),
    ],
)
def test_223fz_contracts_with_one_position_give_it_the_total(
    read, name, number, schema, okpd2, total, supplier
):
    row = one(read, SAMPLES / name)
    v = row.values
    assert not row.problems
    assert (v["law"], v["kind"], v["number"], v["version"]) == ("223", "contract", number, 1)
    assert v["schema_version"] == schema
    assert v["customer"]["inn"] == "0105018196" and v["customer"]["region_code"] == "01"
    assert (v["supplier"] or {}).get("inn") == supplier
    (item,) = v["items"]
    assert item["okpd2_code"] == okpd2
    assert v["total_kopecks"] == item["sum_kopecks"] == total
    assert v["priced_items"] is True


def test_223fz_supplier_region_comes_from_its_address(read):
    v = one(read, SAMPLES / CONTRACT_223).values
    assert v["supplier"]["name"] == 'ООО "КУБАНСКАЯ НЕФТЕГАЗОВАЯ КОМПАНИЯ"'
    assert v["supplier_region_code"] == "23"  # address/region/code: Krasnodar krai


def test_223fz_unit_price_is_the_total_over_the_quantity(read):
    (item,) = one(read, SAMPLES / ADYGEYA).values["items"]
    assert (item["okei_code"], item["unit"], item["quantity"]) == (
        "113",
        "Кубический метр",
        102339.18129,
    )
    assert item["price_kopecks"] == 1710  # 1 750 000 / 102 339,18129 = 17,10 roubles per m³


def test_purchase_plan_rows_become_items_with_year_deadline_and_maximum_price(read):
    row = one(read, SAMPLES / PLAN)
    v = row.values
    assert not row.problems
    assert (v["law"], v["kind"], v["number"], v["version"]) == ("223", "plan", "2180316803", 63)
    assert (str(v["signed_on"]), v["year"], v["schema_version"]) == ("2019-12-30", 2019, "TFF-9.3")
    assert v["customer"]["inn"] == "7710043065" and v["customer"]["region_code"] == "77"
    assert v["supplier"] is None
    items = v["items"]
    # 209 positions (purchasePlanItem); the 20 of the SMB list repeat some of them by guid;
    # their 391 goods rows (purchasePlanRowItem) are the items.
    assert len(items) == 391
    assert all(i["okpd2_code"] for i in items)
    first = items[0]
    assert (first["name"], first["okpd2_code"]) == ("Поставка питьевой воды", "11.07.11.121")
    assert (first["okei_code"], first["unit"], first["quantity"]) == ("796", "Штука", 1200.0)
    assert (first["sum_kopecks"], first["year"], str(first["deadline"])) == (
        29000000,
        2019,
        "2019-12-01",
    )
    unpriced = [i for i in items if i["sum_kopecks"] is None]
    assert len(unpriced) == 391 - 201  # rows of the 8 positions that have several
    assert v["priced_items"] is False
    assert any("несколькими строками" in n and "8" in n for n in v["notes"])
    assert sum(1 for i in items if i["quantity"] is None) == 81  # rows without qty


def test_the_same_documents_from_files_a_folder_and_a_zip(read, tmp_path):
    names = sorted(p.name for p in SAMPLES.glob("*.xml"))
    singly = [one(read, SAMPLES / n) for n in names]
    folder = tmp_path / "export"
    folder.mkdir()
    for n in names:
        shutil.copy(SAMPLES / n, folder / n)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.write(SAMPLES / n, n)
    for rows in (read(folder), read(archive)):
        assert [r.document for r in rows] == [r.document for r in singly]
        assert [r.values for r in rows] == [r.values for r in singly]
    assert len(singly) == 7


def supplier_replaced(xml: str, block: str) -> str:
    """The 2017 contract with its supplier's ``legalEntityRF`` replaced by ``block``."""
    return re.sub(r"<legalEntityRF>.*</legalEntityRF>", block, xml, flags=re.S)


def test_an_individual_supplier_is_named_and_placed_by_the_inn(read, tmp_path):
    inn = inn12("6612345678")
    person = (
        f"<individualPersonRF><lastName>Иванов</lastName><firstName>Иван</firstName>"
        f"<middleName>Иванович</middleName><INN>{inn}</INN></individualPersonRF>"
    )
    xml = supplier_replaced(sample(CONTRACT_2017), person)
    v = one(read, write(tmp_path, "c.xml", xml)).values
    assert v["supplier"] == {
        "inn": inn,
        "kpp": None,
        "name": "Иванов Иван Иванович",
        "region_code": "66",
    }
    assert v["supplier_region_code"] == "66"


def test_a_foreign_supplier_without_inn_is_noted_not_guessed(read, tmp_path):
    foreign = "<legalEntityForeignState><fullName>ACME GmbH</fullName></legalEntityForeignState>"
    row = one(read, write(tmp_path, "c.xml", supplier_replaced(sample(CONTRACT_2017), foreign)))
    assert not row.problems
    assert row.values["supplier"] is None and row.values["supplier_region_code"] is None
    assert row.values["notes"] == ["поставщик без ИНН (иностранный или не указан): не учтён"]


def twice(xml: str, start: str, end: str, number: str, other: str) -> str:
    """``xml`` with its element from ``start`` to ``end`` repeated, the copy numbered
    ``other`` instead of ``number``."""
    block = xml[xml.index(start) : xml.index(end) + len(end)]
    return xml.replace(block, block + block.replace(number, other), 1)


def test_a_223fz_daily_file_of_several_contracts_gives_one_document_each(read, tmp_path):
    number = "50105018196190002040000"
    other = "50105018196190002050000"
    xml = twice(sample(ADYGEYA), "<ns2:item>", "</ns2:item>", number, other)
    rows = read(write(tmp_path, ADYGEYA, xml))
    assert [r.document for r in rows] == [f"{ADYGEYA} · {number}", f"{ADYGEYA} · {other}"]
    assert [r.values["number"] for r in rows] == [number, other]
    assert all(r.values["schema_version"] == "TFF-9.3" and not r.problems for r in rows)


def test_a_44fz_export_of_two_contracts_gives_both(read, tmp_path):
    number = "3341300934617000011"
    xml = twice(sample(CONTRACT_2017), "<ns2:contract ", "</ns2:contract>", number, "1" * 19)
    rows = read(write(tmp_path, "export.xml", xml))
    assert [r.values["number"] for r in rows] == [number, "1" * 19]
    assert rows[0].values["items"] == rows[1].values["items"]


def test_streamed_files_give_the_same_documents_as_files_read_whole(read, tmp_path, monkeypatch):
    """Files larger than ``WHOLE_MAX_BYTES`` are streamed, each document dropped once read."""
    adygeya = twice(sample(ADYGEYA), "<ns2:item>", "</ns2:item>", "0204", "0205")
    export = twice(sample(CONTRACT_2017), "<ns2:contract ", "</ns2:contract>", "0011", "0012")
    paths = [SAMPLES / n for n in sorted(p.name for p in SAMPLES.glob("*.xml"))]
    paths += [write(tmp_path, "daily.xml", adygeya), write(tmp_path, "export.xml", export)]
    whole = [read(p) for p in paths]
    monkeypatch.setattr(documents, "WHOLE_MAX_BYTES", 0)
    streamed = [read(p) for p in paths]
    assert [[(r.document, r.values) for r in rows] for rows in streamed] == [
        [(r.document, r.values) for r in rows] for rows in whole
    ]
    assert [len(rows) for rows in whole] == [1] * 7 + [2, 2]


def test_a_document_is_recognised_by_its_content_not_its_file_name(read, tmp_path):
    plan = write(tmp_path, "contract_123.xml", sample(PLAN))
    contract = write(tmp_path, "purchasePlan.xml", sample(CONTRACT_2017))
    assert one(read, plan).values["kind"] == "plan"
    assert one(read, contract).values["law"] == "44"


@pytest.mark.parametrize("prefix", ["oos", None])
def test_44fz_namespace_prefix_oos_or_none_reads_the_same(read, tmp_path, prefix):
    original = one(read, SAMPLES / CONTRACT_2017).values
    xml = sample(CONTRACT_2017)
    if prefix:
        xml = xml.replace("ns2:", f"{prefix}:").replace("xmlns:ns2=", f"xmlns:{prefix}=")
    else:
        xml = re.sub(r' xmlns(:\w+)?="[^"]*"', "", xml).replace("ns2:", "")
    assert one(read, write(tmp_path, "c.xml", xml)).values == original


DOCUMENT_KEYS = {
    "law",
    "kind",
    "number",
    "version",
    "schema_version",
    "signed_on",
    "year",
    "customer",
    "supplier",
    "supplier_region_code",
    "total_kopecks",
    "priced_items",
    "items",
    "notes",
}
ITEM_KEYS = {
    "position",
    "name",
    "okpd2_code",
    "okpd_code",
    "ktru_code",
    "okei_code",
    "unit",
    "quantity",
    "price_kopecks",
    "sum_kopecks",
    "year",
    "deadline",
}


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.xml")))
def test_every_sample_gives_the_values_the_writer_reads(read, name):
    """The contract between reader and writer (docs/IMPORT.md, «procurement»)."""
    row = one(read, SAMPLES / name)
    assert not row.problems
    assert set(row.values) == DOCUMENT_KEYS
    assert all(set(item) == ITEM_KEYS for item in row.values["items"])
    assert set(row.values["customer"]) == {"inn", "kpp", "name", "region_code"}
    assert isinstance(row.values["year"], int) and isinstance(row.values["version"], int)


def test_a_ktru_product_takes_the_okpd2_of_its_ktru_position_and_keeps_the_ktru_code(
    read, tmp_path
):
    ktru = (
        "<KTRU><code>35.30.11.120-00000001</code><name>Тепловая энергия</name>"
        "<OKPD2><code>35.30.11.120</code><name>Энергия тепловая</name></OKPD2></KTRU>"
    )
    xml = re.sub(r"<OKPD2>.*?</OKPD2>", ktru, sample(CONTRACT_2017), count=1, flags=re.S)
    (item,) = one(read, write(tmp_path, "c.xml", xml)).values["items"]
    assert (item["okpd2_code"], item["ktru_code"]) == ("35.30.11.120", "35.30.11.120-00000001")


def test_documents_count_against_the_row_limit(lookups, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    for name in (CONTRACT_2016, CONTRACT_2017):
        shutil.copy(SAMPLES / name, folder / name)
    reading = read_procurement(folder, lookups, ImportLimits(max_rows=1))
    with pytest.raises(UnusableFile, match="больше 1 документов"):
        list(reading.rows)
    reading.close()


# --- bad input -------------------------------------------------------------------------------


def folder_with(tmp_path: Path, bad: dict[str, str | bytes]) -> Path:
    """A folder holding one good sample (the 2017 contract) and the ``bad`` files."""
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(SAMPLES / CONTRACT_2017, folder / CONTRACT_2017)
    for name, content in bad.items():
        write(folder, name, content)
    return folder


def refused_files(rows: list[Parsed]) -> dict[str, list[tuple[str, str | None, str]]]:
    return {r.document: problems(r) for r in rows if r.problems}


def good(rows: list[Parsed]) -> list[str]:
    return [r.values["number"] for r in rows if not r.problems]


FNS_FILE = (
    '<?xml version="1.0" encoding="UTF-8"?><Файл ИдФайл="x" ВерсФорм="4.01" '
    'ТипИнф="РЕЕСТРМСП" КолДок="0"></Файл>'
)


@pytest.mark.parametrize(
    ("content", "root"),
    [(FNS_FILE, "Файл"), ("<foo/>", "foo"), ('<ns:bar xmlns:ns="urn:x"><a/></ns:bar>', "bar")],
)
def test_a_file_of_another_document_type_is_listed_with_its_root_and_the_rest_read(
    read, tmp_path, content, root
):
    rows = read(folder_with(tmp_path, {"other.xml": content}))
    assert good(rows) == ["3341300934617000011"]
    ((column, value, reason),) = refused_files(rows)["other.xml"]
    assert (column, value) == ("корневой элемент", root)
    assert f"корневой элемент «{root}»" in reason and "purchasePlan" in reason


def test_another_document_of_the_44fz_export_is_listed_never_guessed(read, tmp_path):
    xml = sample(CONTRACT_2017).replace("ns2:contract", "ns2:contractProcedure")
    rows = read(folder_with(tmp_path, {"procedure.xml": xml}))
    assert good(rows) == ["3341300934617000011"]
    ((column, value, _),) = refused_files(rows)["procedure.xml"]
    assert (column, value) == ("корневой элемент", "export/contractProcedure")


def test_a_single_file_of_another_type_is_unusable(read, tmp_path):
    with pytest.raises(UnusableFile, match="корневой элемент «Файл»"):
        read(write(tmp_path, "fns.xml", FNS_FILE))


def test_a_truncated_file_is_refused_whole_and_the_rest_read(read, tmp_path):
    xml = sample(CONTRACT_2016)
    rows = read(folder_with(tmp_path, {"cut.xml": xml[: len(xml) // 2]}))
    assert good(rows) == ["3341300934617000011"]
    ((column, _, reason),) = refused_files(rows)["cut.xml"]
    assert column == "Файл" and "обрезан" in reason


def test_a_file_declaring_a_dtd_is_refused(read, tmp_path):
    xml = sample(CONTRACT_2017).replace("?>", '?><!DOCTYPE x [<!ENTITY e "boom">]>', 1)
    rows = read(folder_with(tmp_path, {"dtd.xml": xml}))
    assert "DTD" in refused_files(rows)["dtd.xml"][0][2]


def bad_contract(read, tmp_path: Path, change) -> Parsed:
    """The 2016 contract changed by ``change`` (a function of its text), read beside a good
    one: the good one is read, the changed one is returned."""
    rows = read(folder_with(tmp_path, {"bad.xml": change(sample(CONTRACT_2016))}))
    assert good(rows) == ["3341300934617000011"]
    (bad,) = [r for r in rows if r.problems]
    assert bad.document == "bad.xml · 2366200608816001262"
    assert all(p.document == bad.document for p in bad.problems)
    return bad


@pytest.mark.parametrize(
    ("old", "field", "reason"),
    [
        ("<inn>3662006088</inn>", "customer_inn", "нет ИНН заказчика"),
        ("<signDate>2016-11-21</signDate>", "signed_on", "нет даты документа: год не определить"),
    ],
)
def test_a_contract_without_customer_inn_or_date_is_refused(read, tmp_path, old, field, reason):
    bad = bad_contract(read, tmp_path, lambda xml: xml.replace(old, ""))
    assert problems(bad) == [(title(field), None, reason)]


def test_a_contract_without_products_is_refused(read, tmp_path):
    def change(xml):
        return re.sub(r"<products>.*</products>", "", xml, flags=re.S)

    bad = bad_contract(read, tmp_path, change)
    assert problems(bad) == [
        (title("items"), None, "в контракте нет ни одного товара (products/product)")
    ]


def test_a_product_without_any_code_is_refused_naming_its_position(read, tmp_path):
    def change(xml):
        return xml.replace(
            "<OKPD2>\n                    <code>21.20.23.111</code>\n"
            "                    <name>Препараты диагностические</name>\n"
            "                </OKPD2>",
            "",
            1,
        )

    ((column, value, reason),) = problems(bad_contract(read, tmp_path, change))
    assert column == title("okpd2") and value.startswith("Щелочная Фосфотаза")
    assert reason == "позиция 1: нет кода продукции (ни ОКПД2, ни КТРУ, ни ОКПД)"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("<inn>3662006088</inn>", "<inn>3662006089</inn>", "customer_inn"),
        ("<INN>6829057730</INN>", "<INN>6829057731</INN>", "supplier_inn"),
    ],
)
def test_an_inn_with_a_bad_check_digit_is_refused(read, tmp_path, old, new, field):
    bad = bad_contract(read, tmp_path, lambda xml: xml.replace(old, new))
    ((column, value, reason),) = problems(bad)
    assert (column, value) == (title(field), new[5:15])
    assert "контрольная цифра" in reason


@pytest.mark.parametrize(
    ("tag", "written", "field", "reason"),
    [
        ("quantity", "-7.0", "quantity", "позиция 1: отрицательное значение -7.0"),
        ("quantity", "семь", "quantity", "позиция 1: «семь» не число"),
        ("sum", "-12271.00", "sum", "позиция 1: отрицательное значение -12271.00"),
        ("sum", "12 271 руб", "sum", "позиция 1: «12 271 руб» не число"),
        ("price", "abc", "price", "позиция 1: «abc» не число"),
    ],
)
def test_a_negative_or_non_numeric_quantity_or_sum_is_refused(
    read, tmp_path, tag, written, field, reason
):
    def change(xml):
        # the first product's value, and its rouble twin (sumRUR, priceRUR)
        start = xml.index("<product>")
        end = xml.index("</product>", start)
        product = re.sub(
            rf"<{tag}(RUR)?>[^<]*</{tag}(RUR)?>", f"<{tag}>{written}</{tag}>", xml[start:end]
        )
        return xml[:start] + product + xml[end:]

    bad = bad_contract(read, tmp_path, change)
    assert problems(bad) == [(title(field), written, reason)]


def test_a_zip_with_a_non_xml_member_lists_it_and_reads_the_xml(read, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(SAMPLES / CONTRACT_2017, CONTRACT_2017)
        z.writestr("readme.txt", "Выгрузка ЕИС за 17.12.2019")
        z.writestr("scan.pdf", b"%PDF-1.4 binary")
    rows = read(archive)
    assert good(rows) == ["3341300934617000011"]
    refused = refused_files(rows)
    assert set(refused) == {"readme.txt", "scan.pdf"}
    assert all(reason == "это не файл XML" for ((_, _, reason),) in refused.values())


def test_a_zip_member_compressed_like_a_bomb_is_refused_and_the_rest_read(read, tmp_path):
    padded = sample(CONTRACT_2016).replace("</ns2:export>", " " * 3_000_000 + "</ns2:export>")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(SAMPLES / CONTRACT_2017, CONTRACT_2017)
        z.writestr("bomb.xml", padded)
    rows = read(archive)
    assert good(rows) == ["3341300934617000011"]
    ((column, _, reason),) = refused_files(rows)["bomb.xml"]
    assert column == "Файл" and "архивную бомбу" in reason


def test_an_okpd2_code_the_reference_lacks_is_kept_out_and_noted(read, tmp_path):
    xml = sample(CONTRACT_2017).replace("<code>35.30.11.120</code>", "<code>99.99.99.999</code>")
    row = one(read, write(tmp_path, "c.xml", xml))
    assert not row.problems
    (item,) = row.values["items"]
    assert item["okpd2_code"] is None and item["name"] == "Энергия тепловая"
    assert row.values["notes"] == [
        "кодов ОКПД2 нет в справочнике: «99.99.99.999» — позиции без кода ОКПД2"
    ]


def test_a_223fz_contract_of_several_positions_keeps_its_total_on_the_document(read, tmp_path):
    xml = sample(CONTRACT_223)
    position = re.search(r"<ns2:contractPosition>.*?</ns2:contractPosition>", xml, re.S).group(0)
    second = position.replace("19.20.31.110", "19.20.31.120").replace("Пропан", "Бутан")
    row = one(read, write(tmp_path, "c.xml", xml.replace(position, position + second)))
    v = row.values
    assert not row.problems
    assert len(v["items"]) == 2 and v["priced_items"] is False
    assert [i["sum_kopecks"] for i in v["items"]] == [None, None]
    assert v["total_kopecks"] == 31796272
    assert any("только общей суммой" in n for n in v["notes"])


def test_a_plan_position_with_a_negative_maximum_price_refuses_the_plan_naming_it(read, tmp_path):
    xml = sample(PLAN).replace(
        "<ns2:maximumContractPrice>290000.00<", "<ns2:maximumContractPrice>-290000.00<", 1
    )
    row = one(read, write(tmp_path, "plan.xml", xml))
    assert row.document == "plan.xml · 2180316803"
    assert problems(row) == [
        (title("sum"), "-290000.00", "позиция плана 1: отрицательное значение -290000.00")
    ]


def test_a_plan_position_without_goods_rows_is_noted(read, tmp_path):
    xml = sample(PLAN)
    start = xml.index("<ns2:purchasePlanDataItemRows>")
    end = xml.index("</ns2:purchasePlanDataItemRows>") + len("</ns2:purchasePlanDataItemRows>")
    row = one(read, write(tmp_path, "plan.xml", xml[:start] + xml[end:]))
    assert not row.problems
    assert len(row.values["items"]) == 391 - 1  # the first position had one row
    assert "позиций плана без строк товаров (purchasePlanRowItem): 1" in row.values["notes"]
