"""Notifications: who hears of a new posting, a response or a change of its status, and the
user's own list (unread count, marking read)."""

from collections.abc import Iterable

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from promcluster.auth.models import User, user_cluster
from promcluster.db import utcnow
from promcluster.matching.candidates import buyer_candidates, supplier_candidates
from promcluster.matching.models import Need, Notification, Offer
from promcluster.matching.parties import customer_label
from promcluster.registry.models import Membership, cluster_region

NOTIFY_TOP = 10  # representatives of this many best candidates hear of a new posting


def need_link(need: Need) -> str:
    return f"/needs/{need.id}"


# Who hears


def representatives(session: Session, enterprise_ids: list[int]) -> dict[int, int]:
    """Active representatives of these enterprises: user id → enterprise id."""
    rows = session.execute(
        select(User.id, User.enterprise_id).where(
            User.role == "enterprise_rep",
            User.is_active,
            User.enterprise_id.in_(enterprise_ids),
        )
    )
    return dict(rows.all())


def managers(session: Session, enterprise_id: int) -> set[int]:
    """Active managers of the clusters the enterprise takes part in."""
    clusters = select(Membership.cluster_id).where(
        Membership.enterprise_id == enterprise_id, Membership.status != "left"
    )
    return _cluster_managers(session, clusters)


def _cluster_managers(session: Session, clusters: Select) -> set[int]:
    query = (
        select(User.id)
        .join(user_cluster, user_cluster.c.user_id == User.id)
        .where(
            user_cluster.c.cluster_id.in_(clusters), User.role == "cluster_manager", User.is_active
        )
    )
    return set(session.scalars(query))


def customer_users(session: Session, need: Need) -> set[int]:
    """Who acts for the customer: its representatives and cluster managers; for an outside
    customer, the managers of the clusters of the need's region."""
    if need.customer_id is None:
        clusters = select(cluster_region.c.cluster_id).where(
            cluster_region.c.region_code == need.region_code
        )
        return _cluster_managers(session, clusters)
    return set(representatives(session, [need.customer_id])) | managers(session, need.customer_id)


# Sending


def notify(
    session: Session,
    actor: User | None,
    users: Iterable[int],
    kind: str,
    text: str,
    link: str | None,
) -> None:
    """One notification to each of ``users`` but the ``actor``."""
    skip = actor.id if actor is not None else None
    session.add_all(
        Notification(user_id=u, kind=kind, text=text[:1000], link=link)
        for u in sorted(set(users))
        if u != skip
    )
    session.flush()


def announce_need(session: Session, actor: User | None, need: Need) -> None:
    """Tell the likeliest suppliers' representatives and the customer's side of a new need."""
    top = [c for c in supplier_candidates(session, need, NOTIFY_TOP) if c.enterprise_id]
    names = {c.enterprise_id: c.name for c in top}
    customer, link = customer_label(need), need_link(need)
    for user_id, enterprise_id in representatives(session, list(names)).items():
        text = (
            f"Новая потребность «{need.product_name}» ({customer}): «{names[enterprise_id]}» — "
            "среди подходящих поставщиков"
        )
        notify(session, actor, [user_id], "match", text, link)
    text = f"Размещена потребность «{need.product_name}» от имени «{customer}»"
    notify(session, actor, customer_users(session, need), "need", text, link)


def announce_offer(session: Session, actor: User | None, offer: Offer) -> None:
    """Tell the likeliest buyers' representatives of a new offer."""
    top = [c for c in buyer_candidates(session, offer, NOTIFY_TOP) if c.enterprise_id]
    names = {c.enterprise_id: c.name for c in top}
    for user_id, enterprise_id in representatives(session, list(names)).items():
        text = (
            f"Новое предложение «{offer.product_name}» ({offer.supplier.name}): "
            f"«{names[enterprise_id]}» — среди возможных покупателей"
        )
        notify(session, actor, [user_id], "match", text, f"/offers/{offer.id}")


# The user's list


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
