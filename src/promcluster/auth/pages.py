"""Login and logout pages."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from promcluster.auth.service import authenticate
from promcluster.web.deps import check_form_csrf, csrf_token, get_session
from promcluster.web.templating import templates

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    csrf_token(request)
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next)})


@router.post("/login", dependencies=[Depends(check_form_csrf)])
def login(
    request: Request,
    username: str = Form(...),
    password: str = Form(...),
    next: str = Form("/"),
    session: Session = Depends(get_session),
):
    user = authenticate(session, username, password)
    if user is None:
        return templates.TemplateResponse(
            request,
            "login.html",
            {
                "next": _safe_next(next),
                "error": "Неверное имя пользователя или пароль",
                "username": username,
            },
            status_code=401,
        )
    request.session.clear()
    request.session["user_id"] = user.id
    csrf_token(request)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(check_form_csrf)])
def logout(request: Request):
    request.session.clear()
    return RedirectResponse("/", status_code=303)
