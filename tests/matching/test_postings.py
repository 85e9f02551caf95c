"""Posting needs and offers, responding, status changes and notifications through the service:
who may do what, bad input refused with the field named and nothing written, audit rows."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from matching import BLOCKS, FUTURE, NEED_NAME, build_suppliers, build_world, post_need
from promcluster.auth.models import User
from promcluster.errors import Conflict, InvalidField, PermissionDenied
from promcluster.matching import notifications, postings, responses
from promcluster.matching.models import Need, Notification, Response

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def need_data(world, **extra):
    return {
        "customer_id": world["customer"],
        "product_name": NEED_NAME,
        "okpd2_code": BLOCKS,
        "volume": 1000,
        "unit": "м3",
        "deadline": FUTURE,
        **extra,
    }


def as_user(session, login):
    return session.get(User, login.id)


def inbox(db, login) -> list[tuple[str, str, str]]:
    with db.sessions() as session:
        rows = session.scalars(
            select(Notification).where(Notification.user_id == login.id).order_by(Notification.id)
        )
        return [(n.kind, n.text, n.link) for n in rows]


def refused(db, call, error, field=None):
    """``call(session)`` raises ``error`` (naming ``field``, in Russian) and writes nothing."""
    before = db.counts()
    with pytest.raises(error) as caught, db.session() as session:
        call(session)
    if field is not None:
        assert caught.value.field == field
        assert CYRILLIC.search(caught.value.message)
    assert db.counts() == before
    return caught.value


# Posting


def test_representative_posts_for_own_enterprise_and_notifications_go_out(db, users):
    world = build_suppliers(db)
    rep = users.add("customer-rep", "enterprise_rep", enterprise=world["customer"])
    manager = users.add("manager", "cluster_manager", clusters=[world.cluster])
    member_rep = users.add("member-rep", "enterprise_rep", enterprise=world["member"])
    bakery_rep = users.add("bakery-rep", "enterprise_rep", enterprise=world["bakery"])
    data = need_data(world)
    del data["customer_id"]  # a representative's own enterprise is the default
    with db.session() as session:
        need = postings.create_need(session, as_user(session, rep), data)
        need_id, region = need.id, need.region_code
    assert region == "72"  # the customer's region
    [kind, text, link] = inbox(db, member_rep)[0]
    assert kind == "match" and link == f"/needs/{need_id}"
    assert "«Уральский завод ячеистого бетона» — среди подходящих поставщиков" in text
    assert inbox(db, bakery_rep) == []
    assert inbox(db, manager) == [
        (
            "need",
            f"Размещена потребность «{NEED_NAME}» от имени «Тюменский домостроительный комбинат»",
            f"/needs/{need_id}",
        )
    ]
    assert inbox(db, rep) == []  # not told of one's own posting
    [row] = db.audit(entity="needs", entity_id=str(need_id))
    assert row.action == "create"
    assert row.changes["status"] == "open" and row.changes["okpd2_code"] == BLOCKS


def test_representative_cannot_post_for_another_enterprise(db, users):
    world = build_suppliers(db)
    rep = users.add("rep", "enterprise_rep", enterprise=world["bakery"])
    error = refused(
        db, lambda s: postings.create_need(s, as_user(s, rep), need_data(world)), PermissionDenied
    )
    assert "Тюменский домостроительный комбинат" in str(error)


def test_manager_posts_for_members_only(db, users):
    world = build_suppliers(db)
    manager = users.add("manager", "cluster_manager", clusters=[world.cluster])
    with db.session() as session:
        postings.create_need(session, as_user(session, manager), need_data(world))
    data = need_data(world, customer_id=world["bakery"])
    refused(db, lambda s: postings.create_need(s, as_user(s, manager), data), PermissionDenied)
    offer = {"supplier_id": world["bakery"], "product_name": "Хлеб", "okpd2_code": "10.71.11"}
    refused(db, lambda s: postings.create_offer(s, as_user(s, manager), offer), PermissionDenied)


def test_outside_customer_needs_by_admin_or_manager(db, users):
    world = build_suppliers(db)
    manager = users.add("manager", "cluster_manager", clusters=[world.cluster])
    rep = users.add("rep", "enterprise_rep", enterprise=world["bakery"])
    data = need_data(world, customer_id=None, customer_name="ГКУ «Тюменьстрой»", region_code="72")
    with db.session() as session:
        need = postings.create_need(session, as_user(session, manager), data)
        assert (need.customer_id, need.customer_name) == (None, "ГКУ «Тюменьстрой»")
    refused(db, lambda s: postings.create_need(s, as_user(s, rep), data), PermissionDenied)
    no_region = {**data, "region_code": None}
    refused(db, lambda s: postings.create_need(s, None, no_region), InvalidField, "region_code")
    both = {**data, "customer_id": world["customer"]}
    refused(db, lambda s: postings.create_need(s, None, both), InvalidField, "customer_name")
    neither = {**data, "customer_name": None}
    refused(db, lambda s: postings.create_need(s, None, neither), InvalidField, "customer_id")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"okpd2_code": "99.99.99"}, "okpd2_code", "99.99.99"),
        ({"region_code": "00"}, "region_code", "00"),
        ({"volume": -1}, "volume", "отрицательным"),
        ({"value": -5}, "value", "отрицательным"),
        ({"deadline": date.today() - timedelta(days=1)}, "deadline", "уже прошёл"),
        ({"customer_id": 999_999}, "customer_id", "999999"),
        ({"product_name": "  "}, "product_name", "наименование"),
    ],
)
def test_bad_need_is_refused_naming_the_field(db, change, field, words):
    world = build_suppliers(db)
    data = need_data(world, **change)
    error = refused(db, lambda s: postings.create_need(s, None, data), InvalidField, field)
    assert words in error.message


def test_status_change_is_audited_and_stale_version_refused(db):
    world = build_world(db)
    with db.session() as session:
        postings.update_need(session, None, world.need, {"status": "closed", "version": 1})
    [update] = db.audit(entity="needs", entity_id=str(world.need), action="update")
    assert update.changes == {"status": ["open", "closed"]}
    stale = {"status": "open", "version": 1}
    refused(db, lambda s: postings.update_need(s, None, world.need, stale), Conflict)
    assert db.get(Need, world.need).status == "closed"
    with db.session() as session:
        postings.update_offer(session, None, world.offer_local, {"status": "closed", "version": 1})
    [update] = db.audit(entity="offers", entity_id=str(world.offer_local), action="update")
    assert update.changes == {"status": ["open", "closed"]}


def test_old_deadline_does_not_block_closing(db):
    world = build_world(db)
    with db.engine.begin() as connection:
        connection.execute(
            update(Need).where(Need.id == world.need).values(deadline=date(2020, 1, 1))
        )
    with db.session() as session:
        # the form sends the stored deadline back with the new status
        data = {"deadline": date(2020, 1, 1), "status": "closed", "version": 1}
        assert postings.update_need(session, None, world.need, data).status == "closed"


# Responses


@pytest.fixture
def people(db, users):
    world = build_world(db)
    return world, {
        "customer": users.add("customer-rep", "enterprise_rep", enterprise=world["customer"]),
        "supplier": users.add("supplier-rep", "enterprise_rep", enterprise=world["offer_far"]),
        "other": users.add("other-rep", "enterprise_rep", enterprise=world["bakery"]),
        "manager": users.add("manager", "cluster_manager", clusters=[world.cluster]),
    }


def respond(db, world, login, **data):
    with db.session() as session:
        return responses.respond(session, as_user(session, login), world.need, data).id


def test_supplier_responds_customer_accepts_both_are_told(db, people):
    world, who = people
    response = respond(
        db, world, who["supplier"], offer_id=world.offer_far, price=900_000, message="Готовы"
    )
    stored = db.get(Response, response)
    assert (stored.supplier_id, stored.status, stored.offer_id) == (
        world["offer_far"],
        "new",
        world.offer_far,
    )
    told = "Отклик на потребность «Блоки стеновые газобетонные» от «Челябинский стройкомбинат»"
    for login in (who["customer"], who["manager"]):
        assert ("response", told, f"/needs/{world.need}") in inbox(db, login)
    with db.session() as session:
        responses.set_response_status(
            session, as_user(session, who["customer"]), response, "accepted", 1
        )
    assert db.get(Response, response).status == "accepted"
    kind, text, _ = inbox(db, who["supplier"])[-1]
    assert kind == "status" and text.endswith(": принят")
    rows = db.audit(entity="responses", entity_id=str(response))
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].changes == {"status": ["new", "accepted"]}


def test_decline_then_withdraw_by_the_right_sides(db, people):
    world, who = people
    response = respond(db, world, who["supplier"])
    refused(
        db,
        lambda s: responses.set_response_status(
            s, as_user(s, who["supplier"]), response, "accepted", 1
        ),
        PermissionDenied,
    )
    refused(
        db,
        lambda s: responses.set_response_status(
            s, as_user(s, who["customer"]), response, "withdrawn", 1
        ),
        PermissionDenied,
    )
    with db.session() as session:
        responses.set_response_status(
            session, as_user(session, who["manager"]), response, "declined", 1
        )
    assert inbox(db, who["supplier"])[-1][1].endswith(": отклонён")
    refused(
        db,
        lambda s: responses.set_response_status(
            s, as_user(s, who["manager"]), response, "accepted", 1
        ),
        Conflict,  # version 1 was read before the decline
    )
    error = refused(
        db,
        lambda s: responses.set_response_status(
            s, as_user(s, who["supplier"]), response, "withdrawn", 2
        ),
        InvalidField,
        "status",
    )
    assert "отклонён" in error.message
    statuses = [r.changes.get("status") for r in db.audit(entity="responses")]
    assert statuses == ["new", ["new", "declined"]]


def test_responding_twice_to_closed_or_own_need_is_refused(db, people):
    world, who = people
    respond(db, world, who["supplier"])
    error = refused(
        db,
        lambda s: responses.respond(s, as_user(s, who["supplier"]), world.need, {}),
        InvalidField,
        "supplier_id",
    )
    assert "уже откликнулось" in error.message
    error = refused(
        db,
        lambda s: responses.respond(s, as_user(s, who["customer"]), world.need, {}),
        InvalidField,
        "supplier_id",
    )
    assert "собственную потребность" in error.message
    foreign_offer = {"supplier_id": world["offer_local"], "offer_id": world.offer_far}
    refused(
        db,
        lambda s: responses.respond(s, None, world.need, foreign_offer),
        InvalidField,
        "offer_id",
    )
    negative = {"supplier_id": world["offer_local"], "price": -1}
    refused(db, lambda s: responses.respond(s, None, world.need, negative), InvalidField, "price")
    refused(
        db,
        lambda s: responses.respond(
            s, as_user(s, who["other"]), world.need, {"supplier_id": world["offer_local"]}
        ),
        PermissionDenied,
    )
    with db.session() as session:
        postings.update_need(session, None, world.need, {"status": "closed"})
    error = refused(
        db,
        lambda s: responses.respond(s, as_user(s, who["other"]), world.need, {}),
        InvalidField,
        "need_id",
    )
    assert "закрыта" in error.message


def test_responses_are_visible_to_the_customer_side_and_each_supplier(db, people):
    world, who = people
    respond(db, world, who["supplier"])
    with db.session() as session:
        responses.respond(session, None, world.need, {"supplier_id": world["offer_local"]})
    with db.sessions() as session:
        need = session.get(Need, world.need)
        seen = {
            role: sorted(
                r.supplier_id for r in responses.visible_responses(as_user(session, login), need)
            )
            for role, login in who.items()
        }
        assert responses.visible_responses(None, need) == []
    both = sorted([world["offer_far"], world["offer_local"]])
    assert seen == {
        "customer": both,
        "manager": both,
        "supplier": [world["offer_far"]],
        "other": [],
    }


# Notifications


def test_mark_read_one_or_all_of_ones_own(db, people):
    world, who = people
    respond(db, world, who["supplier"])
    post_need(db, world, product_name="Блоки перегородочные")
    with db.sessions() as session:
        manager = as_user(session, who["manager"])
        items = notifications.user_notifications(session, manager)
        assert len(items) == 2 and notifications.unread_count(session, manager) == 2
        first = items[0].id
    with db.session() as session:
        customer = as_user(session, who["customer"])
        assert notifications.mark_read(session, customer, [first]) == 0  # not the customer's
        assert notifications.mark_read(session, as_user(session, who["manager"]), [first]) == 1
    with db.sessions() as session:
        manager = as_user(session, who["manager"])
        assert notifications.unread_count(session, manager) == 1
        assert [
            n.id for n in notifications.user_notifications(session, manager, unread_only=True)
        ] == [n.id for n in items[1:]]
    with db.session() as session:
        assert notifications.mark_read(session, as_user(session, who["manager"])) == 1
    with db.sessions() as session:
        assert notifications.unread_count(session, as_user(session, who["manager"])) == 0
