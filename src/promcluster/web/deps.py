"""Request-scoped dependencies: the database session, the current user, CSRF checks."""

import base64
import binascii
import secrets
from collections.abc import Iterator

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from promcluster.auth.audit import Actor, act_as
from promcluster.auth.models import User
from promcluster.auth.service import authenticate

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def get_session(request: Request) -> Iterator[Session]:
    """A session in one transaction: committed when the request succeeds, else rolled back."""
    with request.app.state.sessions() as session, session.begin():
        yield session


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def _basic_user(request: Request, session: Session) -> User | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        username, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user = authenticate(session, username, password)
    if user is None:
        raise HTTPException(
            401, "неверное имя пользователя или пароль", headers={"WWW-Authenticate": "Basic"}
        )
    return user


def current_user(request: Request, session: Session = Depends(get_session)) -> User | None:
    """The logged-in user (session cookie or HTTP Basic), or None for a public visitor.
    Cookie-authenticated writes must carry the session's CSRF token in ``X-CSRF-Token``."""
    user = _basic_user(request, session)
    if user is None and (user_id := request.session.get("user_id")):
        user = session.get(User, user_id)
        if user is not None and request.method in UNSAFE and request.url.path.startswith("/api"):
            sent = request.headers.get(CSRF_HEADER, "")
            if not secrets.compare_digest(sent, request.session.get("csrf", "")):
                raise HTTPException(403, "нет или неверный CSRF-токен (заголовок X-CSRF-Token)")
    if user is not None and not user.is_active:
        user = None
    if user is not None:
        act_as(session, Actor(user.username, user.id))
    return user


def session_user(request: Request) -> User | None:
    """The user of the session cookie, read in a session of its own (for error pages, which
    render after the request's own transaction has failed)."""
    user_id = request.session.get("user_id")
    if not user_id:
        return None
    with request.app.state.sessions() as session:
        user = session.get(User, user_id)
        return user if user is not None and user.is_active else None


def login_required(user: User | None = Depends(current_user)) -> User:
    """The current user; 401 for anonymous visitors."""
    if user is None:
        raise HTTPException(401, "требуется вход в систему", headers={"WWW-Authenticate": "Basic"})
    return user


async def check_form_csrf(request: Request) -> None:
    """Refuse a form post whose ``csrf_token`` field does not match the session's token."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD, ""))
    if not sent or not secrets.compare_digest(sent, request.session.get("csrf", "")):
        raise HTTPException(403, "форма устарела или подделана (CSRF); обновите страницу")
