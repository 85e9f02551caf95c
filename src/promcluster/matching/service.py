"""Needs, offers and responses: posting, responding, status changes, and the notifications they
send. Every function takes a session and plain values; the audit hook records each change of a
need, offer or response, and their ``version`` guards against lost updates."""

from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from promcluster.auth.models import User, user_cluster
from promcluster.auth.permissions import allowed
from promcluster.db import utcnow
from promcluster.errors import InvalidField, NotFound, PermissionDenied
from promcluster.labels import NEED_STATUSES, OFFER_STATUSES, RESPONSE_STATUSES
from promcluster.matching.candidates import buyer_candidates, supplier_candidates
from promcluster.matching.models import Need, Notification, Offer, Response
from promcluster.reference import service as reference
from promcluster.reference.levels import code_range
from promcluster.registry.models import Enterprise, Membership, cluster_region
from promcluster.registry.service import (
    check_version,
    enterprises_acted_for,
    flush,
    require_enterprise_access,
)

LABELS = {Need: "потребность", Offer: "предложение", Response: "отклик", Enterprise: "предприятие"}
NOTIFY_TOP = 10  # representatives of this many best candidates hear of a new posting
# status → (statuses it may follow, who sets it)
RESPONSE_FLOW = {
    "accepted": ({"new", "declined"}, "customer"),
    "declined": ({"new", "accepted"}, "customer"),
    "withdrawn": ({"new", "accepted"}, "supplier"),
}


def get(session: Session, model: type, id_: int, field: str | None = None):
    """The record ``id_``; InvalidField when named by a ``field``, else NotFound."""
    obj = session.get(model, id_)
    if obj is None:
        message = f"{LABELS[model]}: нет записи с идентификатором {id_}"
        if field:
            raise InvalidField(field, message)
        raise NotFound(message)
    return obj


# Who may act for whom


def can_act_for(user: User | None, enterprise: Enterprise) -> bool:
    """Admin, the enterprise's representative, or a manager of one of its clusters."""
    return allowed(require_enterprise_access, user, enterprise)


def require_party(user: User | None, enterprise: Enterprise) -> None:
    if not can_act_for(user, enterprise):
        raise PermissionDenied(f"вы не можете действовать от имени предприятия «{enterprise.name}»")


def require_outside_customer(user: User | None) -> None:
    """Needs of outside customers are posted and handled by administrators and cluster managers."""
    if user is not None and user.role not in ("admin", "cluster_manager"):
        raise PermissionDenied(
            "потребности стороннего заказчика размещают и изменяют администратор "
            "и менеджер кластера"
        )


def require_need_owner(user: User | None, need: Need) -> None:
    if need.customer is not None:
        require_party(user, need.customer)
    else:
        require_outside_customer(user)


def customer_label(need: Need) -> str:
    return need.customer.name if need.customer is not None else need.customer_name or "—"


def _own_enterprise(user: User | None) -> int | None:
    return user.enterprise_id if user is not None and user.role == "enterprise_rep" else None


# Postings


def _set_posting(
    session: Session, posting: Need | Offer, data: dict[str, Any], statuses: dict[str, str]
) -> None:
    """Check and apply posting fields (codes, region, amounts, deadline, status)."""
    if data.get("okpd2_code"):
        data["okpd2_code"] = reference.require_okpd(session, data["okpd2_code"], "okpd2_code").code
    if "region_code" in data:
        if not data["region_code"]:
            raise InvalidField("region_code", "укажите регион")
        data["region_code"] = reference.require_region(session, data["region_code"]).code
    if "product_name" in data and not (data["product_name"] or "").strip():
        raise InvalidField("product_name", "укажите наименование продукции")
    for name in ("volume", "value"):
        if data.get(name) is not None and data[name] < 0:
            raise InvalidField(name, "значение не может быть отрицательным")
    deadline = data.get("deadline")
    if deadline is not None and deadline != posting.deadline and deadline < date.today():
        raise InvalidField(
            "deadline",
            f"срок {deadline:%d.%m.%Y} уже прошёл: укажите сегодняшнюю или более позднюю дату",
        )
    if "status" in data and data["status"] not in statuses:
        raise InvalidField("status", f"допустимые значения: {', '.join(statuses)}")
    for key, value in data.items():
        setattr(posting, key, value)


