"""REST API of the registry under ``/api/v1``: list, read, create, update and delete."""

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from promcluster.auth.models import User
from promcluster.labels import (
    CLUSTER_STATUSES,
    MEMBERSHIP_ROLES,
    MEMBERSHIP_STATUSES,
    PROJECT_STATUSES,
    choice,
)
from promcluster.pagination import Page, paginate
from promcluster.reference import service as reference
from promcluster.reference.models import Region
from promcluster.registry import maps, queries, schemas, service
from promcluster.registry.models import Chain, Cluster, Enterprise, InvestmentProject, Membership
from promcluster.web.deps import db_session, login_required
from promcluster.web.limits import INT_MAX, Code, Id, Search

router = APIRouter(prefix="/api/v1")
PER_PAGE_MAX = 500


class ClusterFilter(BaseModel):
    q: Search | None = None
    region: Code | None = None
    status: choice(CLUSTER_STATUSES) | None = None
    specialisation: Code | None = None


class EnterpriseFilter(BaseModel):
    q: Search | None = None
    region: Code | None = None
    okved: Code | None = None
    cluster_id: Id | None = None


class MembershipFilter(BaseModel):
    cluster_id: Id | None = None
    enterprise_id: Id | None = None
    status: choice(MEMBERSHIP_STATUSES) | None = None
    role: choice(MEMBERSHIP_ROLES) | None = None


class ChainFilter(BaseModel):
    cluster_id: Id | None = None


class ProjectFilter(BaseModel):
    cluster_id: Id | None = None
    chain_id: Id | None = None
    status: choice(PROJECT_STATUSES) | None = None


def _resource(
    path: str,
    tag: str,
    model: type,
    filters: type[BaseModel],
    query: Callable,
    create: type,
    patch: type,
    out: type,
    create_fn: Callable,
    update_fn: Callable,
    delete_fn: Callable,
) -> None:
    """Register the five routes of one resource."""
    name = path.strip("/")

    @router.get(path, response_model=Page[out], tags=[tag], operation_id=f"list_{name}")
    def list_items(
        f: Annotated[filters, Query()],
        page: int = Query(1, ge=1, le=INT_MAX),
        per_page: int = Query(50, ge=1, le=PER_PAGE_MAX),
        session: Session = db_session,
    ) -> Any:
        return paginate(session, query(**f.model_dump()), page, per_page)

    @router.get(path + "/{item_id}", response_model=out, tags=[tag], operation_id=f"get_{name}")
    def get_item(item_id: Id, session: Session = db_session) -> Any:
        return service.get(session, model, item_id)

    @router.post(
        path, response_model=out, status_code=201, tags=[tag], operation_id=f"create_{name}"
    )
    def create_item(
        body: create, session: Session = db_session, user: User = Depends(login_required)
    ) -> Any:
        return create_fn(session=session, user=user, data=body.model_dump())

    @router.patch(
        path + "/{item_id}", response_model=out, tags=[tag], operation_id=f"update_{name}"
    )
    def update_item(
        item_id: Id,
        body: patch,
        session: Session = db_session,
        user: User = Depends(login_required),
    ) -> Any:
        return update_fn(
            session=session, user=user, id_=item_id, data=body.model_dump(exclude_unset=True)
        )

    @router.delete(path + "/{item_id}", status_code=204, tags=[tag], operation_id=f"delete_{name}")
    def delete_item(
        item_id: Id, session: Session = db_session, user: User = Depends(login_required)
    ) -> Response:
        delete_fn(session=session, user=user, id_=item_id)
        return Response(status_code=204)


_resource(
    "/clusters",
    "Кластеры",
    Cluster,
    ClusterFilter,
    queries.cluster_query,
    schemas.ClusterIn,
    schemas.ClusterPatch,
    schemas.ClusterOut,
    service.create_cluster,
    service.update_cluster,
    service.delete_cluster,
)
_resource(
    "/enterprises",
    "Предприятия",
    Enterprise,
    EnterpriseFilter,
    queries.enterprise_query,
    schemas.EnterpriseIn,
    schemas.EnterprisePatch,
    schemas.EnterpriseOut,
    service.create_enterprise,
    service.update_enterprise,
    service.delete_enterprise,
)
for _path, _tag, _model, _filter, _query, _in, _patch, _out in (
    (
        "/memberships",
        "Участие в кластерах",
        Membership,
        MembershipFilter,
        queries.membership_query,
        schemas.MembershipIn,
        schemas.MembershipPatch,
        schemas.MembershipOut,
    ),
    (
        "/chains",
        "Кооперационные цепочки",
        Chain,
        ChainFilter,
        queries.chain_query,
        schemas.ChainIn,
        schemas.ChainPatch,
        schemas.ChainOut,
    ),
    (
        "/projects",
        "Инвестиционные проекты",
        InvestmentProject,
        ProjectFilter,
        queries.project_query,
        schemas.ProjectIn,
        schemas.ProjectPatch,
        schemas.ProjectOut,
    ),
):
    _resource(
        _path,
        _tag,
        _model,
        _filter,
        _query,
        _in,
        _patch,
        _out,
        partial(service.create_record, model=_model),
        partial(service.update_record, model=_model),
        partial(service.delete_record, model=_model),
    )


class RegionOut(BaseModel):
    code: str
    name: str
    federal_district: str
    capital: str
    lat: float
    lon: float


@router.get("/regions", response_model=list[RegionOut], tags=["Справочники"])
def list_regions(session: Session = db_session) -> list[Region]:
    return reference.list_regions(session)


@router.get("/stats", tags=["Сводка"])
def stats(session: Session = db_session) -> dict:
    """The platform's headline figures."""
    return queries.platform_figures(session).__dict__


@router.get("/map", tags=["Карта"])
def map_points(session: Session = db_session) -> dict:
    """GeoJSON points of clusters and enterprises."""
    return maps.map_features(session)
