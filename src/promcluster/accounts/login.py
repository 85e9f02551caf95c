"""Login and logout pages."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from promcluster.auth import throttle
from promcluster.auth.service import authenticate
from promcluster.web.deps import (
    check_form_csrf,
    csrf_token,
    db_session,
    end_login,
    login_failed,
    login_refused,
    start_login,
)
from promcluster.web.templating import templates

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    csrf_token(request)
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next)})


def _refused(request: Request, username: str, next: str, status: int, error: str, headers=None):
    return templates.TemplateResponse(
        request,
        "login.html",
        {"next": _safe_next(next), "error": error, "username": username},
        status_code=status,
        headers=headers,
    )


@router.post("/login", dependencies=[Depends(check_form_csrf)])
def login(
    request: Request,
    username: str = Form(..., max_length=100),
    password: str = Form(..., max_length=1024),
    next: str = Form("/", max_length=2000),
    session: Session = db_session,
):
    lock: throttle.Lock | None = login_refused(request, session, username)
    if lock is not None:
        error = lock.message[0].upper() + lock.message[1:]
        return _refused(request, username, next, 429, error, {"Retry-After": str(lock.retry_after)})
    user = authenticate(session, username, password)
    if user is None:
        login_failed(request, username)
        return _refused(request, username, next, 401, "Неверное имя пользователя или пароль")
    throttle.forget_failures(session, username)
    start_login(request, session, user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(check_form_csrf)])
def logout(request: Request, session: Session = db_session):
    end_login(request, session)
    return RedirectResponse("/", status_code=303)
