"""The other import kinds: cluster members, product lines, supplies, investment projects and
needs. One file per kind that stores what it says, and the refusals each kind makes."""

from datetime import date

import pytest
from factories import fresh_inn, ogrn
from sqlalchemy import select

from promcluster.auth.audit import Actor
from promcluster.auth.models import User
from promcluster.imports import service
from promcluster.matching.models import Need
from promcluster.registry.models import InvestmentProject, Membership, ProductLine, Supply

from .kit import report, run, write_csv, write_xlsx

CLUSTER = "Строительно-промышленный кластер Тюменской области"


def enterprises(db, count: int, region: str = "72") -> list[tuple[int, str]]:
    """``count`` enterprises on the platform: (id, INN)."""
    made = []
    for _ in range(count):
        inn = fresh_inn()
        made.append((db.add_enterprise(inn=inn, region_code=region), inn))
    return made


def rows_of(db, model, *fields: str) -> set[tuple]:
    with db.sessions() as session:
        return {tuple(getattr(r, f) for f in fields) for r in session.scalars(select(model))}


def only_line(db, result) -> dict[str, str]:
    lines = report(db, result.id)
    assert len(lines) == 1, lines
    return lines[0]


# members


def test_members_by_cluster_number_or_name_with_russian_labels(db, tmp_path):
    cluster = db.add_cluster(name=CLUSTER)
    other = db.add_cluster(name="Нефтегазохимический кластер")
    (first, first_inn), (second, second_inn) = enterprises(db, 2)
    path = write_csv(
        tmp_path / "участники.csv",
        [
            ["Кластер", "ИНН", "Статус", "Роль", "Дата вступления", "Примечание"],
            [str(cluster), first_inn, "участник", "якорное предприятие", "01.03.2024", None],
            [CLUSTER, second_inn, "в стадии вступления", "участник", "1 марта 2024 г.", "заявка"],
            ["Нефтегазохимический кластер", first_inn, "потенциальный участник", None, None, None],
        ],
    )

    result = run(db, "members", path)

    assert (result.status, result.created, result.rejected) == ("done", 3, 0)
    assert rows_of(
        db, Membership, "cluster_id", "enterprise_id", "status", "role", "since", "note"
    ) == {
        (cluster, first, "member", "anchor", date(2024, 3, 1), None),
        (cluster, second, "applicant", "participant", date(2024, 3, 1), "заявка"),
        (other, first, "potential", "participant", None, None),
    }


def test_member_dates_in_every_documented_form(db, tmp_path):
    db.add_cluster(name=CLUSTER)
    forms = [
        "01.03.2024",
        "1.3.2024",
        "01.03.24",
        "2024-03-01",
        "1 марта 2024 г.",
        "1 марта 2024 года",
    ]
    members = enterprises(db, len(forms) + 1)
    rows = [
        [CLUSTER, inn, "участник", written]
        for (_, inn), written in zip(members, forms, strict=False)
    ]
    rows.append([CLUSTER, members[-1][1], "участник", date(2024, 3, 1)])  # an Excel date cell
    path = write_xlsx(
        tmp_path / "даты.xlsx", [["Кластер", "ИНН", "Статус", "Дата вступления"], *rows]
    )

    result = run(db, "members", path)

    assert (result.created, result.rejected) == (len(rows), 0), report(db, result.id)
    assert rows_of(db, Membership, "since") == {(date(2024, 3, 1),)}


def test_members_by_ogrn_when_the_inn_column_is_absent(db, tmp_path):
    cluster = db.add_cluster(name=CLUSTER)
    number = ogrn("102720000123")
    enterprise_id = db.add_enterprise(inn=fresh_inn(), ogrn=number)
    path = write_csv(
        tmp_path / "огрн.csv", [["Кластер", "ОГРН", "Статус"], [CLUSTER, number, "участник"]]
    )
    result = run(db, "members", path)
    assert (result.created, result.rejected) == (1, 0), report(db, result.id)
    assert rows_of(db, Membership, "cluster_id", "enterprise_id") == {(cluster, enterprise_id)}


