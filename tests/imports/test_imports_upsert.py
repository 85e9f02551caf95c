"""Upsert by natural key: a re-imported file changes nothing, a changed value updates the record
(version up, audit row with before and after), an empty cell never erases a stored value; the
run record counts what each row did."""

import math
from datetime import date
from pathlib import Path

import pytest
from factories import Database, fresh_inn, ogrn
from sqlalchemy import select, text

from promcluster.matching.models import Need
from promcluster.registry.models import Enterprise, Membership

from .kit import (
    ACTOR,
    HEADER,
    cli,
    counts,
    enterprise,
    enterprise_rows,
    import_run,
    report,
    run,
    said,
    write_csv,
    write_xlsx,
)

CLUSTER = "Кластер строительных материалов"
FULL_HEADER = [
    "ИНН", "ОГРН", "Наименование", "Полное наименование", "Регион", "Город", "Адрес", "Широта",
    "Долгота", "ОКВЭД", "Дополнительные ОКВЭД", "Численность", "Выручка, руб.", "Категория МСП",
    "Сайт", "Эл. почта", "Телефон", "Описание", "Синтетические данные",
]  # fmt: skip


def full_row(inn: str, serial: int) -> list[str]:
    return [
        inn, ogrn(f"1027200{serial:05d}"), f"ООО «Завод №{serial}»",
        f"Общество с ограниченной ответственностью «Завод №{serial}»", "72", "Тюмень",
        f"г. Тюмень, ул. Мельникайте, {serial}", "57,153", "65,534", "23.61", "25.11; 41.20",
        "1 250", "1 234 567,8", "малое", "https://zavod.example", "info@zavod.example",
        "+7 3452 00-00-00", "Бетон и ЖБИ", "нет",
    ]  # fmt: skip


def _platform(db: Database, count: int, region: str = "72") -> list[str]:
    inns = [fresh_inn() for _ in range(count)]
    for inn in inns:
        db.add_enterprise(inn=inn, region_code=region)
    return inns


