"""The enterprises export read in batches and written as a streamed XLSX (issue 23): more rows
than one batch, each with the values the models give (region, city, extra activities, labels),
in the list's order, a formula-like name kept as a quote-prefixed text, under the list filters;
opened with openpyxl. The time and memory bar is checked by benchmarks/bench_export_xlsx.py."""

import io

from factories import inn10
from openpyxl import load_workbook
from sqlalchemy import insert, select

from promcluster.imports import exports
from promcluster.reference.models import City
from promcluster.registry.models import Enterprise, enterprise_okved

API = "/api/v1"
ROWS = exports.BATCH + 345  # two batches
FORMULA = '=HYPERLINK("http://evil.example/","x")'


def populate(db) -> None:
    """``ROWS`` synthetic firms in Tyumen (72) and Kurgan (45), every tenth with two extra
    activities, the first one named like a formula."""
    with db.session() as session:
        tyumen = session.scalar(select(City.id).where(City.region_code == "72").limit(1))
        rows = [
            {
                "inn": inn10(f"72{n:07d}"), "name": FORMULA if n == 0 else f"Синтетика {n}",
                "search_text": f"синтетика {n}", "region_code": "72" if n % 3 else "45",
                "city_id": tyumen if n % 3 else None, "okved_main": "23.61",
                "employees": n, "sme_category": "small", "is_synthetic": True, "version": 1,
            }
            for n in range(ROWS)
        ]  # fmt: skip
        session.execute(insert(Enterprise), rows)
        ids = session.scalars(select(Enterprise.id).order_by(Enterprise.id)).all()
        session.execute(
            insert(enterprise_okved),
            [
                {"enterprise_id": i, "okved_code": code}
                for i in ids[::10]
                for code in ("23.63", "08.12")
            ],
        )


def workbook_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def expected(db, filters: dict) -> list[tuple]:
    """What the ORM records give, field by field (the export's values before the streaming)."""
    fields = exports.EXPORTS["enterprises"].fields()
    with db.session() as session:
        return [
            tuple(sheet_value(f.value(r)) for f in fields)
            for r in exports.records(session, "enterprises", filters)
        ]


def sheet_value(value):
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return "; ".join(value) or None
    return value


def test_the_streamed_enterprises_workbook_holds_every_row(client, db):
    populate(db)
    response = client.get(f"{API}/export/enterprises.xlsx")  # anonymous: a public register
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    header, *rows = workbook_rows(response.content)
    assert list(header) == [f.header for f in exports.EXPORTS["enterprises"].fields()]
    assert len(rows) == ROWS
    assert rows == expected(db, {})
    named = {row[header.index("Наименование")] for row in rows}
    assert FORMULA in named
    extras = [
        row[header.index("Дополнительные ОКВЭД")]
        for row in rows
        if row[header.index("Дополнительные ОКВЭД")]
    ]
    assert len(extras) == len(range(0, ROWS, 10)) and set(extras) == {"08.12; 23.63"}
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value == FORMULA]
    assert [(c.data_type, c.quotePrefix) for c in cells] == [("s", True)]
    assert sheet.freeze_panes == "A2"


def test_the_streamed_export_keeps_the_list_filters(client, db):
    populate(db)
    response = client.get(f"{API}/export/enterprises.xlsx", params={"region": "45"})
    header, *rows = workbook_rows(response.content)
    assert len(rows) == len(range(0, ROWS, 3))
    assert {row[header.index("Регион")] for row in rows} == {"45 - Курганская область"}
    assert rows == expected(db, {"region": "45"})
    csv = client.get(f"{API}/export/enterprises.csv", params={"q": "Синтетика 1"})
    assert csv.status_code == 200
    assert len(csv.content.decode("utf-8-sig").splitlines()) - 1 == len(
        expected(db, {"q": "Синтетика 1"})
    )
