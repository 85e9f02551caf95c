from pathlib import Path

from sqlalchemy import func, select

from promcluster.procurement.models import ProcurementDocument, ProcurementItem
from promcluster.registry.models import Enterprise, ProductLine, Supply
from promcluster.matching.models import Need

from .kit import run, report

SAMPLES = Path(__file__).parents[1] / "data" / "zakupki"


def test_smoke(db):
    for path in sorted(SAMPLES.glob("*.xml")):
        result = run(db, "procurement", path)
        print("\n##", path.name, result.status, result.created, result.updated, result.unchanged, result.rejected, result.message)
        for line in report(db, result.id) if result.rejected else []:
            print("   !", line)
    with db.sessions() as session:
        for d in session.scalars(select(ProcurementDocument)):
            print(d.law, d.kind, d.number, d.version, d.year, d.customer.inn, d.customer.region_code, d.supplier and d.supplier.inn, d.supplier_region_code, d.total_kopecks, d.priced_items, len(d.items), d.file)
        for e in session.scalars(select(Enterprise)):
            print("E", e.inn, e.name, e.region_code, e.data_source, e.is_minimal)
        for l in session.scalars(select(ProductLine)):
            print("L", l.enterprise.inn, l.okpd2_code, l.year, l.value, l.volume, l.unit, l.outside_share)
        for s in session.scalars(select(Supply)):
            print("S", s.supplier.inn, s.buyer.inn, s.okpd2_code, s.year, s.value, s.volume, s.unit)
        print("needs", session.scalar(select(func.count()).select_from(Need)))
        for n in session.scalars(select(Need).limit(3)):
            print("N", n.product_name, n.okpd2_code, n.volume, n.unit, n.value, n.deadline, n.region_code, n.description)
    assert 0
