"""Needs, offers, candidates, responses and notifications over HTTP: the REST API with its
OpenAPI schemas and refusals (422 naming the field, 403, 409, nothing written), and the pages."""

import re
from datetime import date, timedelta

import pytest
from factories import csrf_from, error_fields

from matching import BLOCKS, FUTURE, NEED_NAME, ORDER, build_suppliers
from promcluster.matching.models import Need

API = "/api/v1"
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def need_body(world, **extra):
    return {
        "customer_id": world["customer"],
        "product_name": NEED_NAME,
        "okpd2_code": BLOCKS,
        "volume": 1000,
        "unit": "м3",
        "value": 5_000_000,
        "deadline": FUTURE.isoformat(),
        **extra,
    }


def refused(db, send, status=422, field=None):
    before = db.counts()
    response = send()
    assert response.status_code == status, response.text
    if field is not None:
        assert field in error_fields(response), response.json()
        assert all(CYRILLIC.search(e["msg"]) for e in response.json()["detail"])
    assert db.counts() == before
    return response


@pytest.fixture
def people(db, users):
    world = build_suppliers(db)
    return world, {
        "customer": users.add("customer-rep", "enterprise_rep", enterprise=world["customer"]),
        "supplier": users.add("supplier-rep", "enterprise_rep", enterprise=world["offer_far"]),
        "other": users.add("other-rep", "enterprise_rep", enterprise=world["bakery"]),
    }


