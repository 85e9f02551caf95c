"""The parties of needs, offers and responses: who may act for an enterprise, who owns a need,
and which enterprises a user may post or respond for."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.auth.permissions import allowed
from promcluster.errors import PermissionDenied
from promcluster.matching.models import Need
from promcluster.registry.models import Enterprise, Membership
from promcluster.registry.service import require_enterprise_access


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


def own_enterprise(user: User | None) -> int | None:
    """A representative's enterprise: the party of what they post when they name none."""
    return user.enterprise_id if user is not None and user.role == "enterprise_rep" else None


def acting_parties(session: Session, user: User | None) -> list[Enterprise] | None:
    """Enterprises the user may choose to act for in a form (None: anyone, an administrator
    types the id)."""
    if user is None:
        return []
    if user.role == "admin":
        return None
    if user.role == "enterprise_rep":
        own = session.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
        return [own] if own else []
    members = select(Membership.enterprise_id).where(
        Membership.cluster_id.in_(user.cluster_ids), Membership.status != "left"
    )
    return list(
        session.scalars(
            select(Enterprise).where(Enterprise.id.in_(members)).order_by(Enterprise.name)
        )
    )
