"""Who reads a cluster's documents: everybody its ``public`` ones; the non-public ones
administrators, the cluster's managers and the representatives of enterprises that are members
or applicants of the cluster (docs/PERMISSIONS.md). Who writes: administrators and the cluster's
managers (``permissions.require_cluster``)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.auth import permissions
from promcluster.auth.models import User
from promcluster.documents.models import Document
from promcluster.registry.models import Membership

INSIDER_STATUSES = ("member", "applicant")  # potential and former members are outsiders


def insider_clusters(session: Session, user: User) -> set[int]:
    """The clusters where the representative's enterprise is a member or an applicant."""
    if user.role != "enterprise_rep" or user.enterprise_id is None:
        return set()
    query = select(Membership.cluster_id).where(
        Membership.enterprise_id == user.enterprise_id,
        Membership.status.in_(INSIDER_STATUSES),
    )
    return set(session.scalars(query))


def reads_all(session: Session, user: User | None, cluster_id: int) -> bool:
    """Whether ``user`` (None: an anonymous visitor) reads the cluster's non-public documents."""
    if user is None:
        return False
    member_of = insider_clusters(session, user)
    return permissions.allowed(permissions.require_cluster_insider, user, cluster_id, member_of)


def may_read(session: Session, user: User | None, document: Document) -> bool:
    """Whether ``user`` may see ``document`` and download its files."""
    return document.public or reads_all(session, user, document.cluster_id)


def require_read(session: Session, user: User, document: Document) -> None:
    """PermissionDenied unless the signed-in ``user`` may read ``document``."""
    if not document.public:
        permissions.require_cluster_insider(
            user, document.cluster_id, insider_clusters(session, user)
        )


def may_write(user: User | None, cluster_id: int) -> bool:
    """Whether ``user`` may upload, edit and replace the cluster's documents."""
    return user is not None and permissions.allowed(permissions.require_cluster, user, cluster_id)