def create_need(session: Session, user: User | None, data: dict[str, Any]) -> Need:
    """Post a need of an enterprise (its representative, a manager of its cluster, an admin) or
    of an outside customer (a manager or an admin); notify likely suppliers and managers."""
    data = {k: v for k, v in data.items() if v is not None}
    customer_id = data.pop("customer_id", None)
    customer_name = (data.pop("customer_name", None) or "").strip() or None
    if customer_id is None and customer_name is None:
        customer_id = _own_enterprise(user)
    need = Need(status="open")
    if customer_id is not None:
        if customer_name:
            raise InvalidField(
                "customer_name", "укажите либо предприятие-заказчика, либо стороннего заказчика"
            )
        need.customer = get(session, Enterprise, customer_id, "customer_id")
        require_party(user, need.customer)
        data.setdefault("region_code", need.customer.region_code)
    elif customer_name:
        require_outside_customer(user)
        need.customer_name = customer_name
        data.setdefault("region_code", None)
    else:
        raise InvalidField(
            "customer_id", "укажите предприятие-заказчика или наименование стороннего заказчика"
        )
    data.pop("status", None)
    _set_posting(session, need, data, NEED_STATUSES)
    session.add(need)
    flush(session)
    _announce_need(session, user, need)
    return need


def update_need(session: Session, user: User | None, id_: int, data: dict[str, Any]) -> Need:
    """Change a need or its status; ``data`` holds the changed fields and the version read."""
    need = get(session, Need, id_)
    require_need_owner(user, need)
    data = dict(data)
    check_version(need, data)
    _set_posting(session, need, data, NEED_STATUSES)
    flush(session)
    return need


def create_offer(session: Session, user: User | None, data: dict[str, Any]) -> Offer:
    """Post an offer of a supplier; notify the representatives of likely buyers."""
    data = {k: v for k, v in data.items() if v is not None}
    supplier_id = data.pop("supplier_id", None) or _own_enterprise(user)
    if supplier_id is None:
        raise InvalidField("supplier_id", "укажите предприятие-поставщика")
    offer = Offer(status="open", supplier=get(session, Enterprise, supplier_id, "supplier_id"))
    require_party(user, offer.supplier)
    data.setdefault("region_code", offer.supplier.region_code)
    data.pop("status", None)
    _set_posting(session, offer, data, OFFER_STATUSES)
    session.add(offer)
    flush(session)
    _announce_offer(session, user, offer)
    return offer


def update_offer(session: Session, user: User | None, id_: int, data: dict[str, Any]) -> Offer:
    """Change an offer or its status; ``data`` holds the changed fields and the version read."""
    offer = get(session, Offer, id_)
    require_party(user, offer.supplier)
    data = dict(data)
    check_version(offer, data)
    _set_posting(session, offer, data, OFFER_STATUSES)
    flush(session)
    return offer


def _filtered(query: Select, model, **filters: Any) -> Select:
    """Postings by status, region, OKPD2 prefix, party and words of the product name."""
    if filters.get("status"):
        query = query.where(model.status == filters["status"])
    if filters.get("region"):
        query = query.where(model.region_code == filters["region"])
    if filters.get("okpd2"):
        query = query.where(code_range(model.okpd2_code, filters["okpd2"].strip()))
    if q := (filters.get("q") or "").strip():
        variants = {q, q.lower(), q.capitalize()}  # SQLite compares Cyrillic case-sensitively
        query = query.where(
            or_(*(model.product_name.contains(v, autoescape=True) for v in variants))
        )
    return query.order_by(model.id.desc())


def need_query(customer_id: int | None = None, **filters: Any) -> Select:
    query = select(Need)
    if customer_id is not None:
        query = query.where(Need.customer_id == customer_id)
    return _filtered(query, Need, **filters)


