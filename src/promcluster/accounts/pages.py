"""The administrator's users page: list, create, enable/disable, role and scope, new password.
Every change goes through ``auth/service.py``; disabling and a new password end the user's
sessions there."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from promcluster.accounts import service
from promcluster.auth.models import User
from promcluster.auth.permissions import require_admin
from promcluster.errors import InvalidField
from promcluster.pickers.service import PickedForm, Picker, read_form, shown
from promcluster.web.deps import check_form_csrf, db_session, login_required
from promcluster.web.forms import render

router = APIRouter(include_in_schema=False)
UserId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Text = Annotated[str, Form(max_length=200)]
PICKERS = [
    Picker("clusters", "cluster", "Кластеры менеджера", multiple=True),
    Picker("enterprise", "enterprise", "Предприятие представителя"),
]


async def _scope(request: Request, session: Session) -> tuple[PickedForm, str, str]:
    """The scope posted by the pickers: the picked form, the cluster ids as ``3, 5`` and the
    enterprise id (as ``_ids`` and ``_id`` read them); InvalidField when a typed name matches
    no record or several."""
    picked = read_form(session, await request.form(), PICKERS)
    clusters = ", ".join(v for v in picked.form.getlist("clusters") if v)
    return picked, clusters, str(picked.form.get("enterprise") or "")


def _refused(picked: PickedForm) -> None:
    """The pickers' refusals as one InvalidField (the page shows one message)."""
    if picked.errors:
        field = next(iter(picked.errors))
        raise InvalidField(field, "; ".join(picked.errors.values()))


def _ids(text: str, field: str) -> list[int]:
    """Cluster ids typed as ``3, 5``."""
    try:
        ids = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise InvalidField(
            field, "укажите идентификаторы кластеров числами через запятую"
        ) from None
    if any(not 1 <= i <= 2_147_483_647 for i in ids):
        raise InvalidField(field, "нет кластера с таким идентификатором")
    return ids


def _id(text: str, field: str) -> int | None:
    """An optional enterprise id."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 2_147_483_647:
        raise InvalidField(field, "укажите идентификатор предприятия числом")
    return int(text)


def _page(
    request: Request,
    session: Session,
    user: User,
    status_code: int = 200,
    error: InvalidField | None = None,
    target: int | None = None,
    values: dict | None = None,
    picked: PickedForm | None = None,
):
    rows = service.list_users(session, user)
    scopes = {
        r.user.id: shown(
            session,
            PICKERS,
            {"clusters": sorted(c.id for c in r.user.clusters), "enterprise": r.user.enterprise_id},
        )
        for r in rows
    }
    if picked is not None:  # the refused form shows what was posted
        scopes[target or 0] = picked
    return render(
        request,
        "users/list.html",
        user,
        status_code=status_code,
        rows=rows,
        error=error,
        target=target,
        values=values or {},
        pickers=PICKERS,
        scopes=scopes,
        new_scope=scopes.get(0) or shown(session, PICKERS, {}),
    )


@router.get("/users")
def users_page(
    request: Request,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    return _page(request, session, user)


def _done(user_id: int | None = None) -> RedirectResponse:
    return RedirectResponse(f"/users#user-{user_id}" if user_id else "/users", status_code=303)


@router.post("/users", dependencies=[Depends(check_form_csrf)])
async def create_user(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1024)],
    role: Text,
    full_name: Text = "",
    session: Session = db_session,
    user: User = Depends(login_required),
):
    require_admin(user)  # before anything is parsed
    picked, clusters, enterprise = await _scope(request, session)
    values = {"username": username, "full_name": full_name, "role": role}
    try:
        _refused(picked)
        created = service.create_user(
            session,
            username,
            password,
            role,
            _ids(clusters, "clusters"),
            _id(enterprise, "enterprise"),
            full_name.strip() or None,
        )
    except InvalidField as exc:
        return _page(request, session, user, 422, exc, values=values, picked=picked)
    return _done(created.id)


@router.post("/users/{user_id}/active", dependencies=[Depends(check_form_csrf)])
def set_active(
    request: Request,
    user_id: UserId,
    active: Annotated[bool, Form()],
    session: Session = db_session,
    user: User = Depends(login_required),
):
    try:
        service.set_active(session, user, user_id, active)
    except InvalidField as exc:
        return _page(request, session, user, 422, exc, user_id)
    return _done(user_id)


@router.post("/users/{user_id}/role", dependencies=[Depends(check_form_csrf)])
async def set_role(
    request: Request,
    user_id: UserId,
    role: Text,
    session: Session = db_session,
    user: User = Depends(login_required),
):
    require_admin(user)  # before any name is looked up
    picked, clusters, enterprise = await _scope(request, session)
    try:
        _refused(picked)
        service.set_role(
            session,
            user,
            user_id,
            role,
            _ids(clusters, "clusters"),
            _id(enterprise, "enterprise"),
        )
    except InvalidField as exc:
        return _page(request, session, user, 422, exc, user_id, {"role": role}, picked)
    return _done(user_id)


@router.post("/users/{user_id}/password", dependencies=[Depends(check_form_csrf)])
def set_password(
    request: Request,
    user_id: UserId,
    password: Annotated[str, Form(max_length=1024)],
    password_again: Annotated[str, Form(max_length=1024)],
    session: Session = db_session,
    user: User = Depends(login_required),
):
    require_admin(user)
    try:
        if password != password_again:
            raise InvalidField("password_again", "пароли не совпадают")
        service.set_password(session, user, user_id, password)
    except InvalidField as exc:
        return _page(request, session, user, 422, exc, user_id)
    return _done(user_id)
