"""REST routes of one resource in one call: list (filtered, paginated), read, create, update and
optionally delete, each calling the domain's service function. Reads are open; writes need a
signed-in user, and the service checks what that user may do."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.pagination import Page, paginate
from promcluster.records import get
from promcluster.web.deps import db_session, login_required
from promcluster.web.limits import INT_MAX, Id

PER_PAGE_MAX = 500

Naming = Callable[[str], dict[str, str]]
"""The ``name`` and/or ``operation_id`` of the route of an action: list, get, create, update or
delete."""


def operation_ids(resource: str) -> Naming:
    """Operation ids ``list_clusters``, ``get_clusters`` … from the resource's name."""
    return lambda action: {"operation_id": f"{action}_{resource}"}


def route_names(one: str, many: str) -> Naming:
    """Route names ``list_needs``, ``get_need`` …; FastAPI derives the operation ids from them."""
    return lambda action: {"name": f"{action}_{many if action == 'list' else one}"}


def crud_routes(
    router: APIRouter,
    path: str,
    *,
    tag: str,
    model: type,
    filters: type[BaseModel],
    query: Callable[..., Select],
    create_in: type[BaseModel],
    patch_in: type[BaseModel],
    out: type,
    create: Callable[..., Any],
    update: Callable[..., Any],
    delete: Callable[..., Any] | None = None,
    present: Callable[[Any], Any] | None = None,
    id_name: str = "item_id",
    naming: Naming | None = None,
) -> None:
    """Register the routes of the resource at ``path`` on ``router``.

    ``query(**filters)`` selects the list; ``create(session=, user=, data=)``,
    ``update(session=, user=, id_=, data=)`` and ``delete(session=, user=, id_=)`` are the
    service's writes; ``present`` turns a record into its ``out`` shape when validation alone
    cannot; ``id_name`` names the record's path parameter; ``naming`` names the operations
    (by default ``operation_ids`` of the path)."""
    naming = naming or operation_ids(path.strip("/"))
    show = present or (lambda item: item)
    item_path = f"{path}/{{{id_name}}}"
    ItemId = Annotated[Id, Path(alias=id_name)]

    @router.get(path, response_model=Page[out], tags=[tag], **naming("list"))
    def list_items(
        f: Annotated[filters, Query()],
        page: int = Query(1, ge=1, le=INT_MAX),
        per_page: int = Query(50, ge=1, le=PER_PAGE_MAX),
        session: Session = db_session,
    ) -> Any:
        result = paginate(session, query(**f.model_dump()), page, per_page)
        if present is None:
            return result
        return {**result.__dict__, "items": [present(x) for x in result.items]}

    @router.get(item_path, response_model=out, tags=[tag], **naming("get"))
    def get_item(item_id: ItemId, session: Session = db_session) -> Any:
        return show(get(session, model, item_id))

    @router.post(path, response_model=out, status_code=201, tags=[tag], **naming("create"))
    def create_item(
        body: create_in, session: Session = db_session, user: User = Depends(login_required)
    ) -> Any:
        return show(create(session=session, user=user, data=body.model_dump()))

    @router.patch(item_path, response_model=out, tags=[tag], **naming("update"))
    def update_item(
        item_id: ItemId,
        body: patch_in,
        session: Session = db_session,
        user: User = Depends(login_required),
    ) -> Any:
        data = body.model_dump(exclude_unset=True)
        return show(update(session=session, user=user, id_=item_id, data=data))

    if delete is None:
        return

    @router.delete(item_path, status_code=204, tags=[tag], **naming("delete"))
    def delete_item(
        item_id: ItemId, session: Session = db_session, user: User = Depends(login_required)
    ) -> Response:
        delete(session=session, user=user, id_=item_id)
        return Response(status_code=204)
