"""Users and their scope: creation (a manager's clusters, a representative's enterprise),
the administrator's list, activation, passwords and roles."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from promcluster.auth.models import ROLES, User, UserSession
from promcluster.auth.permissions import require_admin
from promcluster.auth.service import password_hash
from promcluster.auth.sessions import revoke_user_sessions
from promcluster.db import utcnow
from promcluster.errors import InvalidField, NotFound
from promcluster.registry.models import Cluster, Enterprise


def _scope(
    session: Session, role: str, cluster_ids: Sequence[int], enterprise_id: int | None
) -> list[Cluster]:
    """The clusters of a role's scope, checked: a manager needs clusters, a representative an
    existing enterprise."""
    if role not in ROLES:
        raise InvalidField("role", f"роль должна быть одной из: {', '.join(ROLES)}")
    clusters = [session.get(Cluster, i) for i in cluster_ids]
    if None in clusters:
        raise InvalidField("clusters", "нет кластера с таким идентификатором")
    if role == "cluster_manager" and not clusters:
        raise InvalidField("clusters", "менеджеру кластера нужен хотя бы один кластер")
    if role == "enterprise_rep" and (
        enterprise_id is None or session.get(Enterprise, enterprise_id) is None
    ):
        raise InvalidField("enterprise", "представителю предприятия нужно существующее предприятие")
    return clusters


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    cluster_ids: Sequence[int] = (),
    enterprise_id: int | None = None,
    full_name: str | None = None,
) -> User:
    """Add a user; a cluster manager needs clusters, a representative an enterprise."""
    username = username.strip()
    if not username:
        raise InvalidField("username", "укажите имя пользователя")
    if len(username) > 100:
        raise InvalidField("username", "имя пользователя длиннее 100 символов")
    if session.scalar(select(User).where(User.username == username)):
        raise InvalidField("username", f"пользователь «{username}» уже есть")
    hashed = password_hash(password)
    clusters = _scope(session, role, cluster_ids, enterprise_id)
    user = User(
        username=username,
        password_hash=hashed,
        role=role,
        full_name=full_name,
        enterprise_id=enterprise_id,
        clusters=clusters,
    )
    session.add(user)
    session.flush()
    return user


# Administration: every change below is the administrator's (``actor``; None = the system).


@dataclass(frozen=True)
class UserRow:
    """A user as the administrator's list shows it."""

    user: User
    enterprise_name: str | None
    last_login: datetime | None
    live_sessions: int


def find_user(session: Session, username: str) -> User:
    """The user named ``username``."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(f"нет пользователя «{username.strip()}»")
    return user


def get_user(session: Session, user_id: int) -> User:
    """The user with this id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"нет пользователя с идентификатором {user_id}")
    return user


def list_users(session: Session, actor: User | None) -> list[UserRow]:
    """Every user by name, with the last login and the number of unrevoked sessions."""
    require_admin(actor)
    last = (
        select(UserSession.user_id, func.max(UserSession.created_at).label("last_login"))
        .group_by(UserSession.user_id)
        .subquery()
    )
    live = (
        select(UserSession.user_id, func.count().label("live"))
        .where(UserSession.revoked_at.is_(None), UserSession.expires_at > utcnow())
        .group_by(UserSession.user_id)
        .subquery()
    )
    rows = session.execute(
        select(User, Enterprise.name, last.c.last_login, live.c.live)
        .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
        .outerjoin(last, last.c.user_id == User.id)
        .outerjoin(live, live.c.user_id == User.id)
        .order_by(User.username)
    ).all()
    return [UserRow(user, name, login, live or 0) for user, name, login, live in rows]


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count(User.id)).where(
            User.role == "admin", User.is_active.is_(True), User.id != user.id
        )
    )


def set_active(session: Session, actor: User | None, user_id: int, active: bool) -> User:
    """Enable or disable a user; disabling ends every session of theirs at once."""
    require_admin(actor)
    user = get_user(session, user_id)
    if not active:
        if actor is not None and actor.id == user.id:
            raise InvalidField("is_active", "нельзя отключить собственную учётную запись")
        if user.role == "admin" and user.is_active and not _other_active_admins(session, user):
            raise InvalidField("is_active", "нельзя отключить последнего администратора")
        revoke_user_sessions(session, user.id)
    user.is_active = active
    session.flush()
    return user


def set_password(session: Session, actor: User | None, user_id: int, password: str) -> User:
    """Give a user a new password; every session of theirs ends."""
    require_admin(actor)
    user = get_user(session, user_id)
    user.password_hash = password_hash(password)
    revoke_user_sessions(session, user.id)
    session.flush()
    return user


def set_role(
    session: Session,
    actor: User | None,
    user_id: int,
    role: str,
    cluster_ids: Sequence[int] = (),
    enterprise_id: int | None = None,
) -> User:
    """Change a user's role and scope (clusters of a manager, enterprise of a representative)."""
    require_admin(actor)
    user = get_user(session, user_id)
    clusters = _scope(session, role, cluster_ids, enterprise_id)
    if user.role == "admin" and role != "admin":
        if actor is not None and actor.id == user.id:
            raise InvalidField("role", "нельзя снять роль администратора с себя")
        if user.is_active and not _other_active_admins(session, user):
            raise InvalidField("role", "нельзя снять роль с последнего администратора")
    user.role = role
    user.clusters = clusters if role == "cluster_manager" else []
    user.enterprise_id = enterprise_id if role == "enterprise_rep" else None
    session.flush()
    return user
