"""Who reads which audit entries (docs/PERMISSIONS.md): administrators all; other users the
entries of records they may read, with the same fields — a response (its price) only its two
sides, users and logins nobody but administrators."""

from datetime import date, timedelta

import pytest
from factories import fresh_inn

from promcluster.accounts.audit import ADMIN_ONLY, PARTIES_ONLY, READABLE_BY_USERS
from promcluster.auth.models import AuditLog
from promcluster.db import Base

API = "/api/v1"
PRICE = 987_654


@pytest.fixture
def market(db, users, login_as):
    """A customer (member of cluster A) posts a need; a supplier responds with a price."""
    a, b = db.add_cluster(name="Кластер А"), db.add_cluster(name="Кластер Б")
    customer = db.add_enterprise(name="Заказчик", inn=fresh_inn())
    supplier = db.add_enterprise(name="Поставщик", inn=fresh_inn())
    bystander = db.add_enterprise(name="Посторонний", inn=fresh_inn())
    db.add_membership(a, customer)
    db.add_membership(b, supplier)
    accounts = {
        "customer": users.add("customer", "enterprise_rep", enterprise=customer),
        "supplier": users.add("supplier", "enterprise_rep", enterprise=supplier),
        "bystander": users.add("bystander", "enterprise_rep", enterprise=bystander),
        "manager_a": users.add("manager-a", "cluster_manager", clusters=[a]),
        "manager_b": users.add("manager-b", "cluster_manager", clusters=[b]),
        "manager_other": users.add("manager-x", "cluster_manager", clusters=[db.add_cluster()]),
    }
    http = {role: login_as(account) for role, account in accounts.items()}
    deadline = (date.today() + timedelta(days=30)).isoformat()
    need = http["customer"].post(
        f"{API}/needs", json={"product_name": "Газобетонные блоки", "deadline": deadline}
    )
    assert need.status_code == 201, need.text
    response = http["supplier"].post(
        f"{API}/needs/{need.json()['id']}/responses", json={"price": PRICE, "message": "Готовы"}
    )
    assert response.status_code == 201, response.text
    with db.session() as session:  # a refused login, as the login throttle records it
        session.add(AuditLog(actor="login-throttle", action="lock", entity="login", changes={}))
    return {"http": http, "response": response.json()["id"], "need": need.json()["id"]}


def entries(client, **params) -> list[dict]:
    found, page = [], 1
    while True:
        answer = client.get(f"{API}/audit", params={**params, "page": page, "per_page": 500})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        found += body["items"]
        if len(found) >= body["total"]:
            assert len(found) == body["total"]
            return found
        page += 1


def entities(client) -> set[str]:
    return {e["entity"] for e in entries(client)}


def test_administrators_see_every_entry(admin_client, market, db):
    seen = entities(admin_client)
    assert {"users", "login", "responses", "needs", "enterprises"} <= seen
    assert len(entries(admin_client)) == db.audit_count()
    [created] = entries(admin_client, entity="responses", action="create")
    assert created["changes"]["price"] == PRICE


def test_each_role_sees_what_the_records_own_api_shows(market):
    """One setting, every role (each login costs a password hash, so they share it)."""
    http = market["http"]
    for role in ("customer", "supplier", "manager_a", "manager_b"):  # the response's two sides
        [created] = entries(http[role], entity="responses")
        assert created["entity_id"] == str(market["response"]), role
        assert created["changes"]["price"] == PRICE, role
    for role in ("bystander", "manager_other"):
        assert entries(http[role], entity="responses") == [], role
        assert str(PRICE) not in http[role].get(f"{API}/audit", params={"per_page": 500}).text
        by_id = entries(http[role], entity="responses", entity_id=str(market["response"]))
        assert by_id == [], role
    for role, client in http.items():
        seen = entities(client)
        assert "users" not in seen and "login" not in seen, role
        assert entries(client, entity="users") == [], role
        assert entries(client, entity="login") == [], role
        assert {"needs", "enterprises", "memberships", "clusters"} <= seen, role


def test_totals_count_only_what_the_user_sees(market, admin_client):
    bystander = market["http"]["bystander"]
    page = bystander.get(f"{API}/audit", params={"per_page": 1}).json()
    everything = admin_client.get(f"{API}/audit", params={"per_page": 1}).json()
    assert page["total"] == len(entries(bystander)) < everything["total"]


def test_anonymous_visitors_read_no_audit_log(client, db):
    db.add_enterprise(name="Завод")
    assert client.get(f"{API}/audit").status_code == 401


def test_every_audited_table_has_a_visibility_rule():
    """A new audited table must be placed in audit_access (else it is for administrators only,
    which this test makes a decision rather than an accident)."""
    audited = {
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if getattr(mapper.class_, "__audited__", False)
    }
    placed = READABLE_BY_USERS | ADMIN_ONLY | {PARTIES_ONLY}
    assert audited == placed
