"""Passwords: hashing (argon2id) with the length rules, and authentication."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.errors import InvalidField

_hasher = PasswordHasher()
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes any length, but a megabyte password is only a burden


def password_hash(password: str) -> str:
    """The argon2id hash of a new password; InvalidField when it is too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise InvalidField("password", f"пароль короче {MIN_PASSWORD} символов")
    if len(password) > MAX_PASSWORD:
        raise InvalidField("password", f"пароль длиннее {MAX_PASSWORD} символов")
    return _hasher.hash(password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.is_active or len(password) > MAX_PASSWORD:
        _hasher.hash(password[:MAX_PASSWORD])  # same cost whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user
