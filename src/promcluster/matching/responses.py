"""Responses to needs: a supplier answers an open need, the customer accepts or declines, the
supplier withdraws; each step notifies the other side. Who reads which responses, too."""

from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.auth.permissions import allowed
from promcluster.errors import InvalidField
from promcluster.labels import RESPONSE_STATUSES
from promcluster.matching.models import Need, Offer, Response
from promcluster.matching.notifications import (
    customer_users,
    managers,
    need_link,
    notify,
    representatives,
)
from promcluster.matching.parties import (
    can_act_for,
    own_enterprise,
    require_need_owner,
    require_party,
)
from promcluster.records import check_version, flush, get
from promcluster.registry.models import Enterprise
from promcluster.registry.service import enterprises_acted_for

# status → (statuses it may follow, who sets it)
RESPONSE_FLOW = {
    "accepted": ({"new", "declined"}, "customer"),
    "declined": ({"new", "accepted"}, "customer"),
    "withdrawn": ({"new", "accepted"}, "supplier"),
}


def respond(session: Session, user: User | None, need_id: int, data: dict[str, Any]) -> Response:
    """A supplier answers an open need (once); the customer's users are notified."""
    need = get(session, Need, need_id)
    supplier_id = data.get("supplier_id") or own_enterprise(user)
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
    notify(session, user, customer_users(session, need), "response", text, need_link(need))
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
        set(representatives(session, [response.supplier_id]))
        | managers(session, response.supplier_id)
        if side == "customer"
        else customer_users(session, need)
    )
    notify(session, user, users, "status", text, need_link(need))
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