def offer_query(supplier_id: int | None = None, **filters: Any) -> Select:
    query = select(Offer)
    if supplier_id is not None:
        query = query.where(Offer.supplier_id == supplier_id)
    return _filtered(query, Offer, **filters)


# Responses


def respond(session: Session, user: User | None, need_id: int, data: dict[str, Any]) -> Response:
    """A supplier answers an open need (once); the customer's users are notified."""
    need = get(session, Need, need_id)
    supplier_id = data.get("supplier_id") or _own_enterprise(user)
    if supplier_id is None:
        raise InvalidField("supplier_id", "укажите предприятие, от имени которого отклик")
    supplier = get(session, Enterprise, supplier_id, "supplier_id")
    require_party(user, supplier)
    if need.status != "open":
        raise InvalidField("need_id", "потребность закрыта: откликнуться на неё нельзя")
    if need.deadline is not None and need.deadline < date.today():
        raise InvalidField("need_id", f"срок потребности истёк {need.deadline:%d.%m.%Y}")
    if need.customer_id == supplier.id:
        raise InvalidField("supplier_id", "нельзя откликнуться на собственную потребность")
    earlier = session.scalar(
        select(Response).where(Response.need_id == need.id, Response.supplier_id == supplier.id)
    )
    if earlier is not None:
        raise InvalidField(
            "supplier_id",
            f"«{supplier.name}» уже откликнулось на эту потребность (отклик №{earlier.id}, "
            f"{RESPONSE_STATUSES[earlier.status]})",
        )
    if data.get("offer_id") is not None:
        offer = get(session, Offer, data["offer_id"], "offer_id")
        if offer.supplier_id != supplier.id:
            raise InvalidField("offer_id", "это предложение другого предприятия")
    if data.get("price") is not None and data["price"] < 0:
        raise InvalidField("price", "цена не может быть отрицательной")
    response = Response(
        need=need,
        supplier=supplier,
        offer_id=data.get("offer_id"),
        message=(data.get("message") or "").strip() or None,
        price=data.get("price"),
        status="new",
    )
    session.add(response)
    flush(session)
    text = f"Отклик на потребность «{need.product_name}» от «{supplier.name}»"
    _notify(session, user, _customer_users(session, need), "response", text, _need_link(need))
    return response


def set_response_status(
    session: Session, user: User | None, id_: int, status: str, version: int | None
) -> Response:
    """Accept or decline (the customer's side), withdraw (the supplier's side); the other side
    is notified."""
    response = get(session, Response, id_)
    if status not in RESPONSE_FLOW:
        raise InvalidField("status", f"допустимые значения: {', '.join(RESPONSE_FLOW)}")
    follows, side = RESPONSE_FLOW[status]
    need = response.need
    if side == "customer":
        require_need_owner(user, need)
    else:
        require_party(user, response.supplier)
    if response.status not in follows:
        raise InvalidField(
            "status",
            f"отклик «{RESPONSE_STATUSES[response.status]}» нельзя сделать "
            f"«{RESPONSE_STATUSES[status]}»",
        )
    check_version(response, {"version": version})
    response.status = status
    flush(session)
    text = (
        f"Отклик «{response.supplier.name}» на потребность «{need.product_name}»: "
        f"{RESPONSE_STATUSES[status]}"
    )
    users = (
        set(_representatives(session, [response.supplier_id]))
        | _managers(session, response.supplier_id)
        if side == "customer"
        else _customer_users(session, need)
    )
    _notify(session, user, users, "status", text, _need_link(need))
    return response


def visible_responses(user: User | None, need: Need) -> list[Response]:
    """All responses for the customer's side; a supplier's side sees its own."""
    if user is None:
        return []
    if allowed(require_need_owner, user, need):
        return list(need.responses)
    return [r for r in need.responses if can_act_for(user, r.supplier)]


