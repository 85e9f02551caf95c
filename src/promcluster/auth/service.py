"""Users: creation, password hashing (argon2id), authentication."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.auth.models import ROLES, User
from promcluster.errors import InvalidField
from promcluster.registry.models import Cluster, Enterprise

_hasher = PasswordHasher()
MIN_PASSWORD = 8


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    cluster_ids: list[int] = (),
    enterprise_id: int | None = None,
    full_name: str | None = None,
) -> User:
    """Add a user; a cluster manager needs clusters, a representative an enterprise."""
    username = username.strip()
    if not username:
        raise InvalidField("username", "укажите имя пользователя")
    if session.scalar(select(User).where(User.username == username)):
        raise InvalidField("username", f"пользователь «{username}» уже есть")
    if len(password) < MIN_PASSWORD:
        raise InvalidField("password", f"пароль короче {MIN_PASSWORD} символов")
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
    user = User(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        full_name=full_name,
        enterprise_id=enterprise_id,
        clusters=clusters,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_active:
        _hasher.hash(password)  # same cost whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user
