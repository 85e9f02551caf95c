"""Server-side login sessions: the cookie carries a random token, the ``user_sessions`` table
its SHA-256, so that a session ends on the server (logout, password change, disabled user)
and a cookie signed with a leaked key cannot name a user by itself."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from promcluster.auth.models import User, UserSession
from promcluster.config import Settings
from promcluster.db import utcnow

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


def token_id(token: str) -> str:
    """The stored identifier of a cookie token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    session: Session,
    user: User,
    settings: Settings,
    client: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Start a login of ``user``; return the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    at = utcnow()
    session.add(
        UserSession(
            id=token_id(token),
            user_id=user.id,
            created_at=at,
            last_seen_at=at,
            expires_at=at + timedelta(hours=settings.session_lifetime_hours),
            client=(client or "")[:100] or None,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    session.flush()
    return token


def session_owner(
    session: Session, token: str | None, settings: Settings, touch: bool = True
) -> User | None:
    """The active user of a live session ``token`` (not revoked, not past its absolute expiry,
    not idle longer than ``session_idle_minutes``), or None. ``touch`` records the visit."""
    if not isinstance(token, str) or not token:
        return None
    row = session.get(UserSession, token_id(token))
    at = utcnow()
    if row is None or row.revoked_at is not None or at >= row.expires_at:
        return None
    if at - row.last_seen_at >= timedelta(minutes=settings.session_idle_minutes):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if touch and at - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = at
        session.flush()
    return user


def revoke_session(session: Session, token: str | None) -> None:
    """End one session (logout); an unknown or empty token is ignored."""
    if token:
        session.execute(
            update(UserSession)
            .where(UserSession.id == token_id(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_user_sessions(session: Session, user_id: int) -> int:
    """End every live session of a user (password change, disabled account); how many."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0
