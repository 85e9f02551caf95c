"""Bad input is refused with 422, a message per field, and nothing stored (no audit row either)."""

import re
from contextlib import contextmanager

import pytest
from factories import error_fields, fresh_inn, inn10, ogrn

API = "/api/v1"
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def refused(db, send, *fields: str):
    """Send a request; check 422 naming each of ``fields``, in Russian, and no row written."""
    before = db.counts()
    response = send()
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    for error in detail:
        assert CYRILLIC.search(error["msg"]), error
    for field in fields:
        assert field in error_fields(response), (field, detail)
    assert db.counts() == before
    return response


@contextmanager
def unchanged(client, path: str):
    """A block after which the record at ``path`` must read as it did before."""
    before = client.get(path).json()
    yield before
    assert client.get(path).json() == before


# Identifiers


def test_invalid_inn_checksum(admin_client, db):
    good = fresh_inn()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    response = refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises", json={"name": "ООО «Ромашка»", "region_code": "72", "inn": bad}
        ),
        "inn",
    )
    assert response.json()["detail"][0]["loc"][-1] == "inn"
    assert response.json()["detail"][0]["msg"] == "неверная контрольная цифра ИНН"


@pytest.mark.parametrize("inn", ["123", "77070838931", "770708389X"])
def test_inn_of_wrong_length_or_letters(admin_client, db, inn):
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises", json={"name": "ООО «Ромашка»", "region_code": "72", "inn": inn}
        ),
        "inn",
    )


def test_invalid_ogrn_checksum(admin_client, db):
    good = ogrn("102720000555")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises", json={"name": "ООО «Ромашка»", "region_code": "72", "ogrn": bad}
        ),
        "ogrn",
    )


def test_inn_in_full_width_digits_is_refused(admin_client, db):
    inn = fresh_inn()
    wide = inn.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises", json={"name": "ООО «Ромашка»", "region_code": "72", "inn": wide}
        ),
        "inn",
    )


def test_patch_with_invalid_inn_checksum_is_refused(admin_client, client, db):
    enterprise = db.add_enterprise()
    path = f"{API}/enterprises/{enterprise}"
    with unchanged(client, path) as before:
        refused(
            db,
            lambda: admin_client.patch(
                path, json={"inn": "1234567890", "version": before["version"]}
            ),
            "inn",
        )


def test_duplicate_inn(admin_client, client, db):
    inn = fresh_inn()
    db.add_enterprise(name="Первое", inn=inn)
    response = refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises", json={"name": "Второе", "region_code": "72", "inn": inn}
        ),
        "inn",
    )
    assert "Первое" in response.json()["detail"][0]["msg"]
    second = db.add_enterprise(name="Второе", inn=fresh_inn())
    path = f"{API}/enterprises/{second}"
    with unchanged(client, path) as before:
        refused(
            db,
            lambda: admin_client.patch(path, json={"inn": inn, "version": before["version"]}),
            "inn",
        )


def test_duplicate_ogrn(admin_client, db):
    number = ogrn("102720000999")
    db.add_enterprise(name="Первое", ogrn=number)
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises", json={"name": "Второе", "region_code": "72", "ogrn": number}
        ),
        "ogrn",
    )


def test_same_inn_may_be_kept_on_its_own_record(admin_client, client, db):
    inn = inn10("720555555")
    enterprise = db.add_enterprise(inn=inn)
    response = admin_client.patch(
        f"{API}/enterprises/{enterprise}", json={"inn": inn, "name": "Новое имя", "version": 1}
    )
    assert response.status_code == 200, response.text


# Reference codes


def test_unknown_region_code_of_enterprise(admin_client, db):
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises", json={"name": "ООО «Ромашка»", "region_code": "00"}
        ),
        "region_code",
    )


def test_unknown_region_code_of_cluster(admin_client, db):
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/clusters", json={"name": "Кластер", "region_codes": ["72", "00"]}
        ),
        "region_codes",
    )


def test_cluster_needs_a_region(admin_client, client, db):
    refused(
        db,
        lambda: admin_client.post(f"{API}/clusters", json={"name": "Кластер", "region_codes": []}),
        "region_codes",
    )
    cluster = db.add_cluster()
    path = f"{API}/clusters/{cluster}"
    with unchanged(client, path):
        refused(
            db,
            lambda: admin_client.patch(path, json={"region_codes": [], "version": 1}),
            "region_codes",
        )