def responses_visible_to(user: User) -> Select:
    """The ids of the responses ``user`` may read (``visible_responses`` over every need, in
    SQL): the customer's side — or any manager for an outside customer — and the supplier's."""
    acting = enterprises_acted_for(user)
    if acting is None:
        return select(Response.id)
    customer_side = Need.customer_id.in_(acting)
    if user.role == "cluster_manager":
        customer_side = or_(customer_side, Need.customer_id.is_(None))
    return (
        select(Response.id)
        .join(Need, Need.id == Response.need_id)
        .where(or_(Response.supplier_id.in_(acting), customer_side))
    )


# Notifications


def _need_link(need: Need) -> str:
    return f"/needs/{need.id}"


def _representatives(session: Session, enterprise_ids: list[int]) -> dict[int, int]:
    """Active representatives of these enterprises: user id → enterprise id."""
    rows = session.execute(
        select(User.id, User.enterprise_id).where(
            User.role == "enterprise_rep",
            User.is_active,
            User.enterprise_id.in_(enterprise_ids),
        )
    )
    return dict(rows.all())


def _managers(session: Session, enterprise_id: int) -> set[int]:
    """Active managers of the clusters the enterprise takes part in."""
    clusters = select(Membership.cluster_id).where(
        Membership.enterprise_id == enterprise_id, Membership.status != "left"
    )
    return _cluster_managers(session, clusters)


def _cluster_managers(session: Session, clusters) -> set[int]:
    query = (
        select(User.id)
        .join(user_cluster, user_cluster.c.user_id == User.id)
        .where(
            user_cluster.c.cluster_id.in_(clusters), User.role == "cluster_manager", User.is_active
        )
    )
    return set(session.scalars(query))


def _customer_users(session: Session, need: Need) -> set[int]:
    """Who acts for the customer: its representatives and cluster managers; for an outside
    customer, the managers of the clusters of the need's region."""
    if need.customer_id is None:
        clusters = select(cluster_region.c.cluster_id).where(
            cluster_region.c.region_code == need.region_code
        )
        return _cluster_managers(session, clusters)
    return set(_representatives(session, [need.customer_id])) | _managers(session, need.customer_id)


def _notify(
    session: Session, actor: User | None, users, kind: str, text: str, link: str | None
) -> None:
    skip = actor.id if actor is not None else None
    session.add_all(
        Notification(user_id=u, kind=kind, text=text[:1000], link=link)
        for u in sorted(set(users))
        if u != skip
    )
    session.flush()


def _announce_need(session: Session, actor: User | None, need: Need) -> None:
    top = [c for c in supplier_candidates(session, need, NOTIFY_TOP) if c.enterprise_id]
    names = {c.enterprise_id: c.name for c in top}
    customer, link = customer_label(need), _need_link(need)
    for user_id, enterprise_id in _representatives(session, list(names)).items():
        text = (
            f"Новая потребность «{need.product_name}» ({customer}): «{names[enterprise_id]}» — "
            "среди подходящих поставщиков"
        )
        _notify(session, actor, [user_id], "match", text, link)
    text = f"Размещена потребность «{need.product_name}» от имени «{customer}»"
    _notify(session, actor, _customer_users(session, need), "need", text, link)


def _announce_offer(session: Session, actor: User | None, offer: Offer) -> None:
    top = [c for c in buyer_candidates(session, offer, NOTIFY_TOP) if c.enterprise_id]
    names = {c.enterprise_id: c.name for c in top}
    for user_id, enterprise_id in _representatives(session, list(names)).items():
        text = (
            f"Новое предложение «{offer.product_name}» ({offer.supplier.name}): "
            f"«{names[enterprise_id]}» — среди возможных покупателей"
        )
        _notify(session, actor, [user_id], "match", text, f"/offers/{offer.id}")


def user_notifications(
    session: Session, user: User, unread_only: bool = False, limit: int = 100
) -> list[Notification]:
    """The user's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user: User) -> int:
    query = select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return session.scalar(query) or 0


def mark_read(session: Session, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications ``ids`` (all when None) read; how many were unread."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    return session.execute(query.values(read_at=utcnow())).rowcount or 0
