"""Request-scoped dependencies: the database session, the current user (a server-side session
named by the signed cookie, or HTTP Basic for scripts), CSRF checks, login throttling."""

import base64
import binascii
import secrets
from collections.abc import Iterator

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker

from promcluster.auth import throttle
from promcluster.auth.audit import Actor, act_as
from promcluster.auth.models import User
from promcluster.auth.service import authenticate
from promcluster.auth.sessions import open_session, revoke_session, session_owner
from promcluster.db import transaction
from promcluster.web.metrics import count_session

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SESSION_TOKEN = "token"  # the cookie's key holding the server-side session's token
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
READS = {"GET", "HEAD"}  # the methods an anonymous visitor may have served by a read replica
BAD_CREDENTIALS = "неверное имя пользователя или пароль"


def signed_in(request: Request) -> bool:
    """Whether the request names a user: a login token in the session cookie (live or not) or
    an ``Authorization`` header. Checked without the database."""
    return bool(request.session.get(SESSION_TOKEN)) or "authorization" in request.headers


def request_sessions(request: Request) -> sessionmaker[Session]:
    """The database a request works in, decided here only: the read replica
    (``database_read_url``) for an anonymous GET or HEAD, the primary for everything else —
    every write, and every signed-in user, who writes and must read their own writes at once
    (docs/SCALING.md). Without a replica, always the primary."""
    replica: sessionmaker[Session] | None = request.app.state.read_sessions
    if replica is None or request.method not in READS or signed_in(request):
        return request.app.state.sessions
    return replica


def request_session(request: Request) -> Iterator[Session]:
    """A session in one transaction: committed when the request succeeds, else rolled back."""
    sessions = request_sessions(request)
    count_session(sessions is not request.app.state.sessions)
    with sessions() as session, session.begin():
        yield session


# The request's database session, closed when the route function returns, so that its commit
# happens *before* the response is sent: a browser following a 303 (after a login or a form)
# or a script reading back what it wrote sees the write, and a failing commit is an error
# response, never a success already sent. (FastAPI's default "request" scope would close it
# only after the response.)
db_session = Depends(request_session, scope="function")


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, what uvicorn's
    ``--forwarded-allow-ips`` trusts)."""
    return request.client.host if request.client else "unknown"


# Login throttling: refusals and failures are written in transactions of their own, so that
# they stay when the request itself fails (401, 429).


def login_refused(request: Request, session: Session, username: str) -> throttle.Lock | None:
    """The lock refusing a login attempt of ``username`` from this client (audited), or None."""
    client = client_address(request)
    lock = throttle.login_lock(session, username, client, request.app.state.settings)
    if lock is not None:
        with transaction(request.app.state.sessions) as own:
            throttle.record_refusal(own, username, client, lock)
    return lock


def login_failed(request: Request, username: str) -> None:
    """Count a refused password of ``username`` from this client."""
    with transaction(request.app.state.sessions) as own:
        throttle.record_failure(own, username, client_address(request), request.app.state.settings)


def too_many_attempts(lock: throttle.Lock) -> HTTPException:
    """A 429 telling when to try again."""
    return HTTPException(429, lock.message, headers={"Retry-After": str(lock.retry_after)})


def _basic_user(request: Request, session: Session) -> User | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        username, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        username, password = "", ""
    if lock := login_refused(request, session, username):
        raise too_many_attempts(lock)
    user = authenticate(session, username, password) if username else None
    if user is None:
        if username:
            login_failed(request, username)
        # Only a client that sent Basic credentials is challenged, so browsers never show
        # their own login dialog for the platform's pages or scripts.
        raise HTTPException(401, BAD_CREDENTIALS, headers={"WWW-Authenticate": "Basic"})
    return user


def current_user(request: Request, session: Session = db_session) -> User | None:
    """The logged-in user (server-side session or HTTP Basic), or None for a public visitor.
    Cookie-authenticated API writes must carry the session's CSRF token in ``X-CSRF-Token``."""
    user = _basic_user(request, session)
    if user is None:
        token = request.session.get(SESSION_TOKEN)
        user = session_owner(session, token, request.app.state.settings)
        if user is not None and request.method in UNSAFE and request.url.path.startswith("/api"):
            sent = request.headers.get(CSRF_HEADER, "")
            if not secrets.compare_digest(sent, request.session.get("csrf", "")):
                raise HTTPException(403, "нет или неверный CSRF-токен (заголовок X-CSRF-Token)")
    if user is not None:
        act_as(session, Actor(user.username, user.id))
        request.state.user_name = user.username  # for the request log line
    return user


def session_user(request: Request) -> User | None:
    """The user of the session cookie, checked as ``current_user`` does but in a session of its
    own (for error pages, which render after the request's own transaction has failed)."""
    token = request.session.get(SESSION_TOKEN)
    if not token:
        return None
    with request.app.state.sessions() as session:
        return session_owner(session, token, request.app.state.settings, touch=False)


def start_login(request: Request, session: Session, user: User) -> None:
    """Open a new server-side session for ``user`` with a fresh token and CSRF token (the
    previous session of this browser, if any, ends: no session fixation)."""
    revoke_session(session, request.session.get(SESSION_TOKEN))
    request.session.clear()
    request.session[SESSION_TOKEN] = open_session(
        session,
        user,
        request.app.state.settings,
        client=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    csrf_token(request)


def end_login(request: Request, session: Session) -> None:
    """Log out: the server-side session is revoked and the cookie emptied."""
    revoke_session(session, request.session.get(SESSION_TOKEN))
    request.session.clear()


def login_required(user: User | None = Depends(current_user)) -> User:
    """The current user; 401 for anonymous visitors (pages turn it into the login form)."""
    if user is None:
        raise HTTPException(401, "требуется вход в систему")
    return user


async def check_form_csrf(request: Request) -> None:
    """Refuse a form post whose ``csrf_token`` field does not match the session's token."""
    form = await request.form()
    sent = str(form.get(CSRF_FIELD, ""))
    if not sent or not secrets.compare_digest(sent, request.session.get("csrf", "")):
        raise HTTPException(403, "форма устарела или подделана (CSRF); обновите страницу")
