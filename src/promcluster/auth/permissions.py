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


def require_enterprise(user: User | None, enterprise_id: int, cluster_ids: set[int]) -> None:
    """Administrators, the enterprise's own representative, and managers of a cluster the
    enterprise belongs to (``cluster_ids``) pass."""
    if user is None or user.role == "admin":
        return
    if user.role == "enterprise_rep" and user.enterprise_id == enterprise_id:
        return
    if user.role == "cluster_manager" and user.cluster_ids & cluster_ids:
        return
    _deny("вы не можете изменять карточку этого предприятия")


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
