"""Who may change what. ``None`` as the user means the system itself (CLI, loaders)."""

from collections.abc import Callable

from promcluster.auth.models import User
from promcluster.errors import PermissionDenied


def _deny(message: str) -> None:
    raise PermissionDenied(message)


def require_admin(user: User | None) -> None:
    """Only administrators (and the system) pass."""
    if user is not None and user.role != "admin":
        _deny("это действие доступно только администратору")


def require_cluster(user: User | None, cluster_id: int) -> None:
    """Administrators, and managers of this cluster, pass."""
    if user is None or user.role == "admin":
        return
    if user.role == "cluster_manager" and cluster_id in user.cluster_ids:
        return
    _deny("вы не управляете этим кластером")


def require_enterprise(user: User | None, enterprise_id: int, member_of: set[int]) -> None:
    """Administrators, the enterprise's own representative, and a cluster manager who manages
    every cluster the enterprise is a *member* of (``member_of``: the clusters where its
    membership status is ``member``; there must be at least one). A potential, applicant or
    former participation gives nobody rights, and an enterprise that is a member of a cluster
    the manager does not manage stays out of reach whatever the manager adds to their own
    cluster (docs/PERMISSIONS.md)."""
    if user is None or user.role == "admin":
        return
    if user.role == "enterprise_rep" and user.enterprise_id == enterprise_id:
        return
    if user.role == "cluster_manager":
        if not member_of & user.cluster_ids:
            _deny("предприятие не входит в число участников кластера, которым вы управляете")
        if member_of - user.cluster_ids:
            _deny(
                "предприятие — участник и другого кластера, которым вы не управляете: его карточку "
                "изменяют представитель предприятия и администратор"
            )
        return
    _deny("вы не можете изменять карточку этого предприятия")


def require_cluster_insider(user: User, cluster_id: int, member_of: set[int]) -> None:
    """Administrators, managers of this cluster, and representatives of an enterprise that is
    a member or an applicant of it (``member_of``: those clusters) pass: who reads a cluster's
    non-public documents (docs/PERMISSIONS.md)."""
    if user.role == "admin":
        return
    if user.role == "cluster_manager" and cluster_id in user.cluster_ids:
        return
    if user.role == "enterprise_rep" and cluster_id in member_of:
        return
    _deny("документ не опубликован: его видят участники кластера, менеджеры и администратор")


def require_admin_field(user: User | None, field: str, label: str) -> None:
    """Only administrators (and the system) may change ``field`` (named in the message)."""
    if user is not None and user.role != "admin":
        _deny(f"поле «{field}» ({label}) может изменять только администратор")


def require_creator(user: User | None) -> None:
    """Administrators and cluster managers may add enterprises."""
    if user is not None and user.role not in ("admin", "cluster_manager"):
        _deny("добавлять предприятия могут администратор и менеджер кластера")


def allowed(check: Callable[..., None], *args) -> bool:
    """Whether ``check(*args)`` passes (for showing or hiding edit buttons)."""
    try:
        check(*args)
    except PermissionDenied:
        return False
    return True