def test_city_of_another_region(admin_client, db):
    from sqlalchemy import select

    from promcluster.reference.models import City

    with db.sessions() as session:
        gatchina = session.scalar(select(City.id).where(City.name == "Гатчина"))
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises", json={"name": "ООО", "region_code": "72", "city_id": gatchina}
        ),
        "city_id",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"okved_main": "99.99"}, "okved_main"),
        ({"okved_main": "62.01.99"}, "okved_main"),
        ({"okved_extra": ["23.61", "99.99"]}, "okved_extra"),
    ],
)
def test_unknown_okved_of_enterprise(admin_client, db, body, field):
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises", json={"name": "ООО", "region_code": "72", **body}
        ),
        field,
    )


def test_unknown_okved_of_cluster(admin_client, db):
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/clusters",
            json={"name": "Кластер", "region_codes": ["72"], "specialisation": ["99.99"]},
        ),
        "specialisation",
    )


def test_unknown_okpd_of_chain_and_project(admin_client, client, db):
    cluster = db.add_cluster()
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/chains",
            json={"cluster_id": cluster, "name": "Цепочка", "products": ["23.61.11", "99.99.99"]},
        ),
        "products",
    )
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/projects",
            json={"cluster_id": cluster, "name": "Проект", "products": ["99.99.99.999"]},
        ),
        "products",
    )
    chain = db.add_chain(cluster, products=["23.61.11"])
    path = f"{API}/chains/{chain}"
    with unchanged(client, path):
        refused(
            db,
            lambda: admin_client.patch(path, json={"products": ["00.00"], "version": 1}),
            "products",
        )


# Shape of the request


def test_unknown_field_name(admin_client, client, db):
    response = refused(
        db,
        lambda: admin_client.post(
            f"{API}/clusters", json={"nmae": "Кластер", "region_codes": ["72"]}
        ),
        "nmae",
        "name",
    )
    assert len(response.json()["detail"]) == 2
    cluster = db.add_cluster()
    path = f"{API}/clusters/{cluster}"
    with unchanged(client, path):
        refused(db, lambda: admin_client.patch(path, json={"nmae": "X", "version": 1}), "nmae")


def test_one_message_per_wrong_field(admin_client, db):
    response = refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises",
            json={
                "name": "ООО",
                "region_code": "72",
                "inn": "1234567890",
                "employees": -1,
                "lat": 91,
                "sme_category": "huge",
                "colour": "red",
            },
        ),
        "inn",
        "employees",
        "lat",
        "sme_category",
        "colour",
    )
    assert len(error_fields(response)) == len(set(error_fields(response))) == 5


def test_missing_required_fields(admin_client, db):
    refused(db, lambda: admin_client.post(f"{API}/enterprises", json={}), "name", "region_code")
    refused(db, lambda: admin_client.post(f"{API}/projects", json={"name": "P"}), "cluster_id")


def test_body_that_is_not_json(admin_client, db):
    before = db.counts()
    response = admin_client.post(
        f"{API}/clusters", content=b"name=x", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert db.counts() == before


def test_empty_name_is_refused_on_create_and_update(admin_client, client, db):
    refused(
        db,
        lambda: admin_client.post(f"{API}/clusters", json={"name": "", "region_codes": ["72"]}),
        "name",
    )
    cluster = db.add_cluster()
    path = f"{API}/clusters/{cluster}"
    with unchanged(client, path):
        refused(db, lambda: admin_client.patch(path, json={"name": "", "version": 1}), "name")
        refused(db, lambda: admin_client.patch(path, json={"name": None, "version": 1}), "name")


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "closed"), ("kind", "cooperative"), ("registry_date", "01.05.2024")],
)
def test_values_outside_the_vocabulary(admin_client, db, field, value):
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/clusters", json={"name": "Кластер", "region_codes": ["72"], field: value}
        ),
        field,
    )


# Numbers and years


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount", -1), ("jobs", -5), ("start_year", 1800), ("end_year", 2500)],
)
def test_negative_amounts_and_impossible_years_on_create(admin_client, db, field, value):
    cluster = db.add_cluster()
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/projects", json={"cluster_id": cluster, "name": "Проект", field: value}
        ),
        field,
    )