@pytest.mark.parametrize(
    ("case", "column", "reason"),
    [
        ("unknown inn", "ИНН", "нет предприятия с ИНН {inn} на платформе"),
        ("unknown cluster", "Кластер", "нет кластера «Кластер-призрак» на платформе"),
        ("unknown status", "Статус", "допустимо"),
        ("left before joining", "Дата выхода", "раньше даты вступления"),
    ],
)
def test_members_refusals(db, tmp_path, case, column, reason):
    db.add_cluster(name=CLUSTER)
    (_, good_inn), (_, other_inn) = enterprises(db, 2)
    bad = [CLUSTER, other_inn, "участник", "01.03.2024", "01.02.2024"]
    bad[4] = None
    if case == "unknown inn":
        bad[1] = fresh_inn()
    elif case == "unknown cluster":
        bad[0] = "Кластер-призрак"
    elif case == "unknown status":
        bad[2] = "спонсор"
    else:
        bad[4] = "01.02.2024"
    path = write_csv(
        tmp_path / "участники.csv",
        [
            ["Кластер", "ИНН", "Статус", "Дата вступления", "Дата выхода"],
            [CLUSTER, good_inn, "участник", None, None],
            bad,
        ],
    )

    result = run(db, "members", path)

    assert (result.created, result.rejected) == (1, 1)
    assert db.count("memberships") == 1
    line = only_line(db, result)
    assert (line["row"], line["column"]) == ("3", column)
    assert reason.format(inn=bad[1]) in line["reason"]


def test_a_member_named_twice_in_one_file_is_refused_naming_the_first_row(db, tmp_path):
    cluster = db.add_cluster(name=CLUSTER)
    [(_, inn)] = enterprises(db, 1)
    path = write_csv(
        tmp_path / "дважды.csv",
        [
            ["Кластер", "ИНН", "Статус"],
            [CLUSTER, inn, "участник"],
            [str(cluster), inn, "вышел"],
        ],
    )
    result = run(db, "members", path)
    assert (result.created, result.rejected) == (1, 1)
    assert rows_of(db, Membership, "status") == {("member",)}
    line = only_line(db, result)
    assert line["row"] == "3" and "строке 2" in line["reason"]


def test_a_member_named_twice_in_different_batches_is_still_refused(db, tmp_path):
    cluster = db.add_cluster(name=CLUSTER)
    [(_, inn)] = enterprises(db, 1)
    path = write_csv(
        tmp_path / "дважды.csv",
        [
            ["Кластер", "ИНН", "Статус"],
            [CLUSTER, inn, "участник"],
            [str(cluster), inn, "вышел"],
        ],
    )
    result = run(db, "members", path, batch_size=1)
    assert rows_of(db, Membership, "status") == {("member",)}
    assert result.rejected == 1
    assert "строке 2" in only_line(db, result)["reason"]


def test_the_report_line_of_a_repeated_member_names_its_columns_and_value(db, tmp_path):
    cluster = db.add_cluster(name=CLUSTER)
    [(_, inn)] = enterprises(db, 1)
    path = write_csv(
        tmp_path / "дважды.csv",
        [["Кластер", "ИНН", "Статус"], [CLUSTER, inn, "участник"], [str(cluster), inn, "вышел"]],
    )
    result = run(db, "members", path)
    line = only_line(db, result)
    assert line["column"] != ""
    assert inn in line["value"]


# products