def test_post_need_read_it_and_rank_candidates(client, db, people):
    world, who = people
    auth = who["customer"].auth
    created = client.post(f"{API}/needs", json=need_body(world), auth=auth)
    assert created.status_code == 201, created.text
    need = created.json()
    assert need["customer_display"] == "Тюменский домостроительный комбинат"
    assert (need["status"], need["version"], need["region"]["code"]) == ("open", 1, "72")
    assert need["product"]["code"] == BLOCKS
    [row] = db.audit(entity="needs", entity_id=str(need["id"]))
    assert (row.action, row.actor, row.user_id) == ("create", "customer-rep", who["customer"].id)
    assert client.get(f"{API}/needs/{need['id']}").json()["product_name"] == NEED_NAME

    assert client.get(f"{API}/needs/{need['id']}/candidates").status_code == 401
    ranked = client.get(f"{API}/needs/{need['id']}/candidates", auth=auth).json()
    assert [c["enterprise_id"] for c in ranked] == [world[r] for r in ORDER]
    assert [c["tier"] for c in ranked] == [0, 1, 1, 1, 2, 2]
    assert ranked[0]["reasons"][0] == f"тот же код ОКПД2 {BLOCKS}"
    assert ranked[0]["member_of"] == "Бетон"
    top2 = client.get(f"{API}/needs/{need['id']}/candidates?limit=2", auth=auth).json()
    assert [c["enterprise_id"] for c in top2] == [world["member"], world["offer_local"]]

    listed = client.get(f"{API}/needs", params={"okpd2": "23.61", "status": "open"}).json()
    assert [n["id"] for n in listed["items"]] == [need["id"]]
    assert client.get(f"{API}/needs", params={"okpd2": "10.71"}).json()["total"] == 0
    assert client.get(f"{API}/needs", params={"q": "газобетонные"}).json()["total"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"okpd2_code": "99.99.99"}, "okpd2_code"),
        ({"region_code": "00"}, "region_code"),
        ({"volume": -1}, "volume"),
        ({"value": -1}, "value"),
        ({"deadline": (date.today() - timedelta(days=1)).isoformat()}, "deadline"),
        ({"customer_id": 999_999}, "customer_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_need_is_refused_and_nothing_written(client, db, people, change, field):
    world, who = people
    body = need_body(world, **change)
    response = refused(
        db, lambda: client.post(f"{API}/needs", json=body, auth=who["customer"].auth), 422, field
    )
    if field == "deadline":
        assert "уже прошёл" in response.json()["detail"][0]["msg"]


def test_every_refused_field_is_named_at_once(client, db, people, login_as):
    """A missing customer does not hide a bad OKPD2 code or a negative volume (issue 23)."""
    world, who = people
    body = need_body(world, customer_id=999_999, okpd2_code="99.99.99", region_code="00")
    send = lambda: client.post(f"{API}/needs", json=body, auth=who["customer"].auth)  # noqa: E731
    response = refused(db, send, 422, "customer_id")
    assert set(error_fields(response)) == {"customer_id", "okpd2_code", "region_code"}
    offer = {"supplier_id": 999_999, "product_name": "Блоки", "okpd2_code": "99.99.99"}
    answer = client.post(f"{API}/offers", json=offer, auth=who["supplier"].auth)
    assert answer.status_code == 422
    assert set(error_fields(answer)) == {"supplier_id", "okpd2_code"}

    http = login_as(who["customer"])
    token = csrf_from(http.get("/needs/new").text)
    form = {"csrf_token": token, "customer_id": "999999", "product_name": NEED_NAME}
    posted = http.post("/needs/new", data=form | {"okpd2_code": "99.99", "region_code": "00"})
    assert posted.status_code == 422
    shown = set(re.findall(r'data-error-for="([a-z_0-9]+)"', posted.text))
    assert {"customer_id", "okpd2_code", "region_code"} <= shown


def test_an_open_need_past_its_deadline_is_flagged(client, db, people):
    world, who = people
    created = client.post(f"{API}/needs", json=need_body(world), auth=who["customer"].auth).json()
    assert "срок прошёл" not in client.get("/needs").text
    with db.session() as session:  # the deadline passes (no form accepts a past date)
        session.get(Need, created["id"]).deadline = date.today() - timedelta(days=1)
    listing = client.get("/needs").text
    assert listing.count('class="badge overdue"') == 1
    page = client.get(f"/needs/{created['id']}").text
    assert "срок прошёл: закройте или продлите" in page
    with db.session() as session:
        session.get(Need, created["id"]).status = "closed"
    assert "срок прошёл" not in client.get(f"/needs/{created['id']}").text


def test_permissions_on_posting(client, db, people, users):
    world, who = people
    body = need_body(world)
    other = who["other"].auth
    response = refused(db, lambda: client.post(f"{API}/needs", json=body, auth=other), 403)
    assert "Тюменский домостроительный комбинат" in response.json()["detail"]
    outside = need_body(world, customer_id=None, customer_name="ГКУ", region_code="72")
    refused(db, lambda: client.post(f"{API}/needs", json=outside, auth=other), 403)
    refused(db, lambda: client.post(f"{API}/needs", json=body), 401)
    manager = users.add("manager", "cluster_manager", clusters=[world.cluster])
    assert client.post(f"{API}/needs", json=outside, auth=manager.auth).status_code == 201
    assert client.post(f"{API}/needs", json=body, auth=manager.auth).status_code == 201


def test_status_change_stale_version_and_closed_need(client, db, people):
    world, who = people
    auth = who["customer"].auth
    need = client.post(f"{API}/needs", json=need_body(world), auth=auth).json()
    path = f"{API}/needs/{need['id']}"
    closed = client.patch(path, json={"status": "closed", "version": 1}, auth=auth)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert db.audit(entity="needs", entity_id=str(need["id"]))[-1].changes == {
        "status": ["open", "closed"]
    }
    refused(db, lambda: client.patch(path, json={"status": "open", "version": 1}, auth=auth), 409)
    refused(
        db,
        lambda: client.patch(path, json={"status": "open", "version": 2}, auth=who["other"].auth),
        403,
    )
    refused(
        db,
        lambda: client.post(f"{path}/responses", json={}, auth=who["supplier"].auth),
        422,
        "need_id",
    )


def test_respond_accept_and_notifications(client, db, people):
    world, who = people
    need = client.post(f"{API}/needs", json=need_body(world), auth=who["customer"].auth).json()
    path = f"{API}/needs/{need['id']}/responses"
    supplier = who["supplier"].auth
    created = client.post(path, json={"offer_id": world.offer_far, "price": 1000}, auth=supplier)
    assert created.status_code == 201, created.text
    response = created.json()
    assert (response["supplier"]["name"], response["status"]) == (
        "Челябинский стройкомбинат",
        "new",
    )
    twice = refused(db, lambda: client.post(path, json={}, auth=supplier), 422, "supplier_id")
    assert "уже откликнулось" in twice.json()["detail"][0]["msg"]
    own = refused(
        db, lambda: client.post(path, json={}, auth=who["customer"].auth), 422, "supplier_id"
    )
    assert "собственную" in own.json()["detail"][0]["msg"]
    refused(db, lambda: client.post(path, json={"price": -5}, auth=who["other"].auth), 422, "price")

    assert [r["id"] for r in client.get(path, auth=who["customer"].auth).json()] == [response["id"]]
    assert client.get(path, auth=who["other"].auth).json() == []
    inbox = client.get(f"{API}/notifications", auth=who["customer"].auth).json()
    assert inbox["unread"] == 1
    assert inbox["items"][0]["kind"] == "response"
    assert "Челябинский стройкомбинат" in inbox["items"][0]["text"]

    one = f"{path}/{response['id']}"
    refused(
        db, lambda: client.patch(one, json={"status": "accepted", "version": 1}, auth=supplier), 403
    )
    accepted = client.patch(
        one, json={"status": "accepted", "version": 1}, auth=who["customer"].auth
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert db.audit(entity="responses", entity_id=str(response["id"]))[-1].changes == {
        "status": ["new", "accepted"]
    }
    told = client.get(f"{API}/notifications?unread=true", auth=supplier).json()
    assert told["items"][0]["kind"] == "status"
    assert told["items"][0]["text"].endswith("принят")
    marked = client.post(f"{API}/notifications/read", json={}, auth=supplier).json()
    assert marked == {"marked": told["unread"]}
    assert client.get(f"{API}/notifications", auth=supplier).json()["unread"] == 0


def test_offers_and_their_buyers(client, db, people):
    world, who = people
    client.post(f"{API}/needs", json=need_body(world), auth=who["customer"].auth)
    body = {
        "supplier_id": world["offer_far"],
        "product_name": "Блоки газобетонные D400",
        "okpd2_code": BLOCKS,
        "volume": 3000,
        "unit": "м3",
    }
    supplier = who["supplier"].auth
    refused(
        db,
        lambda: client.post(f"{API}/offers", json={**body, "volume": -3}, auth=supplier),
        422,
        "volume",
    )
    refused(
        db,
        lambda: client.post(
            f"{API}/offers", json={**body, "supplier_id": world["bakery"]}, auth=supplier
        ),
        403,
    )
    created = client.post(f"{API}/offers", json=body, auth=supplier)
    assert created.status_code == 201, created.text
    offer = created.json()
    assert (offer["supplier_name"], offer["region_code"]) == ("Челябинский стройкомбинат", "74")
    buyers = client.get(f"{API}/offers/{offer['id']}/candidates", auth=supplier).json()
    assert buyers[0]["name"] == "Тюменский домостроительный комбинат"
    assert (
        "заявленный объём 3\u202f000 м3 в год покрывает потребность 1\u202f000 м3"
        in (buyers[0]["reasons"])
    )
    mine = client.get(f"{API}/offers", params={"supplier_id": world["offer_far"]}).json()
    assert {o["id"] for o in mine["items"]} == {world.offer_far, offer["id"]}


def test_openapi_describes_the_matching_routes(client, db):
    spec = client.get("/api/openapi.json").json()
    for path in (
        "/api/v1/needs",
        "/api/v1/needs/{need_id}",
        "/api/v1/needs/{need_id}/candidates",
        "/api/v1/needs/{need_id}/responses",
        "/api/v1/needs/{need_id}/responses/{response_id}",
        "/api/v1/offers",
        "/api/v1/offers/{offer_id}/candidates",
        "/api/v1/notifications",
        "/api/v1/notifications/read",
    ):
        assert path in spec["paths"], path
    schemas = spec["components"]["schemas"]
    assert {"NeedIn", "NeedOut", "OfferIn", "PartnerOut", "ResponseIn"} <= set(schemas)
    assert "reasons" in schemas["PartnerOut"]["properties"]


# Pages


def test_need_page_shows_candidates_with_reasons_to_a_logged_in_user(client, db, people):
    world, who = people
    need = client.post(f"{API}/needs", json=need_body(world), auth=who["customer"].auth).json()
    anonymous = client.get(f"/needs/{need['id']}").text
    assert "Подбор партнёров виден после входа в систему" in anonymous
    page = client.get(f"/needs/{need['id']}", auth=who["supplier"].auth).text
    rows = re.findall(r'data-candidate="(\d+)" data-tier="(\d)"', page)
    assert [int(i) for i, _ in rows] == [world[r] for r in ORDER]
    assert "участник кластера «Бетон», как и заказчик" in page
    assert 'id="respond"' in page
    listing = client.get("/needs").text
    assert f'href="/needs/{need["id"]}"' in listing


def test_need_form_errors_are_shown_beside_the_field_and_nothing_written(login_as, db, people):
    world, who = people
    http = login_as(who["customer"])
    form = http.get("/needs/new")
    assert form.status_code == 200
    token = csrf_from(form.text)
    before = db.counts()
    posted = http.post(
        "/needs/new",
        data={
            "csrf_token": token,
            "customer_id": str(world["customer"]),
            "product_name": NEED_NAME,
            "okpd2_code": "99.99",
            "volume": "10",
            "deadline": FUTURE.isoformat(),
        },
    )
    assert posted.status_code == 422
    assert re.search(r'data-error-for="okpd2_code">[^<]*99\.99', posted.text)
    assert db.counts() == before
    good = http.post(
        "/needs/new",
        data={
            "csrf_token": token,
            "customer_id": str(world["customer"]),
            "product_name": NEED_NAME,
            "okpd2_code": BLOCKS,
            "volume": "1000",
            "unit": "м3",
            "region_code": "",
            "deadline": FUTURE.isoformat(),
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    need_id = int(good.headers["location"].rsplit("/", 1)[1])
    assert db.get(Need, need_id).region_code == "72"


@pytest.mark.parametrize(
    ("volume", "value", "stored"),
    [("1 200,5", "1 200 000", (1200.5, 1200000)), ("1\u00a0000", "15\u202f000 ₽", (1000, 15000))],
)
def test_a_need_form_takes_numbers_as_typed_in_russian(login_as, db, people, volume, value, stored):
    world, who = people
    http = login_as(who["customer"])
    token = csrf_from(http.get("/needs/new").text)
    fields = {
        "csrf_token": token,
        "customer_id": str(world["customer"]),
        "product_name": NEED_NAME,
        "okpd2_code": BLOCKS,
        "unit": "м3",
        "deadline": FUTURE.isoformat(),
    }
    posted = http.post("/needs/new", data=fields | {"volume": volume, "value": value})
    need = db.get(Need, int(posted.url.path.rsplit("/", 1)[1]))
    assert (need.volume, need.value) == stored


def test_a_need_form_names_a_number_it_cannot_read_and_writes_nothing(login_as, db, people):
    world, who = people
    http = login_as(who["customer"])
    token = csrf_from(http.get("/needs/new").text)
    before = db.counts()
    fields = {
        "csrf_token": token,
        "customer_id": str(world["customer"]),
        "product_name": NEED_NAME,
        "okpd2_code": BLOCKS,
        "deadline": FUTURE.isoformat(),
    }
    posted = http.post("/needs/new", data=fields | {"volume": "много", "value": "1 200,50"})
    assert posted.status_code == 422
    assert re.search(r'data-error-for="(volume|value)"', posted.text)
    assert db.counts() == before
