"""Issue 21's acceptance test: the shipped ЕИС samples, rewritten in ``tmp_path`` so that their
customers are Tyumen (72) organisations (valid INNs and KPPs of region 72), imported with the
``procurement`` kind; the Tyumen niche pages then list those customers as buyers, with their
contract numbers, marked as known from public procurement."""

import html
import re
from pathlib import Path

from factories import inn10
from sqlalchemy import select

from promcluster.auth.audit import Actor
from promcluster.imports import service
from promcluster.niches.demand import region_demand
from promcluster.procurement.models import ProcurementDocument
from promcluster.reference.levels import group_of
from promcluster.russian import percent

SAMPLES = Path(__file__).parents[1] / "data" / "zakupki"
# sample → (customer INN, customer KPP) as the document states them (Voronezh, Volgograd,
# Adygeya, Moscow); the suppliers are left where they are.
CUSTOMERS = {
    "contract_2366200608816001262_30400522.xml": ("3662006088", "366201001"),
    "contract_3341300934617000011_32420949.xml": ("3413009346", "341301001"),
    "contract_test2.xml": ("0105018196", "010501001"),
    "purchasePlan_test.xml": ("7710043065", "770401001"),
}
CONTRACT_2016 = "2366200608816001262"


def tyumen_samples(folder: Path) -> dict[str, str]:
    """The samples with their customers moved to region 72; returns old INN → new INN."""
    moved = {}
    for n, (name, (inn, kpp)) in enumerate(CUSTOMERS.items(), start=1):
        new_inn, new_kpp = inn10(f"7203{n:05d}"), f"7203{n:02d}001"
        moved[inn] = new_inn
        text = (SAMPLES / name).read_text(encoding="utf-8")
        # whole element values only: a registry number may hold the customer's INN
        assert f">{inn}<" in text and f">{kpp}<" in text, name
        text = text.replace(f">{inn}<", f">{new_inn}<").replace(f">{kpp}<", f">{new_kpp}<")
        (folder / name).write_text(text, "utf-8")
    return moved


def test_the_tyumen_niche_pages_list_the_sample_customers_as_buyers(client, db, tmp_path):
    moved = tyumen_samples(tmp_path)
    run = service.run_import(db.sessions, "procurement", tmp_path, actor=Actor("test:import"))
    assert run.status == "done", run.message
    with db.sessions() as session:
        documents = list(session.scalars(select(ProcurementDocument)))
        assert {d.customer.inn for d in documents} == set(moved.values())
        assert {d.customer.region_code for d in documents} == {"72"}
        contract = next(d for d in documents if d.number == CONTRACT_2016)
        customer = contract.customer
        groups = {group_of(i.okpd2_code) for i in contract.items if i.okpd2_code}
        demand = region_demand(session, "72")
        plan = next(d for d in documents if d.kind == "plan")
        planned = {
            g for g, d in demand.items() if "procurement-plan" in getattr(
                d.buyers.get(plan.customer_id), "sources", ())
        }  # fmt: skip
    # the purchase plan's open needs make its customer a buyer of the classes it plans
    assert len(planned) == 107  # classes of the plan rows with an OKPD2 code
    # every class of the 2016 contract (a Tambov supplier: all of it bought outside) is a
    # niche of Tyumen whose buyers include its customer, known from procurement
    assert groups
    for group in groups:
        assert "procurement" in demand[group].buyers[customer.id].sources
    ranking = client.get("/api/v1/niches", params={"region": "72"}).json()["items"]
    assert groups <= {n["group"] for n in ranking}
    for group in sorted(groups):
        text = client.get(f"/niches/72/{group}").text
        row = re.search(rf'<tr data-procurement="{customer.id}">(.*?)</tr>', text, re.S)
        assert row, f"{group}: the customer is not listed as a buyer from procurement"
        assert html.escape(customer.name) in row.group(1)
        assert f"№&nbsp;{CONTRACT_2016}" in row.group(1)
        assert "по данным госзакупок (ЕИС)" in row.group(1)
        assert f"Тамбовская область — {percent(1, 0)}" in row.group(1)
    card = client.get(f"/enterprises/{customer.id}").text
    assert "<h2>Закупки (ЕИС)</h2>" in card
    source = re.search(r'data-field="data_source">([^<]+)<', card).group(1)
    assert source.startswith("Единая информационная система в сфере закупок (ЕИС)")
    minimal = re.search(r'data-field="is_minimal">([^<]+)<', card).group(1)
    assert minimal.startswith("карточка создана по документу госзакупки")