def sample(db: Database, kind: str, folder: Path) -> tuple[Path, int]:
    """A file of ``kind`` filling most of its columns (prerequisites created), and its rows."""
    if kind == "enterprises":
        rows = [full_row(fresh_inn(), i) for i in range(1, 4)]
        return write_csv(folder / "предприятия.csv", [FULL_HEADER, *rows]), len(rows)
    if kind == "members":
        cluster = db.add_cluster(name=CLUSTER)
        a, b = _platform(db, 2)
        rows = [
            [CLUSTER, a, "участник", "якорное предприятие", "01.03.2024", None, "с 2024"],
            [str(cluster), b, "вышел", "наука", "1 марта 2023 г.", "31.12.2024", None],
        ]
        header = [
            "Кластер",
            "ИНН",
            "Статус",
            "Роль",
            "Дата вступления",
            "Дата выхода",
            "Примечание",
        ]
        return write_xlsx(folder / "участники.xlsx", [header, *rows]), len(rows)
    if kind == "products":
        a, b = _platform(db, 2)
        header = [
            "ИНН",
            "ОКПД2",
            "Направление",
            "Наименование продукции",
            "Объём в год",
            "Единица измерения",
            "Стоимость в год, руб.",
            "Доля закупок вне региона",
            "Доля импорта",
            "Год",
        ]
        rows = [
            [
                a,
                "23.61.11",
                "производит",
                "Блоки",
                "1 200,5",
                "м3",
                "1 500 000",
                None,
                None,
                "2024",
            ],
            [a, "23.61.12", "потребляет", "Плиты", "0,1", "т", None, "60%", "0,35", "2024"],
            [b, "25.11.23", "потребляет", None, "3", "т", None, "33,3%", "0,2", None],
        ]
        return write_csv(folder / "продукция.csv", [header, *rows]), len(rows)
    if kind == "supplies":
        a, b = _platform(db, 2)
        header = [
            "ИНН поставщика",
            "ИНН покупателя",
            "ОКПД2",
            "Год",
            "Стоимость в год, руб.",
            "Объём в год",
            "Единица измерения",
        ]
        rows = [
            [a, b, "23.61.11", "2024", "12 500 000", "1 500,5", "м3"],
            [b, a, "25.11.23", "2023", None, "0,3", "т"],
        ]
        return write_csv(folder / "поставки.csv", [header, *rows]), len(rows)
    if kind == "projects":
        cluster = db.add_cluster(name=CLUSTER)
        db.add_chain(cluster, name="Бетон", position=1)
        [initiator] = _platform(db, 1)
        header = [
            "Кластер",
            "Название проекта",
            "Цепочка",
            "ИНН инициатора",
            "Сумма инвестиций, руб.",
            "Год начала",
            "Год окончания",
            "Статус",
            "Импортозамещение",
            "Рабочие места",
            "Продукция (ОКПД2)",
            "Описание",
        ]
        rows = [
            [
                CLUSTER,
                "Завод ЖБИ",
                "1",
                initiator,
                "1 500 000 000",
                "2024",
                "2026",
                "реализуется",
                "да",
                "120",
                "23.61.11, 23.61.12",
                "Первая очередь",
            ],
            [
                str(cluster),
                "Склад",
                "Бетон",
                None,
                None,
                None,
                None,
                "идея",
                "нет",
                None,
                None,
                None,
            ],
        ]
        return write_csv(folder / "проекты.csv", [header, *rows]), len(rows)
    assert kind == "needs"
    [customer] = _platform(db, 1, region="66")
    header = [
        "ИНН заказчика",
        "Заказчик",
        "Регион",
        "Продукция",
        "ОКПД2",
        "Объём в год",
        "Единица измерения",
        "Стоимость в год, руб.",
        "Срок",
        "Статус",
        "Описание",
    ]
    rows = [
        [
            customer,
            None,
            None,
            "Геомембрана",
            "22.21.30",
            "12 000",
            "м2",
            "3 000 000",
            "31.12.2024",
            "открыта",
            None,
        ],
        [
            None,
            "ООО «Ямал СПГ»",
            "Тюменская обл.",
            "Металлоконструкции",
            None,
            "0,7",
            "т",
            None,
            "1 марта 2025 г.",
            None,
            "срочно",
        ],
    ]
    return write_csv(folder / "потребности.csv", [header, *rows]), len(rows)


TABLE_OF = {
    "enterprises": "enterprises",
    "members": "memberships",
    "products": "product_lines",
    "supplies": "supplies",
    "projects": "investment_projects",
    "needs": "needs",
}


def versions(db: Database, table: str) -> dict[int, int]:
    with db.engine.connect() as connection:
        return dict(connection.execute(text(f"SELECT id, version FROM {table}")).all())


@pytest.mark.parametrize("kind", list(TABLE_OF))
def test_reimporting_the_same_file_changes_nothing(db, tmp_path, kind):
    path, rows = sample(db, kind, tmp_path)
    first = run(db, kind, path)
    assert (first.created, first.rejected) == (rows, 0), report(db, first.id)
    before, audit_rows = counts(db), db.audit_count()
    stored = versions(db, TABLE_OF[kind])

    again = run(db, kind, path)

    assert again.status == "done"
    assert (again.rows_read, again.unchanged) == (rows, rows)
    assert (again.created, again.updated, again.rejected) == (0, 0, 0)
    assert counts(db) == before
    assert db.audit_count() == audit_rows
    assert versions(db, TABLE_OF[kind]) == stored