def test_products_made_and_consumed_with_shares_as_percent_or_fraction(db, tmp_path):
    (maker, maker_inn), (buyer, buyer_inn) = enterprises(db, 2)
    header = [
        "ИНН", "ОКПД2", "Направление", "Наименование продукции", "Объём в год",
        "Единица измерения", "Стоимость в год, руб.", "Доля закупок вне региона",
        "Доля импорта", "Год",
    ]  # fmt: skip
    path = write_csv(
        tmp_path / "продукция.csv",
        [
            header,
            [
                maker_inn,
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
            [maker_inn, "2361110", "потребляет", "Плиты", "300", "м3", None, "60%", "20%", "2024"],
            [
                buyer_inn,
                "23.61.12.000",
                "потребляет",
                None,
                "10",
                "шт",
                "250 000,4",
                "0,6",
                "0,2",
                None,
            ],
        ],
    )

    result = run(db, "products", path)

    assert (result.created, result.rejected) == (3, 0), report(db, result.id)
    fields = ("enterprise_id", "okpd2_code", "direction", "name", "volume", "unit", "value")
    assert rows_of(db, ProductLine, *fields) == {
        (maker, "23.61.11", "produces", "Блоки", 1200.5, "м3", 1500000),
        (maker, "23.61.11", "consumes", "Плиты", 300.0, "м3", None),
        (buyer, "23.61.12", "consumes", None, 10.0, "шт", 250000),
    }
    shares = {
        (e, d, *(None if s is None else round(s, 9) for s in (outside, imported)))
        for e, d, outside, imported in rows_of(
            db, ProductLine, "enterprise_id", "direction", "outside_share", "import_share"
        )
    }
    assert shares == {
        (maker, "produces", None, None),
        (maker, "consumes", 0.6, 0.2),
        (buyer, "consumes", 0.6, 0.2),
    }


@pytest.mark.parametrize(
    ("case", "column", "reason"),
    [
        ("unknown inn", "ИНН", "нет предприятия с ИНН {inn} на платформе"),
        ("unknown code", "ОКПД2", "нет кода ОКПД2"),
        ("share of a made product", "Доля импорта", "только для потребляемой"),
        ("share above 100%", "Доля импорта", "больше 100%"),
        ("unknown direction", "Направление", "допустимо"),
    ],
)
def test_products_refusals(db, tmp_path, case, column, reason):
    [(_, inn)] = enterprises(db, 1)
    bad = [inn, "23.61.12", "потребляет", "0,3"]
    if case == "unknown inn":
        bad[0] = fresh_inn()
    elif case == "unknown code":
        bad[1] = "99.99.99"
    elif case == "share of a made product":
        bad[2] = "производит"
    elif case == "share above 100%":
        bad[3] = "130%"
    else:
        bad[2] = "перепродаёт"
    path = write_csv(
        tmp_path / "продукция.csv",
        [
            ["ИНН", "ОКПД2", "Направление", "Доля импорта"],
            [inn, "23.61.11", "производит", None],
            bad,
        ],
    )

    result = run(db, "products", path)

    assert (result.created, result.rejected) == (1, 1)
    assert rows_of(db, ProductLine, "okpd2_code") == {("23.61.11",)}
    line = only_line(db, result)
    assert (line["row"], line["column"]) == ("3", column)
    assert reason.format(inn=bad[0]) in line["reason"]


# supplies


def test_supplies_between_enterprises(db, tmp_path):
    (supplier, supplier_inn), (buyer, buyer_inn) = enterprises(db, 2)
    path = write_csv(
        tmp_path / "поставки.csv",
        [
            [
                "ИНН поставщика",
                "ИНН покупателя",
                "ОКПД2",
                "Год",
                "Стоимость в год, руб.",
                "Объём в год",
                "Единица измерения",
            ],
            [supplier_inn, buyer_inn, "23.61.11", "2024", "12 500 000", "1 500,5", "м3"],
            [supplier_inn, buyer_inn, "23.61.11", "2023", "9 000 000", None, None],
            [buyer_inn, supplier_inn, "25.11.23", "2024", None, "20", "т"],
        ],
    )

    result = run(db, "supplies", path)

    assert (result.created, result.rejected) == (3, 0), report(db, result.id)
    fields = ("supplier_id", "buyer_id", "okpd2_code", "year", "value", "volume", "unit")
    assert rows_of(db, Supply, *fields) == {
        (supplier, buyer, "23.61.11", 2024, 12500000, 1500.5, "м3"),
        (supplier, buyer, "23.61.11", 2023, 9000000, None, None),
        (buyer, supplier, "25.11.23", 2024, None, 20.0, "т"),
    }


@pytest.mark.parametrize(
    ("case", "column", "reason"),
    [
        ("unknown buyer", "ИНН покупателя", "нет предприятия с ИНН {inn} на платформе"),
        ("same enterprise", "ИНН покупателя", "одно предприятие"),
        ("no year", "Год", "пустая обязательная ячейка"),
        ("year out of range", "Год", "вне диапазона"),
    ],
)
def test_supplies_refusals(db, tmp_path, case, column, reason):
    (_, supplier_inn), (_, buyer_inn) = enterprises(db, 2)
    bad = [supplier_inn, buyer_inn, "23.61.11", "2023"]
    if case == "unknown buyer":
        bad[1] = fresh_inn()
    elif case == "same enterprise":
        bad[1] = supplier_inn
    elif case == "no year":
        bad[3] = None
    else:
        bad[3] = "3024"
    path = write_csv(
        tmp_path / "поставки.csv",
        [
            ["ИНН поставщика", "ИНН покупателя", "ОКПД2", "Год"],
            [supplier_inn, buyer_inn, "23.61.11", "2024"],
            bad,
        ],
    )

    result = run(db, "supplies", path)

    assert (result.created, result.rejected) == (1, 1)
    assert rows_of(db, Supply, "year") == {(2024,)}
    line = only_line(db, result)
    assert (line["row"], line["column"]) == ("3", column)
    assert reason.format(inn=bad[1]) in line["reason"]


# projects


def test_projects_with_cluster_and_chain_by_number_or_name(db, tmp_path):
    cluster = db.add_cluster(name=CLUSTER)
    concrete = db.add_chain(cluster, name="Бетон и ЖБИ", position=1)
    metal = db.add_chain(cluster, name="Металлоконструкции", position=2)
    [(initiator, inn)] = enterprises(db, 1)
    header = [
        "Кластер", "Название проекта", "Цепочка", "ИНН инициатора", "Сумма инвестиций, руб.",
        "Год начала", "Год окончания", "Статус", "Импортозамещение", "Рабочие места",
        "Продукция (ОКПД2)",
    ]  # fmt: skip
    path = write_csv(
        tmp_path / "проекты.csv",
        [
            header,
            [
                CLUSTER,
                "Завод ЖБИ",
                "Бетон и ЖБИ",
                inn,
                "1 500 000 000",
                "2024",
                "2026",
                "реализуется",
                "да",
                "120",
                "23.61.11; 23.61.12",
            ],
            [
                str(cluster),
                "Цех металлоконструкций",
                "2",
                None,
                "250 000 000,00",
                None,
                None,
                "планируется",
                None,
                None,
                None,
            ],
            [CLUSTER, "Логистический центр", None, None, None, None, None, None, None, None, None],
        ],
    )

    result = run(db, "projects", path)

    assert (result.created, result.rejected) == (3, 0), report(db, result.id)
    fields = ("cluster_id", "name", "chain_id", "initiator_id", "amount", "start_year", "end_year")
    assert rows_of(db, InvestmentProject, *fields) == {
        (cluster, "Завод ЖБИ", concrete, initiator, 1500000000, 2024, 2026),
        (cluster, "Цех металлоконструкций", metal, None, 250000000, None, None),
        (cluster, "Логистический центр", None, None, None, None, None),
    }
    with db.sessions() as session:
        plant = session.scalar(
            select(InvestmentProject).where(InvestmentProject.name == "Завод ЖБИ")
        )
        assert (plant.status, plant.import_substitution, plant.jobs) == ("in_progress", True, 120)
        assert sorted(p.code for p in plant.products) == ["23.61.11", "23.61.12"]
    assert rows_of(db, InvestmentProject, "name", "status") >= {
        ("Цех металлоконструкций", "planned"),
        ("Логистический центр", "planned"),
    }


@pytest.mark.parametrize(
    ("case", "column", "reason"),
    [
        ("unknown chain", "Цепочка", "в кластере нет цепочки «Стекло»"),
        ("chain of another cluster", "Цепочка", "в кластере нет цепочки"),
        ("unknown cluster", "Кластер", "нет кластера"),
        ("unknown initiator", "ИНН инициатора", "нет предприятия с ИНН {inn} на платформе"),
        ("ends before it starts", "Год окончания", "раньше года начала"),
    ],
)
def test_projects_refusals(db, tmp_path, case, column, reason):
    db.add_cluster(name=CLUSTER)
    other = db.add_cluster(name="Другой кластер")
    db.add_chain(other, name="Чужая цепочка", position=1)
    bad = [CLUSTER, "Проект с ошибкой", None, None, "2025", "2027"]
    if case == "unknown chain":
        bad[2] = "Стекло"
    elif case == "chain of another cluster":
        bad[2] = "Чужая цепочка"
    elif case == "unknown cluster":
        bad[0] = "Кластер-призрак"
    elif case == "unknown initiator":
        bad[3] = fresh_inn()
    else:
        bad[5] = "2023"
    path = write_csv(
        tmp_path / "проекты.csv",
        [
            [
                "Кластер",
                "Название проекта",
                "Цепочка",
                "ИНН инициатора",
                "Год начала",
                "Год окончания",
            ],
            [CLUSTER, "Хороший проект", None, None, None, None],
            bad,
        ],
    )

    result = run(db, "projects", path)

    assert (result.created, result.rejected) == (1, 1)
    assert rows_of(db, InvestmentProject, "name") == {("Хороший проект",)}
    line = only_line(db, result)
    assert (line["row"], line["column"]) == ("3", column)
    assert reason.format(inn=bad[3]) in line["reason"]


# needs


def test_needs_of_platform_customers_and_of_outside_customers(db, tmp_path):
    [(customer, inn)] = enterprises(db, 1, region="66")
    path = write_csv(
        tmp_path / "потребности.csv",
        [
            [
                "ИНН заказчика",
                "Заказчик",
                "Регион",
                "Продукция",
                "ОКПД2",
                "Объём в год",
                "Единица измерения",
                "Срок",
                "Статус",
            ],
            [
                inn,
                None,
                None,
                "Геомембрана HDPE 1,5 мм",
                "22.21.30",
                "12 000",
                "м2",
                "31.12.2024",
                None,
            ],
            [inn, None, "72", "Блоки газобетонные", "23.61.12", "5 000,5", "м3", None, "закрыта"],
            [
                None,
                "ООО «Ямал СПГ»",
                "Тюменская обл.",
                "Металлоконструкции",
                "25.11.23",
                None,
                "т",
                "1 марта 2025 г.",
                "открыта",
            ],
        ],
    )

    result = run(db, "needs", path)

    assert (result.created, result.rejected) == (3, 0), report(db, result.id)
    fields = (
        "customer_id", "customer_name", "region_code", "product_name", "okpd2_code", "volume",
        "unit", "deadline", "status",
    )  # fmt: skip
    assert rows_of(db, Need, *fields) == {
        (
            customer,
            None,
            "66",
            "Геомембрана HDPE 1,5 мм",
            "22.21.30",
            12000.0,
            "м2",
            date(2024, 12, 31),
            "open",
        ),
        (customer, None, "72", "Блоки газобетонные", "23.61.12", 5000.5, "м3", None, "closed"),
        (
            None,
            "ООО «Ямал СПГ»",
            "72",
            "Металлоконструкции",
            "25.11.23",
            None,
            "т",
            date(2025, 3, 1),
            "open",
        ),
    }


@pytest.mark.parametrize(
    ("case", "column", "reason"),
    [
        ("unknown inn", "ИНН заказчика", "нет предприятия с ИНН {inn} на платформе"),
        ("outside customer without region", "Заказчик", "укажите регион"),
        ("no customer", "ИНН заказчика или Заказчик", "заполните"),
        ("no product", "Продукция", "пустая обязательная ячейка"),
    ],
)
def test_needs_refusals(db, tmp_path, case, column, reason):
    [(_, inn)] = enterprises(db, 1)
    bad = [inn, None, None, "Щебень"]
    if case == "unknown inn":
        bad[0] = fresh_inn()
    elif case == "outside customer without region":
        bad[:2] = [None, "ООО «Без региона»"]
    elif case == "no customer":
        bad[0] = None
    else:
        bad[3] = None
    path = write_csv(
        tmp_path / "потребности.csv",
        [["ИНН заказчика", "Заказчик", "Регион", "Продукция"], [inn, None, None, "Песок"], bad],
    )

    result = run(db, "needs", path)

    assert (result.created, result.rejected) == (1, 1)
    assert rows_of(db, Need, "product_name") == {("Песок",)}
    line = only_line(db, result)
    assert (line["row"], line["column"]) == ("3", column)
    assert reason.format(inn=bad[0]) in line["reason"]


# permissions of a signed-in user


def _user(db, users, name: str, role: str, **scope):
    login = users.add(name, role, **scope)
    with db.sessions() as session:
        return session.get(User, login.id)


def _supply_file(tmp_path, supplier_inn: str, buyer_inn: str):
    return write_csv(
        tmp_path / "поставки.csv",
        [
            ["ИНН поставщика", "ИНН покупателя", "ОКПД2", "Год"],
            [supplier_inn, buyer_inn, "23.61.11", "2024"],
        ],
    )


def test_a_representative_cannot_record_supplies_between_other_enterprises(db, users, tmp_path):
    (own, _), (_, supplier_inn), (_, buyer_inn) = enterprises(db, 3)
    user = _user(db, users, "rep", "enterprise_rep", enterprise=own)
    path = _supply_file(tmp_path, supplier_inn, buyer_inn)

    result = service.run_import(
        db.sessions, "supplies", path, actor=Actor(user.username, user.id), user=user
    )

    assert (result.created, result.rejected) == (0, 1)
    assert db.count("supplies") == 0
    assert all("нет прав" in line["reason"] for line in report(db, result.id))


def test_the_suppliers_representative_records_a_supply_without_a_refusal(db, users, tmp_path):
    (supplier, supplier_inn), (_, buyer_inn) = enterprises(db, 2)
    user = _user(db, users, "rep", "enterprise_rep", enterprise=supplier)
    path = _supply_file(tmp_path, supplier_inn, buyer_inn)

    result = service.run_import(
        db.sessions, "supplies", path, actor=Actor(user.username, user.id), user=user
    )

    assert rows_of(db, Supply, "supplier_id") == {(supplier,)}
    assert report(db, result.id) == []
    assert (result.created, result.rejected) == (1, 0)
