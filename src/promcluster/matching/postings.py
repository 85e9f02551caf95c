"""Needs and offers: posting them, changing them or their status, and the filtered queries of
their lists. The audit hook records each change; ``version`` guards against lost updates."""

from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.errors import FieldChecks, InvalidField
from promcluster.labels import NEED_STATUSES, OFFER_STATUSES
from promcluster.matching.models import Need, Offer
from promcluster.matching.notifications import announce_need, announce_offer
from promcluster.matching.parties import (
    own_enterprise,
    require_need_owner,
    require_outside_customer,
    require_party,
)
from promcluster.records import check_version, flush, get
from promcluster.reference import service as reference
from promcluster.reference.levels import code_range
from promcluster.registry.models import Enterprise


def _set_posting(
    session: Session,
    posting: Need | Offer,
    data: dict[str, Any],
    statuses: dict[str, str],
    checks: FieldChecks | None = None,
) -> None:
    """Check and apply posting fields (codes, region, amounts, deadline, status); every refused
    field is reported at once (with those ``checks`` already found, when given)."""
    checks = checks or FieldChecks()
    if data.get("okpd2_code"):
        found = checks.check(reference.require_okpd, session, data["okpd2_code"], "okpd2_code")
        data["okpd2_code"] = found.code if found else None
    if "region_code" in data:
        if not data["region_code"]:
            checks.check(_refuse, "region_code", "укажите регион")
        else:
            found = checks.check(reference.require_region, session, data["region_code"])
            data["region_code"] = found.code if found else None
    if "product_name" in data and not (data["product_name"] or "").strip():
        checks.check(_refuse, "product_name", "укажите наименование продукции")
    for name in ("volume", "value"):
        if data.get(name) is not None and data[name] < 0:
            checks.check(_refuse, name, "значение не может быть отрицательным")
    deadline = data.get("deadline")
    if deadline is not None and deadline != posting.deadline and deadline < date.today():
        message = f"срок {deadline:%d.%m.%Y} уже прошёл: укажите сегодняшнюю или более позднюю дату"
        checks.check(_refuse, "deadline", message)
    if "status" in data and data["status"] not in statuses:
        checks.check(_refuse, "status", f"допустимые значения: {', '.join(statuses)}")
    checks.done()
    for key, value in data.items():
        setattr(posting, key, value)


def _refuse(field: str, message: str) -> None:
    raise InvalidField(field, message)


# Needs


def create_need(session: Session, user: User | None, data: dict[str, Any]) -> Need:
    """Post a need of an enterprise (its representative, a manager of its cluster, an admin) or
    of an outside customer (a manager or an admin); notify likely suppliers and managers."""
    data = {k: v for k, v in data.items() if v is not None}
    customer_id = data.pop("customer_id", None)
    customer_name = (data.pop("customer_name", None) or "").strip() or None
    if customer_id is None and customer_name is None:
        customer_id = own_enterprise(user)
    need = Need(status="open")
    checks = FieldChecks()
    checks.check(_place_customer, session, user, need, data, customer_id, customer_name)
    data.pop("status", None)
    _set_posting(session, need, data, NEED_STATUSES, checks)
    session.add(need)
    flush(session)
    announce_need(session, user, need)
    return need


def _place_customer(
    session: Session,
    user: User | None,
    need: Need,
    data: dict[str, Any],
    customer_id: int | None,
    customer_name: str | None,
) -> None:
    """The need's customer: an enterprise of the platform (whose region the need takes unless
    one is given) or an outside customer named in words."""
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


def update_need(session: Session, user: User | None, id_: int, data: dict[str, Any]) -> Need:
    """Change a need or its status; ``data`` holds the changed fields and the version read."""
    need = get(session, Need, id_)
    require_need_owner(user, need)
    data = dict(data)
    check_version(need, data)
    _set_posting(session, need, data, NEED_STATUSES)
    flush(session)
    return need


# Offers


def create_offer(session: Session, user: User | None, data: dict[str, Any]) -> Offer:
    """Post an offer of a supplier; notify the representatives of likely buyers."""
    data = {k: v for k, v in data.items() if v is not None}
    supplier_id = data.pop("supplier_id", None) or own_enterprise(user)
    offer = Offer(status="open")
    checks = FieldChecks()
    checks.check(_place_supplier, session, user, offer, data, supplier_id)
    data.pop("status", None)
    _set_posting(session, offer, data, OFFER_STATUSES, checks)
    session.add(offer)
    flush(session)
    announce_offer(session, user, offer)
    return offer


def _place_supplier(
    session: Session, user: User | None, offer: Offer, data: dict[str, Any], supplier_id: int | None
) -> None:
    """The offer's supplier, whose region the offer takes unless one is given."""
    if supplier_id is None:
        raise InvalidField("supplier_id", "укажите предприятие-поставщика")
    offer.supplier = get(session, Enterprise, supplier_id, "supplier_id")
    require_party(user, offer.supplier)
    data.setdefault("region_code", offer.supplier.region_code)


def update_offer(session: Session, user: User | None, id_: int, data: dict[str, Any]) -> Offer:
    """Change an offer or its status; ``data`` holds the changed fields and the version read."""
    offer = get(session, Offer, id_)
    require_party(user, offer.supplier)
    data = dict(data)
    check_version(offer, data)
    _set_posting(session, offer, data, OFFER_STATUSES)
    flush(session)
    return offer


# Lists


def _filtered(query: Select, model: type[Need] | type[Offer], **filters: Any) -> Select:
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