def test_a_changed_value_updates_the_record_bumps_its_version_and_is_audited(db, tmp_path):
    rows = [full_row(fresh_inn(), i) for i in range(1, 4)]
    write_csv(tmp_path / "v1.csv", [FULL_HEADER, *rows])
    run(db, "enterprises", tmp_path / "v1.csv")
    changed = enterprise(db, rows[1][0])
    untouched = [enterprise(db, r[0]) for r in (rows[0], rows[2])]
    assert changed.version == 1 and changed.revenue == 1234568

    rows[1][FULL_HEADER.index("Выручка, руб.")] = "2 000 000"
    rows[1][FULL_HEADER.index("Дополнительные ОКВЭД")] = "25.11"
    write_csv(tmp_path / "v2.csv", [FULL_HEADER, *rows])
    result = cli(db, "enterprises", str(tmp_path / "v2.csv"))

    assert result.exit_code == 0, result.output
    assert "добавлено 0, обновлено 1, без изменений 2, отклонено 0" in said(result)
    after = enterprise(db, rows[1][0])
    assert (after.version, after.revenue, after.okved_extra) == (2, 2000000, ["25.11"])
    assert [enterprise(db, e.inn).version for e in untouched] == [1, 1]
    [audit] = db.audit(entity="enterprises", action="update")
    assert audit.entity_id == str(changed.id)
    assert audit.actor == "cli:import enterprises"
    assert audit.changes == {
        "revenue": [1234568, 2000000],
        "okved_extra": [["25.11", "41.20"], ["25.11"]],
    }


def test_a_changed_membership_is_updated_in_place(db, tmp_path):
    cluster = db.add_cluster(name=CLUSTER)
    inn = fresh_inn()
    enterprise_id = db.add_enterprise(inn=inn)
    header = ["Кластер", "ИНН", "Статус", "Дата вступления", "Дата выхода"]
    write_csv(tmp_path / "v1.csv", [header, [CLUSTER, inn, "участник", "01.03.2024", None]])
    write_csv(tmp_path / "v2.csv", [header, [CLUSTER, inn, "вышел", None, "1 марта 2025 г."]])
    run(db, "members", tmp_path / "v1.csv")

    result = run(db, "members", tmp_path / "v2.csv")

    assert (result.created, result.updated) == (0, 1)
    with db.sessions() as session:
        [member] = session.scalars(select(Membership)).all()
    assert (member.cluster_id, member.enterprise_id) == (cluster, enterprise_id)
    assert (member.status, member.since, member.until, member.version) == (
        "left",
        date(2024, 3, 1),
        date(2025, 3, 1),
        2,
    )
    [audit] = db.audit(entity="memberships", action="update")
    assert audit.entity_id == str(member.id)
    assert audit.changes == {"status": ["member", "left"], "until": [None, "2025-03-01"]}


# Columns whose empty cell must keep the stored value (OGRN and the full name, which also feed
# the search text, have their own test below).
KEPT = (
    "Широта",
    "ОКВЭД",
    "Дополнительные ОКВЭД",
    "Выручка, руб.",
    "Телефон",
    "Синтетические данные",
)


def _partial(full: list[str], how: str, name: str | None = None) -> list[list]:
    """``full`` without the values of KEPT: empty cells or absent columns."""
    if name is not None:
        full = [name if h == "Наименование" else v for h, v in zip(FULL_HEADER, full, strict=True)]
    if how == "empty cells":
        return [
            FULL_HEADER,
            [None if h in KEPT else v for h, v in zip(FULL_HEADER, full, strict=True)],
        ]
    pairs = [(h, v) for h, v in zip(FULL_HEADER, full, strict=True) if h not in KEPT]
    return [[h for h, _ in pairs], [v for _, v in pairs]]


KEPT_FIELDS = ("lat", "okved_main", "revenue", "phone", "is_synthetic", "okved_extra")


@pytest.mark.parametrize("how", ["empty cells", "absent columns"])
def test_an_empty_cell_does_not_erase_a_stored_value(db, tmp_path, how):
    inn = fresh_inn()
    full = full_row(inn, 7)
    write_csv(tmp_path / "full.csv", [FULL_HEADER, full])
    run(db, "enterprises", tmp_path / "full.csv")
    stored = enterprise(db, inn)
    assert stored.revenue == 1234568 and stored.phone and stored.okved_extra
    write_csv(tmp_path / "partial.csv", _partial(full, how))

    result = run(db, "enterprises", tmp_path / "partial.csv")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    after = enterprise(db, inn)
    assert [getattr(after, f) for f in KEPT_FIELDS] == [getattr(stored, f) for f in KEPT_FIELDS]
    assert after.version == stored.version


