"""The SYNTHETIC 44-FZ export of benchmarks/synthetic_procurement.py has the structure of the real
ЕИС sample it imitates, says it is synthetic, and holds valid identifiers and real codes. (The
benchmark itself runs with ``make bench``, never in the suite.)"""

import csv
import sys
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from promcluster.reference.identifiers import inn_error
from promcluster.reference.service import data_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synthetic_procurement

SAMPLE = Path(__file__).parent / "data" / "zakupki" / "contract_2366200608816001262_30400522.xml"
# The paths the importer reads (PROVENANCE.md, section zakupki/), below export/contract.
READ_PATHS = (
    "versionNumber",
    "signDate",
    "regNum",
    "customer/inn",
    "customer/kpp",
    "customer/fullName",
    "priceInfo/price",
    "products/product/OKPD2/code",
    "products/product/OKPD2/name",
    "products/product/name",
    "products/product/OKEI/code",
    "products/product/quantity",
    "products/product/price",
    "products/product/sum",
    "suppliers/supplier/legalEntityRF/INN",
    "suppliers/supplier/legalEntityRF/KPP",
    "suppliers/supplier/legalEntityRF/OKTMO/code",
)


def paths(element: ET.Element, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every element path below ``element`` as a tuple of tags, namespaces included."""
    found = set()
    for child in element:
        if isinstance(child.tag, str):
            path = (*prefix, child.tag)
            found |= {path} | paths(child, path)
    return found


def local(path: tuple[str, ...]) -> str:
    """The path without namespaces: ``products/product/OKPD2/code``."""
    return "/".join(tag.rsplit("}", 1)[-1] for tag in path)


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("procurement") / "export.zip"
    return synthetic_procurement.write_export(path, 20, items=5, seed=3)


@pytest.fixture(scope="module")
def documents(export) -> dict[str, bytes]:
    with zipfile.ZipFile(export) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_one_labelled_xml_file_per_contract(documents):
    assert len(documents) == 20
    for name, data in documents.items():
        assert name.startswith("synthetic_contract_") and name.endswith(".xml")
        assert b"<!-- synthetic data (promcluster benchmark) -->" in data[:200]


def test_documents_have_the_root_namespaces_and_paths_of_the_real_sample(documents):
    sample = ET.parse(SAMPLE).getroot()
    sample_contract = sample[0]
    sample_paths = paths(sample_contract)
    for data in documents.values():
        root = ET.fromstring(data)
        assert root.tag == sample.tag  # {…/oos/export/1}export
        (contract,) = list(root)
        assert contract.tag == sample_contract.tag
        assert contract.get("schemeVersion") == sample_contract.get("schemeVersion") == "6.3"
        found = paths(contract)
        # Same namespaces and nesting: nothing the real file would not have…
        assert found - {p for p in found if local(p) == "currentContractStage"} <= sample_paths
        # …and every path the importer reads.
        assert {p for p in map(local, found)} >= set(READ_PATHS)


def contracts(documents):
    ns = {"t": "http://zakupki.gov.ru/oos/types/1", "e": "http://zakupki.gov.ru/oos/export/1"}
    for data in documents.values():
        yield ET.fromstring(data).find("e:contract", ns), ns


def test_parties_are_labelled_with_valid_inns_of_tax_office_00(documents):
    with data_path("regions.csv").open(encoding="utf-8") as f:
        regions = {r["code"] for r in csv.DictReader(f)}
    for contract, ns in contracts(documents):
        customer = contract.find("t:customer", ns)
        supplier = contract.find("t:suppliers/t:supplier/t:legalEntityRF", ns)
        assert customer.findtext("t:fullName", namespaces=ns).startswith("Синтетический заказчик ")
        assert supplier.findtext("t:fullName", namespaces=ns).startswith("Синтетический поставщик ")
        for inn, kpp in (
            (customer.findtext("t:inn", namespaces=ns), customer.findtext("t:kpp", namespaces=ns)),
            (supplier.findtext("t:INN", namespaces=ns), supplier.findtext("t:KPP", namespaces=ns)),
        ):
            assert len(inn) == 10 and inn_error(inn) is None, inn
            assert inn[2:4] == "00"  # tax office code 00: no real firm's
            assert kpp[:2] == inn[:2] and len(kpp) == 9
            assert inn[:2] in regions


def test_products_carry_reference_okpd2_codes_and_consistent_amounts(documents):
    names = synthetic_procurement.okpd2_names()
    for contract, ns in contracts(documents):
        products = contract.findall("t:products/t:product", ns)
        assert len(products) == 5
        total = Decimal(0)
        for product in products:
            code = product.findtext("t:OKPD2/t:code", namespaces=ns)
            assert names[code] == product.findtext("t:OKPD2/t:name", namespaces=ns)
            assert product.findtext("t:name", namespaces=ns).endswith("(синтетические данные)")
            assert product.findtext("t:OKEI/t:code", namespaces=ns).isdigit()
            price = Decimal(product.findtext("t:price", namespaces=ns))
            quantity = Decimal(product.findtext("t:quantity", namespaces=ns))
            amount = Decimal(product.findtext("t:sum", namespaces=ns))
            assert price > 0 and quantity > 0
            assert abs(price * quantity - amount) <= Decimal("0.01")
            total += amount
        assert Decimal(contract.findtext("t:priceInfo/t:price", namespaces=ns)) == total
        number = contract.findtext("t:regNum", namespaces=ns)
        customer_inn = contract.findtext("t:customer/t:inn", namespaces=ns)
        sign_year = contract.findtext("t:signDate", namespaces=ns)[2:4]
        assert len(number) == 19 and number[1:11] == customer_inn and number[11:13] == sign_year


def test_the_export_is_deterministic_and_mixes_regions(tmp_path, export):
    again = synthetic_procurement.write_export(tmp_path / "again.zip", 20, items=5, seed=3)
    assert again.read_bytes() == export.read_bytes()
    bigger = list(synthetic_procurement.contracts(400, items=1, seed=1))
    customer_regions = {xml.split("<inn>")[1][:2] for _, xml in bigger}
    supplier_regions = {xml.split("<INN>")[1][:2] for _, xml in bigger}
    assert "72" in customer_regions and len(customer_regions) > 2
    assert len(supplier_regions) > 5
    assert len({name for name, _ in bigger}) == 400  # every contract number once