def test_negative_numbers_on_update(admin_client, client, db):
    cluster = db.add_cluster()
    project = db.add_project(cluster, amount=10, jobs=3)
    enterprise = db.add_enterprise(employees=10)
    chain = db.add_chain(cluster)
    for path, body, field in (
        (f"{API}/projects/{project}", {"amount": -1}, "amount"),
        (f"{API}/projects/{project}", {"jobs": -1}, "jobs"),
        (f"{API}/enterprises/{enterprise}", {"employees": -1}, "employees"),
        (f"{API}/enterprises/{enterprise}", {"revenue": -1}, "revenue"),
        (f"{API}/enterprises/{enterprise}", {"lat": 123.0}, "lat"),
        (f"{API}/chains/{chain}", {"position": 0}, "position"),
    ):
        with unchanged(client, path):
            refused(
                db, lambda p=path, b=body: admin_client.patch(p, json={**b, "version": 1}), field
            )


def test_negative_revenue_and_employees_on_create(admin_client, db):
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/enterprises",
            json={"name": "ООО", "region_code": "72", "revenue": -100, "employees": -1},
        ),
        "revenue",
        "employees",
    )


def test_end_year_before_start_year(admin_client, client, db):
    cluster = db.add_cluster()
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/projects",
            json={"cluster_id": cluster, "name": "Проект", "start_year": 2026, "end_year": 2025},
        ),
        "end_year",
    )
    project = db.add_project(cluster, start_year=2024, end_year=2026)
    path = f"{API}/projects/{project}"
    with unchanged(client, path):
        refused(
            db,
            lambda: admin_client.patch(path, json={"start_year": 2027, "version": 1}),
            "end_year",
        )
        refused(
            db, lambda: admin_client.patch(path, json={"end_year": 2023, "version": 1}), "end_year"
        )


def test_membership_until_before_since(admin_client, db):
    cluster, enterprise = db.add_cluster(), db.add_enterprise()
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/memberships",
            json={
                "cluster_id": cluster,
                "enterprise_id": enterprise,
                "status": "left",
                "since": "2024-01-01",
                "until": "2023-01-01",
            },
        ),
        "until",
    )


# Links between records


def test_chain_of_another_cluster_on_a_project(admin_client, client, db):
    mine, other = db.add_cluster(), db.add_cluster()
    foreign_chain = db.add_chain(other)
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/projects",
            json={"cluster_id": mine, "name": "Проект", "chain_id": foreign_chain},
        ),
        "chain_id",
    )
    project = db.add_project(mine, chain_id=db.add_chain(mine))
    path = f"{API}/projects/{project}"
    with unchanged(client, path):
        refused(
            db,
            lambda: admin_client.patch(path, json={"chain_id": foreign_chain, "version": 1}),
            "chain_id",
        )
        # moving the project to the other cluster while keeping its own chain is refused too
        refused(
            db,
            lambda: admin_client.patch(path, json={"cluster_id": other, "version": 1}),
            "chain_id",
        )


@pytest.mark.parametrize("resource", ["memberships", "chains", "projects"])
def test_unknown_cluster(admin_client, db, resource):
    body = {
        "memberships": {"enterprise_id": db.add_enterprise(), "status": "member"},
        "chains": {"name": "Цепочка"},
        "projects": {"name": "Проект"},
    }[resource]
    refused(
        db,
        lambda: admin_client.post(f"{API}/{resource}", json={"cluster_id": 999999, **body}),
        "cluster_id",
    )


def test_unknown_enterprise_in_links(admin_client, db):
    cluster = db.add_cluster()
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/memberships",
            json={"cluster_id": cluster, "enterprise_id": 999999, "status": "member"},
        ),
        "enterprise_id",
    )
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/projects", json={"cluster_id": cluster, "name": "П", "initiator_id": 999999}
        ),
        "initiator_id",
    )
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/clusters",
            json={"name": "К", "region_codes": ["72"], "specialised_org_id": 999999},
        ),
        "specialised_org_id",
    )


def test_membership_duplicated(admin_client, db):
    cluster, enterprise = db.add_cluster(), db.add_enterprise()
    db.add_membership(cluster, enterprise, status="applicant")
    refused(
        db,
        lambda: admin_client.post(
            f"{API}/memberships",
            json={"cluster_id": cluster, "enterprise_id": enterprise, "status": "member"},
        ),
        "enterprise_id",
    )


def test_membership_changed_into_a_duplicate(admin_client, client, db):
    cluster, first, second = db.add_cluster(), db.add_enterprise(), db.add_enterprise()
    db.add_membership(cluster, first)
    membership = db.add_membership(cluster, second)
    path = f"{API}/memberships/{membership}"
    with unchanged(client, path):
        refused(
            db,
            lambda: admin_client.patch(path, json={"enterprise_id": first, "version": 1}),
            "enterprise_id",
        )