@pytest.mark.parametrize("how", ["empty cells", "absent columns"])
def test_an_empty_cell_does_not_erase_a_stored_value_when_the_row_updates_another(
    db, tmp_path, how
):
    inn = fresh_inn()
    full = full_row(inn, 9)
    write_csv(tmp_path / "full.csv", [FULL_HEADER, full])
    run(db, "enterprises", tmp_path / "full.csv")
    stored = enterprise(db, inn)
    write_csv(tmp_path / "partial.csv", _partial(full, how, name="ООО «Переименованное»"))

    result = run(db, "enterprises", tmp_path / "partial.csv")

    assert (result.created, result.updated) == (0, 1)
    after = enterprise(db, inn)
    assert (after.name, after.version) == ("ООО «Переименованное»", stored.version + 1)
    assert [getattr(after, f) for f in KEPT_FIELDS] == [getattr(stored, f) for f in KEPT_FIELDS]


def test_a_partial_reimport_leaves_the_record_and_its_search_text_unchanged(db, tmp_path):
    inn = fresh_inn()
    write_csv(tmp_path / "full.csv", [FULL_HEADER, full_row(inn, 8)])
    run(db, "enterprises", tmp_path / "full.csv")
    stored = enterprise(db, inn)
    audit_rows = db.audit_count()
    write_csv(tmp_path / "short.csv", [HEADER, [inn, stored.name, "72"]])

    result = run(db, "enterprises", tmp_path / "short.csv")

    after = enterprise(db, inn)
    assert stored.ogrn in after.search_text
    assert (result.unchanged, result.updated) == (1, 0)
    assert after.version == stored.version
    assert db.audit_count() == audit_rows


def test_an_empty_region_cell_keeps_the_region_stored_for_a_need(db, tmp_path):
    inn = fresh_inn()
    db.add_enterprise(inn=inn, region_code="72")
    header = ["ИНН заказчика", "Регион", "Продукция"]
    write_csv(tmp_path / "v1.csv", [header, [inn, "Свердловская область", "Щебень"]])
    write_csv(tmp_path / "v2.csv", [header, [inn, None, "Щебень"]])
    run(db, "needs", tmp_path / "v1.csv")

    result = run(db, "needs", tmp_path / "v2.csv")

    with db.sessions() as session:
        [need] = session.scalars(select(Need)).all()
    assert need.region_code == "66"
    assert (result.unchanged, result.updated) == (1, 0)


def test_the_run_record_counts_what_each_row_did(db, tmp_path):
    same, new = enterprise_rows(2), enterprise_rows(3)
    write_csv(tmp_path / "v1.csv", [HEADER, *same])
    first = run(db, "enterprises", tmp_path / "v1.csv")
    assert (first.status, first.rows_read, first.created) == ("done", len(same), len(same))
    refused = [fresh_inn(), "ООО «Без региона»", None]
    write_csv(tmp_path / "v2.csv", [HEADER, *same, refused, *new, [None, None, None]])

    result = run(db, "enterprises", tmp_path / "v2.csv", batch_size=2)

    stored = import_run(db, result.id)
    assert stored.status == "done" and stored.progress == 1.0 and stored.finished_at
    assert (stored.kind, stored.filename, stored.actor) == ("enterprises", "v2.csv", ACTOR.name)
    assert stored.rows_read == len(same) + 1 + len(new)
    assert (stored.created, stored.updated) == (len(new), 0)
    assert (stored.unchanged, stored.rejected) == (len(same), 1)
    assert stored.message is None
    assert db.count("enterprises") == len(same) + len(new)


def test_created_records_get_one_audit_row_per_batch_listing_them(db, tmp_path):
    rows = enterprise_rows(5)
    write_csv(tmp_path / "новые.csv", [HEADER, *rows])

    result = run(db, "enterprises", tmp_path / "новые.csv", batch_size=2)

    audits = db.audit(entity="enterprises", action="create")
    assert len(audits) == math.ceil(len(rows) / 2)
    assert {a.changes["import_run"] for a in audits} == {result.id}
    assert [a.changes["rows"] for a in audits] == [[2, 3], [4, 5], [6, 6]]
    with db.sessions() as session:
        ids = set(session.scalars(select(Enterprise.id)))
    assert sorted(i for a in audits for i in a.changes["ids"]) == sorted(ids)
